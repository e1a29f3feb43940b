"""Shared by the validate tests: the bad-input corpus and how to show a CLI run that failed.

A corpus case is a folder under tests/corpus/ holding a small config repository and
``expected.txt``: the exact diagnostics `flagwright validate` prints, one per line, for the fixed
date :data:`TODAY`. A line may stop after ``severity[CODE]`` to pin only the position and code.
An optional ``expected-strict.txt`` gives the output of ``validate --strict``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from tests.cli_runner import Ran

CORPUS = Path(__file__).resolve().parent / "corpus"
TODAY = date(2026, 11, 23)
_LINE = re.compile(
    r"(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<severity>error|warning)\[(?P<code>FW\d{3})\]"
)


@dataclass(frozen=True)
class Case:
    name: str
    root: Path

    def expected(self, strict: bool = False) -> list[str] | None:
        path = self.root / ("expected-strict.txt" if strict else "expected.txt")
        if not path.is_file():
            return None
        return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def corpus_cases() -> list[Case]:
    return [Case(p.name, p) for p in sorted(CORPUS.iterdir()) if p.is_dir()]


def parse_line(line: str) -> re.Match[str]:
    match = _LINE.match(line)
    assert match, f"not a diagnostic line: {line!r}"
    return match


def matches(actual: list[str], expected: list[str]) -> bool:
    """Equal line by line; an expected line that stops after ``[CODE]`` pins only that prefix."""
    if len(actual) != len(expected):
        return False
    return all(
        a.startswith(e + " ") if _LINE.fullmatch(e) else a == e
        for a, e in zip(actual, expected, strict=True)
    )


def describe(result: Ran) -> str:
    return f"exit {result.exit_code}\n--- stdout\n{result.stdout}--- stderr\n{result.stderr}"
