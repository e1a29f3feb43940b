"""The JSON file being imported: its data, and file:line:col for any node in it.

JSON is YAML, so the project's :class:`~flagwright.load.positions.PositionIndex` (ruamel's
round-trip loader) locates a key path in it; it is built only when something is reported.
The data itself is read with :mod:`json`, which is exact about what JSON allows.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError

from flagwright.codes import Code, Severity
from flagwright.diagnostics import Diagnostic, YamlPath
from flagwright.load import jsonlimits
from flagwright.load.jsonlimits import JsonLimitError
from flagwright.load.positions import PositionIndex

At = Literal["key", "value"]


class SourceError(Exception):
    """The file cannot be read as JSON at all; carries the one diagnostic saying where."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(str(diagnostic))
        self.diagnostic = diagnostic


class _Duplicate(ValueError):
    pass


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Duplicate(key)
        out[key] = value
    return out


def parse_json(raw: bytes, display: str) -> Any:
    """The file's data; raises SourceError (FW501) with the position of the first problem."""

    def fail(line: int, col: int, message: str) -> SourceError:
        return SourceError(
            Diagnostic(display, line, col, Code.IMPORT_SYNTAX.code, Severity.ERROR, message)
        )

    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        raise fail(line, col, "file is not UTF-8") from None
    try:
        return jsonlimits.loads(text, object_pairs_hook=_pairs)
    except JsonLimitError as exc:
        line, col = _offset_position(text, exc.index)
        raise fail(line, col, f"invalid JSON: {exc}") from None
    except json.JSONDecodeError as exc:
        raise fail(exc.lineno, exc.colno, f"invalid JSON: {exc.msg}") from None
    except _Duplicate as exc:
        line, col = _duplicate_position(text)
        raise fail(line, col, f"duplicate key {exc.args[0]!r}") from None
    except ValueError as exc:
        line, col = _number_position(text, str(exc))
        raise fail(line, col, f"invalid JSON: {exc}") from None


def _offset_position(text: str, index: int) -> tuple[int, int]:
    before = text[:index]
    return before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1


def _number_position(text: str, message: str) -> tuple[int, int]:
    # The decoder's number hooks get no position: find the first place that number is written.
    words = message.split("the number ", 1)
    if len(words) == 2:
        number = words[1].split(" ", 1)[0].removesuffix("...")
        found = re.search(r"(?<![\w.])" + re.escape(number), text)
        if found:
            return _offset_position(text, found.start())
    return 1, 1


def _duplicate_position(text: str) -> tuple[int, int]:
    # json reports no position for a duplicate key; ruamel does.
    try:
        YAML(typ="rt", pure=True).load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if mark is not None:
            return mark.line + 1, mark.column + 1
    return 1, 1


@dataclass(frozen=True, slots=True)
class Problem:
    where: YamlPath
    code: Code
    message: str
    at: At = "value"


@dataclass(slots=True)
class Report:
    """Problems found in one source file, located by key path until they are printed."""

    display: str
    text: str
    problems: list[Problem] = field(default_factory=list)

    def add(self, where: YamlPath, code: Code, message: str, at: At = "value") -> None:
        self.problems.append(Problem(where, code, message, at))

    def diagnostics(self) -> list[Diagnostic]:
        if not self.problems:
            return []
        index = PositionIndex(self.text)
        out = set()
        for p in self.problems:
            line, col = index.locate(0, p.where, p.at)
            out.add(Diagnostic(self.display, line, col, p.code.code, p.code.severity, p.message))
        return sorted(out)
