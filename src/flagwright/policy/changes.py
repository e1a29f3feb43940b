"""Change policies (an Environment's ``policy``): is the change BASE → HEAD allowed?

Each rule reads the compiled flags of both revisions (what the runtime will serve), and each
violation is a finding in HEAD's documents, so it gets HEAD's line and column. This module runs
the rules; the growth rule itself is :mod:`flagwright.policy.exposure`, freezes are
:mod:`flagwright.policy.freeze`, deployments (values, removed apps) :mod:`flagwright.policy.apps`
and what is read from history (reverts, acknowledgements) :mod:`flagwright.policy.history`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flagwright.codes import Code
from flagwright.diagnostics import Findings, Source, YamlPath
from flagwright.diff.blast import Weights, serving, shares
from flagwright.diff.model import ValueChange, percent_text
from flagwright.diff.revisions import changed_flags, compiled_flags, diff_revisions
from flagwright.diff.semantic import is_active
from flagwright.gitio.revision import Revision
from flagwright.model import Flag
from flagwright.model.environment import Policy
from flagwright.policy.apps import check_app_removals, check_value_promotion
from flagwright.policy.bucketing import check_bucketing_changes
from flagwright.policy.clusters import check_cluster_policies
from flagwright.policy.exposure import frozen_stages, schedule_problem, step_problem, window_text
from flagwright.policy.freeze import (
    FlagReverts,
    freeze_at,
    frozen_flags,
    frozen_values,
    reverts_app,
)
from flagwright.policy.history import Allowances, History
from flagwright.runtime.bucketing import TOTAL

Compiled = Mapping[str, Any]


@dataclass(slots=True)
class _Side:
    """One environment's compiled flags in BASE and HEAD (only flags that changed)."""

    before: dict[str, Any]
    after: dict[str, Any]


def check_change_policies(
    base: Revision,
    head: Revision,
    now: datetime,
    history: History | None = None,
    allowed: Allowances | None = None,
) -> Findings:
    """Every policy violation of BASE → HEAD. ``history`` reads earlier states (reverts pass a
    freeze); ``allowed`` holds the change's acknowledgements (commit trailers)."""
    findings = Findings()
    history = history or History(None, None)
    allowed = allowed or Allowances()
    keys = changed_flags(base, head)
    diff = diff_revisions(base, head)
    envs = sorted(head.index.environments)
    # A new or deleted environment changes every flag in it, not only the changed ones.
    touched = {env: keys | {c.flag for c in diff.flags if c.env == env} for env in envs}
    sides = {
        env: _Side(compiled_flags(base, env, touched[env]), compiled_flags(head, env, touched[env]))
        for env in envs
    }
    promoted_from = _promotion_sources(base, head, keys)
    reverts = FlagReverts(base, head, history)
    for env in envs:
        located = head.index.environments[env]
        policy = located.model.policy
        side = sides[env]
        for key in sorted(keys & set(side.after)):
            flag = head.index.flags[key]
            found = Findings()
            if policy.max_rollout_step is not None:
                _rollout_step(found, flag.source, flag.model, env, side, key,
                              policy.max_rollout_step, now)  # fmt: skip
            _schedule_policies(found, flag.source, flag.model, env, side, key, policy)
            if policy.require_promotion and located.model.promotes_from:
                source_env = located.model.promotes_from
                _promotion(found, flag.source, flag.model, env, source_env,
                           side, key, promoted_from.get(source_env, {}))  # fmt: skip
            if found.items and not reverts(env, key):
                findings.extend(found.items)
        freeze = freeze_at(env, base, head, now)
        if freeze is not None:
            frozen_flags(findings, head, env, freeze, diff.flags,
                         (side.before, side.after), reverts, now)  # fmt: skip
            gone = [ValueChange(d.env, d.app, "", "removed") for d in diff.deleted]
            frozen_values(findings, base, head, env, freeze, diff.values, diff.applications,
                          history, gone)  # fmt: skip
    check_value_promotion(findings, base, head, allowed,
                          lambda env, app: reverts_app(history, base, head, env, app))  # fmt: skip
    check_app_removals(findings, base, head, allowed)
    _types_and_removals(findings, base, head)
    check_bucketing_changes(findings, base, head, diff.flags)
    frozen = {env: f for env in envs if (f := freeze_at(env, base, head, now)) is not None}
    check_cluster_policies(findings, base, head, now, frozen)
    return findings


