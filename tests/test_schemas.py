"""The committed JSON Schemas: well-formed, in step with the models, and true to the example.

Editors check files against these schemas through each file's `yaml-language-server` line, so a
schema that rejects a valid document (or points to the wrong file) is a user-facing bug even though
flagwright itself validates with the models.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker, ValidationError
from tests.cli_runner import run_cli

from flagwright.load.repository import config_files
from flagwright.load.yamlio import load_documents
from flagwright.model import KINDS
from flagwright.model.schemas import generate_schemas, schema_file_name

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_FILES = config_files(ROOT)

# jsonschema only checks "date-time" with an optional extra installed; check it here so the
# example's times are held to RFC 3339 with an offset, as the models require.
FORMATS = FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    return not isinstance(value, str) or datetime.fromisoformat(value).tzinfo is not None


def validator_for(kind: str) -> Draft202012Validator:
    schema = json.loads((ROOT / "schemas" / schema_file_name(kind)).read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=FORMATS)


def errors_of(kind: str, document: Any) -> list[str]:
    found = validator_for(kind).iter_errors(document)
    return sorted(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in found)


def leaf_messages(error: ValidationError) -> list[str]:
    """The innermost reasons behind an anyOf/oneOf failure."""
    if not error.context:
        return [error.message]
    return [message for sub in error.context for message in leaf_messages(sub)]


def load_example(rel: str) -> list[dict[str, Any]]:
    # The project's own loader: YAML 1.2 scalars, and dates kept as strings, as in JSON.
    docs = load_documents((ROOT / rel).read_text(encoding="utf-8"))
    return [doc for doc in docs if doc is not None]


def test_the_example_is_found() -> None:
    assert len(EXAMPLE_FILES) >= 20
    assert all(rel.startswith(("flags/", "environments/")) for rel in EXAMPLE_FILES)


def test_one_committed_schema_per_kind_and_each_is_a_valid_2020_12_schema() -> None:
    committed = sorted(p.name for p in (ROOT / "schemas").glob("*.json"))
    assert committed == sorted(schema_file_name(kind) for kind in KINDS)
    for name in committed:
        schema = json.loads((ROOT / "schemas" / name).read_text(encoding="utf-8"))
        Draft202012Validator.check_schema(schema)
        assert schema["$id"] == name


@pytest.mark.parametrize("rel", EXAMPLE_FILES)
def test_example_file_names_its_schema_on_the_first_line(rel: str) -> None:
    docs = load_example(rel)
    kinds = {doc["kind"] for doc in docs}
    assert len(kinds) == 1, f"{rel} mixes kinds {sorted(kinds)}"
    target = ROOT / "schemas" / schema_file_name(kinds.pop())
    relative = Path(os.path.relpath(target, (ROOT / rel).parent)).as_posix()
    first_line = (ROOT / rel).read_text(encoding="utf-8").splitlines()[0]
    assert first_line == f"# yaml-language-server: $schema={relative}"


@pytest.mark.parametrize("rel", EXAMPLE_FILES)
def test_example_document_validates_against_its_schema(rel: str) -> None:
    for doc in load_example(rel):
        assert errors_of(doc["kind"], doc) == []


def test_schema_rejects_unknown_keys_and_bad_values() -> None:
    flag = load_example("flags/checkout-redesign.yaml")[0]
    broken = copy.deepcopy(flag)
    broken["colour"] = "blue"
    broken["environments"]["staging"]["split"]["treatment"] = 150
    broken["environments"]["prod"]["rollout"] = {"plan": "standard-canary", "variant": "treatment",
                                                 "start": "2026-12-02T09:00:00"}  # fmt: skip
    assert errors_of("Flag", broken) == [
        ": Additional properties are not allowed ('colour' was unexpected)",
        # Optional fields are "anyOf [X, null]", so the error names the field, not the key.
        "environments/prod/rollout: {'plan': 'standard-canary', 'variant': 'treatment', "
        "'start': '2026-12-02T09:00:00'} is not valid under any of the given schemas",
        "environments/staging/split: {'control': 50, 'treatment': 150} is not valid under any "
        "of the given schemas",
    ]
    (rollout,) = (e for e in validator_for("Flag").iter_errors(broken) if "rollout" in e.path)
    assert "'2026-12-02T09:00:00' is not a 'date-time'" in leaf_messages(rollout)


def test_two_decimal_percentages_are_valid_in_the_schema_as_in_the_model() -> None:
    # Regression: a float "multipleOf: 0.01" made 33.33 invalid for editors (33.33 / 0.01 is not
    # an integer in binary floating point) while the model accepts it.
    flag = {
        "kind": "Flag",
        "key": "three-way",
        "description": "d",
        "owner": "team-x",
        "type": "string",
        "variants": {"a": "a", "b": "b", "c": "c"},
        "default": "a",
        "environments": {"dev": {"split": {"a": 33.33, "b": 33.33, "c": 33.34}}},
    }
    KINDS["Flag"].model_validate(flag)
    assert errors_of("Flag", flag) == []


def test_schema_check_passes_on_the_committed_schemas(repo_root: Path) -> None:
    result = run_cli("-C", str(repo_root), "schema", "--check")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


def copy_repo(root: Path, to: Path) -> Path:
    for folder in ("flags", "environments", "schemas"):
        shutil.copytree(root / folder, to / folder)
    return to


def test_schema_check_fails_after_a_schema_is_edited(repo_root: Path, tmp_path: Path) -> None:
    copy = copy_repo(repo_root, tmp_path)
    edited = copy / "schemas" / "flag.schema.json"
    edited.write_text(
        edited.read_text(encoding="utf-8").replace('"Flag"', '"Flagg"', 1), encoding="utf-8"
    )
    (copy / "schemas" / "segment.schema.json").unlink()

    result = run_cli("-C", str(copy), "schema", "--check")

    assert result.exit_code == 1
    assert result.stdout == (
        "schemas/segment.schema.json: would be added\nschemas/flag.schema.json: would be changed\n"
    )
    assert result.stderr == "schemas are out of date: run `flagwright schema`\n"


def test_schema_command_restores_what_check_reported(repo_root: Path, tmp_path: Path) -> None:
    copy = copy_repo(repo_root, tmp_path)
    (copy / "schemas" / "app.schema.json").write_text("{}\n", encoding="utf-8")

    written = run_cli("-C", str(copy), "schema")
    checked = run_cli("-C", str(copy), "schema", "--check")

    assert (written.exit_code, written.stdout, written.stderr) == (
        0,
        "wrote schemas/app.schema.json\n",
        "",
    )
    assert (checked.exit_code, checked.stdout, checked.stderr) == (0, "", "")
    expected = generate_schemas()["app.schema.json"]
    assert (copy / "schemas" / "app.schema.json").read_text(encoding="utf-8") == expected
