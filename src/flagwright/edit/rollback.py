"""The environment entry to roll back to: at a given revision, or the last one that differed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from flagwright.edit.apply import EditOutcome, apply_edit
from flagwright.edit.ops import restore
from flagwright.edit.splice import EditError, load_all, make_yaml
from flagwright.gitio.refs import check_ref
from flagwright.gitio.repo import GitRepo
from flagwright.load.repository import flag_in_text, load_repository
from flagwright.model import EnvEntry, Flag


@dataclass(frozen=True, slots=True)
class Rollback:
    flag: str
    env: str
    commit: str  # the revision the entry is restored from
    outcome: EditOutcome


def rollback_flag(
    root: Path, key: str, env: str, to: str | None, today: date, now: datetime
) -> Rollback:
    """``flagwright rollback``'s core: find the entry to restore, then edit as every edit does."""
    node, sha = rollback_entry(root, key, env, to)
    edit = restore(env, node)
    return Rollback(key, env, sha, apply_edit(root, key, lambda *_: edit, today, now=now))


def rollback_entry(root: Path, key: str, env: str, to: str | None) -> tuple[Any, str]:
    """The round-trip node to restore (None: the entry did not exist) and the commit it is from."""
    if to is not None:
        check_ref(to)
    git = GitRepo(root)
    current = load_repository(root)
    located = next(
        (d for d in current.documents if isinstance(d.model, Flag) and d.model.key == key), None
    )
    if located is None:
        raise EditError(f"unknown flag {key!r}")
    rel = located.source.path
    now: EnvEntry | None = located.model.environments.get(env)
    if to is not None:
        sha = git.resolve(to)
        return _node_at(git, sha, rel, key, env), sha
    for commit in git.history(git.head(), [rel]):
        raw = git.read_file(commit.sha, rel)
        if raw is None:
            continue
        if _entry(raw, rel, key, env) != now:
            return _node_at(git, commit.sha, rel, key, env), commit.sha
    shallow = (
        "; this is a shallow clone, so older revisions may exist upstream (fetch them with "
        "`git fetch --unshallow`)"
        if git.is_shallow()
        else ""
    )
    raise EditError(f"no earlier revision of {rel} has a different {env} entry for {key}{shallow}")


def _entry(raw: bytes, rel: str, key: str, env: str) -> EnvEntry | bool | None:
    """The entry in that file version; False when the flag cannot be read there."""
    flag = flag_in_text(rel, raw, key)
    return False if flag is None else flag.environments.get(env)


def _node_at(git: GitRepo, sha: str, rel: str, key: str, env: str) -> Any:
    raw = git.read_file(sha, rel)
    if raw is None:
        raise EditError(f"{rel} does not exist at {sha[:12]}")
    text = raw.decode("utf-8").removeprefix("\ufeff")
    for doc in load_all(make_yaml(text), text):
        if isinstance(doc, dict) and doc.get("kind") == "Flag" and doc.get("key") == key:
            envs = doc.get("environments") or {}
            return envs.get(env)
    raise EditError(f"flag {key} is not in {rel} at {sha[:12]}")
