"""RolloutPlan: stages of percentages with holds between them."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from flagwright.model.base import Duration, Name, Percent, Strict, parse_duration


class Stage(Strict):
    percent: Percent
    hold: Duration | None = None

    @property
    def hold_seconds(self) -> int | None:
        return None if self.hold is None else parse_duration(self.hold)


class Gates(Strict):
    max_error_rate: float | None = Field(default=None, ge=0, le=1)
    max_p99_ms: int | None = Field(default=None, gt=0)


class RolloutPlan(Strict):
    kind: Literal["RolloutPlan"]
    name: Name
    description: str | None = None
    stages: list[Stage] = Field(min_length=1)
    gates: Gates | None = None
