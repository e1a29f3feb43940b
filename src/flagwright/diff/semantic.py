"""Semantic diff of compiled flags (FORMAT.md) in one environment: what changed and for whom."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flagwright.diff.blast import (
    Weights,
    expected_moves,
    is_percentage,
    minimal_weight,
    moves,
    serving,
)
from flagwright.diff.describe import (
    condition_segments,
    condition_text,
    part_text,
    rollout_change,
    value_text,
)
from flagwright.diff.model import Blast, Change, FlagChange, Move, percent_text

Compiled = Mapping[str, Any]


def diff_environment(
    env: str,
    before: Mapping[str, Compiled],
    after: Mapping[str, Compiled],
    paths_before: Mapping[str, str] | None = None,
    paths_after: Mapping[str, str] | None = None,
    bucketing: tuple[str, str] | None = None,
) -> list[FlagChange]:
    """Every flag that differs in ``env``; ``paths_*`` (flag → file) help recognise renames.

    ``bucketing`` is ``(before, after)`` when the environment changed its bucketing rule: every
    flag that buckets anyone is then a reshuffle, measured as the share expected to move.
    """
    removed = sorted(set(before) - set(after))
    added = sorted(set(after) - set(before))
    renames = _renames(removed, added, before, after, paths_before or {}, paths_after or {})
    out: list[FlagChange] = []
    for key in sorted(set(before) | set(after)):
        if key in renames:
            out.append(_renamed(env, renames[key], key, before[renames[key]], after[key]))
        elif key in renames.values():
            continue
        elif key not in before:
            out.append(FlagChange(env, key, "added", (_entry_added(after[key]),)))
        elif key not in after:
            out.append(FlagChange(env, key, "removed", (Change("entry", "flag removed"),)))
        else:
            change = diff_flag(env, key, before[key], after[key], rule_change=bucketing)
            if change is not None:
                out.append(change)
    return out


def _renames(
    removed: list[str],
    added: list[str],
    before: Mapping[str, Compiled],
    after: Mapping[str, Compiled],
    paths_before: Mapping[str, str],
    paths_after: Mapping[str, str],
) -> dict[str, str]:
    """new key → old key, for an added flag in the same file as a removed one or identical to it."""
    found: dict[str, str] = {}
    for old in removed:
        for new in added:
            if new in found:
                continue
            same_file = old in paths_before and paths_before[old] == paths_after.get(new)
            if same_file or before[old] == after[new]:
                found[new] = old
                break
    return found


def _entry_added(flag: Compiled) -> Change:
    if not flag["listed"]:
        return Change("entry", f"new flag; not listed here, serves default {flag['default']}")
    return Change("entry", f"new flag; serves {_summary(flag)}")


def _summary(flag: Compiled) -> str:
    if not flag["listed"]:
        return f"default {flag['default']} (not listed)"
    if not flag["enabled"]:
        return f"default {flag['default']} (disabled)"
    text = part_text(flag["fallthrough"])
    rules = [r["name"] for r in flag["rules"]]
    return text + (f" after rules {', '.join(rules)}" if rules else "")


def _renamed(env: str, old_key: str, new_key: str, old: Compiled, new: Compiled) -> FlagChange:
    body = diff_flag(env, new_key, old, new, reshuffled=True)
    changes = body.changes if body else ()
    blasts = body.blast if body else _reshuffle_blast(old, new)
    note = (
        f"flag key renamed {old_key} → {new_key}: the key is part of every user's bucket, so "
        "all percentage-based assignments are recomputed"
    )
    return FlagChange(env, new_key, "renamed", changes, blasts, (note,), renamed_from=old_key)


def diff_flag(
    env: str,
    key: str,
    old: Compiled,
    new: Compiled,
    reshuffled: bool = False,
    rule_change: tuple[str, str] | None = None,
) -> FlagChange | None:
    """What changed for ``key`` in ``env``; None when nothing did."""
    changes: list[Change] = []
    reshuffles: list[str] = []
    if rule_change is not None and (_buckets_anyone(old) or _buckets_anyone(new)):
        was, now = rule_change
        changes.append(Change("bucketing", f"bucketing {was} → {now}", was, now))
        reshuffled = True
        reshuffles.append(
            f"environment bucketing changed {was} → {now}: every user's bucket is recomputed "
            "with the new rule, so percentage-based assignments are reshuffled"
        )
    _scalar(changes, "type", old, new)
    _variants(changes, old, new)
    _scalar(changes, "default", old, new)
    _scalar(changes, "requires", old, new)
    _scalar(changes, "experiment", old, new)
    if old["bucket_by"] != new["bucket_by"]:
        changes.append(
            Change("bucket_by", f"bucket_by {old['bucket_by']} → {new['bucket_by']}",
                   old["bucket_by"], new["bucket_by"])
        )  # fmt: skip
        if _any_percentage(old) or _any_percentage(new):
            reshuffled = True
            reshuffles.append(
                f"bucket_by changed {old['bucket_by']} → {new['bucket_by']}: every user gets a "
                "new bucket, so percentage-based assignments are recomputed"
            )
    if old["listed"] != new["listed"]:
        text = (
            f"entry added: serves {_summary(new)}"
            if new["listed"]
            else f"entry removed: serves default {new['default']}"
        )
        changes.append(Change("entry", text, old["listed"], new["listed"]))
    elif new["listed"]:
        _scalar(changes, "enabled", old, new)
        _rules(changes, old["rules"], new["rules"])
        _fallthrough(changes, old["fallthrough"], new["fallthrough"])
    if not changes:
        return None
    blasts, notes = _blast(old, new, reshuffled)
    reshuffles.extend(notes)
    return FlagChange(env, key, "changed", tuple(changes), blasts, tuple(reshuffles))


def _any_percentage(flag: Compiled) -> bool:
    """Whether any bucket decides what someone is served: only then can bucket_by move anyone."""
    return any(is_percentage(part) for part in [*flag["rules"], flag["fallthrough"]])


def _buckets_anyone(flag: Compiled) -> bool:
    """Whether a bucket decides between two variants for someone: a split with two live
    weights, or a rollout that is (or, on a schedule, will be) strictly between 0 and 100%."""
    if not is_active(flag):
        return False
    for part in [*flag["rules"], flag["fallthrough"]]:
        if part is None:
            continue
        if "split" in part and sum(1 for _, w in part["split"] if w) > 1:
            return True
        if "rollout" in part:
            rollout = part["rollout"]
            stages = rollout["stages"]
            if rollout["mode"] == "manual":
                stages = [stages[int(rollout["stage"]) - 1]]
            if any(0 < float(stage["percent"]) < 100 for stage in stages):
                return True
    return False


def _scalar(changes: list[Change], field: str, old: Compiled, new: Compiled) -> None:
    if old[field] != new[field]:
        text = f"{field} {value_text(old[field])} → {value_text(new[field])}"
        changes.append(Change(field, text, old[field], new[field]))


def _variants(changes: list[Change], old: Compiled, new: Compiled) -> None:
    a, b = old["variants"], new["variants"]
    for name in sorted(set(a) | set(b)):
        if name not in a:
            changes.append(Change("variants", f"variant {name} added: {value_text(b[name])}",
                                  None, b[name]))  # fmt: skip
        elif name not in b:
            changes.append(Change("variants", f"variant {name} removed", a[name], None))
        elif a[name] != b[name]:
            text = f"variant {name}: {value_text(a[name])} → {value_text(b[name])}"
            changes.append(Change("variants", text, a[name], b[name]))


def _rules(changes: list[Change], old: list[Compiled], new: list[Compiled]) -> None:
    by_old = {r["name"]: r for r in old}
    by_new = {r["name"]: r for r in new}
    for rule in new:
        name = rule["name"]
        segments = condition_segments(rule["when"])
        if name not in by_old:
            text = f"rule {name} added: when {condition_text(rule['when'])} → {part_text(rule)}"
            changes.append(Change("rule", text, None, rule, segments))
            continue
        was = by_old[name]
        if was["when"] != rule["when"]:
            text = (
                f"rule {name}: condition {condition_text(was['when'])} → "
                f"{condition_text(rule['when'])}"
            )
            both = tuple(sorted(set(segments) | set(condition_segments(was["when"]))))
            changes.append(Change("rule", text, was["when"], rule["when"], both))
        if _served(was) != _served(rule):
            text = f"rule {name}: {part_text(was)} → {part_text(rule)}"
            changes.append(Change("rule", text, _served(was), _served(rule), segments))
    for rule in old:
        if rule["name"] not in by_new:
            segments = condition_segments(rule["when"])
            changes.append(Change("rule", f"rule {rule['name']} removed", rule, None, segments))
    common_old = [r["name"] for r in old if r["name"] in by_new]
    common_new = [r["name"] for r in new if r["name"] in by_old]
    if common_old != common_new:
        text = f"rules reordered: {', '.join(common_old)} → {', '.join(common_new)}"
        changes.append(Change("rules-order", text, common_old, common_new))


def _served(rule: Compiled) -> Any:
    return {k: rule[k] for k in ("serve", "split") if k in rule}


def _fallthrough(changes: list[Change], old: Compiled | None, new: Compiled | None) -> None:
    if old == new:
        return
    specific = rollout_change(old, new)
    if specific is not None:
        changes.append(specific)
        return
    text = f"fallthrough: {part_text(old)} → {part_text(new)}"
    changes.append(Change("fallthrough", text, old, new))


def is_active(flag: Compiled | None) -> bool:
    """The flag's rules and fallthrough apply: it is listed for the environment and enabled."""
    return flag is not None and bool(flag["listed"] and flag["enabled"])


