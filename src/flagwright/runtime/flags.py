"""Compile one flag of a bundle (FORMAT.md "Compiled flag") into its two evaluators.

``run(context, now, trace) -> Outcome`` is the reference evaluator: ``explain`` runs it with a
trace list, and it is the authority whenever the fast path declines. ``fast(context, now)`` is
the same flag specialised into one callable that ``Client.evaluate`` calls: a program of the
compiled evaluator (``accel``) where it is built, else one generated function (``specialise``);
tests check each agrees with ``run`` over random flags and contexts.
"""

from __future__ import annotations

from bisect import bisect_right

from .accel import accelerate
from .bucketing import TOTAL, scale
from .build import TYPES, Builder, Fallthrough, Outcome, fallthrough
from .conditions import compile_condition
from .errors import SnapshotError
from .evaluation import Evaluation, Reason
from .lazyflags import Undecodable
from .specialise import fixed_fast, specialise
from .timeparse import format_instant, now_seconds

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any, TypeAlias

    from .bucketing import BucketRule
    from .build import Pairs
    from .conditions import Test, Trace
    from .specialise import Spec

    Serve: TypeAlias = Callable[[Mapping[str, Any], float, Trace | None], Outcome]
    Fast: TypeAlias = Callable[[Mapping[str, Any], Any], Outcome]
    Resolve: TypeAlias = Callable[[str], "CompiledFlag"]
    # (test, outcome served on a match or None for a split, split pairs, no-bucket outcome, info)
    Rule: TypeAlias = tuple[Test, Outcome | None, Pairs, Outcome, dict[str, Any]]
    Choose: TypeAlias = Callable[[Mapping[str, Any], Pairs, Outcome, Trace | None], Outcome]

FLAG_KEYS = frozenset(
    {"type", "variants", "default", "listed", "enabled", "requires", "bucket_by", "experiment"}
    | {"rules", "fallthrough"}
)


class CompiledFlag:
    """A flag ready to evaluate. ``run`` raises only for a broken flag or a non-mapping context.

    ``fast(ctx, seconds)`` is the specialised evaluator (None for a broken flag); ``entry(ctx,
    now)`` takes the caller's ``now`` (a datetime or None) and converts it only for flags that
    read the clock. Both raise where ``run`` would, and callers then fall back to ``run``.
    """

    __slots__ = (
        "default_variant",
        "entry",
        "error",
        "fast",
        "fixed",
        "key",
        "needs_clock",
        "outcomes",
        "problem",
        "run",
        "spec",
        "type",
    )

    def __init__(
        self,
        key: str,
        flag_type: str | None,
        default_variant: str | None,
        error: Outcome,
        run: Serve,
        needs_clock: bool,
        outcomes: list[Outcome],
        problem: str | None = None,
        fast: Fast | None = None,
        fixed: Outcome | None = None,
    ) -> None:
        self.key = key
        self.type = flag_type
        self.default_variant = default_variant
        self.error = error
        self.run = run
        self.needs_clock = needs_clock
        self.outcomes = outcomes
        self.problem = problem
        self.fast = fast
        self.fixed = fixed  # the one outcome of a flag whose answer does not depend on anything
        self.entry = fast if fast is None or not needs_clock else _clocked(fast)
        self.spec: Spec | None = None  # what ``fast`` was specialised from, for groups of flags


def _clocked(fast: Fast) -> Fast:
    def entry(ctx: Mapping[str, Any], now: Any) -> Outcome:
        return fast(ctx, now_seconds(now))

    return entry


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


def _chooser(build: Builder) -> Choose:
    """``choose(ctx, pairs, no_bucket, trace)``: the snapshot's bucketing rule over a split."""
    attr, prefix, rule = build.bucket_by, build.key, build.rule
    hash_of = rule.hash

    def choose(
        ctx: Mapping[str, Any], pairs: Pairs, no_bucket: Outcome, trace: Trace | None
    ) -> Outcome:
        value = ctx.get(attr)
        hashed = hash_of(prefix, attr, value)
        if hashed is None:
            if trace is not None:
                trace.append(_bucket_step(rule, attr, value, prefix, None, pairs, no_bucket))
            return no_bucket
        for _, limit, outcome in pairs:  # noqa: B007 (the last limit is above every hash)
            if hashed < limit:
                break
        if trace is not None:
            trace.append(_bucket_step(rule, attr, value, prefix, hashed, pairs, outcome))
        return outcome

    return choose


