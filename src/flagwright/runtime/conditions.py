"""Compile ``when`` conditions (FORMAT.md "Conditions") into closures.

A compiled condition is ``test(context, now, trace) -> bool``. ``now`` is POSIX seconds and is
only meaningful when the condition reported that it needs the clock. ``trace`` is None on the hot
path; ``explain`` passes a list and composite conditions then record each child they evaluated, so
evaluation and explanation run the same code.
"""

from __future__ import annotations

from . import semver
from .equality import Membership, is_number, strict_equal
from .errors import SnapshotError
from .timeparse import instant_of, parse_instant

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any, TypeAlias

    Trace: TypeAlias = list[dict[str, Any]]
    Test: TypeAlias = Callable[[Mapping[str, Any], float, Trace | None], bool]

OPERATORS = frozenset(
    {"eq", "ne", "in", "not_in", "starts_with", "ends_with", "contains", "matches", "lt", "le"}
    | {"gt", "ge", "before", "after", "semver_eq", "semver_lt", "semver_le", "semver_gt"}
    | {"semver_ge"}
)
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _equals_test(attr: str, expected: object, negate: bool) -> Test:
    # Specialised per expected type because eq/ne on strings is the common case.
    if isinstance(expected, str):
        if negate:

            def ne_str(ctx: Mapping[str, Any], now: float, trace: Trace | None) -> bool:
                value = ctx.get(attr)
                return value is not None and value != expected

            return ne_str

        def eq_str(ctx: Mapping[str, Any], now: float, trace: Trace | None) -> bool:
            value = ctx.get(attr)
            return isinstance(value, str) and value == expected

        return eq_str

    def eq_any(ctx: Mapping[str, Any], now: float, trace: Trace | None) -> bool:
        value = ctx.get(attr)
        return value is not None and strict_equal(value, expected) is not negate

    return eq_any


def _membership_test(attr: str, values: object, negate: bool) -> Test:
    if not isinstance(values, list):
        raise SnapshotError("'values' must be a list")
    members = Membership(values)
    strings = members.strings

    if negate:

        def not_in(ctx: Mapping[str, Any], now: float, trace: Trace | None) -> bool:
            value = ctx.get(attr)
            return value is not None and value not in members

        return not_in

    def in_(ctx: Mapping[str, Any], now: float, trace: Trace | None) -> bool:
        value = ctx.get(attr)
        if type(value) is str:
            return value in strings
        return value is not None and value in members

    return in_


def _string_test(attr: str, op: str, expected: object) -> Test:
    if not isinstance(expected, str):
        raise SnapshotError(f"operator {op!r} needs a string value")
    if op == "starts_with":

        def starts_with(ctx: Mapping[str, Any], now: float, trace: Trace | None) -> bool:
            value = ctx.get(attr)
            return isinstance(value, str) and value.startswith(expected)

        return starts_with
    if op == "ends_with":

        def ends_with(ctx: Mapping[str, Any], now: float, trace: Trace | None) -> bool:
            value = ctx.get(attr)
            return isinstance(value, str) and value.endswith(expected)

        return ends_with
    if op == "contains":

        def contains(ctx: Mapping[str, Any], now: float, trace: Trace | None) -> bool:
            value = ctx.get(attr)
            return isinstance(value, str) and expected in value

        return contains
    import re

    from .regex import MAX_MATCH_LENGTH, problem

    try:
        search = re.compile(expected).search
    except re.error as exc:
        raise SnapshotError(f"invalid regular expression {expected!r}: {exc}") from None
    refused = problem(expected)
    if refused is not None:
        raise SnapshotError(f"regular expression {expected!r} is not allowed: {refused}")

    def matches(ctx: Mapping[str, Any], now: float, trace: Trace | None) -> bool:
        # The length bound caps the work of trying every start position (regex.py).
        value = ctx.get(attr)
        return (
            isinstance(value, str) and len(value) <= MAX_MATCH_LENGTH and search(value) is not None
        )

    return matches


def _number_test(attr: str, op: str, expected: object) -> Test:
    if not is_number(expected):
        raise SnapshotError(f"operator {op!r} needs a number value")
    assert isinstance(expected, (int, float))
    bound: float = expected
    if op == "lt":

        def lt(ctx: Mapping[str, Any], now: float, trace: Trace | None) -> bool:
            value = ctx.get(attr)
            return is_number(value) and value < bound

        return lt
    if op == "le":

        def le(ctx: Mapping[str, Any], now: float, trace: Trace | None) -> bool:
            value = ctx.get(attr)
            return is_number(value) and value <= bound

        return le
    if op == "gt":

        def gt(ctx: Mapping[str, Any], now: float, trace: Trace | None) -> bool:
            value = ctx.get(attr)
            return is_number(value) and value > bound

        return gt

    def ge(ctx: Mapping[str, Any], now: float, trace: Trace | None) -> bool:
        value = ctx.get(attr)
        return is_number(value) and value >= bound

    return ge


