"""The models and the committed JSON Schemas agree on every document they are shown.

What the models accept, the schemas accept (an editor must never flag a valid file). What the
schemas accept, the models accept too, except for the checks a JSON Schema cannot express, each
named in :data:`MODEL_ONLY`. Documents: every corpus case, the example, and the example's
documents with one value replaced by a value of another type (hypothesis).
"""

from __future__ import annotations

import copy
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker
from pydantic import ValidationError

from flagwright.load.repository import config_files
from flagwright.load.yamlio import YamlError, load_documents
from flagwright.model import KINDS
from flagwright.model.schemas import schema_file_name

ROOT = Path(__file__).resolve().parent.parent

# pydantic error types of checks no JSON Schema keyword can state.
MODEL_ONLY = {
    "value_error",  # cross-field rules (model validators: a freeze ends after it starts, ...)
    "fw_percent",  # at most 2 decimals (binary floats make "multipleOf": 0.01 reject 33.33)
    "fw_time_range",  # a time a day away from the calendar's ends
    "fw_duration",  # at most 100 years (the pattern says the form, not the size)
    "fw_empty",  # not only whitespace
}

FORMATS = FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    return not isinstance(value, str) or datetime.fromisoformat(value).tzinfo is not None


@FORMATS.checks("date", raises=ValueError)
def _date(value: object) -> bool:
    return not isinstance(value, str) or (bool(date.fromisoformat(value)) and len(value) == 10)


VALIDATORS = {
    kind: Draft202012Validator(
        json.loads((ROOT / "schemas" / schema_file_name(kind)).read_text(encoding="utf-8")),
        format_checker=FORMATS,
    )
    for kind in KINDS
}


def _documents(root: Path, files: list[str]) -> list[dict[str, Any]]:
    docs = []
    for rel in files:
        try:
            loaded = load_documents((root / rel).read_text(encoding="utf-8"))
        except (YamlError, UnicodeDecodeError):
            continue
        docs.extend(d for d in loaded if isinstance(d, dict) and d.get("kind") in KINDS)
    return docs


CORPUS = [
    doc
    for case in sorted((ROOT / "tests" / "corpus").iterdir())
    if case.is_dir()
    for doc in _documents(case, config_files(case))
]
EXAMPLE = _documents(ROOT, config_files(ROOT))


def _verdicts(doc: dict[str, Any]) -> tuple[set[str] | None, list[str]]:
    """(the model's error types, or None when it accepts; the schema's error messages)."""
    try:
        KINDS[doc["kind"]].model_validate(doc)
        model = None
    except ValidationError as exc:
        model = {error["type"] for error in exc.errors()}
    schema = [error.message for error in VALIDATORS[doc["kind"]].iter_errors(doc)]
    return model, schema


def _agree(doc: dict[str, Any]) -> None:
    model, schema = _verdicts(doc)
    if model is None:
        assert schema == [], f"the schema rejects what the model accepts: {schema}\n{doc}"
    elif not schema:
        assert model <= MODEL_ONLY, f"only the model rejects this ({model}):\n{doc}"


def test_corpus_and_example_documents() -> None:
    assert len(CORPUS) > 100 and len(EXAMPLE) >= 25
    for doc in CORPUS + EXAMPLE:
        _agree(doc)


def test_values_of_the_wrong_type_are_refused_by_both() -> None:
    flag = next(d for d in EXAMPLE if d["kind"] == "Flag" and "experiment" in d)
    plan = next(d for d in EXAMPLE if d["kind"] == "RolloutPlan" and "gates" in d)
    cases = [
        (flag, ("experiment", "significance"), "0.05"),
        (plan, ("stages", 0, "percent"), "50"),
        (plan, ("gates", "max_p99_ms"), True),
    ]
    for doc, path, value in cases:
        broken = _replace(doc, path, value)
        model, schema = _verdicts(broken)
        assert model is not None and schema, (path, value, model, schema)


def _replace(doc: dict[str, Any], path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    node: Any = out
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return out


def _leaf_paths(node: Any, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    if isinstance(node, dict):
        return [p for k, v in node.items() for p in _leaf_paths(v, (*prefix, k))] or [prefix]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in _leaf_paths(v, (*prefix, i))] or [prefix]
    return [prefix]


_REPLACEMENTS = st.sampled_from(
    ["50", "0.05", "true", "", " ", "2026-11-20", "x" * 200, True, False, 0, 50, 0.5, 101, -1,
     1.005, None, [], {}, ["a"], {"a": 1}]
)  # fmt: skip


@settings(max_examples=50, deadline=None)
@given(st.data())
def test_documents_with_one_value_replaced(data: st.DataObject) -> None:
    doc = data.draw(st.sampled_from(EXAMPLE))
    paths = [p for p in _leaf_paths(doc) if p and p != ("kind",)]
    path = data.draw(st.sampled_from(paths))
    _agree(_replace(doc, path, data.draw(_REPLACEMENTS)))