def _bucket_step(
    rule: BucketRule,
    attr: str,
    value: object,
    prefix: str,
    hashed: int | None,
    pairs: Pairs,
    chosen: Outcome,
) -> dict[str, Any]:
    previous = 0
    weights = []
    for running, _, outcome in pairs:
        weights.append([outcome.evaluation.variant, running - previous])
        previous = running
    key = None if hashed is None else rule.shown(prefix, attr, value)
    return {
        "step": "bucket",
        "attribute": attr,
        "value": value,
        "key": key,
        "bucket": None if hashed is None else scale(hashed, TOTAL),
        "total": TOTAL,
        "weights": weights,
        "variant": chosen.evaluation.variant,
    }


def compile_flag(key: str, raw: object, resolve: Resolve, rule: BucketRule) -> CompiledFlag:
    """Compile ``raw``; prerequisites come from ``resolve``. Raises SnapshotError."""
    if not isinstance(raw, dict):
        raise SnapshotError("a flag must be an object")
    if isinstance(raw, Undecodable):
        raise SnapshotError(raw.problem)
    unknown = set(raw) - FLAG_KEYS
    if unknown:
        raise SnapshotError(f"unknown keys {sorted(unknown)}")
    build = Builder(key, raw, rule)
    error = build.outcome(build.default, Reason.ERROR, None)
    listed, enabled = raw.get("listed", True), raw.get("enabled", True)
    if not isinstance(listed, bool) or not isinstance(enabled, bool):
        raise SnapshotError("'listed' and 'enabled' must be booleans")
    if not listed:
        served = build.outcome(build.default, Reason.DEFAULT, None)
        run = _fixed(served, listed, enabled)
        return CompiledFlag(
            key, build.type, build.default, error, run, False, build.outcomes, None,
            fixed_fast(served), served,
        )  # fmt: skip
    requires = raw.get("requires", [])
    if not isinstance(requires, list) or not all(isinstance(r, str) for r in requires):
        raise SnapshotError("'requires' must be a list of flag keys")
    rules_raw = raw.get("rules", [])
    if not isinstance(rules_raw, list):
        raise SnapshotError("'rules' must be a list")
    rules = []
    needs_clock = False
    for index, rule_raw in enumerate(rules_raw, start=1):
        entry, clock = _rule(build, rule_raw, index)
        rules.append(entry)
        needs_clock = needs_clock or clock
    fall = fallthrough(build, raw.get("fallthrough"))
    if not enabled:
        # Compiled anyway so a broken disabled flag is reported before someone enables it.
        served = build.outcome(build.default, Reason.DISABLED, None)
        run = _fixed(served, listed, enabled)
        return CompiledFlag(
            key, build.type, build.default, error, run, False, build.outcomes, None,
            fixed_fast(served), served,
        )  # fmt: skip
    prerequisites = tuple(resolve(name) for name in requires)
    needs_clock = needs_clock or fall.starts is not None
    needs_clock = needs_clock or any(p.needs_clock for p in prerequisites)
    blocked = build.outcome(build.default, Reason.DEFAULT, None)
    run = _runner(prerequisites, tuple(rules), fall, _chooser(build), blocked)
    if not rules and not prerequisites and fall.outcome is not None:
        return CompiledFlag(
            key, build.type, build.default, error, run, False, build.outcomes, None,
            fixed_fast(fall.outcome), fall.outcome,
        )  # fmt: skip
    fast = accelerate(build, prerequisites, rules, fall, blocked) or specialise(
        build, prerequisites, rules, fall, blocked
    )
    compiled = CompiledFlag(
        key, build.type, build.default, error, run, needs_clock, build.outcomes, None, fast
    )
    compiled.spec = (build, prerequisites, rules, fall, blocked)
    return compiled


def _fixed(outcome: Outcome, listed: bool, enabled: bool) -> Serve:
    def fixed(ctx: Mapping[str, Any], now: float, trace: Trace | None) -> Outcome:
        if trace is not None:
            trace.append({"step": "flag", "listed": listed, "enabled": enabled})
        return outcome

    return fixed


def _rule(build: Builder, rule: object, index: int) -> tuple[Rule, bool]:
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


def _fallthrough_step(fall: Fallthrough, stage: int) -> dict[str, Any]:
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
    rules: tuple[Rule, ...],
    fall: Fallthrough,
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
