"""Freeze windows: a freeze blocks growth, never a step back.

During a freeze a change passes when it only reduces exposure (turning a flag off, lowering a
stage, a percentage or a non-default share, dropping a rule that served a variant) or when it
restores the state before the last change (a revert, the blue-green switch back). Everything
else that reaches users or the cluster is reported at the line that changed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from flagwright.codes import Code
from flagwright.diagnostics import Findings, Source, YamlPath
from flagwright.diff.blast import moves, serving
from flagwright.diff.model import FlagChange, ValueChange
from flagwright.diff.semantic import is_active
from flagwright.gitio.revision import Revision
from flagwright.model.environment import Freeze
from flagwright.policy.exposure import active_freeze, window_text
from flagwright.policy.history import History, app_state, flag_state, is_missing

Compiled = Mapping[str, Any]
_SAME = ("type", "variants", "default", "bucket_by", "bucketing")  # any change moves users


def freeze_at(env: str, base: Revision, head: Revision, now: datetime) -> Freeze | None:
    """A window containing ``now`` in HEAD's or BASE's policy: deleting a freeze in the same
    change does not lift it."""
    windows: list[Freeze] = []
    for revision in (head, base):
        located = revision.index.environments.get(env)
        if located is not None:
            windows.extend(located.model.policy.freeze)
    return active_freeze(windows, now)


def only_reduces(old: Compiled | None, new: Compiled | None, now: datetime) -> bool:
    """True when nobody is served a non-default variant after the change who was not before.

    Every user either keeps their variant or goes back to the default: buckets only move to the
    default, rules are only dropped or narrowed, prerequisites are only added.
    """
    if old is None or new is None:
        return new is None
    if any(old.get(k) != new.get(k) for k in _SAME):
        return False
    if not is_active(new):
        return True
    if not is_active(old) or not set(old["requires"]) <= set(new["requires"]):
        return False
    default = str(new["default"])
    old_rules: Sequence[Compiled] = old["rules"]
    new_rules: Sequence[Compiled] = new["rules"]
    at = 0
    for rule in old_rules:
        if at < len(new_rules) and _same_match(rule, new_rules[at]):
            if not _to_default(rule, new_rules[at], default, now):
                return False
            at += 1
        elif not _dropping_reduces(rule, new_rules[at:], new["fallthrough"], default, now):
            return False  # users of the dropped rule now reach parts that serve them more
    if at != len(new_rules):
        return False  # a new rule
    return _to_default(old["fallthrough"], new["fallthrough"], default, now)


def _same_match(old: Compiled, new: Compiled) -> bool:
    return old.get("name") == new.get("name") and old.get("when") == new.get("when")


def _to_default(old: Compiled | None, new: Compiled | None, default: str, now: datetime) -> bool:
    return all(
        move.after == default
        for move in moves(serving(old, default, now), serving(new, default, now))
    )


def _dropping_reduces(
    dropped: Compiled,
    rules: Sequence[Compiled],
    fallthrough: Compiled,
    default: str,
    now: datetime,
) -> bool:
    """Users of a dropped rule fall through to the parts after it: no more exposure only if
    those serve nothing but the default and the one variant the rule served to all of them."""
    served = {v for v, w in serving(dropped, default, now) if w}
    allowed = {default} | (served if len(served) == 1 else set())
    later = [*rules, fallthrough]
    return all(v in allowed for part in later for v, w in serving(part, default, now) if w)


class FlagReverts:
    """Whether HEAD's state of a flag in an environment is the state before its last change.

    A revert restores what was served and reviewed before, so it passes a freeze and the
    step and promotion rules; asked only when a rule would otherwise report, because it reads
    history.
    """

    def __init__(self, base: Revision, head: Revision, history: History) -> None:
        self._base, self._head, self._history = base, head, history
        self._known: dict[tuple[str, str], bool] = {}

    def __call__(self, env: str, key: str) -> bool:
        if (env, key) not in self._known:
            self._known[(env, key)] = self._reverts(env, key)
        return self._known[(env, key)]

    def _reverts(self, env: str, key: str) -> bool:
        old, new = self._base.index.flags.get(key), self._head.index.flags.get(key)
        if old is None or new is None:
            return False
        current = flag_state(old.model, env)
        previous = self._history.flag_before_last_change(key, env, old.source.path, current)
        return not is_missing(previous) and previous == flag_state(new.model, env)


def frozen_flags(
    findings: Findings,
    head: Revision,
    env: str,
    freeze: Freeze,
    changes: Sequence[FlagChange],
    sides: tuple[Mapping[str, Any], Mapping[str, Any]],
    reverts: FlagReverts,
    now: datetime,
) -> None:
    before, after = sides
    for change in changes:
        if change.env != env:
            continue
        if only_reduces(before.get(change.flag), after.get(change.flag), now):
            continue
        located = head.index.flags.get(change.flag)
        if located is None:
            continue  # a removal: reported by FW405 when it matters, no line in HEAD to show
        if reverts(env, change.flag):
            continue
        where: YamlPath = ("environments", env)
        if env not in located.model.environments:
            where = ("environments",) if located.model.environments else ("key",)
        findings.add(
            located.source, where, Code.FROZEN,
            f"{change.flag}: {env} is frozen from {window_text(freeze)}; only a change that "
            "reduces exposure (turning it off, a lower stage, percentage or share) or restores "
            "the state before the last change is allowed",
        )  # fmt: skip


def frozen_values(
    findings: Findings,
    base: Revision,
    head: Revision,
    env: str,
    freeze: Freeze,
    values: Sequence[ValueChange],
    applications: Sequence[ValueChange],
    history: History,
    deleted: Sequence[ValueChange] = (),
) -> None:
    """Helm values, chart, ``argocd`` and repository changes reach the cluster as surely as
    flags do; an app whose whole state goes back to what it was before its last change (the
    blue-green switch back, a reverted image tag) passes."""
    reported: set[tuple[str, YamlPath]] = set()
    reverted: dict[str, bool] = {}
    for change in [*values, *applications, *deleted]:
        if change.env != env:
            continue
        if change.app not in reverted:
            reverted[change.app] = reverts_app(history, base, head, env, change.app)
        if reverted[change.app]:
            continue
        if env not in head.index.environments:
            continue  # the environment is deleted: FW407 reports it at the file BASE had
        is_value = change in values
        source, where = (
            _value_origin(base, head, change) if is_value else _application_origin(head, change)
        )
        if not change.path:
            source, where = head.index.environments[env].source, ("apps",)
        if (source.path, where) in reported:
            continue
        reported.add((source.path, where))
        what = (
            f"Helm values of {change.app} in {env} change"
            if is_value
            else f"the Argo CD Application of {change.app} in {env} changes ({change.path})"
            if change.path
            else f"the Argo CD Application of {change.app} in {env} is deleted"
        )
        findings.add(
            source, where, Code.FROZEN,
            f"{what} while {env} is frozen from {window_text(freeze)}; only restoring the state "
            "before the last change (a switch back, a revert) is allowed",
        )  # fmt: skip


def reverts_app(history: History, base: Revision, head: Revision, env: str, app: str) -> bool:
    """HEAD's state of ``app`` in ``env`` (its entry and App document) is the state before its
    last change: a rollback to what was deployed there before."""

    def state(revision: Revision) -> Any:
        environment = revision.index.environments.get(env)
        located = revision.index.apps.get(app)
        return app_state(
            None if environment is None else environment.model,
            None if located is None else located.model,
            app,
        )

    paths = [
        located.source.path
        for located in (base.index.environments.get(env), base.index.apps.get(app))
        if located is not None
    ]
    if not paths:
        return False
    previous = history.app_before_last_change(env, app, paths, state(base))
    return not is_missing(previous) and previous == state(head)


def _value_origin(base: Revision, head: Revision, change: ValueChange) -> tuple[Source, YamlPath]:
    env_doc = head.index.environments[change.env]
    if change.app in head.index.apps and _env_app_same(base, head, change.env, change.app):
        return head.index.apps[change.app].source, ("values",)  # the App changed
    return env_doc.source, ("apps", change.app)


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