def _fallthrough_weights(flag: Compiled) -> Weights:
    return serving(flag["fallthrough"] if is_active(flag) else None, str(flag["default"]))


def _rule_weights(flag: Compiled) -> dict[str, Weights]:
    if not is_active(flag):
        return {}
    return {r["name"]: serving(r, str(flag["default"])) for r in flag["rules"]}


def _reshuffle_blast(old: Compiled, new: Compiled) -> tuple[Blast, ...]:
    before, after = _fallthrough_weights(old), _fallthrough_weights(new)
    found = expected_moves(before, after)
    return (Blast("fallthrough", "all users", found, exact=False),) if found else ()


def _blast(old: Compiled, new: Compiled, reshuffled: bool) -> tuple[tuple[Blast, ...], list[str]]:
    """Moves per part of the flag, and loud notes about moves nobody asked for."""
    notes: list[str] = []
    blasts: list[Blast] = []
    ft_before, ft_after = _fallthrough_weights(old), _fallthrough_weights(new)
    rules_before, rules_after = _rule_weights(old), _rule_weights(new)
    any_rules = bool(rules_before or rules_after)
    population = "users no rule matches" if any_rules else "all users"
    ordered = list(rules_after) + [n for n in rules_before if n not in rules_after]
    whens = {r["name"]: r["when"] for r in [*old["rules"], *new["rules"]]}
    for name in ordered:
        segments = condition_segments(whens[name])
        if name in rules_before and name in rules_after:
            parts = (rules_before[name], rules_after[name], f"users rule {name} matches")
        elif name in rules_after:
            parts = (ft_before, rules_after[name], f"users rule {name} now matches")
        else:
            parts = (rules_before[name], ft_after, f"users rule {name} matched")
        found = _moves(*parts[:2], reshuffled)
        if found:
            blasts.append(Blast(f"rule {name}", parts[2], found, not reshuffled, segments))
            notes.extend(_notes(f"rule {name}", parts[0], parts[1], found, reshuffled))
    found = _moves(ft_before, ft_after, reshuffled)
    if found:
        blasts.append(Blast("fallthrough", population, found, not reshuffled))
        notes.extend(_notes("fallthrough", ft_before, ft_after, found, reshuffled))
    return tuple(blasts), notes


