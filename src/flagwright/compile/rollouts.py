"""Rollout plans → stage timelines (FORMAT.md "Rollout")."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flagwright.compile.splits import percent_number
from flagwright.compile.times import utc_text
from flagwright.errors import UserError
from flagwright.model import Rollout, RolloutPlan


class RolloutError(UserError):
    """A rollout that cannot be compiled (only reachable for a configuration with errors)."""


def compile_rollout(rollout: Rollout, plan: RolloutPlan, default: str) -> dict[str, Any]:
    """Manual: the stage number and the plan's stages. Schedule: each stage's absolute start."""
    stages: list[dict[str, Any]] = [
        {"percent": percent_number(stage.percent), "hold_seconds": stage.hold_seconds}
        for stage in plan.stages
    ]
    out: dict[str, Any] = {"plan": plan.name, "variant": rollout.variant, "default": default}
    if rollout.stage is not None and rollout.start is None:
        if not 1 <= rollout.stage <= len(stages):
            raise RolloutError(
                f"stage {rollout.stage} does not exist: plan {plan.name!r} has {len(stages)}"
            )
        out.update(mode="manual", stage=rollout.stage, stages=stages)
        return out
    if rollout.start is not None and rollout.stage is None:
        begins = rollout.start
        for number, stage in enumerate(stages, start=1):
            stage["from"] = utc_text(begins)
            hold = stage["hold_seconds"]
            if number < len(stages) and not hold:
                # Two stages starting at the same instant: readers reject such a timeline.
                raise RolloutError(
                    f"plan {plan.name!r}: stage {number} needs a hold longer than 0s for a "
                    "scheduled rollout"
                )
            begins += timedelta(seconds=hold or 0)
        out.update(mode="schedule", start=utc_text(rollout.start), stages=stages)
        return out
    raise RolloutError("a rollout needs exactly one of 'stage' and 'start'")
