"""The edits behind ``set``, ``advance``, ``promote`` and ``rollback``, as tree mutations.

Each returns the key path it changes and a function that changes a round-trip document in
place, so comments and quoting on untouched keys survive (see :mod:`flagwright.edit.splice`).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from flagwright.check.suggest import did_you_mean
from flagwright.edit.splice import EditError, KeyPath
from flagwright.load.index import ConfigIndex
from flagwright.model import Flag

FALLTHROUGH = ("serve", "split", "rollout")
# Plain scalars YAML 1.1 tools (and readers) take for booleans: always quote them.
_AMBIGUOUS = frozenset(
    {"y", "yes", "n", "no", "on", "off", "true", "false", "null", "~"}
)  # lowercase forms; compared case-insensitively


@dataclass(frozen=True, slots=True)
class Edit:
    path: KeyPath
    mutate: Callable[[CommentedMap], None]
    summary: str
    notes: list[str] = field(default_factory=list)  # what the edit had to do besides (mutate)


def scalar(value: str) -> Any:
    """A variant name as YAML should carry it: quoted when a YAML 1.1 reader would misread it."""
    if value.lower() in _AMBIGUOUS or not value[:1].isalpha():
        return DoubleQuotedScalarString(value)
    return value


def _entries(doc: CommentedMap) -> CommentedMap:
    envs = doc.get("environments")
    if envs is None:
        envs = CommentedMap()
        doc["environments"] = envs
    if not isinstance(envs, CommentedMap):
        raise EditError("'environments' is not a mapping")
    return envs


def _entry(doc: CommentedMap, env: str, notes: list[str] | None = None) -> CommentedMap:
    envs = _entries(doc)
    if env not in envs:
        envs[env] = CommentedMap()
    entry = envs[env]
    if not isinstance(entry, CommentedMap):
        raise EditError(f"environments.{env} is not a mapping")
    return _unshared(doc, envs, env, entry, notes if notes is not None else [])


def _unshared(
    doc: CommentedMap, envs: CommentedMap, env: str, entry: CommentedMap, notes: list[str]
) -> CommentedMap:
    """The entry to change in place, never a node another place shares through an alias.

    ``staging: *e`` is the same node as ``dev: &e ...``: changing it in place would change
    every entry that uses the anchor. An alias is expanded into its own copy first (and the
    edit says so); the anchored original is refused, since the entries reusing it would have
    to change too.
    """
    anchor = entry.anchor.value
    if _count(doc, entry) <= 1:
        return entry
    if int(entry.lc.line) < int(envs.lc.key(env)[0]):  # the content is written before this key
        copied: CommentedMap = without_anchors(copy.deepcopy(entry))
        envs[env] = copied
        notes.append(
            f"environments.{env} was the alias *{anchor}; it is now a copy of its own, and the "
            f"other entries that use &{anchor} are unchanged"
        )
        return copied
    raise EditError(
        f"environments.{env} is the anchor &{anchor}, which other entries reuse through an "
        "alias; changing it would change them too. Expand those aliases first, or edit by hand"
    )


def _count(root: Any, node: Any) -> int:
    """How many places of the document hold ``node`` itself (more than one: it is aliased)."""
    seen = 0
    stack = [root]
    while stack:
        current = stack.pop()
        children = (
            list(current.values())
            if isinstance(current, dict)
            else current
            if isinstance(current, list)
            else []
        )
        for child in children:
            if child is node:
                seen += 1
            elif isinstance(child, dict | list):
                stack.append(child)
    return seen


def without_anchors(node: Any) -> Any:
    """A copied node must not carry the original's anchor name (YAML anchors are unique)."""
    if isinstance(node, CommentedMap | CommentedSeq):
        node.yaml_set_anchor(None)
        for child in node.values() if isinstance(node, CommentedMap) else node:
            without_anchors(child)
    return node


def _replace_fallthrough(entry: CommentedMap, key: str, value: Any) -> None:
    """Put ``key: value`` where the old fallthrough was, so key order stays as written."""
    position = len(entry)
    comment = None
    for name in FALLTHROUGH:
        if name in entry:
            position = min(position, list(entry).index(name))
            comment = entry.ca.items.pop(name, None) or comment
            del entry[name]
    entry.insert(position, key, value)
    if comment is not None:
        entry.ca.items[key] = comment  # the end-of-line comment stays on its line


def set_serve(env: str, variant: str) -> Edit:
    notes: list[str] = []

    def mutate(doc: CommentedMap) -> None:
        _replace_fallthrough(_entry(doc, env, notes), "serve", scalar(variant))

    return Edit(("environments", env), mutate, f"{env}: serve {variant}", notes)


def set_split(env: str, weights: Mapping[str, float]) -> Edit:
    notes: list[str] = []

    def mutate(doc: CommentedMap) -> None:
        entry = _entry(doc, env, notes)
        # A split's order is its bucket ranges: keep the existing order so only the weights
        # move users; new variants go last, in command-line order.
        existing = entry.get("split")
        if not isinstance(existing, Mapping):
            existing = {}
        kept = [str(v) for v in existing if str(v) in weights]
        order = kept + [v for v in weights if v not in kept]
        split = CommentedMap()
        for variant in order:
            weight = weights[variant]
            split[scalar(variant)] = int(weight) if float(weight).is_integer() else weight
        split.fa.set_flow_style()
        _replace_fallthrough(entry, "split", split)

    text = ", ".join(f"{v} {w:g}%" for v, w in weights.items())
    return Edit(("environments", env), mutate, f"{env}: split {text}", notes)