def semver_compare(op: str, expected: object) -> Callable[[tuple[object, ...]], bool]:
    """``compare(key)``: whether a version key satisfies ``op`` against ``expected``."""
    target = semver.parse(expected) if isinstance(expected, str) else None
    if target is None:
        raise SnapshotError(f"operator {op!r} needs a semantic version value, got {expected!r}")
    # Bound C methods of the target, mirrored (key >= target is target <= key): no Python frame.
    compare: Callable[[tuple[object, ...]], bool] = {
        "semver_eq": target.__eq__,
        "semver_lt": target.__gt__,
        "semver_le": target.__ge__,
        "semver_gt": target.__lt__,
        "semver_ge": target.__le__,
    }[op]
    return compare


def _semver_test(attr: str, op: str, expected: object) -> Test:
    compare = semver_compare(op, expected)
    cached = semver.cache_get
    key_of = semver.key_of

    def semver_test(ctx: Mapping[str, Any], now: float, trace: Trace | None) -> bool:
        value = ctx.get(attr)
        key = cached(value) if type(value) is str else None
        if key is None:
            key = key_of(value)  # parses (and caches) a new string; None for anything else
            if key is None:
                return False
        return compare(key)

    return semver_test


def _instant_test(attr: str, op: str, expected: object) -> Test:
    bound = _instant(expected, op)
    if op == "before":

        def before(ctx: Mapping[str, Any], now: float, trace: Trace | None) -> bool:
            seconds = instant_of(ctx.get(attr))
            return seconds is not None and seconds < bound

        return before

    def after(ctx: Mapping[str, Any], now: float, trace: Trace | None) -> bool:
        seconds = instant_of(ctx.get(attr))
        return seconds is not None and seconds >= bound

    return after


def _instant(text: object, what: str) -> float:
    if not isinstance(text, str):
        raise SnapshotError(f"{what!r} needs an RFC 3339 time, got {text!r}")
    try:
        return parse_instant(text)
    except ValueError as exc:
        raise SnapshotError(f"{what!r}: {exc}") from None


def _attribute_test(raw: Mapping[str, Any]) -> Test:
    attr, op = raw.get("attr"), raw.get("op")
    if not isinstance(attr, str) or not attr:
        raise SnapshotError("'attr' must be a non-empty string")
    if op not in OPERATORS:
        raise SnapshotError(f"unknown operator {op!r}")
    assert isinstance(op, str)
    wanted = "values" if op in ("in", "not_in") else "value"
    extra = set(raw) - {"attr", "op", wanted}
    if extra or wanted not in raw:
        raise SnapshotError(f"operator {op!r} takes exactly 'attr', 'op' and {wanted!r}")
    operand = raw[wanted]
    if op in ("eq", "ne"):
        return _equals_test(attr, operand, op == "ne")
    if op in ("in", "not_in"):
        return _membership_test(attr, operand, op == "not_in")
    if op in ("starts_with", "ends_with", "contains", "matches"):
        return _string_test(attr, op, operand)
    if op in ("lt", "le", "gt", "ge"):
        return _number_test(attr, op, operand)
    if op.startswith("semver_"):
        return _semver_test(attr, op, operand)
    return _instant_test(attr, op, operand)


def _time_window_test(raw: object) -> Test:
    if not isinstance(raw, dict) or not raw or set(raw) - {"after", "before"}:
        raise SnapshotError("'time' takes 'after' and/or 'before'")
    start = _instant(raw["after"], "after") if "after" in raw else float("-inf")
    end = _instant(raw["before"], "before") if "before" in raw else float("inf")

    def window(ctx: Mapping[str, Any], now: float, trace: Trace | None) -> bool:
        return start <= now < end

    return window


def _clock_seconds(text: object) -> int:
    if isinstance(text, str):
        parts = text.split(":")
        if 2 <= len(parts) <= 3 and all(len(p) == 2 and p.isdigit() for p in parts):
            hours, minutes, seconds = (int(p) for p in (*parts, "00")[:3])
            if hours < 24 and minutes < 60 and seconds < 60:
                return hours * 3600 + minutes * 60 + seconds
    raise SnapshotError(f"schedule time must be 'HH:MM', got {text!r}")


