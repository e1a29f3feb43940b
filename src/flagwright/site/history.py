"""Every flag's history from Git in one walk: each commit diffed against its first parent.

The same comparison as ``flagwright log`` (:func:`flagwright.diff.revisions.diff_revisions`, so
the same changes and blast radius), but for all flags at once: one walk of the history instead of
one per flag, with parsed files shared between commits by blob.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flagwright.diff.model import FlagChange, SemanticDiff
from flagwright.diff.revisions import DiffError, diff_revisions
from flagwright.errors import GitError
from flagwright.gitio.repo import CommitInfo, GitRepo
from flagwright.gitio.revision import Revision, RevisionLoader
from flagwright.load.repository import CONFIG_DIRS
from flagwright.report.diff import blast_text, to_data

# Changes that decide which stage a rollout serves: the commit that made one entered the stage.
_STAGE_CHANGES = frozenset({"rollout", "fallthrough", "entry", "plan", "enabled"})


@dataclass(slots=True)
class History:
    """Per flag, newest first: ``{"commit", "date", "author", "subject", "changes"}`` entries."""

    entries: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    stage_since: dict[tuple[str, str], str] = field(default_factory=dict)  # (flag, env) -> date
    unavailable: str | None = None  # why there is no history (not a Git repository, ...)


def read_history(root: Path, limit: int | None = None) -> History:
    """The history of every flag reachable from HEAD; at most ``limit`` commits are read."""
    try:
        git = GitRepo(root)
        commits = git.history(git.head(), list(CONFIG_DIRS))
    except GitError as exc:
        # The folder's absolute path would make the site depend on where it was built.
        message = str(exc)
        if message.startswith(f"{root} "):
            message = "the configuration folder" + message[len(str(root)) :]
        return History(unavailable=message)
    if limit is not None:
        commits = commits[:limit]
    loader = RevisionLoader(git)
    empty = loader.from_files("(nothing)", {})
    revisions: dict[str, Revision] = {}

    def load(sha: str) -> Revision:
        if sha not in revisions:
            revisions[sha] = loader.commit(sha)
        return revisions[sha]

    history = History(entries=defaultdict(list))
    for commit in commits:
        base = empty if commit.parent is None else load(commit.parent)
        try:
            diff = diff_revisions(base, load(commit.sha), values=False)
        except DiffError:
            continue  # a commit that does not compile changed nothing anyone was served
        by_flag: dict[str, list[FlagChange]] = defaultdict(list)
        for change in diff.flags:
            by_flag[change.flag].append(change)
        for key, changes in sorted(by_flag.items()):
            history.entries[key].append(_entry(commit, changes))
            for change in changes:
                if any(c.what in _STAGE_CHANGES for c in change.changes):
                    history.stage_since.setdefault((key, change.env), commit.date)
    history.entries = dict(history.entries)
    return history


def _entry(commit: CommitInfo, changes: list[FlagChange]) -> dict[str, Any]:
    data = to_data(SemanticDiff(commit.parent or "", commit.sha, changes))["flags"]
    for item, change in zip(data, changes, strict=True):
        item["blast_text"] = [f"{b.scope}: {blast_text(b)}" for b in change.blast]
    return {
        "commit": commit.sha,
        "date": commit.date,
        "author": commit.author,
        "subject": commit.subject,
        "changes": data,
    }
