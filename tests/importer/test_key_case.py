"""Mixed-case flag keys (.NET's ``nameof``) import under their own name; keys that differ only in
case are refused at both places (file names fold case on macOS and Windows)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from flagwright.check.repository import validate_repository
from flagwright.importer import plan_import, write_import

from .helpers import make_repo


def _fm(*ids: str) -> bytes:
    flags = [{"id": key, "enabled": True} for key in ids]
    return json.dumps({"feature_management": {"feature_flags": flags}}, indent=2).encode()


def test_dotnet_key_imports_and_validates(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    plan = plan_import(_fm("BatchMinting"), "appsettings.json", "featuremanagement", "prod",
                       root / "flags", root)  # fmt: skip
    assert plan.diagnostics == []
    assert plan.flags == ["BatchMinting"]
    write_import(plan, force=False)
    assert (root / "flags/BatchMinting.yaml").read_text(encoding="utf-8").count("BatchMinting")
    assert validate_repository(root, today=date(2026, 11, 23)).diagnostics == []


def test_keys_differing_only_in_case_are_refused_at_both(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    source = _fm("BatchMinting", "ok", "batchminting")
    plan = plan_import(
        source, "appsettings.json", "featuremanagement", "prod", root / "flags", root
    )
    assert plan.flags == ["ok"]
    assert [str(d) for d in plan.diagnostics] == [
        "appsettings.json:5:15: error[FW520] flag 'BatchMinting' not imported: its key differs "
        "only in case from 'batchminting' in the same file",
        "appsettings.json:13:15: error[FW520] flag 'batchminting' not imported: its key differs "
        "only in case from 'BatchMinting' in the same file",
    ]


def test_key_clashing_with_an_existing_file_is_refused(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    first = plan_import(_fm("BatchMinting"), "a.json", "featuremanagement", "prod",
                        root / "flags", root)  # fmt: skip
    write_import(first, force=False)
    plan = plan_import(_fm("batchMinting"), "b.json", "featuremanagement", "prod",
                       root / "flags", root)  # fmt: skip
    assert plan.flags == []
    (problem,) = plan.diagnostics
    assert (problem.code, problem.line, problem.col) == ("FW520", 5, 15)
    assert problem.message.startswith("flag 'batchMinting' not imported: its key differs only in")
    assert problem.message.endswith("flags/BatchMinting.yaml")


def test_flagd_keys_differing_only_in_case_are_refused(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    flags = {key: {"state": "ENABLED", "variants": {"on": True, "off": False},
                   "defaultVariant": "off"} for key in ("newCheckout", "NewCheckout")}  # fmt: skip
    source = json.dumps({"flags": flags}, indent=2).encode()
    plan = plan_import(source, "flagd.json", "flagd", "prod", root / "flags", root)
    assert plan.flags == []
    assert [(d.code, d.line, d.col) for d in plan.diagnostics] == [
        ("FW520", 3, 5),
        ("FW520", 11, 5),
    ]


def test_a_flagd_v3_export_asks_for_the_rule(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    document = {
        "flags": {"f": {"state": "ENABLED", "variants": {"on": True, "off": False},
                        "defaultVariant": "off"}},
        "metadata": {"flagSetId": "flagwright/prod", "version": "sha256:00",
                     "bucketing": "flagd-v3"},
    }  # fmt: skip
    plan = plan_import(json.dumps(document, indent=2).encode(), "flagd.json", "flagd", "prod",
                       root / "flags", root)  # fmt: skip
    assert plan.flags == ["f"]
    assert [(d.code, d.severity, d.line) for d in plan.diagnostics] == [("FW521", "warning", 15)]
