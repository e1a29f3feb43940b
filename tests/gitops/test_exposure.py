"""The one growth rule `validate`, the edits and `progress` share."""

from __future__ import annotations

from datetime import UTC, datetime

from flagwright.codes import Code
from flagwright.model.environment import Policy
from flagwright.policy.exposure import ALLOWED, exposure_change, schedule_problem

POLICY = Policy.model_validate(
    {
        "max_rollout_step": 25,
        "freeze": [{"from": "2026-12-20T00:00:00Z", "to": "2027-01-03T00:00:00Z",
                    "reason": "holidays"}],
    }
)  # fmt: skip
CALM = datetime(2026, 11, 20, 12, tzinfo=UTC)
FROZEN = datetime(2026, 12, 24, 12, tzinfo=UTC)


def test_growth_within_the_step_is_allowed_outside_a_freeze() -> None:
    assert exposure_change(POLICY, "prod", 1000, 2500, CALM) == ALLOWED


def test_growth_beyond_the_step_names_the_policy() -> None:
    verdict = exposure_change(POLICY, "prod", 2500, 10000, CALM)
    assert (verdict.allowed, verdict.code) == (False, Code.ROLLOUT_STEP)
    assert verdict.reason == (
        "grows from 25.00% to 100.00% in one change (75.00%); prod's max_rollout_step is 25.00%"
    )


def test_a_freeze_holds_growth_and_never_a_roll_back() -> None:
    held = exposure_change(POLICY, "prod", 1000, 2500, FROZEN)
    assert (held.allowed, held.code) == (False, Code.FROZEN)
    assert held.reason == (
        "prod is frozen from 2026-12-20T00:00:00+00:00 to 2027-01-03T00:00:00+00:00 "
        "(holidays): exposure may shrink but not grow (from 10.00% to 25.00%)"
    )
    assert exposure_change(POLICY, "prod", 5000, 0, FROZEN) == ALLOWED
    assert exposure_change(POLICY, "prod", 5000, 1000, FROZEN) == ALLOWED


def test_the_window_ends_are_from_inclusive_to_exclusive() -> None:
    start = datetime(2026, 12, 20, tzinfo=UTC)
    end = datetime(2027, 1, 3, tzinfo=UTC)
    assert not exposure_change(POLICY, "prod", 0, 100, start).allowed
    assert exposure_change(POLICY, "prod", 0, 100, end) == ALLOWED


def test_schedule_steps() -> None:
    assert schedule_problem(POLICY, "prod", [5, 25, 50, 75, 100]) is None
    assert schedule_problem(POLICY, "prod", [1, 10, 25, 50, 100]) == (
        "its schedule (1 → 10 → 25 → 50 → 100) steps from 50.00% to 100.00% at stage 5 "
        "(50.00%); prod's max_rollout_step is 25.00%, so use a plan whose stages grow by at "
        "most that, or a manual rollout (stage: N)"
    )
    assert schedule_problem(POLICY, "prod", [30, 50]) is not None  # 0% → 30% at the start
    assert schedule_problem(Policy(), "prod", [100]) is None
