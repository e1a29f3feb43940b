"""Change policies per cluster: what a cluster serves through its overrides obeys the
environment's max_rollout_step, freeze and require_promotion, as the environment's own entries do.

Flags a cluster does not override serve the environment's entries, which the environment-wide
checks already cover; here only overridden flags (in BASE or HEAD) are compared, and cluster
values, cluster list and destination changes count for a freeze. Findings point at the cluster
in HEAD's Environment document.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flagwright.codes import Code
from flagwright.diagnostics import Findings, Source, YamlPath
from flagwright.diff.blast import serving, shares
from flagwright.diff.clusters import ClusterSide, cluster_sides, diff_cluster_values
from flagwright.diff.model import percent_text
from flagwright.diff.semantic import is_active
from flagwright.gitio.revision import Revision
from flagwright.model.environment import Freeze


def check_cluster_policies(
    findings: Findings, base: Revision, head: Revision, now: datetime, frozen: Mapping[str, Freeze]
) -> None:
    """``frozen``: the environments whose freeze window contains ``now``."""
    sides = list(cluster_sides(base, head))
    for side in sides:
        located = head.index.environments.get(side.env)
        if located is None:
            continue
        number, cluster = _position(head, side.env, side.cluster)
        if cluster is None:
            continue  # the cluster was removed: nothing left in HEAD to point at
        policy = located.model.policy
        for key in sorted(side.after):
            where: YamlPath = ("clusters", number, "flags", key)
            if key not in cluster.flags:
                where = ("clusters", number, "name")
            new, old = side.after[key], side.before.get(key)
            if old == new:
                continue
            if policy.max_rollout_step is not None:
                _step(findings, located.source, where, side, key, policy.max_rollout_step, now)
            if policy.require_promotion and located.model.promotes_from:
                _promotion(findings, located.source, where, side, key, base,
                           located.model.promotes_from)  # fmt: skip
            freeze = frozen.get(side.env)
            if freeze is not None and not _turns_off(old, new):
                findings.add(
                    located.source, where, Code.FROZEN,
                    f"{key} in {side.label} changes while {side.env} is frozen {_window(freeze)}; "
                    "only turning a flag off (enabled: false) is allowed",
                )  # fmt: skip
    for env, freeze in sorted(frozen.items()):
        _frozen_clusters(findings, base, head, env, freeze)
    reported: set[tuple[str, str]] = set()
    for change in diff_cluster_values(base.index, head.index):
        env, _, name = change.env.partition("/")
        freeze = frozen.get(env)
        if freeze is None or (change.env, change.app) in reported:
            continue
        reported.add((change.env, change.app))
        number, cluster = _position(head, env, name)
        if cluster is None:
            continue
        findings.add(
            head.index.environments[env].source, ("clusters", number), Code.FROZEN,
            f"Helm values of {change.app} in {change.env} change while {env} is frozen "
            f"{_window(freeze)}",
        )  # fmt: skip


def _frozen_clusters(
    findings: Findings, base: Revision, head: Revision, env: str, freeze: Freeze
) -> None:
    """Clusters added, removed or moved (destination, wave, labels) reach Argo CD at once."""
    old_env, new_env = base.index.environments.get(env), head.index.environments.get(env)
    if old_env is None or new_env is None:
        return

    def shape(located: Any) -> list[Any]:
        return [(c.name, c.destination, c.wave, c.labels) for c in located.model.clusters or []]

    if shape(old_env) != shape(new_env) and new_env.model.clusters is not None:
        findings.add(
            new_env.source, ("clusters",), Code.FROZEN,
            f"the clusters of {env} change while {env} is frozen {_window(freeze)}",
            at="key",
        )  # fmt: skip


def _position(head: Revision, env: str, name: str) -> tuple[int, Any]:
    located = head.index.environments.get(env)
    for number, cluster in enumerate((located.model.clusters or []) if located else []):
        if cluster.name == name:
            return number, cluster
    return -1, None


def _window(freeze: Freeze) -> str:
    why = f" ({freeze.reason})" if freeze.reason else ""
    return f"from {freeze.from_.isoformat()} to {freeze.to.isoformat()}{why}"


def _weights(flag: Mapping[str, Any] | None, now: datetime | None = None) -> dict[str, int]:
    if flag is None:
        return {}
    part = flag["fallthrough"] if is_active(flag) else None
    return shares(serving(part, str(flag["default"]), now))


def _exposed(flag: Mapping[str, Any] | None, default: str, now: datetime) -> int:
    return sum(w for v, w in _weights(flag, now).items() if v != default)


def _step(
    findings: Findings, source: Source, where: YamlPath, side: ClusterSide, key: str,
    limit: float, now: datetime,
) -> None:  # fmt: skip
    new, old = side.after[key], side.before.get(key)
    default = str(new["default"])
    had, grown_to = _exposed(old, default, now), _exposed(new, default, now)
    if grown_to - had > round(limit * 100):
        findings.add(
            source, where, Code.ROLLOUT_STEP,
            f"{key} in {side.label}: the share of users served a non-default variant grows from "
            f"{percent_text(had)} to {percent_text(grown_to)} in one change; {side.env}'s "
            f"max_rollout_step is {percent_text(round(limit * 100))}",
        )  # fmt: skip


def _earlier(base: Revision, env: str, key: str) -> dict[str, int]:
    """The largest share of each variant the earlier environment serves, as BASE has it: in
    any of its clusters, or environment-wide when it has none."""
    from flagwright.compile.clusters import cluster_flags
    from flagwright.diff.revisions import compiled_flags

    located = base.index.environments.get(env)
    if located is None or key not in base.index.flags:
        return {}
    env_flag = compiled_flags(base, env, {key}).get(key)
    candidates = [env_flag] + [
        cluster_flags(base.index, env, cluster, {key}).get(key)
        for cluster in located.model.clusters or []
        if key in cluster.flags
    ]
    best: dict[str, int] = {}
    for flag in candidates:
        for variant, share in _weights(flag).items():
            best[variant] = max(best.get(variant, 0), share)
    return best


def _promotion(
    findings: Findings, source: Source, where: YamlPath, side: ClusterSide, key: str,
    base: Revision, earlier_env: str,
) -> None:  # fmt: skip
    new, old = side.after[key], side.before.get(key)
    if not is_active(new):
        return
    default = str(new["default"])
    before = _weights(old) if old is not None and is_active(old) else {}
    earlier = _earlier(base, earlier_env, key)
    for variant, share in sorted(_weights(new).items()):
        if variant == default or share <= before.get(variant, 0):
            continue
        if earlier.get(variant, 0) < share:
            findings.add(
                source, where, Code.NOT_PROMOTED,
                f"{key} in {side.label} would serve {variant} to {percent_text(share)} of users, "
                f"but {earlier_env} (which {side.env} promotes from) serves it to "
                f"{percent_text(earlier.get(variant, 0))}; promote it to {earlier_env} first",
            )  # fmt: skip


def _turns_off(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> bool:
    if old is None or not old.get("enabled") or new.get("enabled"):
        return False
    return {k: v for k, v in old.items() if k != "enabled"} == {
        k: v for k, v in new.items() if k != "enabled"
    }
