"""The runtime's operator table is the one list of condition operators.

Every other place that handles operators is pinned to it here, so adding an operator to the
runtime fails these tests until the model, the checks, the compiler, the flagd export, the
flagd import and the diff wording know it too (the checklist is in CONTRIBUTING.md).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, get_args

import pytest
from tests.render.fixture_repo import write_repo

from flagwright.check.repository import validate_repository
from flagwright.diff.describe import condition_text
from flagwright.export import jsonlogic
from flagwright.importer import flagd_conditions
from flagwright.model.conditions import LIST_OPERATORS, Operator
from flagwright.runtime.conditions import OPERATORS, compile_condition

# One valid operand per operator: what a flag author would write after `value:` / `values:`.
SAMPLE: dict[str, Any] = {
    "eq": "DE",
    "ne": "DE",
    "in": ["DE", "FR"],
    "not_in": ["DE", "FR"],
    "starts_with": "DE",
    "ends_with": "@example.com",
    "contains": "beta",
    "matches": "^[a-z]+$",
    "lt": 3,
    "le": 3,
    "gt": 3,
    "ge": 3,
    "semver_eq": "2.3.0",
    "semver_lt": "2.3.0",
    "semver_le": "2.3.0",
    "semver_gt": "2.3.0",
    "semver_ge": "2.3.0",
    "before": "2026-12-01T00:00:00Z",
    "after": "2026-12-01T00:00:00Z",
}


def _condition(op: str) -> dict[str, Any]:
    key = "values" if op in LIST_OPERATORS else "value"
    return {"attr": "x", "op": op, key: SAMPLE[op]}


def test_the_samples_cover_the_runtime_table() -> None:
    assert set(SAMPLE) == OPERATORS


def test_the_model_accepts_exactly_the_runtime_operators() -> None:
    assert set(get_args(Operator)) == OPERATORS
    assert LIST_OPERATORS <= OPERATORS


@pytest.mark.parametrize("op", sorted(OPERATORS))
def test_the_runtime_compiles_every_operator(op: str) -> None:
    test, _ = compile_condition(_condition(op))
    assert test({}, 0.0, None) is False  # a missing attribute never matches


def test_the_flagd_export_maps_or_refuses_every_operator() -> None:
    mapped, refused = set(jsonlogic._OPERATORS), set(jsonlogic._UNSUPPORTED)
    assert not mapped & refused
    assert mapped | refused == OPERATORS


def test_the_flagd_import_only_produces_runtime_operators() -> None:
    assert set(flagd_conditions._SEMVER.values()) <= OPERATORS


@pytest.mark.parametrize("op", sorted(OPERATORS))
def test_the_diff_words_every_operator(op: str) -> None:
    assert condition_text(_condition(op)).startswith(f"x {op} ")


def test_validate_accepts_every_operator(tmp_path: Path) -> None:
    rules = "\n".join(
        f"      - when: {{attr: x, op: {op}, {'values' if op in LIST_OPERATORS else 'value'}: "
        f"{_yaml(SAMPLE[op])}}}\n        serve: on"
        for op in sorted(OPERATORS)
    )
    flag = (
        "kind: Flag\nkey: web-every-operator\ndescription: d\nowner: o\nenvironments:\n"
        f"  dev:\n    rules:\n{rules}\n    serve: off\n"
    )
    root = write_repo(tmp_path / "repo", {"flags/web-every-operator.yaml": flag})
    validated = validate_repository(root, date(2026, 11, 23))
    errors = [d for d in validated.diagnostics if d.severity == "error"]
    assert errors == []


def _yaml(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_yaml(v) for v in value) + "]"
    if isinstance(value, str):
        return '"' + value + '"'
    return str(value)
