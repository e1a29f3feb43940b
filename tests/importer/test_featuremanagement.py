"""Importing Microsoft.FeatureManagement configuration: every filter type, variants with an
allocation, the legacy section, and Microsoft's own sample files."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from flagwright.check.repository import validate_repository
from flagwright.importer import plan_import, write_import
from flagwright.importer.featuremanagement import NOTE

from .helpers import FM_SAMPLES, make_repo

APPSETTINGS = Path(__file__).with_name("appsettings.json")


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    root = make_repo(tmp_path_factory.mktemp("fm"), ("dev",))
    plan = plan_import(
        APPSETTINGS.read_bytes(),
        "appsettings.json",
        "featuremanagement",
        "dev",
        root / "flags",
        root,
    )
    write_import(plan, force=False)
    return root, plan


def _entry(root: Path, key: str) -> dict[str, Any]:
    doc = yaml.safe_load((root / "flags" / f"{key}.yaml").read_text(encoding="utf-8"))
    assert doc["key"] == key
    return dict(doc["environments"]["dev"])


def test_what_imports_and_what_is_reported(imported: tuple[Path, Any]) -> None:
    _, plan = imported
    assert plan.flags == [
        "always-on", "kill-switched", "black-friday-banner", "evening-deals", "beta-rollout",
        "half-of-everyone", "checkout-theme", "legacy-on", "legacy-off", "legacy-percent",
        "legacy-window", "legacy-targeting",
    ]  # fmt: skip
    assert [str(d) for d in plan.diagnostics] == [
        "appsettings.json:66:43: error[FW510] flag 'custom-filter' not imported: filter "
        "'Contoso.Browser' has no flagwright equivalent (only Microsoft.TimeWindow, "
        "Microsoft.Percentage and Microsoft.Targeting import)",
        "appsettings.json:68:14: error[FW503] flag 'Bad Name' not imported: the id is not a valid "
        "flagwright flag key (letters, digits, '.', '_' and '-', no '..'); services look "
        "flags up by it, so it is not renamed",
    ]
    assert plan.notes == [NOTE]


def test_the_imported_repository_validates(imported: tuple[Path, Any]) -> None:
    root, _ = imported
    assert validate_repository(root, today=date(2026, 11, 23)).diagnostics == []


def test_on_off_and_kill_switch(imported: tuple[Path, Any]) -> None:
    root, _ = imported
    assert _entry(root, "always-on") == {"serve": "on"}
    assert _entry(root, "kill-switched") == {"enabled": False, "serve": "on"}
    doc = yaml.safe_load((root / "flags" / "kill-switched.yaml").read_text(encoding="utf-8"))
    assert (doc["description"], doc["owner"]) == ("Off for now", "unknown-imported")
    assert _entry(root, "legacy-on") == {"serve": "on"}
    assert _entry(root, "legacy-off") == {"enabled": False, "serve": "on"}


def test_time_windows(imported: tuple[Path, Any]) -> None:
    root, _ = imported
    assert _entry(root, "black-friday-banner") == {
        "rules": [
            {
                "when": {
                    "time": {"after": "2026-11-27T00:00:00Z", "before": "2026-12-01T00:00:00Z"}
                },
                "serve": "on",
            }
        ],
        "serve": "off",
    }
    assert _entry(root, "evening-deals")["rules"] == [
        {
            "when": {
                "all": [
                    {"time": {"after": "2027-01-04T18:00:00+01:00"}},
                    {
                        "schedule": {
                            "days": ["mon", "fri"], "from": "18:00", "to": "22:00",
                            "tz": "Etc/GMT-1",
                        }
                    },
                ]
            },
            "serve": "on",
        }
    ]  # fmt: skip
    assert _entry(root, "legacy-window")["rules"][0]["when"] == {
        "time": {"after": "2026-01-01T00:00:00Z"}
    }


def test_targeting_with_exclusions_groups_and_default_rollout(imported: tuple[Path, Any]) -> None:
    root, _ = imported
    user, group = "targeting_key", "group"
    assert _entry(root, "beta-rollout") == {
        "rules": [
            {"when": {"attr": user, "op": "in", "values": ["mallory"]}, "serve": "off"},
            {"when": {"attr": group, "op": "in", "values": ["banned"]}, "serve": "off"},
            {"when": {"attr": user, "op": "in", "values": ["alice", "bob"]}, "serve": "on"},
            {"when": {"attr": group, "op": "in", "values": ["staff"]}, "serve": "on"},
            # 50% of the group, or else the 10% default rollout: 55% of its members.
            {"when": {"attr": group, "op": "eq", "value": "beta"}, "split": {"on": 55, "off": 45}},
        ],
        "split": {"on": 10, "off": 90},
    }
    assert _entry(root, "legacy-targeting") == {
        "rules": [{"when": {"attr": user, "op": "in", "values": ["carol"]}, "serve": "on"}],
        "serve": "off",
    }


def test_percentage_and_variants(imported: tuple[Path, Any]) -> None:
    root, _ = imported
    assert _entry(root, "half-of-everyone") == {"split": {"on": 50, "off": 50}}
    assert _entry(root, "legacy-percent") == {"split": {"on": 25, "off": 75}}
    doc = yaml.safe_load((root / "flags" / "checkout-theme.yaml").read_text(encoding="utf-8"))
    assert (doc["type"], doc["variants"], doc["default"]) == (
        "string", {"classic": "classic", "dark": "dark"}, "classic"
    )  # fmt: skip
    assert doc["environments"]["dev"] == {
        "rules": [
            {"when": {"attr": "targeting_key", "op": "in", "values": ["alice"]}, "serve": "dark"},
            {"when": {"attr": "group", "op": "in", "values": ["designers"]}, "serve": "dark"},
        ],
        "split": {"dark": 20, "classic": 80},
    }


# What imports from each of Microsoft's samples, and what is reported where (in the sample file).
SAMPLES: dict[str, tuple[int, list[tuple[str, int, int]]]] = {
    "BasicTelemetry": (0, [("FW512", 15, 44), ("FW511", 21, 17)]),
    "BasicVariant": (0, [("FW512", 17, 44), ("FW512", 36, 44), ("FW507", 46, 17)]),
    "NoFilters": (5, [("FW502", 23, 28)]),
    "RequirementType": (6, []),
    "TargetingFilter": (2, []),
    "TargetingFilter.modified": (2, []),
    "TimeWindowFilter": (5, []),
    "VariantAssignment": (
        0,
        [("FW507", 8, 17), ("FW507", 40, 17), ("FW507", 71, 17), ("FW507", 100, 17)],
    ),
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_microsoft_samples(name: str, tmp_path: Path) -> None:
    """Microsoft's samples name flags the .NET way (``Alpha``, ``BetaFeature``): they import
    under those keys, unchanged."""
    source = FM_SAMPLES / f"{name}.sample.json"
    root = make_repo(tmp_path / "repo")
    plan = plan_import(
        source.read_bytes(), source.name, "featuremanagement", "prod", root / "flags", root
    )
    count, reported = SAMPLES[name]
    assert (len(plan.flags), [(d.code, d.line, d.col) for d in plan.diagnostics]) == (
        count,
        reported,
    )
    ids = [
        f["id"]
        for f in json.loads(source.read_text(encoding="utf-8"))["feature_management"][
            "feature_flags"
        ]
    ]
    assert set(plan.flags) <= set(ids)
    write_import(plan, force=False)
    assert validate_repository(root, today=date(2026, 11, 23)).diagnostics == []


def test_complex_targeting_sample(tmp_path: Path) -> None:
    data = json.loads((FM_SAMPLES / "TargetingFilter.sample.json").read_text(encoding="utf-8"))
    data["feature_management"]["feature_flags"][0]["id"] = "complex-targeting"
    raw = json.dumps(data).encode()
    plan = plan_import(raw, "t.json", "featuremanagement", "prod", tmp_path, tmp_path)
    entry = yaml.safe_load(plan.files[0].text)["environments"]["prod"]
    assert entry["rules"][-1] == {
        "when": {"attr": "group", "op": "eq", "value": "Stage2"},
        "split": {"on": 62.5, "off": 37.5},  # 50% of Stage2, or else the 25% default
    }
    assert entry["split"] == {"on": 25, "off": 75}
