"""Per-flag compile state shared by both evaluators: outcomes, variants, splits, fallthroughs.

Every result a flag can produce is an ``Outcome`` built here once, so evaluating allocates
nothing and counting is one attribute increment. A split is a tuple of ``(running, limit,
outcome)`` triples: the running sum of the weights out of ``TOTAL`` and the same sum as a hash
threshold (``bucketing.threshold``), so both evaluators pick by comparing the hash with ``limit``.
"""

from __future__ import annotations

from itertools import pairwise

from .bucketing import TOTAL, threshold
from .errors import SnapshotError
from .evaluation import Evaluation, Reason
from .timeparse import parse_instant

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any, TypeAlias

    from .bucketing import BucketRule

    Pairs: TypeAlias = tuple[tuple[int, int, "Outcome"], ...]

TYPES = ("boolean", "string", "number", "object")


class Outcome:
    """One possible result of a flag, with a hit counter for ``Client.counters``.

    ``enabled`` is what ``is_enabled`` answers for it, computed once.
    """

    __slots__ = ("enabled", "evaluation", "flag", "hits")

    def __init__(self, flag: str, evaluation: Evaluation) -> None:
        self.flag = flag
        self.evaluation = evaluation
        self.enabled = evaluation.value is True and evaluation.reason != Reason.ERROR
        self.hits = 0


class Builder:
    """Validates the pieces of one flag and interns its outcomes."""

    def __init__(self, key: str, raw: Mapping[str, Any], rule: BucketRule) -> None:
        self.key = key
        self.raw = raw
        self.rule = rule
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
        return split_pairs([(self.outcome(v, Reason.SPLIT, rule), w) for v, w in weights])


def split_pairs(weighted: list[tuple[Outcome, int]]) -> Pairs:
    running = 0
    pairs: list[tuple[int, int, Outcome]] = []
    for outcome, weight in weighted:
        running += weight
        pairs.append((running, threshold(running, TOTAL), outcome))
    return tuple(pairs)


def _fits(flag_type: str, value: object) -> bool:
    if flag_type == "boolean":
        return isinstance(value, bool)
    if flag_type == "string":
        return isinstance(value, str)
    if flag_type == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return True


class Fallthrough:
    """What a flag serves when no rule matches."""

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


def fallthrough(build: Builder, raw: object) -> Fallthrough:
    if not isinstance(raw, dict) or len(raw) != 1:
        raise SnapshotError("'fallthrough' needs exactly one of 'serve', 'split' and 'rollout'")
    no_bucket = build.outcome(build.default, Reason.DEFAULT, None)
    if "serve" in raw:
        outcome = build.outcome(build.variant(raw["serve"], "fallthrough"), Reason.STATIC, None)
        return Fallthrough(outcome, (), no_bucket, None, [], {"kind": "serve"})
    if "split" in raw:
        pairs = build.pairs(build.weights(raw["split"], "fallthrough"), None)
        return Fallthrough(None, pairs, no_bucket, None, [], {"kind": "split"})
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


def _rollout(build: Builder, raw: object, no_bucket: Outcome) -> Fallthrough:
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
    # A p% rollout is the split [[variant, w], [default, TOTAL - w]], variant first, so
    # raising p only adds users. Index 0 is "not started yet" (0%).
    by_stage = [split_pairs([(on, w), (off, TOTAL - w)]) for w in [0, *weights]]
    step = {"kind": "rollout", "plan": raw.get("plan"), "weights": weights}
    mode = raw.get("mode")
    if mode == "manual":
        number = raw.get("stage")
        if not isinstance(number, int) or isinstance(number, bool):
            raise SnapshotError("rollout: manual 'stage' must be an integer")
        if not 1 <= number <= len(stages):
            raise SnapshotError(f"rollout: stage {number} is not between 1 and {len(stages)}")
        step["stage"] = number
        return Fallthrough(None, by_stage[number], no_bucket, None, by_stage, step)
    if mode != "schedule":
        raise SnapshotError(f"rollout: unknown mode {mode!r}")
    starts = _stage_starts(raw, stages)
    return Fallthrough(None, (), no_bucket, starts, by_stage, step)


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
