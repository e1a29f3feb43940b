"""Importing flagd-testbed's flag files: exactly which flags import, and every other one reported
with its code and JSON position."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from flagwright.check.repository import validate_repository
from flagwright.importer import plan_import, write_import

from .helpers import TESTBED, make_repo

NI = "not imported"
# file → (flags written, [(code, line, col, flag or message start)], segments written)
EXPECTED: dict[str, tuple[list[str], list[tuple[str, int, int, str]], list[str]]] = {
    "flags/changing-flag.json": (["changing-flag"], [], []),
    "flags/custom-ops.json": (
        ["fractional-flag-shorthand", "fractional-single-entry-flag", "semver-build-metadata-flag"],
        [
            ("FW505", 15, 11, "fractional-flag"),  # cat of flagKey and a nested "user.name"
            ("FW505", 92, 11, "fractional-flag-A-shared-seed"),  # cat of a constant seed
            ("FW505", 131, 11, "fractional-flag-B-shared-seed"),
            ("FW505", 167, 11, "fractional-hash-edge-flag"),  # hashes targetingKey alone
            ("FW505", 191, 11, "fractional-nested-if-flag"),
            ("FW505", 229, 11, "fractional-nested-var-flag"),
            ("FW505", 255, 11, "fractional-nested-weight-flag"),
            ("FW504", 293, 13, "fractional-as-condition-flag"),
            ("FW504", 320, 13, "fractional-as-condition-false-flag"),
            ("FW504", 369, 21, "starts-ends-flag"),  # ends_with a number
            ("FW508", 438, 27, "equal-greater-lesser-version-flag"),  # 2.0.0.0
            ("FW508", 467, 15, "major-minor-version-flag"),  # ~
            ("FW508", 505, 15, "semver-v-prefix-flag"),
            ("FW508", 527, 15, "semver-partial-version-flag"),  # ^
            ("FW508", 551, 15, "semver-numeric-context-flag"),  # 1.1
            ("FW505", 615, 11, "fractional-basic-flag"),
        ],
        [],
    ),
    "flags/disabled-flags.json": (
        [],
        [
            ("FW506", 4, 16, "disabled-boolean-flag"),
            ("FW506", 12, 16, "disabled-string-flag"),
            ("FW506", 20, 16, "disabled-integer-flag"),
            ("FW506", 28, 16, "disabled-float-flag"),
            ("FW506", 36, 16, "disabled-object-flag"),
            ("FW506", 48, 16, "cross-flagset-flag"),
        ],
        [],
    ),
    "flags/edge-case-flags.json": (
        ["empty-targeting-flag", "targeting-null-variant-flag"],
        [
            ("FW504", 25, 7, "error-targeting-flag"),
            ("FW512", 41, 11, "missing-variant-targeting-flag"),
            ("FW504", 56, 11, "non-string-variant-targeting-flag"),
            ("FW504", 78, 7, "semver-invalid-version-flag"),
            ("FW504", 96, 7, "semver-invalid-operator-flag"),
            ("FW505", 116, 11, "fractional-null-bucket-key-flag"),
            ("FW504", 138, 7, "starts-with-non-string-flag"),
            ("FW504", 155, 7, "ends-with-non-string-flag"),
            ("FW504", 172, 7, "starts-with-wrong-args-flag"),
            ("FW504", 186, 7, "ends-with-wrong-args-flag"),
            ("FW505", 202, 11, "fractional-zero-weights-flag"),
            ("FW505", 226, 11, "fractional-negative-weight-flag"),
            ("FW504", 248, 7, "semver-wrong-args-flag"),
            ("FW505", 266, 11, "targeting-null-flag"),
        ],
        [],
    ),
    "flags/evaluator-refs.json": (
        [
            "ref-whitespace-compact-flag",
            "ref-whitespace-space-after-colon-flag",
            "ref-whitespace-space-around-colon-flag",
            "some-email-targeted-flag",
            "some-other-email-targeted-flag",
        ],
        [("FW509", 104, 21, "ref-to-nonexistent-evaluator-flag")],
        ["is_ballmer"],
    ),
    "flags/metadata-flags.json": (
        ["flagd-context-aware", "metadata-flag"],
        [("FW511", 35, 7, "metadata-flag")],
        [],
    ),
    "flags/selector-flag-combined-metadata.json": (
        ["combined-metadata-flag", "only-set-metadata-flag"],
        [
            ("FW511", 11, 7, "combined-metadata-flag"),
            ("FW511", 28, 3, "flag-set metadata is not imported"),
        ],
        [],
    ),
    "flags/selector-flags.json": (
        ["cross-flagset-flag", "selector-flag"],
        [("FW511", 20, 3, "flag-set metadata is not imported")],
        [],
    ),
    "flags/testing-flags.json": (
        [
            "boolean-flag",
            "context-aware",
            "float-flag",
            "integer-flag",
            "object-flag",
            "string-flag",
            "targeting-key-flag",
            "wrong-flag",
        ],
        [
            ("FW504", 116, 13, "timestamp-flag"),  # $flagd.timestamp against an attribute
            ("FW507", 161, 25, "null-default-flag"),
            ("FW507", 163, 5, "undefined-default-flag"),
            ("FW507", 170, 5, "no-default-flag-null-targeting-variant"),
            ("FW507", 191, 5, "no-default-flag-undefined-targeting-variant"),
        ],
        [],
    ),
    "flags/zero-flags.json": (
        ["boolean-zero-flag", "float-zero-flag", "integer-zero-flag", "string-zero-flag"],
        [  # is_ballmer is defined in another file (evaluator-refs.json)
            ("FW509", 44, 21, "boolean-targeted-zero-flag"),
            ("FW509", 60, 21, "string-targeted-zero-flag"),
            ("FW509", 76, 21, "integer-targeted-zero-flag"),
            ("FW509", 92, 21, "float-targeted-zero-flag"),
        ],
        [],
    ),
}


def _summary(
    path: Path, root: Path
) -> tuple[list[str], list[tuple[str, int, int, str]], list[str]]:
    plan = plan_import(path.read_bytes(), path.name, "flagd", "prod", root / "flags", root)
    reported = []
    for d in plan.diagnostics:
        assert d.path == path.name
        start = d.message.split(":")[0]
        reported.append((d.code, d.line, d.col, start.removeprefix("flag '").split("'")[0]))
    segments = [f.path.stem for f in plan.files if f.path.parent.name == "segments"]
    return sorted(plan.flags), reported, sorted(segments)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_testbed_file(name: str, tmp_path: Path) -> None:
    assert _summary(TESTBED / name, tmp_path) == EXPECTED[name]


def test_testkit_file_imports_and_validates(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    source = TESTBED / "evaluator-flags" / "testkit-flags.json"
    plan = plan_import(source.read_bytes(), source.name, "flagd", "prod", root / "flags", root)
    assert len(plan.flags) == 27
    codes = sorted({d.code for d in plan.diagnostics})
    assert codes == ["FW504", "FW505", "FW506", "FW507", "FW508", "FW509", "FW511"]
    assert [(d.line, d.col) for d in plan.diagnostics if d.code == "FW508"] == [
        (365, 44), (496, 54), (504, 49), (520, 54),
    ]  # fmt: skip
    write_import(plan, force=False)
    result = validate_repository(root, today=date(2026, 11, 23))
    assert result.diagnostics == []
    starts_ends = yaml.safe_load((root / "flags" / "starts-ends-flag.yaml").read_text())
    assert starts_ends["environments"] == {
        "prod": {
            "rules": [
                {"when": {"attr": "id", "op": "starts_with", "value": "abc"}, "serve": "prefix"},
                {"when": {"attr": "id", "op": "ends_with", "value": "xyz"}, "serve": "postfix"},
            ],
            "serve": "none",
        }
    }
    shorthand = yaml.safe_load((root / "flags" / "fractional-flag-shorthand.yaml").read_text())
    assert shorthand["environments"]["prod"] == {"split": {"heads": 50, "tails": 50}}
    segment = yaml.safe_load((root / "flags" / "segments" / "is_ballmer.yaml").read_text())
    assert segment["when"] == {"attr": "email", "op": "eq", "value": "ballmer@macrosoft.com"}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_testbed_import_validates(name: str, tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    source = TESTBED / name
    plan = plan_import(source.read_bytes(), source.name, "flagd", "prod", root / "flags", root)
    write_import(plan, force=False)
    assert validate_repository(root, today=date(2026, 11, 23)).diagnostics == []
    assert len(list((root / "flags").glob("*.yaml"))) == len(EXPECTED[name][0])


def test_error_messages_say_the_flag_was_not_imported(tmp_path: Path) -> None:
    source = TESTBED / "flags" / "custom-ops.json"
    plan = plan_import(source.read_bytes(), "custom-ops.json", "flagd", "prod", tmp_path, tmp_path)
    first = str(plan.diagnostics[0])
    assert first == (
        "custom-ops.json:15:11: error[FW505] flag 'fractional-flag' not imported: flagwright "
        "buckets on the flag key and one attribute, and serves the default when it is missing; "
        "this bucketing expression is not that (only fractional's shorthand and flagwright's own "
        "export pattern import exactly)"
    )
    assert all(NI in d.message for d in plan.diagnostics if d.severity == "error")
