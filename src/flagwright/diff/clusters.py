"""What changes in one cluster of an environment beyond what changes in the environment.

A cluster serves the environment's flags except the ones it overrides, so only overridden flags
(in either revision) can differ from the environment's diff; those are compared here and named
``<env>/<cluster>`` in the diff. Helm values are the cluster's merged values, reported where
they change differently from the environment's.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from flagwright.compile.clusters import cluster_flags
from flagwright.diff.model import FlagChange, ValueChange
from flagwright.diff.semantic import diff_environment
from flagwright.diff.values import _MISSING, app_values, flatten
from flagwright.gitio.revision import Revision
from flagwright.load.index import ConfigIndex
from flagwright.model.cluster import Cluster


@dataclass(frozen=True, slots=True)
class ClusterSide:
    """One cluster's overridden flags compiled in BASE and HEAD (a flag it does not override
    in one revision is the environment's there)."""

    env: str
    cluster: str
    before: dict[str, Any]
    after: dict[str, Any]

    @property
    def label(self) -> str:
        return f"{self.env}/{self.cluster}"


def _clusters(index: ConfigIndex, env: str) -> dict[str, Cluster]:
    located = index.environments.get(env)
    if located is None or located.model.clusters is None:
        return {}
    return {c.name: c for c in located.model.clusters}


def _compiled(
    revision: Revision, env: str, cluster: Cluster | None, keys: set[str]
) -> dict[str, Any]:
    from flagwright.diff.revisions import compiled_flags

    if env not in revision.index.environments:
        return {}
    own = set(cluster.flags) & keys if cluster is not None else set()
    flags = compiled_flags(revision, env, keys - own)
    if cluster is not None and own:
        flags.update(cluster_flags(revision.index, env, cluster, own))
    return flags


def cluster_sides(base: Revision, head: Revision, env: str | None = None) -> Iterator[ClusterSide]:
    """Every cluster (of HEAD, or of BASE only) whose overridden flags serve differently."""
    envs = sorted(set(base.index.environments) | set(head.index.environments))
    for name in envs if env is None else [env]:
        before, after = _clusters(base.index, name), _clusters(head.index, name)
        for cluster in sorted(set(before) | set(after)):
            old, new = before.get(cluster), after.get(cluster)
            keys = set(old.flags if old else {}) | set(new.flags if new else {})
            keys &= set(base.index.flags) | set(head.index.flags)
            if not keys:
                continue
            side = ClusterSide(
                name, cluster, _compiled(base, name, old, keys), _compiled(head, name, new, keys)
            )
            if side.before != side.after:
                yield side


def diff_cluster_flags(base: Revision, head: Revision, env: str | None = None) -> list[FlagChange]:
    out: list[FlagChange] = []
    for side in cluster_sides(base, head, env):
        out.extend(diff_environment(side.label, side.before, side.after))
    return out


def cluster_values(index: ConfigIndex, env: str, cluster: str, app: str) -> dict[str, Any] | None:
    from flagwright.render.values import deep_merge

    values = app_values(index, env, app)
    own = _clusters(index, env).get(cluster)
    if values is None or own is None:
        return None
    extra = own.apps.get(app)
    return deep_merge(values, extra.values) if extra is not None else values


def diff_cluster_values(before: ConfigIndex, after: ConfigIndex) -> list[ValueChange]:
    """Value changes of a cluster that the environment's own value changes do not show."""
    out: list[ValueChange] = []
    for env in sorted(set(before.environments) | set(after.environments)):
        clusters = set(_clusters(before, env)) | set(_clusters(after, env))
        apps: set[str] = set()
        for index in (before, after):
            if env in index.environments:
                apps.update(index.environments[env].model.apps)
        for cluster in sorted(clusters):
            for app in sorted(apps):
                env_old = dict(flatten(app_values(before, env, app) or {}))
                env_new = dict(flatten(app_values(after, env, app) or {}))
                old = dict(flatten(cluster_values(before, env, cluster, app) or {}))
                new = dict(flatten(cluster_values(after, env, cluster, app) or {}))
                for path in sorted(set(old) | set(new)):
                    a, b = old.get(path, _MISSING), new.get(path, _MISSING)
                    if a == b or (env_old.get(path, _MISSING), env_new.get(path, _MISSING)) == (
                        a,
                        b,
                    ):
                        continue
                    status: Literal["added", "removed", "changed"] = (
                        "added" if a is _MISSING else "removed" if b is _MISSING else "changed"
                    )
                    out.append(ValueChange(
                        f"{env}/{cluster}", app, path, status,
                        None if a is _MISSING else a, None if b is _MISSING else b,
                    ))  # fmt: skip
    return out
