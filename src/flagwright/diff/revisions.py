"""Diff two loaded revisions: compile only the flags that can differ, then compare them.

A flag's compiled form depends on its own document, the segments its conditions name and the
plan its rollout uses; if none of those changed, it is the same in both revisions and is not
compiled at all. Both sides go through the compiler, so the diff reads exactly what the runtime
will evaluate.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flagwright.compile import CompileError, compile_flags
from flagwright.diff.clusters import diff_cluster_flags, diff_cluster_values
from flagwright.diff.deploys import diff_deploys
from flagwright.diff.model import SemanticDiff
from flagwright.diff.semantic import diff_environment
from flagwright.diff.values import deleted_apps, diff_applications, diff_values
from flagwright.errors import UserError
from flagwright.gitio.revision import Revision
from flagwright.load.index import ConfigIndex
from flagwright.model import Flag


class DiffError(UserError):
    """A revision cannot be compiled, so it cannot be compared."""


def diff_revisions(
    base: Revision,
    head: Revision,
    flags: Iterable[str] | None = None,
    env: str | None = None,
    values: bool = True,
) -> SemanticDiff:
    """The semantic diff BASE → HEAD, optionally limited to some flags and one environment."""
    _require_loadable(base)
    _require_loadable(head)
    dirty = changed_flags(base, head)
    if flags is not None:
        dirty &= set(flags)
    result = SemanticDiff(base.label, head.label)
    envs = sorted(set(base.index.environments) | set(head.index.environments))
    for name in envs if env is None else [env]:
        keys = set(dirty)
        rules = _bucketing_change(base, head, name)
        if rules is not None:
            keys |= set(base.index.flags) & set(head.index.flags)
            if flags is not None:
                keys &= set(flags)
        if (name in base.index.environments) != (name in head.index.environments):
            keys |= set(base.index.flags) | set(head.index.flags)  # a new or deleted environment
            if flags is not None:
                keys &= set(flags)
        if not keys:
            continue
        before = compiled_flags(base, name, keys)
        after = compiled_flags(head, name, keys)
        result.flags.extend(
            diff_environment(
                name, before, after, _paths(base, keys), _paths(head, keys), bucketing=rules
            )
        )
    result.flags.extend(diff_cluster_flags(base, head, env) if flags is None else [])
    if values and flags is None:
        result.deleted = [d for d in deleted_apps(base.index, head.index) if env in (None, d.env)]
        gone = {(d.env, d.app) for d in result.deleted}
        result.values = [
            v
            for v in diff_values(base.index, head.index)
            if env in (None, v.env) and (v.env, v.app) not in gone
        ]
        result.values += [
            v for v in diff_cluster_values(base.index, head.index)
            if env is None or v.env.partition("/")[0] == env
        ]  # fmt: skip
        result.applications = [
            a
            for a in diff_applications(base.index, head.index)
            if env in (None, a.env) and (a.env, a.app) not in gone
        ]
        result.deploys = [
            d
            for d in diff_deploys(base.index, head.index)
            if env in (None, d.env) and (d.env, d.app) not in gone
        ]
    return result


def _bucketing_change(base: Revision, head: Revision, env: str) -> tuple[str, str] | None:
    """``(before, after)`` when ``env`` exists on both sides with different bucketing rules."""
    old = base.index.environments.get(env)
    new = head.index.environments.get(env)
    if old is None or new is None or old.model.bucketing == new.model.bucketing:
        return None
    return old.model.bucketing, new.model.bucketing


def _require_loadable(revision: Revision) -> None:
    errors = [f for f in revision.findings.items if f.severity == "error"]
    if errors:
        first = errors[0]
        raise DiffError(
            f"{revision.label}: {len(errors)} configuration error(s) prevent a diff, first in "
            f"{first.source.path}: {first.message} (run `flagwright validate` on it)"
        )


def compiled_flags(revision: Revision, env: str, keys: set[str]) -> dict[str, Any]:
    if env not in revision.index.environments:
        return {}
    sub = ConfigIndex(
        flags={k: v for k, v in revision.index.flags.items() if k in keys},
        segments=revision.index.segments,
        plans=revision.index.plans,
        environments=revision.index.environments,
        apps=revision.index.apps,
        repositories=revision.index.repositories,
    )
    try:
        flags: dict[str, Any] = compile_flags(sub, env)
    except (UserError, CompileError) as exc:  # revisions are loaded, not checked: the user's
        # to fix, unlike a CompileError after `validate` passed
        raise DiffError(f"{revision.label}: {exc} (run `flagwright validate` on it)") from None
    return flags


def _paths(revision: Revision, keys: set[str]) -> dict[str, str]:
    return {k: revision.index.flags[k].source.path for k in keys if k in revision.index.flags}


def changed_flags(base: Revision, head: Revision) -> set[str]:
    """Keys whose compiled form may differ: own document, segments or plans changed."""
    before, after = base.index, head.index
    segments = _changed_names(before.segments, after.segments)
    plans = _changed_names(before.plans, after.plans)
    if segments:
        segments = _segment_closure(after, before, segments)
    out: set[str] = set()
    for key in set(before.flags) | set(after.flags):
        old, new = before.flags.get(key), after.flags.get(key)
        if old is None or new is None:
            out.add(key)
        elif _same_blob(base, head, old.source.path, new.source.path):
            if (segments or plans) and _uses(new.model, segments, plans):
                out.add(key)
        elif _differs(old.model, new.model) or (
            (segments or plans) and _uses(new.model, segments, plans)
        ):
            out.add(key)
    return out


def _same_blob(base: Revision, head: Revision, old_path: str, new_path: str) -> bool:
    old = base.blobs.get(old_path)
    return old is not None and old_path == new_path and old == head.blobs.get(new_path)


def _differs(old: Flag, new: Flag) -> bool:
    # Models compare dicts without order, but a split's order is its bucket ranges.
    return old != new or old.model_dump_json() != new.model_dump_json()


def _changed_names(before: Mapping[str, Any], after: Mapping[str, Any]) -> set[str]:
    names = set(before) | set(after)
    return {
        n for n in names if n not in before or n not in after or before[n].model != after[n].model
    }


def _segment_closure(after: ConfigIndex, before: ConfigIndex, changed: set[str]) -> set[str]:
    """Changed segments plus every segment that refers to one of them, in either revision."""
    result = set(changed)
    grew = True
    while grew:
        grew = False
        for index in (before, after):
            for name, located in index.segments.items():
                if name not in result and segment_refs(located.model.when) & result:
                    result.add(name)
                    grew = True
    return result


def _uses(flag: Flag, segments: set[str], plans: set[str]) -> bool:
    for entry in flag.environments.values():
        if entry.rollout is not None and entry.rollout.plan in plans:
            return True
        for rule in entry.rules:
            if rule.when is not None and segment_refs(rule.when) & segments:
                return True
    return False


def segment_refs(condition: Any) -> set[str]:
    """Segment names a condition model refers to directly."""
    from flagwright.model import AllCondition, AnyCondition, NotCondition, SegmentCondition

    found: set[str] = set()
    stack = [condition]
    while stack:
        node = stack.pop()
        if isinstance(node, SegmentCondition):
            found.add(node.segment)
        elif isinstance(node, AllCondition):
            stack.extend(node.all)
        elif isinstance(node, AnyCondition):
            stack.extend(node.any)
        elif isinstance(node, NotCondition):
            stack.append(node.not_)
    return found
