"""Each condition flagwright exports to flagd imports back to the same condition, and plain flagd
operators map to their flagwright equivalents (or are reported)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from flagwright.export.flagd import flagd_export
from flagwright.importer import plan_import
from flagwright.runtime import compute_digest

ONOFF = {"on": True, "off": False}


def _bundle(rules: list[dict[str, Any]]) -> dict[str, Any]:
    flag = {
        "type": "boolean", "variants": ONOFF, "default": "off", "listed": True, "enabled": True,
        "requires": [], "bucket_by": "targeting_key", "experiment": None, "rules": rules,
        "fallthrough": {"serve": "off"},
    }  # fmt: skip
    doc: dict[str, Any] = {
        "format": "flagwright.snapshot/v1", "environment": "prod", "bucketing": "flagd-v2",
        "source_digest": "sha256:" + "ab" * 32, "flags": {"f": flag},
    }  # fmt: skip
    doc["digest"] = compute_digest(doc)
    return doc


def _import(document: dict[str, Any], tmp_path: Path) -> tuple[Any, list[str]]:
    raw = json.dumps(document, indent=2).encode()
    plan = plan_import(raw, "in.json", "flagd", "prod", tmp_path, tmp_path)
    docs = {f.path.stem: yaml.safe_load(f.text) for f in plan.files}
    return docs, [str(d) for d in plan.diagnostics]


CONDITIONS: list[dict[str, Any]] = [
    {"attr": "email", "op": "eq", "value": "a@b.c"},
    {"attr": "n", "op": "eq", "value": 3},
    {"attr": "beta", "op": "eq", "value": True},
    {"attr": "email", "op": "ne", "value": "a@b.c"},
    {"attr": "n", "op": "ne", "value": 2.5},
    {"attr": "country", "op": "in", "values": ["DE", "FR"]},
    {"attr": "country", "op": "not_in", "values": ["DE", "FR"]},
    {"attr": "email", "op": "starts_with", "value": "qa+"},
    {"attr": "email", "op": "ends_with", "value": "@acme.com"},
    {"attr": "email", "op": "contains", "value": "test"},
    {"attr": "n", "op": "lt", "value": 10},
    {"attr": "n", "op": "ge", "value": 0.5},
    {"attr": "v", "op": "semver_ge", "value": "2.3.0"},
    {"attr": "v", "op": "semver_lt", "value": "1.0.0-rc.1"},
    {"time": {"after": "2026-12-01T00:00:00Z", "before": "2026-12-24T00:00:00Z"}},
    {"not": {"attr": "country", "op": "eq", "value": "US"}},
    {
        "any": [
            {"attr": "email", "op": "ends_with", "value": "@acme.com"},
            {"attr": "n", "op": "gt", "value": 5},
        ]
    },
]


@pytest.mark.parametrize("condition", CONDITIONS, ids=lambda c: json.dumps(c)[:40])
def test_exported_condition_imports_back(condition: dict[str, Any], tmp_path: Path) -> None:
    document = flagd_export(_bundle([{"name": "r", "when": condition, "serve": "on"}])).document
    docs, problems = _import(document, tmp_path)
    assert problems == []
    assert docs["f"]["environments"]["prod"] == {
        "rules": [{"when": condition, "serve": "on"}],
        "serve": "off",
    }


def _flagd(targeting: Any, **extra: Any) -> dict[str, Any]:
    flag = {"state": "ENABLED", "variants": ONOFF, "defaultVariant": "off", "targeting": targeting}
    return {"flags": {"f": flag}, **extra}


PLAIN: list[tuple[Any, dict[str, Any]]] = [
    ({"==": ["x", {"var": ["email"]}]}, {"attr": "email", "op": "eq", "value": "x"}),
    ({"!=": [{"var": "n"}, 1]}, {"not": {"attr": "n", "op": "eq", "value": 1}}),
    ({"in": [{"var": "c"}, ["DE", 1]]}, {"attr": "c", "op": "in", "values": ["DE", 1]}),
    ({"in": ["sub", {"var": "s"}]}, {"attr": "s", "op": "contains", "value": "sub"}),
    ({"<": [1, {"var": "n"}]}, {"attr": "n", "op": "gt", "value": 1}),
    (
        {"<": [1, {"var": "n"}, 9]},
        {"all": [{"attr": "n", "op": "gt", "value": 1}, {"attr": "n", "op": "lt", "value": 9}]},
    ),
    (
        {"sem_ver": [{"var": "v"}, "!=", "1.2.3"]},
        {
            "any": [
                {"attr": "v", "op": "semver_lt", "value": "1.2.3"},
                {"attr": "v", "op": "semver_gt", "value": "1.2.3"},
            ]
        },
    ),
    ({">": [{"var": "$flagd.timestamp"}, 99]}, {"time": {"after": "1970-01-01T00:01:40Z"}}),
    ({"<=": [{"var": "$flagd.timestamp"}, 99]}, {"time": {"before": "1970-01-01T00:01:40Z"}}),
    ({"!": {"var": "targetingKey"}} and {"==": [{"var": "targetingKey"}, "k"]},
     {"attr": "targeting_key", "op": "eq", "value": "k"}),
]  # fmt: skip


@pytest.mark.parametrize(("logic", "condition"), PLAIN, ids=lambda x: json.dumps(x)[:40])
def test_plain_flagd_operators(logic: Any, condition: dict[str, Any], tmp_path: Path) -> None:
    docs, problems = _import(_flagd({"if": [logic, "on", "off"]}), tmp_path)
    assert problems == []
    assert docs["f"]["environments"]["prod"]["rules"] == [{"when": condition, "serve": "on"}]


REFUSED: list[tuple[Any, str]] = [
    ({"in": [{"var": "s"}, "abcdef"]}, "in.json:13:13: error[FW504]"),
    ({"==": [{"var": "user.name"}, "x"]}, "in.json:14:15: error[FW504]"),
    ({"sem_ver": [{"var": "v"}, "^", "1.0.0"]}, "in.json:17:15: error[FW508]"),
    ({"%": [{"var": "n"}, 2]}, "in.json:13:13: error[FW504]"),
]


@pytest.mark.parametrize(("logic", "start"), REFUSED, ids=lambda x: json.dumps(x)[:40])
def test_unrepresentable_operators_are_reported(logic: Any, start: str, tmp_path: Path) -> None:
    docs, problems = _import(_flagd({"if": [logic, "on", "off"]}), tmp_path)
    assert docs == {}
    assert len(problems) == 1 and problems[0].startswith(start), problems


@pytest.mark.parametrize(
    ("weights", "split"),
    [
        ([["on", 1], ["off", 3]], {"on": 25, "off": 75}),
        ([["on", 1], ["off", 7]], {"on": 12.5, "off": 87.5}),
    ],
)
def test_integer_weights_become_exact_percentages(
    weights: list[Any], split: dict[str, float], tmp_path: Path
) -> None:
    docs, problems = _import(_flagd({"fractional": weights}), tmp_path)
    assert (problems, docs["f"]["environments"]["prod"]) == ([], {"split": split})


def test_weights_without_an_exact_percentage_are_reported(tmp_path: Path) -> None:
    docs, problems = _import(_flagd({"fractional": [["on", 1], ["off", 2]]}), tmp_path)
    assert docs == {}
    assert problems == [
        "in.json:11:9: error[FW505] flag 'f' not imported: weight 1 of 3 is 33.33%, which "
        "flagwright cannot express with at most 2 decimals without moving users"
    ]


def test_evaluator_names_must_be_valid_segment_names(tmp_path: Path) -> None:
    document = _flagd({"if": [{"$ref": "Is-Staff"}, "on", "off"]})
    document["$evaluators"] = {"Is-Staff": {"==": [{"var": "team"}, "staff"]}}
    docs, problems = _import(document, tmp_path)
    assert docs == {}
    assert [p.split(" flag")[0] for p in problems] == ["in.json:13:21: error[FW503]"]
