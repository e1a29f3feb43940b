"""Imported documents as YAML in the repository's style, and writing them without clobbering.

Block style, with conditions, splits and value lists in flow style when they fit on a line (as
the example's files are written). Strings a YAML 1.1 reader would take for something else
(``on``, ``off``, ``yes``, dates, numbers) are double-quoted, so every tool reads them as strings.
"""

from __future__ import annotations

import io
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml as pyyaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from flagwright.errors import UserError
from flagwright.importer.documents import ImportedDoc

_FLOW_KEYS = {"when", "split", "values", "time", "schedule"}
_FLOW_WIDTH = 72


class OverwriteError(UserError):
    """A file the import would write exists and differs, and --force was not given."""


def _needs_quotes(text: str) -> bool:
    if text == "" or text != text.strip():
        return True
    try:
        return bool(pyyaml.safe_load(text) != text)
    except pyyaml.YAMLError:
        return True


def _node(value: Any, flow: bool = False, key: str | None = None) -> Any:
    if isinstance(value, dict):
        mapping = CommentedMap()
        for name, item in value.items():
            nested = flow or (name in _FLOW_KEYS and _fits(item))
            mapping[_node(name)] = _node(item, nested, name)
        if flow:
            mapping.fa.set_flow_style()
        return mapping
    if isinstance(value, list):
        # Conditions inside all/any go one per line, each in flow style when it fits.
        conditions = key in ("all", "any")
        seq = CommentedSeq(
            _node(item, flow or (conditions and _fits(item)), key if conditions else None)
            for item in value
        )
        if flow or all(not isinstance(item, dict | list) for item in value):
            seq.fa.set_flow_style()
        return seq
    if isinstance(value, str) and _needs_quotes(value):
        return DoubleQuotedScalarString(value)
    return value


def _fits(value: Any) -> bool:
    return len(json.dumps(value, ensure_ascii=False)) <= _FLOW_WIDTH


def _yaml() -> YAML:
    out = YAML(typ="rt", pure=True)
    out.indent(mapping=2, sequence=4, offset=2)
    out.width = 100
    out.allow_unicode = True
    return out


def document_text(doc: ImportedDoc, schema_line: str, source: str) -> str:
    stream = io.StringIO()
    _yaml().dump(_node(doc.body), stream)
    header = [
        f"# yaml-language-server: $schema={schema_line}",
        f"# Imported by `flagwright import` from {source}: review description and owner.",
    ]
    return "\n".join(header) + "\n" + stream.getvalue()


@dataclass(frozen=True, slots=True)
class Planned:
    path: Path  # absolute
    shown: str  # as printed
    text: str


def write_planned(planned: list[Planned], force: bool) -> tuple[list[str], list[str]]:
    """Write every file, or none: (written, unchanged). Raises OverwriteError naming clashes."""
    clashes = [
        p.shown for p in planned if p.path.exists() and p.path.read_text(encoding="utf-8") != p.text
    ]
    if clashes and not force:
        names = ", ".join(clashes)
        raise OverwriteError(
            f"not overwriting {names}: the file exists; pass --force to replace it (nothing was "
            "written)"
        )
    written, unchanged = [], []
    for p in planned:
        if p.path.exists() and p.path.read_text(encoding="utf-8") == p.text:
            unchanged.append(p.shown)
            continue
        p.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = p.path.with_name(f".{p.path.name}.tmp")
        with open(tmp, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(p.text)
        os.replace(tmp, p.path)
        written.append(p.shown)
    return written, unchanged
