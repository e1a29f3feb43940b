"""Conditions (`when:`), shared by rules and segments."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag, model_validator

from flagwright.model.base import Name, Strict, Time

Operator = Literal[
    "eq", "ne", "in", "not_in", "starts_with", "ends_with", "contains", "matches",
    "lt", "le", "gt", "ge",
    "semver_eq", "semver_lt", "semver_le", "semver_gt", "semver_ge",
    "before", "after",
]  # fmt: skip
LIST_OPERATORS = frozenset({"in", "not_in"})
Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
CONDITION_KEYS = ("attr", "segment", "all", "any", "not", "time", "schedule")


class AttrCondition(Strict):
    attr: str = Field(min_length=1)
    op: Operator
    value: Any = None
    values: list[Any] | None = None

    @model_validator(mode="after")
    def _value_or_values(self) -> AttrCondition:
        if self.op in LIST_OPERATORS:
            if self.values is None and "value" in self.model_fields_set:
                raise ValueError(
                    f"operator {self.op!r} takes a list in 'values', not a single 'value'"
                )
            if self.values is None:
                raise ValueError(f"operator {self.op!r} takes a list in 'values'")
            if "value" in self.model_fields_set:
                raise ValueError(f"operator {self.op!r} takes 'values', not 'value'")
        else:
            if "value" not in self.model_fields_set:
                raise ValueError(f"operator {self.op!r} takes a single 'value'")
            if self.values is not None:
                raise ValueError(f"operator {self.op!r} takes 'value', not 'values'")
        return self


class SegmentCondition(Strict):
    segment: Name


class AllCondition(Strict):
    all: list[Condition] = Field(min_length=1)


class AnyCondition(Strict):
    any: list[Condition] = Field(min_length=1)


class NotCondition(Strict):
    not_: Condition = Field(alias="not")


class TimeWindow(Strict):
    after: Time | None = None
    before: Time | None = None

    @model_validator(mode="after")
    def _one_bound(self) -> TimeWindow:
        if self.after is None and self.before is None:
            raise ValueError("a time window needs 'after', 'before' or both")
        return self


class TimeCondition(Strict):
    time: TimeWindow


class Schedule(Strict):
    days: list[Day] | None = None
    from_: str = Field(alias="from")
    to: str
    tz: str


class ScheduleCondition(Strict):
    schedule: Schedule


def _condition_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        present = [key for key in CONDITION_KEYS if key in value]
        return f"{present[0]}-condition" if len(present) == 1 else None
    if isinstance(value, Strict):
        for key, cls in _BY_KIND.items():
            if isinstance(value, cls):
                return f"{key}-condition"
    return None


Condition = Annotated[
    Annotated[AttrCondition, Tag("attr-condition")]
    | Annotated[SegmentCondition, Tag("segment-condition")]
    | Annotated[AllCondition, Tag("all-condition")]
    | Annotated[AnyCondition, Tag("any-condition")]
    | Annotated[NotCondition, Tag("not-condition")]
    | Annotated[TimeCondition, Tag("time-condition")]
    | Annotated[ScheduleCondition, Tag("schedule-condition")],
    Discriminator(
        _condition_kind,
        custom_error_type="condition_kind",
        custom_error_message=(
            "a condition needs exactly one of: attr (with op), segment, all, any, not, time, "
            "schedule"
        ),
    ),
]

_BY_KIND: dict[str, type[Strict]] = {
    "attr": AttrCondition,
    "segment": SegmentCondition,
    "all": AllCondition,
    "any": AnyCondition,
    "not": NotCondition,
    "time": TimeCondition,
    "schedule": ScheduleCondition,
}

AllCondition.model_rebuild()
AnyCondition.model_rebuild()
NotCondition.model_rebuild()
