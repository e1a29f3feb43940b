"""Change policies (design.md §3 ``policy``): is the change BASE → HEAD allowed?

Each rule reads the compiled flags of both revisions (what the runtime will serve), and each
violation is a finding in HEAD's documents, so it gets HEAD's line and column.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flagwright.codes import Code
from flagwright.diagnostics import Findings, Source, YamlPath
from flagwright.diff.blast import Weights, serving, shares
from flagwright.diff.model import TOTAL, FlagChange, ValueChange, percent_text
from flagwright.diff.revisions import changed_flags, compiled_flags, diff_revisions
from flagwright.diff.semantic import is_active
from flagwright.gitio.revision import Revision
from flagwright.model import Flag
from flagwright.model.environment import Freeze
from flagwright.policy.bucketing import check_bucketing_changes

Compiled = Mapping[str, Any]


@dataclass(slots=True)
class _Side:
    """One environment's compiled flags in BASE and HEAD (only flags that changed)."""

    before: dict[str, Any]
    after: dict[str, Any]


def check_change_policies(base: Revision, head: Revision, now: datetime) -> Findings:
    findings = Findings()
    keys = changed_flags(base, head)
    diff = diff_revisions(base, head)
    envs = sorted(head.index.environments)
    sides = {
        env: _Side(compiled_flags(base, env, keys), compiled_flags(head, env, keys)) for env in envs
    }
    promoted_from = _promotion_sources(base, head, keys)
    for env in envs:
        located = head.index.environments[env]
        policy = located.model.policy
        side = sides[env]
        for key in sorted(keys & set(side.after)):
            flag = head.index.flags[key]
            if policy.max_rollout_step is not None:
                _rollout_step(findings, flag.source, flag.model, env, side, key,
                              policy.max_rollout_step, now)  # fmt: skip
            if policy.require_promotion and located.model.promotes_from:
                source_env = located.model.promotes_from
                _promotion(findings, flag.source, flag.model, env, source_env,
                           side, key, promoted_from.get(source_env, {}))  # fmt: skip
        freeze = _active_freeze(env, base, head, now)
        if freeze is not None:
            _frozen(findings, base, head, env, freeze, diff.flags, diff.values)
            _frozen_applications(findings, head, env, freeze, diff.applications)
    _types_and_removals(findings, base, head)
    check_bucketing_changes(findings, base, head, diff.flags)
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
    step = grown_to - had
    if step <= round(limit * 100):
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
        f"{key} in {env}: {what} grows from {percent_text(had)} to {percent_text(grown_to)} in "
        f"one change ({percent_text(step)}); {env}'s max_rollout_step is "
        f"{percent_text(round(limit * 100))}",
    )  # fmt: skip


def _exposed(weights: Weights, default: str) -> int:
    """The share of users (out of 10000) served something other than ``default``."""
    return sum(w for v, w in shares(weights).items() if v != default)


def _fallthrough(flag: Compiled, now: datetime | None = None) -> Weights:
    return serving(flag["fallthrough"] if is_active(flag) else None, str(flag["default"]), now)


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


# --- freeze ----------------------------------------------------------------------------------


def _active_freeze(env: str, base: Revision, head: Revision, now: datetime) -> Freeze | None:
    """A window containing ``now`` in HEAD's or BASE's policy: deleting a freeze in the same
    change does not lift it."""
    windows: list[Freeze] = []
    for revision in (head, base):
        located = revision.index.environments.get(env)
        if located is not None:
            windows.extend(located.model.policy.freeze)
    for window in windows:
        if window.from_ <= now < window.to:
            return window
    return None


def _frozen(
    findings: Findings,
    base: Revision,
    head: Revision,
    env: str,
    freeze: Freeze,
    flags: list[FlagChange],
    values: list[ValueChange],
) -> None:
    why = f" ({freeze.reason})" if freeze.reason else ""
    window = f"{freeze.from_.isoformat()} to {freeze.to.isoformat()}{why}"
    for change in flags:
        if change.env != env or _only_turns_off(change):
            continue
        located = head.index.flags.get(change.flag)
        if located is None:
            continue  # a removal: reported by FW405 when it matters, no line in HEAD to show
        where: YamlPath = ("environments", env)
        if env not in located.model.environments:
            where = ("environments",) if located.model.environments else ("key",)
        findings.add(
            located.source, where, Code.FROZEN,
            f"{change.flag}: {env} is frozen from {window}; only turning a flag off "
            "(enabled: false) is allowed",
        )  # fmt: skip
    reported: set[str] = set()
    for value in values:
        if value.env != env or value.app in reported:
            continue
        reported.add(value.app)
        env_doc = head.index.environments[env]
        source, where = env_doc.source, ("apps", value.app)
        if value.app in head.index.apps and _env_app_same(base, head, env, value.app):
            source, where = head.index.apps[value.app].source, ("values",)  # the App changed
        findings.add(
            source, where, Code.FROZEN,
            f"Helm values of {value.app} in {env} change while {env} is frozen from {window}",
        )  # fmt: skip


def _frozen_applications(
    findings: Findings, head: Revision, env: str, freeze: Freeze, changes: list[ValueChange]
) -> None:
    """Chart, ``argocd`` and repository changes reach the cluster as surely as values do."""
    why = f" ({freeze.reason})" if freeze.reason else ""
    window = f"{freeze.from_.isoformat()} to {freeze.to.isoformat()}{why}"
    reported: set[tuple[str, YamlPath]] = set()
    for change in changes:
        if change.env != env:
            continue
        source, where = _application_origin(head, change)
        if (source.path, where) in reported:
            continue
        reported.add((source.path, where))
        findings.add(
            source, where, Code.FROZEN,
            f"the Argo CD Application of {change.app} in {env} changes ({change.path}) while "
            f"{env} is frozen from {window}",
        )  # fmt: skip


def _application_origin(head: Revision, change: ValueChange) -> tuple[Source, YamlPath]:
    """The HEAD document and key the changed Application field comes from."""
    env_doc = head.index.environments[change.env]
    top, *rest = change.path.split(".")
    app = head.index.apps.get(change.app)
    if change.status != "changed" or app is None:
        return env_doc.source, ("apps", change.app)  # the app joined or left the environment
    if top == "chart":
        return app.source, ("chart", *rest)
    if top == "repository" and head.index.repositories:
        return head.index.repositories[0].source, tuple(rest)
    return env_doc.source, (top, *rest)


def _env_app_same(base: Revision, head: Revision, env: str, app: str) -> bool:
    def entry(revision: Revision) -> Any:
        located = revision.index.environments.get(env)
        return None if located is None else located.model.apps.get(app)

    return bool(entry(base) == entry(head))


def _only_turns_off(change: FlagChange) -> bool:
    return (
        change.status == "changed"
        and len(change.changes) == 1
        and change.changes[0].what == "enabled"
        and change.changes[0].before is True
        and change.changes[0].after is False
    )


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
