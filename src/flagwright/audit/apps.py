"""An app's deploy history from Git: each commit that changed its Helm values (image tags,
replicas, any value), its Argo CD Application (chart version, destination) or whether an
environment deploys it at all.

Like :mod:`flagwright.audit.flags`, every config commit is compared with its first parent, and
revisions share parsed files by blob.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flagwright.check.suggest import did_you_mean
from flagwright.diff.model import ValueChange
from flagwright.diff.values import deleted_apps, diff_applications, diff_values
from flagwright.errors import UserError
from flagwright.gitio.history import ConfigHistory
from flagwright.gitio.repo import CommitInfo
from flagwright.gitio.revision import Revision


@dataclass(frozen=True, slots=True)
class DeployEntry:
    commit: CommitInfo
    values: tuple[ValueChange, ...]  # Helm values, as dotted paths
    application: tuple[ValueChange, ...]  # the Argo CD Application's other fields
    deployed: tuple[str, ...] = ()  # environments the app joined in this commit
    removed: tuple[str, ...] = ()  # environments it left (Application deleted)


def is_app(root: Path, name: str) -> bool:
    """``name`` is an app of the work tree and not also a flag (a flag's key wins)."""
    from flagwright.check.repository import check_loaded
    from flagwright.load.repository import load_repository

    index = check_loaded(load_repository(root), locate=False).index
    return name in index.apps and name not in index.flags


def deploy_log(root: Path, app: str, env: str | None = None) -> list[DeployEntry]:
    """Newest first. ``env`` limits the history to one environment."""
    history = ConfigHistory(root)
    entries: list[DeployEntry] = []
    seen = False
    for commit, base, head in history.changes():
        seen = seen or app in head.index.apps or app in base.index.apps
        entry = _entry(commit, base, head, app, env)
        if entry is not None:
            entries.append(entry)
    if not seen:
        current = history.load(history.git.head()).index
        raise UserError(
            f"unknown flag or app {app!r}"
            + did_you_mean(app, [*current.flags, *current.apps], "flags and apps")
        )
    return entries


def _entry(
    commit: CommitInfo, base: Revision, head: Revision, app: str, env: str | None
) -> DeployEntry | None:
    def mine(change: ValueChange) -> bool:
        return change.app == app and env in (None, change.env)

    def envs_of(revision: Revision) -> set[str]:
        return {
            name
            for name, located in revision.index.environments.items()
            if app in located.model.apps and env in (None, name)
        }

    gone = {d.env for d in deleted_apps(base.index, head.index) if d.app == app}
    joined = envs_of(head) - envs_of(base)
    values = tuple(
        v
        for v in diff_values(base.index, head.index)
        if mine(v) and v.env not in gone and v.env not in joined
    )
    application = tuple(
        a
        for a in diff_applications(base.index, head.index)
        if mine(a) and a.env not in gone and a.env not in joined
    )
    removed = tuple(sorted(e for e in gone if env in (None, e)))
    if not (values or application or joined or removed):
        return None
    return DeployEntry(commit, values, application, tuple(sorted(joined)), removed)
