"""Run an edit on a flag's file: splice, validate the whole result in memory, then write.

The file is written only if the edited configuration has no error the original did not have;
otherwise it is left untouched and the new errors are the message.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ruamel.yaml.comments import CommentedMap

from flagwright.check import CheckOptions, run_checks
from flagwright.check.suggest import did_you_mean
from flagwright.diagnostics import Diagnostic, Findings
from flagwright.diff.model import SemanticDiff
from flagwright.diff.revisions import diff_revisions
from flagwright.edit.ops import Edit
from flagwright.edit.splice import EditError, edit_node, load_all, make_yaml
from flagwright.gitio.revision import Revision
from flagwright.index import ConfigIndex, build_index
from flagwright.load.repository import LoadedRepo, load_files, load_repository
from flagwright.load.resolve import resolve_positions
from flagwright.model import Flag

MakeEdit = Callable[[ConfigIndex, Flag, CommentedMap], Edit]
_BOM = "\ufeff"


@dataclass(frozen=True, slots=True)
class EditOutcome:
    path: str
    summary: str
    diff: SemanticDiff
    written: bool


@dataclass(slots=True)
class _Checked:
    loaded: LoadedRepo
    index: ConfigIndex
    findings: Findings
    diagnostics: list[Diagnostic]


def _check(loaded: LoadedRepo, today: date) -> _Checked:
    findings = Findings(list(loaded.findings.items))
    index = build_index(loaded, findings)
    run_checks(index, findings, CheckOptions(today=today))
    return _Checked(loaded, index, findings, resolve_positions(findings.items, loaded.texts))


def apply_edit(
    root: Path, key: str, make: MakeEdit, today: date, dry_run: bool = False
) -> EditOutcome:
    before = _check(load_repository(root), today)
    located = before.index.flags.get(key)
    if located is None:
        raise EditError(f"unknown flag {key!r}" + did_you_mean(key, before.index.flags, "flags"))
    rel = located.source.path
    raw = (root / rel).read_bytes().decode("utf-8")
    bom = _BOM if raw.startswith(_BOM) else ""
    text = raw.removeprefix(_BOM)
    docs = load_all(make_yaml(text), text)
    edit = make(before.index, located.model, docs[located.source.doc])
    new_text, _ = edit_node(text, located.source.doc, edit.path, edit.mutate)
    files = {path: body.encode("utf-8") for path, body in before.loaded.texts.items()}
    files[rel] = new_text.encode("utf-8")
    after = _check(load_files(root, files), today)
    known = {(d.path, d.code, d.message) for d in before.diagnostics}
    introduced = [
        d
        for d in after.diagnostics
        if d.severity == "error" and (d.path, d.code, d.message) not in known
    ]
    if introduced:
        listed = "\n".join(f"  {d}" for d in introduced[:10])
        raise EditError(f"not written: the edit would make the configuration invalid:\n{listed}")
    diff = diff_revisions(
        Revision("before", None, before.loaded, before.index, before.loaded.findings),
        Revision("after", None, after.loaded, after.index, after.loaded.findings),
        flags=[key],
        values=False,
    )
    written = new_text != text and not dry_run
    if written:
        _write_atomically(root / rel, (bom + new_text).encode("utf-8"))
    return EditOutcome(rel, edit.summary, diff, written)


def _write_atomically(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