def set_enabled(env: str, enabled: bool) -> Edit:
    notes: list[str] = []

    def mutate(doc: CommentedMap) -> None:
        envs = _entries(doc)
        if env not in envs:
            raise EditError(f"the flag has no entry for {env!r}; give it one with --serve first")
        entry = _entry(doc, env, notes)
        if "enabled" in entry:
            entry["enabled"] = enabled
        elif not enabled:
            entry.insert(0, "enabled", False)

    state = "enabled" if enabled else "disabled"
    return Edit(("environments", env), mutate, f"{env}: {state}", notes)


def advance(index: ConfigIndex, flag: Flag, env: str, raw: CommentedMap | None = None) -> Edit:
    entry = flag.environments.get(env)
    if entry is None or entry.rollout is None:
        raise EditError(f"{flag.key} has no rollout in {env}")
    rollout = entry.rollout
    if rollout.stage is None:
        raise EditError(
            f"{flag.key} in {env} follows a schedule (start: {rollout.start}); it advances by "
            "the clock, not by hand"
        )
    plan = index.plans.get(rollout.plan)
    if plan is None:
        raise EditError(f"unknown rollout plan {rollout.plan!r}")
    last = len(plan.model.stages)
    if rollout.stage >= last:
        raise EditError(
            f"{flag.key} in {env} is already at the last stage ({rollout.stage} of {last}, "
            f"{plan.model.stages[-1].percent:g}%) of plan {rollout.plan}"
        )
    stage = rollout.stage + 1
    notes: list[str] = []

    def mutate(doc: CommentedMap) -> None:
        entry = _entry(doc, env, notes)
        if _count(doc, entry["rollout"]) > 1:
            entry["rollout"] = without_anchors(copy.deepcopy(entry["rollout"]))
            notes.append(f"environments.{env}.rollout was an alias; it is now a copy of its own")
        entry["rollout"]["stage"] = stage

    percent = plan.model.stages[stage - 1].percent
    summary = f"{env}: stage {stage} of {last} ({percent:g}%)"
    # Only the rollout's lines change, unless an alias has to be expanded into the entry.
    path: KeyPath = ("environments", env, "rollout")
    if raw is not None and _aliased(raw, env):
        path = ("environments", env)
    return Edit(path, mutate, summary, notes)


def _aliased(doc: CommentedMap, env: str) -> bool:
    envs = doc.get("environments")
    entry = envs.get(env) if isinstance(envs, CommentedMap) else None
    if not isinstance(entry, CommentedMap):
        return False
    return _count(doc, entry) > 1 or _count(doc, entry.get("rollout")) > 1


def step_back(index: ConfigIndex, flag: Flag, env: str) -> Edit:
    """One stage back; from stage 1 that is no exposure at all (``enabled: false``)."""
    entry = flag.environments.get(env)
    if entry is None or entry.rollout is None or entry.rollout.stage is None:
        raise EditError(f"{flag.key} has no manual rollout in {env}")
    if entry.rollout.stage <= 1:
        return set_enabled(env, False)
    plan = index.plans.get(entry.rollout.plan)
    if plan is None:
        raise EditError(f"unknown rollout plan {entry.rollout.plan!r}")
    stage = entry.rollout.stage - 1

    def mutate(doc: CommentedMap) -> None:
        _entry(doc, env)["rollout"]["stage"] = stage

    last = len(plan.model.stages)
    percent = plan.model.stages[stage - 1].percent
    return Edit(
        ("environments", env, "rollout"), mutate, f"{env}: stage {stage} of {last} ({percent:g}%)"
    )


def promote(index: ConfigIndex, flag: Flag, raw: CommentedMap, target: str) -> Edit:
    environment = index.environments.get(target)
    if environment is None:
        raise EditError(
            f"unknown environment {target!r}" + did_you_mean(target, index.environments)
        )
    source = environment.model.promotes_from
    if source is None:
        raise EditError(f"{target} does not promote from another environment (no promotes_from)")
    envs = raw.get("environments")
    if not isinstance(envs, CommentedMap) or source not in envs:
        raise EditError(f"{flag.key} has no entry for {source}, so there is nothing to promote")
    entry = without_comments(copy.deepcopy(envs[source]))

    def mutate(doc: CommentedMap) -> None:
        _entries(doc)[target] = entry

    return Edit(("environments", target), mutate, f"{target}: copied from {source}")


def restore(env: str, entry: Any) -> Edit:
    """Put ``entry`` (a round-trip node, or None for "no entry") back as ``environments.env``."""

    def mutate(doc: CommentedMap) -> None:
        envs = _entries(doc)
        if entry is None:
            envs.pop(env, None)
        else:
            envs[env] = entry

    return Edit(("environments", env), mutate, f"{env}: restored")


def without_comments(node: Any) -> Any:
    """Drop comments from a copied node: they described the place it was copied from."""
    if isinstance(node, CommentedMap | CommentedSeq):
        node.ca.items.clear()
        node.ca.comment = None
        children = node.values() if isinstance(node, CommentedMap) else node
        for child in children:
            without_comments(child)
    return node
