"""Every bad input in tests/corpus/ gives exactly its expected diagnostics, through the core
and through the CLI. A new case is a new folder; nothing here changes."""

from __future__ import annotations

import pytest
from tests.cli_runner import run_cli

from corpus_helpers import TODAY, Case, corpus_cases, describe, matches, parse_line
from flagwright.check.repository import validate_repository
from flagwright.codes import Code

CASES = corpus_cases()
# Codes a committed corpus folder cannot produce, and the test that covers each instead.
COVERED_ELSEWHERE = {
    "FW004": "test_loader_limits.py::test_file_over_the_size_limit_is_reported",
    "FW011": "test_loader_limits.py::test_unreadable_file_is_reported",
    "FW265": "rollouts/test_validate_metrics.py::test_without_promtool_queries_are_unchecked",
}


def _ids(cases: list[Case]) -> list[str]:
    return [case.name for case in cases]


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 45


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_case_has_expected_diagnostics(case: Case) -> None:
    expected = case.expected()
    assert expected, f"{case.name}: expected.txt is missing or empty (every case is bad input)"
    actual = [str(d) for d in validate_repository(case.root, today=TODAY).diagnostics]
    assert matches(actual, expected), "\n".join(["actual:", *actual, "expected:", *expected])


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_case_through_the_cli(case: Case) -> None:
    expected = case.expected()
    assert expected
    result = run_cli("-C", str(case.root), "validate", "--today", TODAY.isoformat())
    has_error = any(parse_line(line)["severity"] == "error" for line in expected)
    assert result.exit_code == (1 if has_error else 0), describe(result)
    assert "Traceback" not in result.stdout + result.stderr
    printed = result.stdout.splitlines()
    assert matches(printed[:-1], expected), describe(result)
    assert result.stderr == ""


STRICT_CASES = [case for case in CASES if case.expected(strict=True) is not None]


@pytest.mark.parametrize("case", STRICT_CASES, ids=_ids(STRICT_CASES))
def test_case_with_strict(case: Case) -> None:
    expected = case.expected(strict=True)
    assert expected
    actual = [str(d) for d in validate_repository(case.root, today=TODAY, strict=True).diagnostics]
    assert matches(actual, expected), "\n".join(actual)
    result = run_cli("-C", str(case.root), "validate", "--strict", "--today", TODAY.isoformat())
    assert result.exit_code == 1, describe(result)


def test_strict_corpus_exists() -> None:
    assert STRICT_CASES, "the stale-flag case must also pin its --strict output"


def test_every_validate_code_has_a_corpus_case() -> None:
    # Codes FW0xx-FW2xx are the ones `validate` produces; FW3xx belong to `render`.
    validate_codes = {c.code for c in Code if c.code < "FW300"}
    covered = {
        parse_line(line)["code"]
        for case in CASES
        for strict in (False, True)
        for line in case.expected(strict) or []
    }
    missing = sorted(validate_codes - covered - set(COVERED_ELSEWHERE))
    assert not missing, f"codes without a corpus case: {missing}"


def test_codes_covered_elsewhere_have_their_test() -> None:
    import importlib

    for code, test in COVERED_ELSEWHERE.items():
        path, name = test.split("::")
        module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
        assert hasattr(module, name), (code, test)


def test_every_case_file_is_in_a_config_folder() -> None:
    # A file outside flags/ or environments/ would silently not be read, and the case would
    # test less than it seems to.
    for case in CASES:
        for path in case.root.rglob("*"):
            if path.is_file() and not path.name.startswith("expected"):
                top = path.relative_to(case.root).parts[0]
                assert top in {"flags", "environments"}, path


def test_prefix_lines_pin_position_and_code_only() -> None:
    line = "flags/a.yaml:1:7: error[FW009] unknown kind 'flag'; did you mean 'Flag'?"
    assert matches([line], ["flags/a.yaml:1:7: error[FW009]"])
    assert not matches([line], ["flags/a.yaml:1:8: error[FW009]"])
    assert not matches([line], [line + "!"])
    assert not matches([line, line], [line])
