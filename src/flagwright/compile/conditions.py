"""Condition models → bundle JSON, segments inlined under their name (FORMAT.md "Conditions")."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flagwright.compile.json_out import copy_json
from flagwright.compile.times import normalise_time_text, utc_text
from flagwright.errors import UserError
from flagwright.model import (
    AllCondition,
    AnyCondition,
    AttrCondition,
    Condition,
    NotCondition,
    ScheduleCondition,
    Segment,
    SegmentCondition,
    TimeCondition,
)
from flagwright.model.conditions import LIST_OPERATORS

_TIME_OPERATORS = frozenset({"before", "after"})
ALWAYS: dict[str, Any] = {"all": []}


class ConditionError(UserError):
    """A condition that cannot be compiled (only reachable for a configuration with errors)."""


class ConditionCompiler:
    """Compiles conditions for one bundle; each segment is compiled once and then reused."""

    def __init__(self, segments: Mapping[str, Segment]) -> None:
        self._segments = segments
        self._compiled: dict[str, dict[str, Any]] = {}
        self._active: list[str] = []

    def when(self, cond: Condition | None) -> dict[str, Any]:
        """A rule's ``when``; a rule without one always matches (the empty conjunction)."""
        return {"all": []} if cond is None else self.compile(cond)

    def compile(self, cond: Condition) -> dict[str, Any]:
        if isinstance(cond, AttrCondition):
            return _attribute(cond)
        if isinstance(cond, SegmentCondition):
            return {"segment": cond.segment, "when": self._segment(cond.segment)}
        if isinstance(cond, AllCondition):
            return {"all": [self.compile(c) for c in cond.all]}
        if isinstance(cond, AnyCondition):
            return {"any": [self.compile(c) for c in cond.any]}
        if isinstance(cond, NotCondition):
            return {"not": self.compile(cond.not_)}
        if isinstance(cond, TimeCondition):
            window = {}
            if cond.time.after is not None:
                window["after"] = utc_text(cond.time.after)
            if cond.time.before is not None:
                window["before"] = utc_text(cond.time.before)
            return {"time": window}
        if isinstance(cond, ScheduleCondition):
            schedule: dict[str, Any] = {
                "from": cond.schedule.from_,
                "to": cond.schedule.to,
                "tz": cond.schedule.tz,
            }
            if cond.schedule.days is not None:
                schedule["days"] = list(cond.schedule.days)
            return {"schedule": schedule}
        raise ConditionError(f"unsupported condition {type(cond).__name__}")

    def _segment(self, name: str) -> dict[str, Any]:
        found = self._compiled.get(name)
        if found is not None:
            return found
        segment = self._segments.get(name)
        if segment is None:
            raise ConditionError(f"unknown segment {name!r}")
        if name in self._active:
            raise ConditionError(f"segment cycle {' -> '.join([*self._active, name])}")
        self._active.append(name)
        try:
            compiled = self.compile(segment.when)
        finally:
            self._active.pop()
        self._compiled[name] = compiled
        return compiled


def _attribute(cond: AttrCondition) -> dict[str, Any]:
    out: dict[str, Any] = {"attr": cond.attr, "op": cond.op}
    if cond.op in LIST_OPERATORS:
        out["values"] = copy_json(cond.values)
    elif cond.op in _TIME_OPERATORS and isinstance(cond.value, str):
        out["value"] = normalise_time_text(cond.value)
    else:
        out["value"] = copy_json(cond.value)
    return out
