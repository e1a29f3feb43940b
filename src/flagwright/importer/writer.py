"""Imported documents as YAML in the repository's style, and writing them without clobbering.

Block style, with conditions, splits and value lists in flow style when they fit on a line (as
the example's files are written). Strings a YAML 1.1 reader would take for something else
(``on``, ``off``, ``yes``, dates, numbers) are double-quoted, so every tool reads them as strings.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml as pyyaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from flagwright.errors import UserError
from flagwright.importer.documents import ImportedDoc
from flagwright.load.yamlio import YAML12_NON_STRING

_FLOW_KEYS = {"when", "split", "values", "time", "schedule"}
_FLOW_WIDTH = 72


class OverwriteError(UserError):
    """A file the import would write exists and differs, and --force was not given."""


def _needs_quotes(text: str) -> bool:
    if text == "" or text != text.strip() or YAML12_NON_STRING.match(text):
        return True
    # YAML 1.1 readers (PyYAML, older Helm) also take `on`, `no` and dates for other types.
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
    # --force replaces files, never a folder (or a link or device) that has the file's name.
    blocked = [p.shown for p in planned if os.path.lexists(p.path) and not _regular(p.path)]
    if blocked:
        raise OverwriteError(
            f"not writing {', '.join(blocked)}: something other than a file has that name "
            "(a folder?); move it away (nothing was written)"
        )
    clashes = [
        p.shown for p in planned if p.path.exists() and p.path.read_text(encoding="utf-8") != p.text
    ]
    if clashes and not force:
        names = ", ".join(clashes)
        raise OverwriteError(
            f"not overwriting {names}: the file exists; pass --force to replace it (nothing was "
            "written)"
        )
    unchanged: list[str] = []
    todo: list[Planned] = []
    for p in planned:
        if p.path.exists() and p.path.read_text(encoding="utf-8") == p.text:
            unchanged.append(p.shown)
        else:
            todo.append(p)
    _replace_all(todo)
    return [p.shown for p in todo], unchanged


def _regular(path: Path) -> bool:
    return path.is_file() and not path.is_symlink()


def _replace_all(todo: list[Planned]) -> None:
    """Write every file or none: all temporary files first, then the renames, undone on failure.

    Each temporary file sits next to its target, so each rename is atomic; a file being
    overwritten keeps a hard link (a copy where links fail) until every rename has succeeded.
    """
    made: list[Path] = []  # folders this import created, deepest last
    temps: dict[Path, Path] = {}
    backups: dict[Path, Path] = {}
    done: list[Path] = []
    try:
        for p in todo:
            for folder in reversed([p.path.parent, *p.path.parent.parents]):
                if not folder.exists():
                    folder.mkdir()
                    made.append(folder)
            tmp = temps[p.path] = p.path.with_name(f".{p.path.name}.tmp")
            with open(tmp, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(p.text)
        for p in todo:
            if p.path.exists():
                backup = backups[p.path] = p.path.with_name(f".{p.path.name}.bak")
                _keep(p.path, backup)
            os.replace(temps[p.path], p.path)
            done.append(p.path)
    except BaseException:
        for path in reversed(done):
            if path in backups:
                os.replace(backups.pop(path), path)
            else:
                path.unlink(missing_ok=True)
        _remove([*temps.values(), *backups.values()])
        for folder in reversed(made):
            with contextlib.suppress(OSError):  # not empty: something else was put there
                folder.rmdir()
        raise
    _remove(list(backups.values()))


def _remove(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _keep(path: Path, backup: Path) -> None:
    backup.unlink(missing_ok=True)
    try:
        os.link(path, backup)
    except OSError:
        shutil.copy2(path, backup)
