"""Checks of `when:` conditions: references, operator values, regexes, versions, zones."""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache, lru_cache
from typing import Any

from flagwright.check.suggest import did_you_mean
from flagwright.codes import Code
from flagwright.diagnostics import Findings, Source, YamlPath, show
from flagwright.load.index import ConfigIndex
from flagwright.model import (
    AllCondition,
    AnyCondition,
    AttrCondition,
    Condition,
    NotCondition,
    ScheduleCondition,
    SegmentCondition,
    TimeCondition,
)
from flagwright.model.base import in_calendar
from flagwright.runtime.regex import Refused
from flagwright.runtime.regex import problem as regex_problem
from flagwright.runtime.semver import parse as parse_semver  # the runtime's own rules
from flagwright.runtime.timeparse import parse_datetime

CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_STRING_OPS = {"starts_with", "ends_with", "contains"}
_NUMBER_OPS = {"lt", "le", "gt", "ge"}
_TIME_OPS = {"before", "after"}


@cache
def time_zone_exists(name: str) -> bool:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def parse_time(value: Any) -> datetime | None:
    """An RFC 3339 time with an offset inside the calendar, or None (the runtime's own parser)."""
    try:
        moment = parse_datetime(value)
    except ValueError:
        return None
    return moment if in_calendar(moment) else None


def _unparsable(value: Any) -> bool:
    try:
        parse_datetime(value)
    except ValueError:
        return True
    return False


def always_true(cond: Condition | None) -> bool:
    """Conservative: True only for conditions that hold for every context at every instant."""
    if cond is None:
        return True
    if isinstance(cond, AllCondition):
        return all(always_true(c) for c in cond.all)
    if isinstance(cond, AnyCondition):
        return any(always_true(c) for c in cond.any)
    if isinstance(cond, ScheduleCondition):
        s = cond.schedule
        return s.from_ == s.to and (s.days is None or len(set(s.days)) == 7)
    return False


class ConditionChecker:
    def __init__(self, index: ConfigIndex, findings: Findings) -> None:
        self.index = index
        self.findings = findings

    def check(self, cond: Condition | None, source: Source, where: YamlPath) -> None:
        if isinstance(cond, AttrCondition):
            self._attr(cond, source, where)
        elif isinstance(cond, SegmentCondition):
            if self.index.is_unknown("Segment", cond.segment):
                self.findings.add(
                    source, (*where, "segment"), Code.UNKNOWN_SEGMENT,
                    f"unknown segment {cond.segment!r}"
                    + did_you_mean(cond.segment, self.index.segments, "segments"),
                )  # fmt: skip
        elif isinstance(cond, AllCondition):
            for i, sub in enumerate(cond.all):
                self.check(sub, source, (*where, "all", i))
        elif isinstance(cond, AnyCondition):
            for i, sub in enumerate(cond.any):
                self.check(sub, source, (*where, "any", i))
        elif isinstance(cond, NotCondition):
            self.check(cond.not_, source, (*where, "not"))
        elif isinstance(cond, TimeCondition):
            window = cond.time
            if window.after and window.before and window.after >= window.before:
                self.findings.add(
                    source, (*where, "time"), Code.EMPTY_TIME_WINDOW,
                    "'after' must be earlier than 'before': this window never matches",
                )  # fmt: skip
        elif isinstance(cond, ScheduleCondition):
            self._schedule(cond, source, (*where, "schedule"))

    def _attr(self, cond: AttrCondition, source: Source, where: YamlPath) -> None:
        op, value = cond.op, cond.value
        at = (*where, "value")
        if op == "matches":
            if not isinstance(value, str):
                self._op_value(source, at, op, "a regular expression string", value)
                return
            error, refused = _regex_verdict(value)
            if error is not None:
                self.findings.add(
                    source,
                    at,
                    Code.BAD_REGEX,
                    f"regular expression {value!r} does not compile: {error}",
                )
                return
            if refused is not None:
                code = Code.REGEX_CONSTRUCT if refused.construct else Code.SLOW_REGEX
                self.findings.add(
                    source, at, code,
                    f"regular expression {value!r} is not allowed: {refused} "
                    f"(services evaluate it on every request)",
                )  # fmt: skip
        elif op.startswith("semver_"):
            if not isinstance(value, str) or parse_semver(value) is None:
                self.findings.add(
                    source, at, Code.BAD_SEMVER,
                    f"{show(value)} is not a semantic version like 2.3.0 or 2.3.0-beta.1",
                )  # fmt: skip
        elif op in _STRING_OPS and not isinstance(value, str):
            self._op_value(source, at, op, "a string", value)
        elif op in _NUMBER_OPS and (isinstance(value, bool) or not isinstance(value, int | float)):
            self._op_value(source, at, op, "a number", value)
        elif op in _TIME_OPS and parse_time(value) is None:
            self.findings.add(
                source, at, Code.INVALID_TIME,
                f"{show(value)} is not an RFC 3339 time with a UTC offset, "
                "like 2026-11-20T10:00:00Z"
                + ("" if _unparsable(value) else ", between 0001-01-02 and 9999-12-30 (UTC)"),
            )  # fmt: skip
        elif op in {"eq", "ne"} and isinstance(value, dict | list):
            self._op_value(source, at, op, "a single string, number or boolean", value)
        elif op in {"in", "not_in"}:
            for i, item in enumerate(cond.values or []):
                if isinstance(item, dict | list):
                    self._op_value(
                        source, (*where, "values", i), op, "strings, numbers or booleans", item
                    )

    def _op_value(self, source: Source, at: YamlPath, op: str, wanted: str, value: Any) -> None:
        self.findings.add(
            source, at, Code.OPERATOR_VALUE, f"operator {op!r} needs {wanted}, got {show(value)}"
        )

    def _schedule(self, cond: ScheduleCondition, source: Source, where: YamlPath) -> None:
        schedule = cond.schedule
        for key, clock in (("from", schedule.from_), ("to", schedule.to)):
            if not CLOCK.match(clock):
                self.findings.add(
                    source, (*where, key), Code.BAD_SCHEDULE,
                    f"{clock!r} is not a time of day; write it as HH:MM, like \"18:00\"",
                )  # fmt: skip
        if schedule.days is not None and len(set(schedule.days)) != len(schedule.days):
            self.findings.add(source, (*where, "days"), Code.BAD_SCHEDULE, "a day is listed twice")
        if schedule.days is not None and not schedule.days:
            self.findings.add(
                source, (*where, "days"), Code.BAD_SCHEDULE,
                "'days' is empty, so the window never opens; omit it to mean every day",
            )  # fmt: skip
        if not time_zone_exists(schedule.tz):
            self.findings.add(
                source, (*where, "tz"), Code.UNKNOWN_TIMEZONE,
                f"unknown time zone {schedule.tz!r}; use an IANA name like Europe/Berlin",
            )  # fmt: skip


@lru_cache(maxsize=4096)
def _regex_verdict(pattern: str) -> tuple[str | None, Refused | None]:
    """Why ``pattern`` does not compile, or why the runtime refuses it (the same patterns), once
    per pattern: a large repository repeats a few patterns thousands of times."""
    try:
        re.compile(pattern)
    except re.error as exc:
        return str(exc), None
    return None, regex_problem(pattern)
