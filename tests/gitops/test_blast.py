"""Bucket-range arithmetic of the blast radius, against the runtime's own bucketing."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from flagwright.diff.blast import expected_moves, minimal_weight, moves
from flagwright.diff.model import Move, percent_text
from flagwright.runtime import bucket


def test_rollout_growth_only_adds_users() -> None:
    assert moves([("on", 1000), ("off", 9000)], [("on", 2500), ("off", 7500)]) == (
        Move("off", "on", 1500),
    )


def test_three_way_split_overlap() -> None:
    before = [("a", 3300), ("b", 3300), ("c", 3400)]
    after = [("a", 5000), ("b", 2500), ("c", 2500)]
    # a grows into b's start, b's range shifts right into c's: more moves than weights need.
    assert moves(before, after) == (Move("b", "a", 1700), Move("c", "b", 900))
    assert minimal_weight(before, after) == 1700


def test_expected_moves_for_independent_buckets() -> None:
    assert expected_moves([("a", 5000), ("b", 5000)], [("a", 5000), ("b", 5000)]) == (
        Move("a", "b", 2500),
        Move("b", "a", 2500),
    )


def test_percent_text_is_exact() -> None:
    assert [percent_text(w) for w in (0, 1, 1500, 10000)] == ["0.00%", "0.01%", "15.00%", "100.00%"]


weights = st.lists(st.integers(0, 10), min_size=1, max_size=4).filter(lambda ws: sum(ws) > 0)


def _scale(ws: list[int]) -> list[tuple[str, int]]:
    total = sum(ws)
    scaled = [w * 10000 // total for w in ws]
    scaled[-1] += 10000 - sum(scaled)
    return [(f"v{i}", w) for i, w in enumerate(scaled)]


@settings(max_examples=40, deadline=None)
@given(weights, weights, st.lists(st.text(min_size=1, max_size=8), min_size=50, max_size=50))
def test_moves_agree_with_evaluating_users(a: list[int], b: list[int], users: list[str]) -> None:
    """Every user the runtime moves falls in a counted range, and only those users move."""
    before, after = _scale(a), _scale(b)
    counted = {(m.before, m.after) for m in moves(before, after)}
    for user in users:
        old = before[bucket("flag", user, [w for _, w in before]) or 0][0]
        new = after[bucket("flag", user, [w for _, w in after]) or 0][0]
        if old != new:
            assert (old, new) in counted
