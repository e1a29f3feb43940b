"""Compile one flag of a bundle (FORMAT.md "Compiled flag") into a ``run`` closure.

``run(context, now, trace) -> Outcome`` is the single evaluator used by ``evaluate`` (trace None)
and ``explain`` (trace a list of step dicts). Every result a flag can produce is an ``Outcome``
built here once, so evaluating allocates nothing and counting is one attribute increment.
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import pairwise

from mmh3 import hash as _murmur3

from .bucketing import BUCKETING, RULES, TOTAL, key_text, shown_key
from .conditions import compile_condition
from .errors import SnapshotError
from .evaluation import Evaluation, Reason
from .timeparse import format_instant, parse_instant

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any, TypeAlias

    from .conditions import Test, Trace

    Serve: TypeAlias = Callable[[Mapping[str, Any], float, Trace | None], "Outcome"]
    Resolve: TypeAlias = Callable[[str], "CompiledFlag"]
    Pairs: TypeAlias = tuple[tuple[int, "Outcome"], ...]
    # (test, outcome served on a match or None for a split, split pairs, no-bucket outcome, info)
    _Rule: TypeAlias = tuple[Test, "Outcome | None", Pairs, "Outcome", dict[str, Any]]
    Choose: TypeAlias = Callable[[Mapping[str, Any], Pairs, "Outcome", Trace | None], "Outcome"]

TYPES = ("boolean", "string", "number", "object")
FLAG_KEYS = frozenset(
    {"type", "variants", "default", "listed", "enabled", "requires", "bucket_by", "experiment"}
    | {"rules", "fallthrough"}
)


class Outcome:
    """One possible result of a flag, with a hit counter for ``Client.counters``."""

    __slots__ = ("evaluation", "flag", "hits")

    def __init__(self, flag: str, evaluation: Evaluation) -> None:
        self.flag = flag
        self.evaluation = evaluation
        self.hits = 0


class CompiledFlag:
    """A flag ready to evaluate. ``run`` raises only for a broken flag or a non-mapping context."""

    __slots__ = (
        "default_variant",
        "error",
        "key",
        "needs_clock",
        "outcomes",
        "problem",
        "run",
        "type",
    )

    def __init__(
        self,
        key: str,
        flag_type: str | None,
        default_variant: str | None,
        error: Outcome,
        run: Callable[[Mapping[str, Any], float, Trace | None], Outcome],
        needs_clock: bool,
        outcomes: list[Outcome],
        problem: str | None = None,
    ) -> None:
        self.key = key
        self.type = flag_type
        self.default_variant = default_variant
        self.error = error
        self.run = run
        self.needs_clock = needs_clock
        self.outcomes = outcomes
        self.problem = problem


def broken_flag(key: str, raw: object, problem: str) -> CompiledFlag:
    """A flag that could not be compiled: every evaluation is ERROR with its default if known."""
    variant: str | None = None
    value: Any = None
    flag_type: str | None = None
    if isinstance(raw, dict):
        variants, default = raw.get("variants"), raw.get("default")
        if isinstance(variants, dict) and isinstance(default, str) and default in variants:
            variant, value = default, variants[default]
        if raw.get("type") in TYPES:
            flag_type = raw["type"]
    error = Outcome(key, Evaluation(value, variant, Reason.ERROR, None))

    def run(ctx: Mapping[str, Any], now: float, trace: Trace | None) -> Outcome:
        raise SnapshotError(problem)

    return CompiledFlag(key, flag_type, variant, error, run, False, [error], problem)


class _Builder:
    """Per-flag compile state: validates pieces and interns outcomes."""

    def __init__(self, key: str, raw: Mapping[str, Any], bucketing: str = BUCKETING) -> None:
        self.key = key
        self.raw = raw
        self.bucketing = bucketing
        self.outcomes: list[Outcome] = []
        self._interned: dict[tuple[str, str, str | None], Outcome] = {}
        flag_type = raw.get("type")
        if flag_type not in TYPES:
            raise SnapshotError(f"unknown type {flag_type!r}")
        self.type: str = flag_type
        variants = raw.get("variants")
        if not isinstance(variants, dict) or not variants:
            raise SnapshotError("'variants' must be a non-empty object")
        for name, value in variants.items():
            if not _fits(flag_type, value):
                raise SnapshotError(f"variant {name!r} is not a {flag_type} value: {value!r}")
        self.variants: dict[str, Any] = variants
        self.default = self.variant(raw.get("default"), "default")
        bucket_by = raw.get("bucket_by", "targeting_key")
        if not isinstance(bucket_by, str) or not bucket_by:
            raise SnapshotError("'bucket_by' must be a non-empty string")
        self.bucket_by = bucket_by

    def variant(self, name: object, what: str) -> str:
        if not isinstance(name, str) or name not in self.variants:
            raise SnapshotError(f"{what}: unknown variant {name!r}")
        return name

    def outcome(self, variant: str, reason: str, rule: str | None) -> Outcome:
        found = self._interned.get((variant, reason, rule))
        if found is None:
            evaluation = Evaluation(self.variants[variant], variant, reason, rule)
            found = self._interned[(variant, reason, rule)] = Outcome(self.key, evaluation)
            self.outcomes.append(found)
        return found

    def weights(self, raw: object, what: str) -> list[tuple[str, int]]:
        if not isinstance(raw, list) or not raw:
            raise SnapshotError(f"{what}: a split is a non-empty list of [variant, weight]")
        result: list[tuple[str, int]] = []
        for item in raw:
            if not (isinstance(item, list) and len(item) == 2):
                raise SnapshotError(f"{what}: split entries are [variant, weight] pairs")
            weight = item[1]
            if not isinstance(weight, int) or isinstance(weight, bool) or weight < 0:
                raise SnapshotError(f"{what}: weight {weight!r} is not a non-negative integer")
            result.append((self.variant(item[0], what), weight))
        if sum(w for _, w in result) != TOTAL:
            raise SnapshotError(f"{what}: split weights must sum to {TOTAL}")
        return result

    def pairs(self, weights: list[tuple[str, int]], rule: str | None) -> Pairs:
        running = 0
        pairs: list[tuple[int, Outcome]] = []
        for variant, weight in weights:
            running += weight
            pairs.append((running, self.outcome(variant, Reason.SPLIT, rule)))
        return tuple(pairs)

    def chooser(self) -> Choose:
        """``choose(ctx, pairs, no_bucket, trace)``: flagd-v2 bucketing over cumulative weights."""
        attr = self.bucket_by
        prefix = self.key
        murmur = _murmur3
        if self.bucketing != BUCKETING:
            return _rule_chooser(self.bucketing, prefix, attr)

        def choose(
            ctx: Mapping[str, Any], pairs: Pairs, no_bucket: Outcome, trace: Trace | None
        ) -> Outcome:
            value = ctx.get(attr)
            if type(value) is str and value:
                key = prefix + value
            else:
                text = key_text(value)
                if text is None:
                    if trace is not None:
                        trace.append(_bucket_step(attr, value, None, None, pairs, no_bucket))
                    return no_bucket
                key = prefix + text
            # mmh3 hashes a str as its UTF-8 bytes, which is what flagd hashes.
            bucket = (murmur(key, 0, False) * TOTAL) >> 32
            for threshold, outcome in pairs:  # noqa: B007 (the last pair always ends the loop)
                if bucket < threshold:
                    break
            if trace is not None:
                trace.append(_bucket_step(attr, value, key, bucket, pairs, outcome))
            return outcome

        return choose


def _rule_chooser(rule: str, flag_key: str, attr: str) -> Choose:
    """The chooser of a rule other than flagd-v2, from its bucket-input function."""
    murmur = _murmur3
    bucket_input = RULES[rule]

    def choose(
        ctx: Mapping[str, Any], pairs: Pairs, no_bucket: Outcome, trace: Trace | None
    ) -> Outcome:
        value = ctx.get(attr)
        data = bucket_input(flag_key, attr, value)
        if data is None:
            if trace is not None:
                trace.append(_bucket_step(attr, value, None, None, pairs, no_bucket))
            return no_bucket
        bucket = (murmur(data, 0, False) * TOTAL) >> 32
        for threshold, outcome in pairs:  # noqa: B007 (the last pair always ends the loop)
            if bucket < threshold:
                break
        if trace is not None:
            key = shown_key(flag_key, attr, value)
            trace.append(_bucket_step(attr, value, key, bucket, pairs, outcome))
        return outcome

    return choose


def _fits(flag_type: str, value: object) -> bool:
    if flag_type == "boolean":
        return isinstance(value, bool)
    if flag_type == "string":
        return isinstance(value, str)
    if flag_type == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return True


def _bucket_step(
    attr: str, value: object, key: object, bucket: int | None, pairs: Pairs, chosen: Outcome
) -> dict[str, Any]:
    previous = 0
    weights = []
    for threshold, outcome in pairs:
        weights.append([outcome.evaluation.variant, threshold - previous])
        previous = threshold
    return {
        "step": "bucket",
        "attribute": attr,
        "value": value,
        "key": key,
        "bucket": bucket,
        "total": TOTAL,
        "weights": weights,
        "variant": chosen.evaluation.variant,
    }


def compile_flag(
    key: str, raw: object, resolve: Resolve, bucketing: str = BUCKETING
) -> CompiledFlag:
    """Compile ``raw``; prerequisites come from ``resolve``. Raises SnapshotError.

    ``bucketing`` names the snapshot's rule (:data:`.bucketing.RULES`).
    """
    if not isinstance(raw, dict):
        raise SnapshotError("a flag must be an object")
    unknown = set(raw) - FLAG_KEYS
    if unknown:
        raise SnapshotError(f"unknown keys {sorted(unknown)}")
    build = _Builder(key, raw, bucketing)
    error = build.outcome(build.default, Reason.ERROR, None)
    listed, enabled = raw.get("listed", True), raw.get("enabled", True)
    if not isinstance(listed, bool) or not isinstance(enabled, bool):
        raise SnapshotError("'listed' and 'enabled' must be booleans")
    if not listed:
        run = _fixed(build.outcome(build.default, Reason.DEFAULT, None), listed, enabled)
        return CompiledFlag(key, build.type, build.default, error, run, False, build.outcomes)
    requires = raw.get("requires", [])
    if not isinstance(requires, list) or not all(isinstance(r, str) for r in requires):
        raise SnapshotError("'requires' must be a list of flag keys")
    rules_raw = raw.get("rules", [])
    if not isinstance(rules_raw, list):
        raise SnapshotError("'rules' must be a list")
    rules = []
    needs_clock = False
    for index, rule in enumerate(rules_raw, start=1):
        entry, clock = _rule(build, rule, index)
        rules.append(entry)
        needs_clock = needs_clock or clock
    fall = _fallthrough(build, raw.get("fallthrough"))
    if not enabled:
        # Compiled anyway so a broken disabled flag is reported before someone enables it.
        run = _fixed(build.outcome(build.default, Reason.DISABLED, None), listed, enabled)
        return CompiledFlag(key, build.type, build.default, error, run, False, build.outcomes)
    prerequisites = tuple(resolve(name) for name in requires)
    needs_clock = needs_clock or fall.starts is not None
    needs_clock = needs_clock or any(p.needs_clock for p in prerequisites)
    blocked = build.outcome(build.default, Reason.DEFAULT, None)
    run = _runner(prerequisites, tuple(rules), fall, build.chooser(), blocked)
    return CompiledFlag(key, build.type, build.default, error, run, needs_clock, build.outcomes)


def _fixed(outcome: Outcome, listed: bool, enabled: bool) -> Serve:
    def fixed(ctx: Mapping[str, Any], now: float, trace: Trace | None) -> Outcome:
        if trace is not None:
            trace.append({"step": "flag", "listed": listed, "enabled": enabled})
        return outcome

    return fixed


def _rule(build: _Builder, rule: object, index: int) -> tuple[_Rule, bool]:
    if not isinstance(rule, dict) or "when" not in rule:
        raise SnapshotError(f"rule {index}: a rule is an object with 'when'")
    name = rule.get("name") or f"rule-{index}"
    if not isinstance(name, str):
        raise SnapshotError(f"rule {index}: 'name' must be a string")
    if set(rule) - {"name", "when", "serve", "split"} or ("serve" in rule) == ("split" in rule):
        raise SnapshotError(f"rule {name!r}: needs exactly one of 'serve' and 'split'")
    try:
        test, clock = compile_condition(rule["when"])
    except SnapshotError as exc:
        raise SnapshotError(f"rule {name!r}: {exc}") from None
    info = {"name": name, "index": index, "when": rule["when"]}
    no_bucket = build.outcome(build.default, Reason.DEFAULT, name)
    if "serve" in rule:
        variant = build.variant(rule["serve"], f"rule {name!r}")
        outcome = build.outcome(variant, Reason.TARGETING_MATCH, name)
        return (test, outcome, (), no_bucket, info), clock
    pairs = build.pairs(build.weights(rule["split"], f"rule {name!r}"), name)
    return (test, None, pairs, no_bucket, info), clock


class _Fallthrough:
    __slots__ = ("by_stage", "no_bucket", "outcome", "pairs", "starts", "step")

    def __init__(
        self,
        outcome: Outcome | None,
        pairs: Pairs,
        no_bucket: Outcome,
        starts: list[float] | None,
        by_stage: list[Pairs],
        step: dict[str, Any],
    ) -> None:
        self.outcome = outcome  # a static serve; otherwise bucketed over pairs
        self.pairs = pairs
        self.no_bucket = no_bucket
        self.starts = starts  # scheduled rollout: stage start times, pairs in by_stage
        self.by_stage = by_stage
        self.step = step  # what explain reports about the fallthrough


def _fallthrough(build: _Builder, raw: object) -> _Fallthrough:
    if not isinstance(raw, dict) or len(raw) != 1:
        raise SnapshotError("'fallthrough' needs exactly one of 'serve', 'split' and 'rollout'")
    no_bucket = build.outcome(build.default, Reason.DEFAULT, None)
    if "serve" in raw:
        outcome = build.outcome(build.variant(raw["serve"], "fallthrough"), Reason.STATIC, None)
        return _Fallthrough(outcome, (), no_bucket, None, [], {"kind": "serve"})
    if "split" in raw:
        pairs = build.pairs(build.weights(raw["split"], "fallthrough"), None)
        return _Fallthrough(None, pairs, no_bucket, None, [], {"kind": "split"})
    if "rollout" in raw:
        return _rollout(build, raw["rollout"], no_bucket)
    raise SnapshotError(f"unknown fallthrough {sorted(raw)}")


def _stage_weight(stage: object, number: int) -> int:
    percent = stage.get("percent") if isinstance(stage, dict) else None
    if not isinstance(percent, (int, float)) or isinstance(percent, bool):
        raise SnapshotError(f"rollout stage {number}: 'percent' must be a number")
    weight = round(percent * 100)
    if not 0 <= weight <= TOTAL:
        raise SnapshotError(f"rollout stage {number}: percent {percent} is outside 0-100")
    return weight


def _rollout(build: _Builder, raw: object, no_bucket: Outcome) -> _Fallthrough:
    if not isinstance(raw, dict):
        raise SnapshotError("'rollout' must be an object")
    stages = raw.get("stages")
    if not isinstance(stages, list) or not stages:
        raise SnapshotError("rollout: 'stages' must be a non-empty list")
    weights = [_stage_weight(stage, n) for n, stage in enumerate(stages, start=1)]
    variant = build.variant(raw.get("variant"), "rollout variant")
    rest = build.variant(raw.get("default", build.default), "rollout default")
    on = build.outcome(variant, Reason.SPLIT, None)
    off = build.outcome(rest, Reason.SPLIT, None)
    # A p% rollout is the split [[variant, w], [default, 10000 - w]], variant first, so
    # raising p only adds users. Index 0 is "not started yet" (0%).
    by_stage: list[Pairs] = [((w, on), (TOTAL, off)) for w in [0, *weights]]
    step = {"kind": "rollout", "plan": raw.get("plan"), "weights": weights}
    mode = raw.get("mode")
    if mode == "manual":
        number = raw.get("stage")
        if not isinstance(number, int) or isinstance(number, bool):
            raise SnapshotError("rollout: manual 'stage' must be an integer")
        if not 1 <= number <= len(stages):
            raise SnapshotError(f"rollout: stage {number} is not between 1 and {len(stages)}")
        step["stage"] = number
        return _Fallthrough(None, by_stage[number], no_bucket, None, by_stage, step)
    if mode != "schedule":
        raise SnapshotError(f"rollout: unknown mode {mode!r}")
    starts = _stage_starts(raw, stages)
    return _Fallthrough(None, (), no_bucket, starts, by_stage, step)


def _stage_starts(raw: Mapping[str, Any], stages: list[Any]) -> list[float]:
    try:
        start = parse_instant(raw["start"]) if isinstance(raw.get("start"), str) else None
        starts = [parse_instant(stage["from"]) for stage in stages]
    except (KeyError, TypeError, ValueError) as exc:
        message = f"rollout: schedule stages need RFC 3339 'from' times ({exc})"
        raise SnapshotError(message) from None
    if start is None or starts[0] != start:
        raise SnapshotError("rollout: schedule needs 'start' equal to the first stage's 'from'")
    if any(b <= a for a, b in pairwise(starts)):
        raise SnapshotError("rollout: stage 'from' times must increase")
    return starts


def _fallthrough_step(fall: _Fallthrough, stage: int) -> dict[str, Any]:
    step: dict[str, Any] = {"step": "fallthrough", "kind": fall.step["kind"]}
    if fall.step["kind"] != "rollout":
        return step
    weights: list[int] = fall.step["weights"]
    step["plan"] = fall.step["plan"]
    step["stage"] = stage
    step["percent"] = weights[stage - 1] / 100 if stage else 0.0
    if fall.starts is None:
        step.update(mode="manual", since=None, next_stage_at=None)
    else:
        starts = fall.starts
        step["mode"] = "schedule"
        step["since"] = format_instant(starts[stage - 1]) if stage else None
        step["next_stage_at"] = format_instant(starts[stage]) if stage < len(starts) else None
    return step


def _runner(
    prerequisites: tuple[CompiledFlag, ...],
    rules: tuple[_Rule, ...],
    fall: _Fallthrough,
    choose: Choose,
    blocked: Outcome,
) -> Serve:
    served, fall_pairs, fall_no_bucket = fall.outcome, fall.pairs, fall.no_bucket
    starts, by_stage = fall.starts, fall.by_stage
    manual_stage: int = fall.step.get("stage", 0)

    def run(ctx: Mapping[str, Any], now: float, trace: Trace | None) -> Outcome:
        for prerequisite in prerequisites:
            steps: Trace | None = None if trace is None else []
            variant = prerequisite.run(ctx, now, steps).evaluation.variant
            if trace is not None:
                trace.append(
                    {
                        "step": "prerequisite",
                        "flag": prerequisite.key,
                        "variant": variant,
                        "default": prerequisite.default_variant,
                        "satisfied": variant != prerequisite.default_variant,
                        "steps": steps,
                    }
                )
            if variant == prerequisite.default_variant:
                return blocked
        for test, outcome, pairs, no_bucket, info in rules:
            if trace is None:
                if not test(ctx, now, None):
                    continue
            else:
                conditions: Trace = []
                matched = test(ctx, now, conditions)
                when = info["when"]
                step = {"step": "rule", **info, "matched": matched, "trace": conditions}
                if isinstance(when, dict) and isinstance(when.get("attr"), str):
                    step["value"] = ctx.get(when["attr"])
                trace.append(step)
                if not matched:
                    continue
            if outcome is not None:
                return outcome
            return choose(ctx, pairs, no_bucket, trace)
        if served is not None:
            if trace is not None:
                trace.append(_fallthrough_step(fall, 0))
            return served
        if starts is None:
            if trace is not None:
                trace.append(_fallthrough_step(fall, manual_stage))
            return choose(ctx, fall_pairs, fall_no_bucket, trace)
        stage = bisect_right(starts, now)
        if trace is not None:
            trace.append(_fallthrough_step(fall, stage))
        return choose(ctx, by_stage[stage], fall_no_bucket, trace)

    return run
