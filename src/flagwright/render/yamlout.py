"""The one YAML writer for rendered files: deterministic bytes for identical data.

Sorted keys, block style, no anchors or aliases, ``\\n`` and UTF-8, and what yamllint's default
configuration asks of a file: a ``---`` document start, two-space indentation with sequences
indented under their key, lines within 80 characters where a line can be broken (see
:mod:`flagwright.render.yamlstrings` for how each string is spelled). A config repository
needs no ``.yamllint`` of its own for ``rendered/``.

The structure is written here (rendered files are small trees of mappings and lists); scalars
are spelled by libyaml's emitter, once per distinct value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flagwright.render.yamlstrings import line_ok, one_line, scalar_lines, spelled_lines

DOCUMENT_START = "---"
# YAML readers accept implicit keys up to 1024 characters; libyaml's own emitter stops at 128.
_MAX_SIMPLE_KEY = 128


def dump_yaml(data: Any) -> str:
    """One YAML document, sorted, block style, starting with ``---``, ending in a newline."""
    lines = [DOCUMENT_START]
    if isinstance(data, Mapping) and data:
        _mapping(data, 0, lines)
    elif isinstance(data, list) and data:
        _sequence(data, 0, lines)
    else:
        lines.append(_empty(data) or one_line(data))
    return "\n".join(lines) + "\n"


def _items(mapping: Mapping[Any, Any]) -> list[tuple[Any, Any]]:
    try:
        return sorted(mapping.items())
    except TypeError:  # keys of mixed types (a Helm values key may be a number): as written
        return list(mapping.items())


def _empty(value: Any) -> str | None:
    if isinstance(value, Mapping) and not value:
        return "{}"
    if isinstance(value, list) and not value:
        return "[]"
    return None


def _mapping(mapping: Mapping[Any, Any], indent: int, lines: list[str]) -> None:
    pad = " " * indent
    for key, value in _items(mapping):
        head = f"{pad}{one_line(key)}:"
        if not line_ok(head) or len(head) - indent > _MAX_SIMPLE_KEY:
            # Too long for a key on one line: an explicit key ("? key" then ": value"), which
            # may span lines like any value.
            lines.extend(scalar_lines(key, f"{pad}?", indent + 2))
            head = f"{pad}:"
        _value(value, head, indent + 2, lines)


def _sequence(items: list[Any], indent: int, lines: list[str]) -> None:
    pad = " " * indent
    for item in items:
        if isinstance(item, Mapping | list) and item:
            # The first line of a nested collection shares the line with its "- ".
            start = len(lines)
            if isinstance(item, Mapping):
                _mapping(item, indent + 2, lines)
            else:
                _sequence(item, indent + 2, lines)
            lines[start] = f"{pad}- {lines[start][indent + 2 :]}"
        else:
            _value(item, f"{pad}-", indent + 2, lines)


def _value(value: Any, head: str, indent: int, lines: list[str]) -> None:
    empty = _empty(value)
    if empty is not None:
        lines.extend(spelled_lines(empty, head, indent))
    elif isinstance(value, Mapping):
        lines.append(head)
        _mapping(value, indent, lines)
    elif isinstance(value, list):
        lines.append(head)
        _sequence(value, indent, lines)
    else:
        lines.extend(scalar_lines(value, head, indent))
