"""A flag's audit trail from Git history: each commit and the semantic change it made.

Every commit that touched the configuration is diffed against its first parent, restricted to
the flag; commits that changed nothing for the flag (another flag's file, a comment) are left
out. Parsed files are shared across commits by blob, so a long history parses each version of
each file once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flagwright.check.suggest import did_you_mean
from flagwright.diff.model import FlagChange
from flagwright.diff.revisions import DiffError, diff_revisions
from flagwright.errors import UserError
from flagwright.gitio.history import ConfigHistory
from flagwright.gitio.repo import CommitInfo


@dataclass(frozen=True, slots=True)
class LogEntry:
    commit: CommitInfo
    changes: tuple[FlagChange, ...]
    problem: str | None = None  # set when a side could not be compiled


def flag_log(root: Path, key: str, env: str | None = None) -> list[LogEntry]:
    """Newest first, like ``git log``."""
    history = ConfigHistory(root)
    entries: list[LogEntry] = []
    seen = False
    for commit, base, head in history.changes():
        if key not in base.index.flags and key not in head.index.flags:
            continue
        seen = True
        try:
            diff = diff_revisions(base, head, flags=[key], env=env, values=False)
        except DiffError as exc:
            entries.append(LogEntry(commit, (), str(exc)))
            continue
        if diff.flags:
            entries.append(LogEntry(commit, tuple(diff.flags)))
    if not seen:
        # A flag not committed yet has no history, but exists.
        current = history.loader.work_tree().index
        if key not in current.flags:
            names = [*current.flags, *current.apps]
            raise UserError(f"unknown flag {key!r}" + did_you_mean(key, names, "flags and apps"))
    return entries