# --- max_rollout_step ------------------------------------------------------------------------


def _rollout_step(
    findings: Findings,
    source: Source,
    flag: Flag,
    env: str,
    side: _Side,
    key: str,
    limit: float,
    now: datetime,
) -> None:
    """Growth of the share served a non-default variant by the fallthrough, however expressed.

    A serve, split or promotion moves users as surely as a rollout stage, and a schedule moved
    into the past does too, so both sides are measured as they serve at ``now``.
    """
    new = side.after[key]
    old = side.before.get(key)
    default = str(new["default"])
    after = _fallthrough(new, now)
    before = _fallthrough(old, now) if old is not None else [(default, TOTAL)]
    grown_to = _exposed(after, default)
    had = _exposed(before, default)
    problem = step_problem(Policy(max_rollout_step=limit), env, had, grown_to)
    if problem is None:
        return
    rollout = (new.get("fallthrough") or {}).get("rollout")
    if rollout is not None:
        what = f"the rollout of {rollout['variant']}"
    else:
        names = sorted({v for v, w in after if w and v != default})
        what = f"the share of users served {' or '.join(names)}"
    where = _fallthrough_path(flag, env)
    entry = flag.environments.get(env)
    if where[-1:] == ("rollout",) and entry and entry.rollout and entry.rollout.stage is not None:
        where = (*where, "stage")
    findings.add(
        source, where, Code.ROLLOUT_STEP,
        f"{key} in {env}: {what} {problem}",
    )  # fmt: skip


def _exposed(weights: Weights, default: str) -> int:
    """The share of users (out of 10000) served something other than ``default``."""
    return sum(w for v, w in shares(weights).items() if v != default)


def _fallthrough(flag: Compiled, now: datetime | None = None) -> Weights:
    return serving(flag["fallthrough"] if is_active(flag) else None, str(flag["default"]), now)


def _schedule(side: _Side, key: str) -> Mapping[str, Any] | None:
    """The compiled scheduled rollout HEAD serves, when it is new or differs from BASE's."""
    new = side.after[key]
    rollout = (new.get("fallthrough") or {}).get("rollout") if is_active(new) else None
    if rollout is None or rollout["mode"] == "manual":
        return None
    old = side.before.get(key)
    old_rollout = (
        (old.get("fallthrough") or {}).get("rollout")
        if old is not None and is_active(old)
        else None
    )
    return None if old_rollout == rollout else rollout


def _start_path(flag: Flag, env: str) -> YamlPath:
    return ("environments", env, "rollout", "start")


def _schedule_policies(
    findings: Findings, source: Source, flag: Flag, env: str, side: _Side, key: str,
    policy: Policy,
) -> None:  # fmt: skip
    """A schedule grows with no commit per stage: each of its steps obeys max_rollout_step, and
    a stage that starts inside a freeze is growth during the freeze, as an advance would be."""
    rollout = _schedule(side, key)
    if rollout is None:
        return
    if policy.max_rollout_step is not None:
        problem = schedule_problem(policy, env, [float(s["percent"]) for s in rollout["stages"]])
        if problem is not None:
            findings.add(
                source, _start_path(flag, env), Code.ROLLOUT_STEP,
                f"{key} in {env}: the scheduled rollout of {rollout['variant']} (plan "
                f"{rollout['plan']}): {problem}",
            )  # fmt: skip
    if not policy.freeze:
        return
    starts = [
        (number, float(stage["percent"]), datetime.fromisoformat(str(stage["from"])))
        for number, stage in enumerate(rollout["stages"], start=1)
    ]
    found = frozen_stages(policy.freeze, starts)
    if found is not None:
        number, percent, start, freeze = found
        findings.add(
            source, _start_path(flag, env), Code.FROZEN,
            f"{key} in {env}: stage {number} ({percent:g}%) of the schedule starts at "
            f"{start.isoformat()}, while {env} is frozen from {window_text(freeze)}; a freeze "
            "holds growth, so start the schedule after it (or before, so that it ends in time)",
        )  # fmt: skip


# --- require_promotion -----------------------------------------------------------------------


