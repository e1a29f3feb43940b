"""Diagnostics are data: every check returns them, nothing raises them.

A check knows *where in the document* a problem is (a path of keys and indices), not the line:
line and column are looked up afterwards, and only for files that have something to report (see
:mod:`flagwright.load.positions`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from flagwright.codes import Code, Severity

YamlPath = tuple[str | int, ...]

__all__ = [
    "Code",
    "Diagnostic",
    "Finding",
    "Findings",
    "Severity",
    "Source",
    "YamlPath",
    "show",
]


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
    ``related`` names a second place the message refers to (the first definition of a duplicate);
    its ``path:line`` is appended to the message once lines are known.
    """

    source: Source
    where: YamlPath
    code: Code
    message: str
    severity: Severity = Severity.ERROR
    at: Literal["key", "value"] = "value"
    position: tuple[int, int] | None = None
    related: tuple[Source, YamlPath] | None = None


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
        related: tuple[Source, YamlPath] | None = None,
    ) -> None:
        self.items.append(
            Finding(source, where, code, message, severity or code.severity, at, related=related)
        )

    def extend(self, findings: Iterable[Finding]) -> None:
        self.items.extend(findings)

    def __len__(self) -> int:
        return len(self.items)


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)


def show(value: Any) -> str:
    """A value as the author wrote it in YAML (``true``, ``null``, ``25``), not as Python's repr."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return repr(value)
