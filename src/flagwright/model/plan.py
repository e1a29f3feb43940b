"""RolloutPlan: stages of percentages with holds between them."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from flagwright.model.base import Duration, Name, Percent, Strict, parse_duration

# A metric query's name (an Environment's `metrics.queries` key); gates name it as
# `max_<query>` or `min_<query>`.
QUERY_NAME_PATTERN = r"^[a-z][a-z0-9_]{0,62}$"
GATE_KEY_PATTERN = r"^(max|min)_[a-z][a-z0-9_]{0,62}$"
_GATE_KEY = re.compile(GATE_KEY_PATTERN)
GATE_SETTINGS = ("interval", "failure_limit", "count")

# A gate's threshold: a JSON number, never a string or a boolean.
Threshold = Annotated[float, Field(strict=True, allow_inf_nan=False)]


class Stage(Strict):
    percent: Percent
    hold: Duration | None = None

    @property
    def hold_seconds(self) -> int | None:
        return None if self.hold is None else parse_duration(self.hold)


class Gates(Strict):
    """Health criteria: ``max_<query>`` / ``min_<query>`` thresholds plus how to measure them.

    A value above a ``max_`` threshold (below a ``min_`` one) fails; no data is inconclusive,
    never a pass. The queries themselves are the environment's ``metrics.queries``.
    """

    model_config = ConfigDict(
        extra="allow",
        frozen=True,
        json_schema_extra={
            "patternProperties": {GATE_KEY_PATTERN: {"type": "number"}},
            "additionalProperties": False,
            "minProperties": 1,
        },
    )
    __pydantic_extra__: dict[str, Threshold] = Field(init=False)

    interval: Duration = "1m"
    failure_limit: int = Field(default=0, ge=0, strict=True)
    count: int | None = Field(default=None, ge=1, strict=True)

    @model_validator(mode="before")
    @classmethod
    def _gate_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key in data:
                if key not in GATE_SETTINGS and not (isinstance(key, str) and _GATE_KEY.match(key)):
                    raise PydanticCustomError(
                        "fw_gate_key",
                        "unknown gate '{key}': a gate is max_<query> or min_<query> (a query "
                        "of the environment's metrics), or one of interval, failure_limit, count",
                        {"key": key},
                    )
        return data

    @property
    def thresholds(self) -> dict[str, float]:
        """``max_<query>`` / ``min_<query>`` → threshold, sorted by key."""
        return dict(sorted((self.__pydantic_extra__ or {}).items()))


class RolloutPlan(Strict):
    kind: Literal["RolloutPlan"]
    name: Name
    description: str | None = None
    stages: list[Stage] = Field(min_length=1)
    gates: Gates | None = None
    # What `flagwright progress` does when a gate fails: back to 0% exposure, or one stage back.
    on_failure: Literal["rollback", "step-back"] = "rollback"
