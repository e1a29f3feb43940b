"""Run an edit on a flag's file: splice, validate the whole result in memory, then write.

The file is written only if the edited configuration has no error the original did not have;
otherwise it is left untouched and the new errors are the message.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ruamel.yaml.comments import CommentedMap

from flagwright.check import CheckOptions
from flagwright.check.repository import check_loaded
from flagwright.check.suggest import did_you_mean
from flagwright.diff.model import SemanticDiff
from flagwright.diff.revisions import diff_revisions
from flagwright.edit.ops import Edit
from flagwright.edit.splice import EditError, edit_node, load_all, make_yaml
from flagwright.gitio.revision import Revision
from flagwright.load.index import ConfigIndex
from flagwright.load.repository import load_files, load_repository
from flagwright.load.resolve import resolve_positions
from flagwright.model import Flag

if TYPE_CHECKING:
    from flagwright.policy.history import History

MakeEdit = Callable[[ConfigIndex, Flag, CommentedMap], Edit]
_BOM = "\ufeff"


@dataclass(frozen=True, slots=True)
class EditOutcome:
    path: str
    summary: str
    diff: SemanticDiff
    written: bool


def apply_edit(
    root: Path,
    key: str,
    make: MakeEdit,
    today: date,
    dry_run: bool = False,
    now: datetime | None = None,
) -> EditOutcome:
    """Make the edit, refusing it when it adds a configuration error or breaks a change policy
    of the environment (judged as ``validate --base`` would judge the edit, at ``now``)."""
    checks = CheckOptions(today=today)
    before = check_loaded(load_repository(root), checks)
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
    files = {path: body.encode("utf-8") for path, body in before.repo.texts.items()}
    files[rel] = new_text.encode("utf-8")
    after = check_loaded(load_files(root, files), checks)
    known = {(d.path, d.code, d.message) for d in before.diagnostics}
    introduced = [
        d
        for d in after.diagnostics
        if d.severity == "error" and (d.path, d.code, d.message) not in known
    ]
    if introduced:
        listed = "\n".join(f"  {d}" for d in introduced[:10])
        raise EditError(f"not written: the edit would make the configuration invalid:\n{listed}")
    base, head = Revision.of("before", None, before), Revision.of("after", None, after)
    _check_policies(root, base, head, now or datetime.now(UTC), after.repo.texts)
    diff = diff_revisions(base, head, flags=[key], values=False)
    written = new_text != text and not dry_run
    if written:
        _write_atomically(root / rel, (bom + new_text).encode("utf-8"))
    summary = "; ".join([edit.summary, *edit.notes])
    return EditOutcome(rel, summary, diff, written)


def _check_policies(
    root: Path, before: Revision, after: Revision, now: datetime, texts: dict[str, str]
) -> None:
    """Refuse what ``validate --base`` would refuse once the edit is committed.

    The change is judged from the revision a pull request is compared to (the merge base with
    the default branch, else HEAD), so two ``advance`` runs on one branch are one step of the
    policy, not two. Violations the branch already had before this edit are not the edit's.
    """
    from flagwright.policy import check_change_policies

    base, history = _policy_base(root, before)
    findings = check_change_policies(base, after, now, history)
    had: set[tuple[str, str, str]] = set()
    if base is not before:
        had = {
            (f.source.path, f.code.code, f.message)
            for f in check_change_policies(base, before, now, history).items
        }
    new = [f for f in findings.items if (f.source.path, f.code.code, f.message) not in had]
    broken = [d for d in resolve_positions(new, texts) if d.severity == "error"]
    if broken:
        listed = "\n".join(f"  {d}" for d in broken[:10])
        raise EditError(
            f"not written: the edit breaks a change policy (lines as they would be after it):"
            f"\n{listed}"
        )


def _policy_base(root: Path, before: Revision) -> tuple[Revision, History]:
    """The revision edits are judged from, and the history behind it (for reverts)."""
    from flagwright.errors import GitError, UserError
    from flagwright.gitio.repo import GitRepo
    from flagwright.gitio.revision import RevisionLoader
    from flagwright.policy.history import History

    try:
        git = GitRepo(root)
        try:
            sha = git.merge_base()
        except GitError:
            sha = git.head()
        base = RevisionLoader(git).commit(sha, sha[:12])
    except GitError:
        return before, History(None, None)
    try:
        diff_revisions(base, before, values=False)  # a base that does not compile: judge locally
    except UserError:
        return before, History(git, sha)
    return base, History(git, sha)


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
