"""Blast radius: which buckets change variant, from the runtime's own bucket ranges.

A user's bucket depends only on the flag key, the ``bucket_by`` value and the total (always
10000), so as long as those stay the same a user keeps their bucket across two revisions, and the
users whose variant changes are exactly the buckets whose range changed hands. Ranges are the
running sums of the weights in declared order, as :func:`flagwright.runtime.bucketing.pick`
reads them; this module never hashes anyone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from itertools import pairwise
from typing import Any

from flagwright.diff.model import Move
from flagwright.runtime.bucketing import TOTAL, pick

Weights = list[tuple[str, int]]


def ranges(weights: Weights) -> list[tuple[int, int, str]]:
    """``[(start, end, variant)]``: the bucket interval each variant owns (empty ones dropped)."""
    out: list[tuple[int, int, str]] = []
    start = 0
    for variant, weight in weights:
        if weight > 0:
            out.append((start, start + weight, variant))
        start += weight
    return out


def moves(before: Weights, after: Weights) -> tuple[Move, ...]:
    """Exact bucket counts moving between variants, by overlapping the two range lists.

    Boundaries of both lists split [0, 10000) into pieces in which both sides serve one variant;
    each piece's variant is looked up with the runtime's ``pick``, the selection it evaluates.
    """
    cuts = sorted({0, TOTAL} | {e for _, e, _ in ranges(before)} | {e for _, e, _ in ranges(after)})
    names_before = [v for v, _ in before]
    names_after = [v for v, _ in after]
    w_before = [w for _, w in before]
    w_after = [w for _, w in after]
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for lo, hi in pairwise(cuts):
        if hi <= lo:
            continue
        old = names_before[pick(lo, w_before)]
        new = names_after[pick(lo, w_after)]
        if old != new:
            counts[(old, new)] += hi - lo
    return tuple(Move(a, b, n) for (a, b), n in sorted(counts.items()))


def expected_moves(before: Weights, after: Weights) -> tuple[Move, ...]:
    """Moves expected when every user gets a new, independent bucket (a reshuffle).

    Shares are exact fractions of 10000 * 10000, rounded down to whole buckets per pair.
    """
    share_before = shares(before)
    share_after = shares(after)
    out = []
    for old, p in sorted(share_before.items()):
        for new, q in sorted(share_after.items()):
            if old != new and p and q:
                out.append(Move(old, new, p * q // TOTAL))
    return tuple(m for m in out if m.weight)


def shares(weights: Weights) -> dict[str, int]:
    total: dict[str, int] = defaultdict(int)
    for variant, weight in weights:
        total[variant] += weight
    return dict(total)


def minimal_weight(before: Weights, after: Weights) -> int:
    """The fewest buckets any assignment must move to turn one share table into the other."""
    a, b = shares(before), shares(after)
    return sum(max(0, a.get(v, 0) - b.get(v, 0)) for v in a)


def serving(part: Mapping[str, Any] | None, default: str, now: datetime | None = None) -> Weights:
    """The weights a compiled rule or fallthrough serves (FORMAT.md); None serves the default.

    A manual rollout serves its current stage. A scheduled one changes by the clock with no
    commit, so a diff compares where schedules end up (the schedule itself is reported as its
    own change); given ``now``, it is where the schedule stands at that moment instead.
    """
    if part is None:
        return [(default, TOTAL)]
    if "serve" in part:
        return [(str(part["serve"]), TOTAL)]
    if "split" in part:
        return [(str(v), int(w)) for v, w in part["split"]]
    rollout = part["rollout"]
    stages: Sequence[Mapping[str, Any]] = rollout["stages"]
    manual = rollout["mode"] == "manual"
    if manual:
        weight = _weight(stages[int(rollout["stage"]) - 1])
    elif now is None:
        weight = _weight(stages[-1])
    else:
        started = [s for s in stages if datetime.fromisoformat(str(s["from"])) <= now]
        weight = _weight(started[-1]) if started else 0  # before start: 0% (FORMAT.md)
    return [(str(rollout["variant"]), weight), (str(rollout["default"]), TOTAL - weight)]


def _weight(stage: Mapping[str, Any]) -> int:
    return round(float(stage["percent"]) * 100)


def is_percentage(part: Mapping[str, Any] | None) -> bool:
    return part is not None and ("split" in part or "rollout" in part)