def _schedule_test(raw: object) -> Test:
    if not isinstance(raw, dict) or set(raw) - {"days", "from", "to", "tz"}:
        raise SnapshotError("'schedule' takes 'days', 'from', 'to' and 'tz'")
    days_raw = raw.get("days", list(DAYS))
    if not isinstance(days_raw, list) or not all(d in DAYS for d in days_raw):
        raise SnapshotError(f"schedule days must be a list of {', '.join(DAYS)}")
    days = frozenset(DAYS.index(d) for d in days_raw)
    start, end = _clock_seconds(raw.get("from")), _clock_seconds(raw.get("to"))
    tz_name = raw.get("tz")
    if not isinstance(tz_name, str):
        raise SnapshotError("schedule needs a 'tz'")
    from datetime import datetime
    from zoneinfo import ZoneInfo

    try:
        zone = ZoneInfo(tz_name)
    except (KeyError, ValueError, OSError):  # ZoneInfoNotFoundError is a KeyError
        raise SnapshotError(f"unknown time zone {tz_name!r}") from None
    from_timestamp = datetime.fromtimestamp
    overnight = end <= start

    def schedule(ctx: Mapping[str, Any], now: float, trace: Trace | None) -> bool:
        # Wall-clock time in the zone, so DST shifts move the window with local time.
        local = from_timestamp(now, zone)
        seconds = local.hour * 3600 + local.minute * 60 + local.second
        weekday = local.weekday()
        if not overnight:
            return weekday in days and start <= seconds < end
        # Past midnight the window belongs to the day it started on: yesterday's.
        if seconds >= start:
            return weekday in days
        return seconds < end and (weekday - 1) % 7 in days

    return schedule


def _traced_children(
    children: list[tuple[str, Mapping[str, Any], Test]],
    trace: Trace,
    ctx: Mapping[str, Any],
    now: float,
    stop_on: bool,
) -> bool:
    for path, raw, test in children:
        entry = _entry(path, raw, ctx)
        trace.append(entry)
        result = test(ctx, now, trace)
        entry["result"] = result
        if result is stop_on:
            return stop_on
    return not stop_on


def _entry(path: str, raw: Mapping[str, Any], ctx: Mapping[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {"path": path, "condition": raw}
    attr = raw.get("attr")
    if isinstance(attr, str):
        entry["value"] = ctx.get(attr)
    elif "segment" in raw:
        entry["segment"] = raw["segment"]
    return entry


def compile_condition(raw: object, path: str = "when") -> tuple[Test, bool]:
    """Compile one condition; returns ``(test, needs_clock)``. Raises SnapshotError."""
    if not isinstance(raw, dict):
        raise SnapshotError(f"{path}: a condition must be an object")
    try:
        return _compile(raw, path)
    except SnapshotError as exc:
        message = str(exc)
        if message.startswith(path):
            raise
        raise SnapshotError(f"{path}: {message}") from None


def _compile(raw: dict[str, Any], path: str) -> tuple[Test, bool]:
    if "attr" in raw:
        return _attribute_test(raw), False
    if len(raw) == 1 and "time" in raw:
        return _time_window_test(raw["time"]), True
    if len(raw) == 1 and "schedule" in raw:
        return _schedule_test(raw["schedule"]), True
    if len(raw) == 1 and "not" in raw:
        inner, clock = compile_condition(raw["not"], f"{path}.not")

        def negation(ctx: Mapping[str, Any], now: float, trace: Trace | None) -> bool:
            return not inner(ctx, now, trace)

        return negation, clock
    if set(raw) == {"segment", "when"}:
        if not isinstance(raw["segment"], str):
            raise SnapshotError("'segment' must be a name")
        return compile_condition(raw["when"], f"{path}.segment({raw['segment']})")
    if len(raw) == 1 and ("all" in raw or "any" in raw):
        return _compile_group(raw, path)
    raise SnapshotError(f"unknown condition with keys {sorted(raw)}")


def _compile_group(raw: dict[str, Any], path: str) -> tuple[Test, bool]:
    name = "all" if "all" in raw else "any"
    items = raw[name]
    if not isinstance(items, list):
        raise SnapshotError(f"{name!r} takes a list of conditions")
    children: list[tuple[str, Mapping[str, Any], Test]] = []
    clock = False
    for index, item in enumerate(items):
        child_path = f"{path}.{name}[{index}]"
        test, needs = compile_condition(item, child_path)
        children.append((child_path, item, test))
        clock = clock or needs
    tests = tuple(test for _, _, test in children)
    if name == "all":

        def all_of(ctx: Mapping[str, Any], now: float, trace: Trace | None) -> bool:
            if trace is not None:
                return _traced_children(children, trace, ctx, now, stop_on=False)
            # A loop, not all(<genexpr>): no generator per evaluation on the hot path.
            for test in tests:  # noqa: SIM110
                if not test(ctx, now, None):
                    return False
            return True

        return all_of, clock

    def any_of(ctx: Mapping[str, Any], now: float, trace: Trace | None) -> bool:
        if trace is not None:
            return _traced_children(children, trace, ctx, now, stop_on=True)
        for test in tests:  # noqa: SIM110
            if test(ctx, now, None):
                return True
        return False

    return any_of, clock