def _moves(before: Weights, after: Weights, reshuffled: bool) -> tuple[Move, ...]:
    return expected_moves(before, after) if reshuffled else moves(before, after)


def _notes(
    scope: str, before: Weights, after: Weights, found: Iterable[Move], reshuffled: bool
) -> list[str]:
    """Loud warnings for a split whose buckets changed hands beyond what the weights ask."""
    if reshuffled or not (is_percentage(_as_part(before)) and is_percentage(_as_part(after))):
        return []
    moved = sum(m.weight for m in found)
    old_names = [v for v, w in before if w]
    new_names = [v for v, w in after if w]
    common_old = [v for v in old_names if v in new_names]
    common_new = [v for v in new_names if v in old_names]
    notes = []
    if common_old != common_new:
        notes.append(
            f"{scope}: split variant order changed ({', '.join(old_names)} → "
            f"{', '.join(new_names)}): bucket ranges move, {percent_text(moved)} of these users "
            "change variant"
        )
    gone = [v for v in old_names if v not in new_names]
    new = [v for v in new_names if v not in old_names]
    if gone and new:
        notes.append(
            f"{scope}: split variants renamed or replaced ({', '.join(gone)} → {', '.join(new)})"
            ": their users are reassigned"
        )
    needed = minimal_weight(before, after)
    if not notes and moved > needed:
        notes.append(
            f"{scope}: {percent_text(moved)} of these users change variant where "
            f"{percent_text(needed)} would do: bucket ranges shifted"
        )
    return notes


def _as_part(weights: Weights) -> Compiled | None:
    """Weights with more than one live variant behave as a split for the reshuffle checks."""
    live = [w for _, w in weights if w]
    return {"split": weights} if len(live) > 1 else None