def _promotion_sources(base: Revision, head: Revision, keys: set[str]) -> dict[str, dict[str, Any]]:
    """Compiled flags of each environment something promotes from, as BASE serves them.

    "Already serves": a value must have been in the earlier environment before this change, so
    the earlier environment is read from BASE (HEAD only if the environment is new).
    """
    wanted = {
        env.model.promotes_from
        for env in head.index.environments.values()
        if env.model.policy.require_promotion and env.model.promotes_from
    }
    out: dict[str, dict[str, Any]] = {}
    for name in sorted(n for n in wanted if n is not None):
        source = base if name in base.index.environments else head
        present = keys & set(source.index.flags)
        out[name] = compiled_flags(source, name, present)
    return out


def _promotion(
    findings: Findings,
    source: Source,
    flag: Flag,
    env: str,
    source_env: str,
    side: _Side,
    key: str,
    earlier: Mapping[str, Any],
) -> None:
    new = side.after[key]
    if not is_active(new):
        return
    default = str(new["default"])
    old = side.before.get(key)
    old_shares = shares(_fallthrough(old)) if old is not None else {}
    prev = earlier.get(key)
    prev_shares = shares(_fallthrough(prev)) if prev is not None else {}
    prev_rules = (
        {v for r in prev["rules"] for v, _ in serving(r, default)}
        if prev is not None and is_active(prev)
        else set()
    )
    for variant, share in sorted(shares(_fallthrough(new)).items()):
        if variant == default or share <= old_shares.get(variant, 0):
            continue
        has = prev_shares.get(variant, 0)
        if has < share:
            findings.add(
                source, _fallthrough_path(flag, env), Code.NOT_PROMOTED,
                f"{key} in {env} would serve {variant} to {percent_text(share)} of users, but "
                f"{source_env} (which {env} promotes from) serves it to {percent_text(has)}; "
                f"promote it to {source_env} first",
            )  # fmt: skip
    old_rule_variants = (
        {v for r in old["rules"] for v, _ in serving(r, default)}
        if old is not None and is_active(old)
        else set()
    )
    for number, rule in enumerate(new["rules"]):
        for variant, _ in serving(rule, default):
            known = prev_rules | {v for v, s in prev_shares.items() if s}
            if variant == default or variant in old_rule_variants or variant in known:
                continue
            findings.add(
                source, ("environments", env, "rules", number), Code.NOT_PROMOTED,
                f"{key} in {env}: rule {rule['name']} serves {variant}, which {source_env} "
                f"(which {env} promotes from) does not serve; promote it to {source_env} first",
            )  # fmt: skip


def _fallthrough_path(flag: Flag, env: str) -> YamlPath:
    entry = flag.environments.get(env)
    if entry is None:
        return ("environments", env)
    for name in ("serve", "split", "rollout"):
        if getattr(entry, name) is not None:
            return ("environments", env, name)
    return ("environments", env)


# --- type changes and removals ---------------------------------------------------------------


def _types_and_removals(findings: Findings, base: Revision, head: Revision) -> None:
    for key, old in sorted(base.index.flags.items()):
        new = head.index.flags.get(key)
        if new is not None:
            if old.model.type != new.model.type:
                findings.add(
                    new.source, ("type",), Code.TYPE_CHANGED,
                    f"{key}: type changed from {old.model.type} to {new.model.type}; running "
                    "code reads the old type. Add a new flag instead",
                )  # fmt: skip
            continue
        served = _served_in(base, key)
        if served:
            findings.items.append(
                _at_file_start(
                    old.source.path, Code.REMOVED_WHILE_SERVED,
                    f"{key} was removed but is still served in {', '.join(served)}; first make "
                    "it serve its default everywhere (or turn it off), then remove it",
                )
            )  # fmt: skip


def _served_in(base: Revision, key: str) -> list[str]:
    """Environments where the flag serves something other than its default to someone."""
    flag = base.index.flags[key].model
    default = flag.resolved_default
    out = []
    for env in sorted(flag.environments):
        if env not in base.index.environments:
            continue
        compiled = compiled_flags(base, env, {key})[key]
        if not is_active(compiled):
            continue
        parts = [*compiled["rules"], compiled["fallthrough"]]
        if any(v != default and w for part in parts for v, w in serving(part, str(default))):
            out.append(env)
    return out


def _at_file_start(path: str, code: Code, message: str) -> Any:
    from flagwright.diagnostics import Finding

    return Finding(Source(path), (), code, message, position=(1, 1))
