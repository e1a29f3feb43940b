"""Formatting diagnostics for people (text), CI annotations (github) and tools (json)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from flagwright.diagnostics import Diagnostic

FORMATS = ("text", "github", "json")


def as_text(diagnostics: Sequence[Diagnostic]) -> str:
    lines = [str(d) for d in diagnostics]
    errors = sum(d.severity == "error" for d in diagnostics)
    warnings = len(diagnostics) - errors
    if diagnostics:
        lines.append(f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}")
    return "\n".join(lines) + ("\n" if lines else "")


def as_github(diagnostics: Sequence[Diagnostic]) -> str:
    """GitHub workflow commands; the title carries the code so annotations group by it."""
    out = []
    for d in diagnostics:
        level = "error" if d.severity == "error" else "warning"
        message = _escape(d.message, data=True)
        out.append(
            f"::{level} file={_escape(d.path)},line={d.line},col={d.col},"
            f"title={_escape(d.code)}::{message}"
        )
    return "".join(line + "\n" for line in out)


def as_json(diagnostics: Sequence[Diagnostic]) -> str:
    records = [
        {
            "path": d.path,
            "line": d.line,
            "col": d.col,
            "severity": str(d.severity),
            "code": d.code,
            "message": d.message,
        }
        for d in diagnostics
    ]
    return json.dumps(records, indent=2, ensure_ascii=False) + "\n"


FORMATTERS: dict[str, Callable[[Sequence[Diagnostic]], str]] = {
    "text": as_text,
    "github": as_github,
    "json": as_json,
}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _escape(value: str, data: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if not data:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value
