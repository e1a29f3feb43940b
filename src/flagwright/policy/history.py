"""What change policies read from Git besides the two revisions: reverts and acknowledgements.

A freeze lets through a change that restores the state before the last change (a revert: the
blue-green switch back, undoing the commit that caused an incident). "The last change" is read
from history: walking back from the base commit, the newest commit whose state of the flag (or
app) in that environment differs from the base's; the state just before it is what a revert
restores.

Acknowledgements are commit trailers in the commits being checked, ``Flagwright-Allow: CODE
SUBJECT``, where SUBJECT is a glob over ``ENV/APP`` or ``ENV/APP/VALUE.PATH``; they let a change
through a rule that asks for an explicit decision (a value that skips promotion, an app that is
deleted on purpose).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from flagwright.codes import Code
from flagwright.errors import GitError
from flagwright.gitio.repo import GitRepo
from flagwright.load.repository import LoadedRepo, load_text
from flagwright.model import App, Environment, Flag

ALLOW_TRAILER = "Flagwright-Allow"
_TRAILER = re.compile(rf"^{ALLOW_TRAILER}:\s*(FW\d{{3}})\s+(\S+)\s*$", re.MULTILINE | re.IGNORECASE)
_MAX_COMMITS = 200  # how far back a revert is looked for; older states are not "the last change"
_MISSING = object()


@dataclass(frozen=True, slots=True)
class Allowances:
    """Acknowledgements found in the commits of a change: (code, subject glob) pairs."""

    items: frozenset[tuple[str, str]] = frozenset()

    def allows(self, code: Code, subject: str) -> bool:
        return any(c == code.code and fnmatchcase(subject, glob) for c, glob in self.items)


def parse_allowances(messages: Sequence[str]) -> Allowances:
    found = {(m.group(1).upper(), m.group(2)) for text in messages for m in _TRAILER.finditer(text)}
    return Allowances(frozenset(found))


def flag_state(flag: Flag | None, env: str) -> Any:
    """What a revert of ``flag`` in ``env`` must restore: its entry there and its own fields."""
    if flag is None:
        return None
    entry = flag.environments.get(env)
    return (
        None if entry is None else entry.model_dump(mode="json"),
        flag.model_dump(mode="json", exclude={"environments", "description", "tags", "owner"}),
    )


def app_state(environment: Environment | None, app: App | None, name: str) -> Any:
    """What a revert of app ``name`` in an environment must restore: its entry and the App."""
    entry = None if environment is None else environment.apps.get(name)
    return (
        None if entry is None else entry.model_dump(mode="json"),
        None if app is None else app.model_dump(mode="json", exclude={"description"}),
    )


@dataclass(slots=True)
class History:
    """Reads earlier states from the commits behind ``start`` (None: no history to read)."""

    git: GitRepo | None
    start: str | None
    _cache: dict[tuple[str, str], LoadedRepo] = field(default_factory=dict)

    def flag_before_last_change(self, key: str, env: str, path: str, current: Any) -> Any:
        """The flag's state before the newest commit that changed it from ``current``."""

        def state(files: dict[str, LoadedRepo]) -> Any:
            return flag_state(_find(files.get(path), Flag, "key", key), env)

        return self._before_last_change([path], state, current)

    def app_before_last_change(self, env: str, app: str, paths: Sequence[str], current: Any) -> Any:
        def state(files: dict[str, LoadedRepo]) -> Any:
            environment = app_doc = None
            for part in files.values():
                environment = environment or _find(part, Environment, "name", env)
                app_doc = app_doc or _find(part, App, "name", app)
            return app_state(environment, app_doc, app)

        return self._before_last_change(sorted(set(paths)), state, current)

    def _before_last_change(self, paths: list[str], state: Any, current: Any) -> Any:
        if self.git is None or self.start is None:
            return _MISSING
        try:
            commits = self.git.history(self.start, paths, _MAX_COMMITS)
            for commit in commits:
                found = state({p: self._load(commit.sha, p) for p in paths})
                if found != current:
                    return found
        except GitError:
            return _MISSING  # no readable history: nothing counts as a revert
        return _MISSING

    def _load(self, sha: str, path: str) -> LoadedRepo:
        if (sha, path) not in self._cache:
            assert self.git is not None
            part = LoadedRepo(root=Path("."))
            raw = self.git.read_file(sha, path)
            if raw is not None:
                load_text(part, path, raw)
            self._cache[(sha, path)] = part
        return self._cache[(sha, path)]


def is_missing(value: Any) -> bool:
    return value is _MISSING


def _find(part: LoadedRepo | None, kind: type[Any], attr: str, name: str) -> Any:
    if part is None:
        return None
    for document in part.documents:
        if isinstance(document.model, kind) and getattr(document.model, attr) == name:
            return document.model
    return None
