"""Validate's PromQL check: promtool parses the queries; without it, one warning says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus_helpers import CORPUS, TODAY
from flagwright.check.repository import validate_repository
from flagwright.rollouts import promql


def test_without_promtool_queries_are_unchecked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(promql, "PROMTOOL", "flagwright-no-such-promtool")
    monkeypatch.setattr(promql, "_cache", {})
    diagnostics = validate_repository(CORPUS / "query-template-problems", TODAY).diagnostics
    found = [(d.path, d.line, d.col, d.code, d.severity) for d in diagnostics]
    # the template problems are still found; the PromQL one is not, and a warning says why
    assert found == [
        ("environments/prod.yaml", 9, 3, "FW265", "warning"),
        ("environments/prod.yaml", 10, 15, "FW261", "error"),
        ("environments/prod.yaml", 11, 15, "FW262", "error"),
        ("environments/prod.yaml", 12, 15, "FW263", "error"),
    ]
    assert "apt-get install prometheus" in diagnostics[0].message


def test_every_query_is_checked_by_one_promtool_run(monkeypatch: pytest.MonkeyPatch) -> None:
    runs: list[list[str]] = []
    monkeypatch.setattr(promql, "_cache", {})
    real = promql._check

    def counting(queries: list[str]) -> dict[str, str | None]:
        runs.append(queries)
        return real(queries)

    monkeypatch.setattr(promql, "_check", counting)
    good = 'sum(rate(x{a="b"}[5m]))'
    assert promql.syntax_errors([good, "sum(", good]) == [
        None,
        "1:5: parse error: unclosed left parenthesis",
        None,
    ]
    assert promql.syntax_errors(["sum("]) == ["1:5: parse error: unclosed left parenthesis"]
    assert runs == [["sum(", good]]  # once, deduplicated; the second call is cached


def test_a_query_is_data_not_a_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(promql, "_cache", {})
    marker = tmp_path / "ran"
    hostile = f'up{{a="$(touch {marker})"}} `touch {marker}`; touch {marker}'
    [error] = promql.syntax_errors([hostile])
    assert error is not None and "parse error" in error
    assert not marker.exists()
