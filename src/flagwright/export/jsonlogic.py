"""Compiled conditions (FORMAT.md "Conditions") as flagd JsonLogic, exactly or not at all.

FORMAT.md's evaluation semantics make a condition false for a missing attribute *and* for a
value of the wrong type (``lt`` on a string, ``eq 1`` on ``true``). JsonLogic coerces instead
(``"5" < 10`` is true, and Python JsonLogic engines compare ``true == 1``), so each operator is
guarded by a type test built from portable operators:

* ``is_string(v)``: ``cat(v) === v`` (only a string is its own text),
* ``is_number(v)``: ``+v === v`` and ``cat(v)`` is neither ``"true"`` nor ``"false"`` (the second
  half is for engines where ``true == 1``).

What JsonLogic cannot express raises :class:`Inexpressible` naming the construct: regular
expressions, RFC 3339 attribute comparisons, wall-clock schedules in zones with daylight saving
time, and attribute names that JsonLogic would read as paths.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from flagwright.export.problems import Inexpressible
from flagwright.runtime.conditions import DAYS

JsonLogic = Any
TIMESTAMP: JsonLogic = {"var": "$flagd.timestamp"}
FLAG_KEY: JsonLogic = {"var": "$flagd.flagKey"}
TARGETING_KEY = "targeting_key"

_DAYS = DAYS
# 1970-01-01, day 0 of POSIX time, was a Thursday.
_EPOCH_WEEKDAY = 3
# Zones whose offset never changed: the only ones whose wall clock is UTC plus a constant.
_FIXED_ZONE = re.compile(
    r"^(?:Etc/)?(?:UTC|UCT|Universal|Zulu|Greenwich|GMT|GMT0|GMT[+-]0|GMT[+-](?:[1-9]|1[0-4]))$"
)
_SEMVER_OPS = {"semver_eq": "=", "semver_lt": "<", "semver_le": "<=", "semver_gt": ">"}
_SEMVER_OPS["semver_ge"] = ">="
_NUMBER_OPS = {"lt": "<", "le": "<=", "gt": ">", "ge": ">="}


def var(attr: str) -> JsonLogic:
    """The JsonLogic reference to a context attribute (OpenFeature's targeting key is special)."""
    if attr == TARGETING_KEY:
        return {"var": "targetingKey"}
    if attr == "targetingKey" or attr.startswith("$flagd"):
        raise Inexpressible(
            f"attribute {attr!r}", "flagd reserves this name for its own context values"
        )
    if "." in attr:
        raise Inexpressible(
            f"attribute {attr!r}",
            "JsonLogic reads '.' in a 'var' as a path into nested objects, but flagwright "
            "contexts are flat; rename the attribute",
        )
    return {"var": attr}


def is_string(v: JsonLogic) -> JsonLogic:
    return {"===": [{"cat": [v]}, v]}


# Python JsonLogic engines render booleans as "True"/"False", JavaScript ones as "true"/"false".
_BOOL_TEXTS = {True: ["true", "True"], False: ["false", "False"]}


def is_number(v: JsonLogic) -> JsonLogic:
    return {
        "and": [
            {"===": [{"+": [v]}, v]},
            negate({"in": [{"cat": [v]}, _BOOL_TEXTS[True] + _BOOL_TEXTS[False]]}),
        ]
    }


def is_boolean(v: JsonLogic, value: bool) -> JsonLogic:
    """``v`` is the boolean ``value`` (not a number equal to it, as in Python's ``True == 1``)."""
    return {"and": [{"===": [v, value]}, {"in": [{"cat": [v]}, _BOOL_TEXTS[value]]}]}


def is_bucketable(v: JsonLogic) -> JsonLogic:
    """True for what the runtime can bucket: a non-empty string, a number or a boolean."""
    return {
        "or": [
            {"and": [is_string(v), {"!==": [v, ""]}]},
            is_number(v),
            is_boolean(v, True),
            is_boolean(v, False),
        ]
    }


def bucket_text(v: JsonLogic) -> JsonLogic:
    """``v`` as the runtime writes it into the hash key: booleans as ``true``/``false``."""
    return {"if": [is_boolean(v, True), "true", is_boolean(v, False), "false", v]}


def all_of(items: list[JsonLogic]) -> JsonLogic:
    if not items:
        return True  # the empty conjunction (a rule without `when`)
    return items[0] if len(items) == 1 else {"and": items}


def any_of(items: list[JsonLogic]) -> JsonLogic:
    if not items:
        return False
    return items[0] if len(items) == 1 else {"or": items}


def negate(item: JsonLogic) -> JsonLogic:
    return {"!": [item]}


class ConditionTranslator:
    """Translates conditions; segments become named ``$evaluators`` shared by every flag.

    flagd substitutes ``{"$ref": name}`` only inside flags, not inside other evaluators, so an
    evaluator's own body has nested segments inlined.
    """

    def __init__(self) -> None:
        self.evaluators: dict[str, JsonLogic] = {}
        self._segments: dict[str, Any] = {}
        self._shared = False  # the dicts are the parent's until this translator writes

    def fork(self) -> ConditionTranslator:
        """A copy to translate one flag with: kept only if the whole flag translates. Copied on
        its first write: most flags use no segment, and a render forks once per flag."""
        twin = ConditionTranslator()
        twin.evaluators, twin._segments, twin._shared = self.evaluators, self._segments, True
        return twin

    def condition(self, raw: Any, *, inline: bool = False) -> JsonLogic:
        if "segment" in raw:
            return self._segment(raw, inline)
        if "all" in raw:
            return all_of(self._children(raw["all"], "all", inline))
        if "any" in raw:
            return any_of(self._children(raw["any"], "any", inline))
        if "not" in raw:
            try:
                return negate(self.condition(raw["not"], inline=inline))
            except Inexpressible as exc:
                raise exc.within("not") from None
        if "time" in raw:
            return _time_window(raw["time"])
        if "schedule" in raw:
            return _schedule(raw["schedule"])
        return _attribute(raw)

    def _children(self, items: list[Any], what: str, inline: bool) -> list[JsonLogic]:
        out = []
        for number, item in enumerate(items, start=1):
            try:
                out.append(self.condition(item, inline=inline))
            except Inexpressible as exc:
                raise exc.within(f"{what}[{number}]") from None
        return out

    def _segment(self, raw: dict[str, Any], inline: bool) -> JsonLogic:
        name = raw["segment"]
        try:
            body = self.condition(raw["when"], inline=True)
        except Inexpressible as exc:
            raise exc.within(f"segment {name!r}") from None
        if inline:
            return body
        if self._shared:
            self.evaluators, self._segments = dict(self.evaluators), dict(self._segments)
            self._shared = False
        known = self._segments.setdefault(name, raw["when"])
        if known != raw["when"]:
            raise Inexpressible(
                f"segment {name!r}", "compiled differently in two flags of one bundle"
            )
        self.evaluators[name] = body
        return {"$ref": name}


def _attribute(raw: dict[str, Any]) -> JsonLogic:
    attr, op = raw["attr"], raw["op"]
    operand = raw.get("values") if op in ("in", "not_in") else raw.get("value")
    where = f"condition {{attr: {attr}, op: {op}}}"
    if op in _UNSUPPORTED:
        raise Inexpressible(where, _UNSUPPORTED[op])
    if op not in _OPERATORS:
        raise Inexpressible(where, f"unknown operator {op!r}")
    try:
        return _OPERATORS[op](var(attr), operand)
    except Inexpressible as exc:
        raise exc.within(where) from None


def _equals(v: JsonLogic, expected: Any) -> JsonLogic:
    if isinstance(expected, str):
        return {"===": [v, expected]}
    if isinstance(expected, bool):
        return is_boolean(v, expected)
    if isinstance(expected, (int, float)):
        return all_of([{"===": [v, expected]}, is_number(v)])
    if expected is None:
        return False  # a missing attribute never equals anything (§4a)
    raise Inexpressible(
        "value", "JsonLogic compares lists and objects by reference, not by content"
    )


def _not_equals(v: JsonLogic, expected: Any) -> JsonLogic:
    return all_of([{"!==": [v, None]}, negate(_equals(v, expected))])


def _member(v: JsonLogic, values: list[Any]) -> JsonLogic:
    strings = [x for x in values if isinstance(x, str)]
    others = [x for x in values if not isinstance(x, str) and x is not None]
    tests = [{"in": [v, strings]}] if strings else []
    tests.extend(_equals(v, x) for x in others)
    return any_of(tests)


def _not_member(v: JsonLogic, values: list[Any]) -> JsonLogic:
    return all_of([{"!==": [v, None]}, negate(_member(v, values))])


def _string_op(op: str) -> Callable[[JsonLogic, Any], JsonLogic]:
    def build(v: JsonLogic, expected: Any) -> JsonLogic:
        if op == "contains":
            return all_of([is_string(v), {"in": [expected, v]}])
        return {op: [v, expected]}

    return build


def _number_op(op: str) -> Callable[[JsonLogic, Any], JsonLogic]:
    def build(v: JsonLogic, bound: Any) -> JsonLogic:
        return all_of([is_number(v), {_NUMBER_OPS[op]: [v, bound]}])

    return build


def _semver_op(op: str) -> Callable[[JsonLogic, Any], JsonLogic]:
    def build(v: JsonLogic, version: Any) -> JsonLogic:
        # flagd strips a leading "v"; flagwright does not accept one (FORMAT.md, semver_*).
        return all_of(
            [
                is_string(v),
                negate({"starts_with": [v, "v"]}),
                negate({"starts_with": [v, "V"]}),
                {"sem_ver": [v, _SEMVER_OPS[op], version]},
            ]
        )

    return build


_UNSUPPORTED = {
    "matches": "flagd's JsonLogic has no regular-expression operator",
    "before": "JsonLogic cannot parse an RFC 3339 time from the context",
    "after": "JsonLogic cannot parse an RFC 3339 time from the context",
}
_OPERATORS: dict[str, Callable[[JsonLogic, Any], JsonLogic]] = {
    "eq": _equals,
    "ne": _not_equals,
    "in": _member,
    "not_in": _not_member,
    "starts_with": _string_op("starts_with"),
    "ends_with": _string_op("ends_with"),
    "contains": _string_op("contains"),
    **{op: _number_op(op) for op in _NUMBER_OPS},
    **{op: _semver_op(op) for op in _SEMVER_OPS},
}


def whole_seconds(text: str, what: str) -> int:
    """POSIX seconds of a bundle time; ``$flagd.timestamp`` has whole seconds only."""
    seconds = datetime.fromisoformat(text).timestamp()
    if seconds != int(seconds):
        raise Inexpressible(
            what, f"{text} has fractional seconds; $flagd.timestamp counts whole seconds"
        )
    return int(seconds)


def _time_window(raw: dict[str, Any]) -> JsonLogic:
    tests: list[JsonLogic] = []
    if "after" in raw:
        tests.append({">=": [TIMESTAMP, whole_seconds(raw["after"], "time window 'after'")]})
    if "before" in raw:
        tests.append({"<": [TIMESTAMP, whole_seconds(raw["before"], "time window 'before'")]})
    return all_of(tests)


def fixed_offset(tz: str) -> int | None:
    """The zone's constant UTC offset in seconds, or None when it has (or had) others."""
    if not _FIXED_ZONE.match(tz):
        return None
    from datetime import UTC
    from zoneinfo import ZoneInfo

    offset = datetime(2000, 1, 1, tzinfo=UTC).astimezone(ZoneInfo(tz)).utcoffset()
    return None if offset is None else int(offset.total_seconds())


def _clock(text: str) -> int:
    parts = [int(p) for p in text.split(":")]
    return parts[0] * 3600 + parts[1] * 60 + (parts[2] if len(parts) > 2 else 0)


def _schedule(raw: dict[str, Any]) -> JsonLogic:
    tz = raw["tz"]
    offset = fixed_offset(tz)
    if offset is None:
        raise Inexpressible(
            f"schedule in time zone {tz!r}",
            "the zone has daylight saving time or historical offset changes, and JsonLogic "
            "only has the UTC clock ($flagd.timestamp); use a fixed-offset zone (UTC, "
            "Etc/GMT-1, ...) to export this flag to flagd",
        )
    local = {"+": [TIMESTAMP, offset]} if offset else TIMESTAMP
    second_of_day = {"%": [local, 86400]}
    weekday = {"%": [{"+": [{"/": [{"-": [local, second_of_day]}, 86400]}, _EPOCH_WEEKDAY]}, 7]}
    start, end = _clock(raw["from"]), _clock(raw["to"])
    days = raw.get("days")
    wanted = None if days is None else sorted(_DAYS.index(d) for d in days)

    def on(day_numbers: list[int] | None, *tests: JsonLogic) -> JsonLogic:
        if day_numbers is None:
            return all_of(list(tests))
        return all_of([{"in": [weekday, day_numbers]}, *tests])

    if end > start:
        return on(wanted, {">=": [second_of_day, start]}, {"<": [second_of_day, end]})
    # Past midnight the window belongs to the day it started on (FORMAT.md, schedule).
    yesterday = None if wanted is None else sorted((d + 1) % 7 for d in wanted)
    return any_of(
        [on(wanted, {">=": [second_of_day, start]}), on(yesterday, {"<": [second_of_day, end]})]
    )
