"""Import writing: every planned file or none, no orphaned segment, strings that read back."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml as pyyaml

import flagwright.importer as importer
from flagwright.importer import plan_import, write_import
from flagwright.importer.documents import ImportedDoc
from flagwright.importer.writer import Planned, document_text, write_planned
from flagwright.load.yamlio import load_documents
from flagwright.model import Flag

from .helpers import make_repo

SOURCE = b"""{
  "$evaluators": {"staff": {"in": ["@acme.com", {"var": "email"}]},
                  "beta": {"in": ["beta", {"var": "groups"}]}},
  "flags": {
    "good": {"state": "ENABLED", "variants": {"on": true, "off": false},
             "defaultVariant": "off", "targeting": {"if": [{"$ref": "beta"}, "on", "off"]}},
    "bad": {"state": "ENABLED", "variants": {"on": true, "off": false},
            "defaultVariant": "off", "targeting": {"if": [{"$ref": "staff"}, "on", "off"]}}
  }
}
"""


def _files(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_a_failure_while_replacing_leaves_no_new_file_and_restores_old_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "flags"
    out.mkdir()
    (out / "a.yaml").write_text("old a\n", encoding="utf-8")
    planned = [
        Planned(out / "a.yaml", "a.yaml", "new a\n"),
        Planned(out / "segments" / "b.yaml", "b.yaml", "new b\n"),
        Planned(out / "c.yaml", "c.yaml", "new c\n"),
    ]
    real = os.replace
    targets: list[str] = []

    def fail_on_second_file(src: Any, dst: Any) -> None:
        if not Path(dst).name.startswith("."):  # a temporary file going to its target
            targets.append(Path(dst).name)
            if len(targets) == 2:
                raise OSError(28, "No space left on device")
        real(src, dst)

    monkeypatch.setattr(os, "replace", fail_on_second_file)
    with pytest.raises(OSError, match="No space left"):
        write_planned(planned, force=True)
    assert targets[:2] == ["a.yaml", "b.yaml"]
    # a.yaml was replaced, then put back; no temporary, backup or new folder is left
    assert _files(tmp_path) == {"flags/a.yaml": "old a\n"}
    assert sorted(p.name for p in out.iterdir()) == ["a.yaml"]


def test_every_temporary_file_is_written_before_the_first_replace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    planned = [Planned(tmp_path / f"{n}.yaml", f"{n}.yaml", f"{n}\n") for n in "abc"]
    seen: list[list[str]] = []
    real = os.replace

    def record(src: Any, dst: Any) -> None:
        seen.append(sorted(p.name for p in tmp_path.iterdir()))
        real(src, dst)

    monkeypatch.setattr(os, "replace", record)
    assert write_planned(planned, force=False) == (["a.yaml", "b.yaml", "c.yaml"], [])
    assert seen[0] == [".a.yaml.tmp", ".b.yaml.tmp", ".c.yaml.tmp"]
    assert _files(tmp_path) == {"a.yaml": "a\n", "b.yaml": "b\n", "c.yaml": "c\n"}


def test_segments_of_a_flag_that_fails_validation_are_not_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo(tmp_path / "repo")
    real = Flag.model_validate

    class BrokenTranslation:
        """Flag, except that 'bad' comes out of translation with a default it lacks."""

        @staticmethod
        def model_validate(body: dict[str, Any]) -> Flag:
            return real({**body, "default": ["nope"]} if body["key"] == "bad" else body)

    monkeypatch.setattr(importer, "Flag", BrokenTranslation)
    plan = plan_import(SOURCE, "f.json", "flagd", "prod", root / "flags", root)
    assert [(d.code, d.path, d.line, d.col) for d in plan.diagnostics] == [
        ("FW513", "f.json", 7, 5)
    ]
    assert "flag 'bad' not imported: it would not validate" in plan.diagnostics[0].message
    assert plan.flags == ["good"]
    write_import(plan, force=False)
    assert sorted(_files(root / "flags")) == ["good.yaml", "segments/beta.yaml"]


STRINGS = ["1e5", "+0o17", "-0x1F", ".inf", "NULL", "on", "no", "2024-01-01", "", " x", "plain"]


def test_imported_strings_read_back_as_strings_under_yaml_1_1_and_1_2() -> None:
    body = {"kind": "Flag", "key": "k", "variants": {f"v{i}": s for i, s in enumerate(STRINGS)}}
    text = document_text(ImportedDoc("Flag", "k", body, ()), "s.json", "f.json")
    [ours] = load_documents(text)
    assert list(ours["variants"].values()) == STRINGS
    assert list(pyyaml.safe_load(text)["variants"].values()) == STRINGS
    assert 'v0: "1e5"\n' in text  # the shared YAML 1.2 rule, not ruamel's own quoting
    assert "v10: plain\n" in text  # strings that need nothing stay plain
