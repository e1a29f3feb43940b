"""Diagnostics are data: every check returns them, nothing raises them.

A check knows *where in the document* a problem is (a path of keys and indices), not the line:
line and column are looked up afterwards, and only for files that have something to report (see
:mod:`flagwright.load.positions`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from flagwright.codes import Code, Severity

YamlPath = tuple[str | int, ...]

__all__ = ["Code", "Diagnostic", "Finding", "Findings", "Severity", "Source", "YamlPath"]


@dataclass(frozen=True, order=True, slots=True)
class Diagnostic:
    """One problem at a position. Sorted by file, then line, column and code."""

    path: str
    line: int
    col: int
    code: str
    severity: Severity
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.severity}[{self.code}] {self.message}"


@dataclass(frozen=True, slots=True)
class Source:
    """Where a document came from: its file (repository-relative, POSIX) and index in the file."""

    path: str
    doc: int = 0


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem found in a document, located by a path of keys before lines are known.

    ``at`` says whether to point at the key itself (an unknown key) or at its value; ``position``
    is set instead when the reader already knows the line and column (a syntax error).
    """

    source: Source
    where: YamlPath
    code: Code
    message: str
    severity: Severity = Severity.ERROR
    at: Literal["key", "value"] = "value"
    position: tuple[int, int] | None = None


@dataclass(slots=True)
class Findings:
    """Collects findings for one run; checks append, nothing raises."""

    items: list[Finding] = field(default_factory=list)

    def add(
        self,
        source: Source,
        where: YamlPath,
        code: Code,
        message: str,
        *,
        severity: Severity | None = None,
        at: Literal["key", "value"] = "value",
    ) -> None:
        self.items.append(Finding(source, where, code, message, severity or code.severity, at))

    def extend(self, findings: Iterable[Finding]) -> None:
        self.items.extend(findings)

    def __len__(self) -> int:
        return len(self.items)


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)
