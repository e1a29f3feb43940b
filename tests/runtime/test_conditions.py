"""Every operator, composites, missing/mistyped attributes, time windows and schedules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flagwright.runtime import Client, Reason, SnapshotError
from flagwright.runtime.conditions import compile_condition

from .bundles import attr, bundle, flag, rule


def holds(when: dict[str, Any], ctx: dict[str, Any], now: datetime | None = None) -> bool:
    test, _ = compile_condition(when)
    seconds = now.timestamp() if now is not None else 0.0
    result = test(ctx, seconds, None)
    assert test(ctx, seconds, []) is result  # traced evaluation agrees
    return result


MISSING = object()

# (op, operand, attribute value, expected); MISSING means the attribute is absent.
CASES: list[tuple[str, Any, Any, bool]] = [
    ("eq", "DE", "DE", True),
    ("eq", "DE", "de", False),
    ("eq", "1", 1, False),  # no string/number coercion
    ("eq", 1, "1", False),
    ("eq", 1, 1.0, True),  # numbers compare across int/float
    ("eq", 2.5, 2.5, True),
    ("eq", 1, True, False),  # booleans are not numbers
    ("eq", True, 1, False),
    ("eq", True, True, True),
    ("eq", False, False, True),
    ("eq", [1, "a"], [1, "a"], True),
    ("eq", [1], [True], False),
    ("eq", {"a": 1}, {"a": 1}, True),
    ("eq", "DE", MISSING, False),
    ("eq", "DE", None, False),
    ("ne", "DE", "FR", True),
    ("ne", "DE", "DE", False),
    ("ne", 1, True, True),
    ("ne", "1", 1, True),
    ("ne", "DE", MISSING, False),  # missing makes any condition false
    ("in", ["DE", "FR"], "FR", True),
    ("in", ["DE", "FR"], "IT", False),
    ("in", [1, 2], 2.0, True),
    ("in", [1, 2], True, False),
    ("in", [True], 1, False),
    ("in", [True], True, True),
    ("in", ["1"], 1, False),
    ("in", [[1, 2]], [1, 2], True),
    ("in", ["DE"], MISSING, False),
    ("in", ["DE"], ["DE"], False),
    ("not_in", ["DE", "FR"], "IT", True),
    ("not_in", ["DE", "FR"], "DE", False),
    ("not_in", [1], True, True),
    ("not_in", ["DE"], MISSING, False),
    ("starts_with", "user-", "user-42", True),
    ("starts_with", "user-", "admin", False),
    ("starts_with", "1", 12, False),  # needs a string
    ("starts_with", "a", MISSING, False),
    ("ends_with", "@company.com", "ann@company.com", True),
    ("ends_with", "@company.com", "ann@company.org", False),
    ("ends_with", "x", ["x"], False),
    ("contains", "beta", "is-beta-user", True),
    ("contains", "beta", "alpha", False),
    ("contains", "1", 10, False),
    ("contains", "a", ["a"], False),
    ("matches", r"^\d{3}-\d{4}$", "555-1234", True),
    ("matches", r"\d{3}", "ab123cd", True),  # re.search, not fullmatch
    ("matches", r"^\d+$", "12a", False),
    ("matches", r".*", 5, False),
    ("lt", 10, 9, True),
    ("lt", 10, 10, False),
    ("lt", 10, 9.99, True),
    ("lt", 10, "9", False),
    ("lt", 10, True, False),  # booleans are not numbers
    ("lt", 10, MISSING, False),
    ("le", 10, 10, True),
    ("le", 10, 10.5, False),
    ("le", 1, False, False),
    ("gt", 2.5, 3, True),
    ("gt", 2.5, 2.5, False),
    ("gt", 0, True, False),
    ("ge", 18, 18, True),
    ("ge", 18, 17, False),
    ("ge", 18, None, False),
    ("semver_eq", "2.3.0", "2.3.0", True),
    ("semver_eq", "2.3.0", "2.3.0+build.7", True),  # build metadata does not count
    ("semver_eq", "2.3.0", "2.3.1", False),
    ("semver_lt", "2.3.0", "2.3.0-rc.1", True),  # a pre-release sorts before the release
    ("semver_lt", "2.3.0", "2.2.99", True),
    ("semver_lt", "2.3.0", "2.10.0", False),  # numeric, not lexical
    ("semver_le", "2.3.0", "2.3.0", True),
    ("semver_le", "2.3.0", "2.3.1", False),
    ("semver_gt", "2.3.0", "2.10.0", True),
    ("semver_gt", "1.0.0-alpha", "1.0.0-alpha.1", True),
    ("semver_gt", "1.0.0-alpha.1", "1.0.0-alpha.beta", True),
    ("semver_gt", "1.0.0-beta.2", "1.0.0-beta.11", True),
    ("semver_gt", "1.0.0-rc.1", "1.0.0", True),
    ("semver_gt", "1.0.0-rc.1", "1.0.0-beta", False),
    ("semver_ge", "2.3.0", "2.3.0", True),
    ("semver_ge", "2.3.0", "3.0.0", True),
    ("semver_ge", "2.3.0", "2.2.9", False),
    ("semver_ge", "2.3.0", "2.3", False),  # unparsable -> false
    ("semver_ge", "2.3.0", "v2.3.0", False),
    ("semver_ge", "2.3.0", "02.3.0", False),
    ("semver_ge", "2.3.0", 3, False),
    ("semver_ge", "2.3.0", MISSING, False),
    ("before", "2026-12-01T00:00:00Z", "2026-11-30T23:59:59Z", True),
    ("before", "2026-12-01T00:00:00Z", "2026-12-01T00:00:00Z", False),
    ("before", "2026-12-01T00:00:00Z", "2026-12-01T01:00:00+02:00", True),  # offsets honoured
    ("before", "2026-12-01T00:00:00Z", "2026-12-01", False),  # no time/offset -> not RFC 3339
    ("before", "2026-12-01T00:00:00Z", "2026-11-30T10:00:00", False),  # naive
    ("before", "2026-12-01T00:00:00Z", "yesterday", False),
    ("before", "2026-12-01T00:00:00Z", 0, False),
    ("after", "2026-12-01T00:00:00Z", "2026-12-01T00:00:00Z", True),  # [after, before)
    ("after", "2026-12-01T00:00:00Z", "2026-12-01T00:00:01Z", True),
    ("after", "2026-12-01T00:00:00Z", "2026-11-30T23:59:59Z", False),
    ("after", "2026-12-01T00:00:00Z", datetime(2026, 12, 2, tzinfo=UTC), True),
    ("after", "2026-12-01T00:00:00Z", datetime(2026, 12, 2), False),  # naive datetime
    ("after", "2026-12-01T00:00:00Z", MISSING, False),
]


@pytest.mark.parametrize(("op", "operand", "value", "expected"), CASES)
def test_operator(op: str, operand: Any, value: Any, expected: bool) -> None:
    ctx = {} if value is MISSING else {"a": value}
    when = attr("a", op, operand)
    assert holds(when, ctx) is expected
    # `not` of a false condition is true, including missing and mistyped attributes.
    assert holds({"not": when}, ctx) is (not expected)


def test_every_operator_is_covered() -> None:
    from flagwright.runtime.conditions import OPERATORS

    assert {op for op, *_ in CASES} == OPERATORS


def test_all_any_not() -> None:
    de = attr("country", "eq", "DE")
    staff = attr("email", "ends_with", "@co.com")
    ctx = {"country": "DE", "email": "a@x.org"}
    assert holds({"all": [de]}, ctx)
    assert not holds({"all": [de, staff]}, ctx)
    assert holds({"any": [staff, de]}, ctx)
    assert not holds({"any": [staff]}, ctx)
    assert holds({"all": []}, ctx)  # vacuous truth
    assert not holds({"any": []}, ctx)
    assert holds({"not": {"all": [de, staff]}}, ctx)
    assert holds({"any": [{"not": staff}, staff]}, {})  # missing: not(false) is true


def test_segments_are_inlined_with_their_name() -> None:
    when = {"segment": "beta", "when": attr("email", "in", ["b@t.com", "q@t.com"])}
    assert holds(when, {"email": "q@t.com"})
    assert not holds(when, {"email": "x@t.com"})
    nested = {"all": [when, {"not": {"segment": "blocked", "when": attr("blocked", "eq", True)}}]}
    assert holds(nested, {"email": "b@t.com"})
    assert not holds(nested, {"email": "b@t.com", "blocked": True})
    test, _ = compile_condition(nested)
    trace: list[dict[str, Any]] = []
    test({"email": "b@t.com", "blocked": True}, 0.0, trace)
    assert trace[0]["segment"] == "beta" and trace[0]["result"] is True
    assert trace[1]["path"] == "when.all[1]" and trace[1]["result"] is False


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_time_window_is_half_open() -> None:
    window = {"time": {"after": "2026-12-01T00:00:00Z", "before": "2026-12-24T00:00:00Z"}}
    _, needs_clock = compile_condition(window)
    assert needs_clock
    assert not holds(window, {}, _at("2026-11-30T23:59:59Z"))
    assert holds(window, {}, _at("2026-12-01T00:00:00Z"))
    assert holds(window, {}, _at("2026-12-24T00:59:59+01:00"))
    assert not holds(window, {}, _at("2026-12-24T00:00:00Z"))
    open_end = {"time": {"after": "2026-12-01T00:00:00Z"}}
    assert holds(open_end, {}, _at("2099-01-01T00:00:00Z"))
    assert not holds({"time": {"before": "2026-12-01T00:00:00Z"}}, {}, _at("2026-12-01T00:00:00Z"))


def sched(frm: str, to: str, days: list[str] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"from": frm, "to": to, "tz": "Europe/Berlin"}
    if days is not None:
        body["days"] = days
    return {"schedule": body}


def test_schedule_weekday_window_in_winter_and_summer() -> None:
    evenings = sched("18:00", "22:00", ["mon", "tue", "wed", "thu", "fri"])
    # Friday 2026-01-16, CET = UTC+1.
    assert not holds(evenings, {}, _at("2026-01-16T16:59:59Z"))
    assert holds(evenings, {}, _at("2026-01-16T17:00:00Z"))
    assert holds(evenings, {}, _at("2026-01-16T20:59:59Z"))
    assert not holds(evenings, {}, _at("2026-01-16T21:00:00Z"))
    assert not holds(evenings, {}, _at("2026-01-17T17:30:00Z"))  # Saturday
    # Friday 2026-07-17, CEST = UTC+2.
    assert holds(evenings, {}, _at("2026-07-17T16:00:00Z"))
    assert not holds(evenings, {}, _at("2026-07-17T20:00:00Z"))
    every_day = sched("18:00", "22:00")
    assert holds(every_day, {}, _at("2026-01-17T17:30:00Z"))


def test_schedule_across_spring_forward() -> None:
    # 2026-03-29 (Sunday): 02:00 CET jumps to 03:00 CEST at 01:00Z; 02:xx never happens.
    window = sched("02:30", "03:30")
    assert not holds(window, {}, _at("2026-03-29T00:59:59Z"))  # 01:59:59 CET
    assert holds(window, {}, _at("2026-03-29T01:00:00Z"))  # 03:00 CEST
    assert holds(window, {}, _at("2026-03-29T01:29:59Z"))
    assert not holds(window, {}, _at("2026-03-29T01:30:00Z"))  # 03:30 CEST
    assert not holds(sched("02:00", "02:59"), {}, _at("2026-03-29T01:00:00Z"))


def test_schedule_across_fall_back() -> None:
    # 2026-10-25 (Sunday): 03:00 CEST falls back to 02:00 CET at 01:00Z; 02:xx happens twice.
    window = sched("02:00", "03:00", ["sun"])
    assert not holds(window, {}, _at("2026-10-24T23:59:59Z"))  # 01:59:59 CEST
    assert holds(window, {}, _at("2026-10-25T00:00:00Z"))  # 02:00 CEST
    assert holds(window, {}, _at("2026-10-25T00:59:59Z"))
    assert holds(window, {}, _at("2026-10-25T01:00:00Z"))  # 02:00 CET, the second time
    assert holds(window, {}, _at("2026-10-25T01:59:59Z"))
    assert not holds(window, {}, _at("2026-10-25T02:00:00Z"))  # 03:00 CET


def test_schedule_past_midnight_belongs_to_the_start_day() -> None:
    friday_night = sched("22:00", "02:00", ["fri"])
    # Friday 2026-01-16 22:00 CET = 21:00Z; Saturday 02:00 CET = 01:00Z.
    assert not holds(friday_night, {}, _at("2026-01-16T20:59:59Z"))
    assert holds(friday_night, {}, _at("2026-01-16T21:00:00Z"))
    assert holds(friday_night, {}, _at("2026-01-17T00:59:59Z"))  # Saturday 01:59 local
    assert not holds(friday_night, {}, _at("2026-01-17T01:00:00Z"))
    assert not holds(friday_night, {}, _at("2026-01-17T21:30:00Z"))  # Saturday night
    assert not holds(friday_night, {}, _at("2026-01-16T00:30:00Z"))  # Friday 01:30: Thursday's
    sunday_night = sched("23:00", "01:00", ["sun"])
    assert holds(sunday_night, {}, _at("2026-01-18T23:30:00Z"))  # Monday 00:30 local
    whole_day = sched("06:00", "06:00", ["mon"])  # to == from: 24 hours from Monday 06:00
    assert holds(whole_day, {}, _at("2026-01-20T04:59:59Z"))  # Tuesday 05:59 local
    assert not holds(whole_day, {}, _at("2026-01-20T05:00:00Z"))


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 3 * 365 * 24 * 3600))
def test_schedule_matches_a_wall_clock_reference(offset: int) -> None:
    from zoneinfo import ZoneInfo

    now = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(seconds=offset)
    local = now.astimezone(ZoneInfo("Europe/Berlin"))
    minutes = local.hour * 60 + local.minute
    weekday = local.weekday()
    evening = 18 * 60 <= minutes < 22 * 60 and weekday in (0, 2, 4)
    night = (minutes >= 22 * 60 and weekday == 5) or (minutes < 3 * 60 and weekday == 6)
    assert holds(sched("18:00", "22:00", ["mon", "wed", "fri"]), {}, now) is evening
    assert holds(sched("22:00", "03:00", ["sat"]), {}, now) is night


@pytest.mark.parametrize(
    "when",
    [
        {"attr": "a", "op": "almost", "value": 1},
        {"attr": "a", "op": "in", "value": ["x"]},
        {"attr": "a", "op": "lt", "value": "10"},
        {"attr": "a", "op": "lt", "value": True},
        {"attr": "a", "op": "matches", "value": "("},
        {"attr": "a", "op": "semver_ge", "value": "1.2"},
        {"attr": "a", "op": "before", "value": "tomorrow"},
        {"attr": "", "op": "eq", "value": 1},
        {"schedule": {"from": "25:00", "to": "02:00", "tz": "Europe/Berlin"}},
        {"schedule": {"from": "20:00", "to": "02:00", "tz": "Mars/Olympus"}},
        {"schedule": {"days": ["someday"], "from": "20:00", "to": "22:00", "tz": "UTC"}},
        {"time": {}},
        {"all": {"attr": "a"}},
        {"whatever": 1},
        "country == DE",
    ],
)
def test_bad_conditions_are_rejected_at_compile(when: Any) -> None:
    with pytest.raises(SnapshotError):
        compile_condition(when)


def test_bad_condition_makes_the_flag_error_with_its_default() -> None:
    client = Client(
        bundle(
            {
                "bad": flag(rules=[rule({"attr": "a", "op": "matches", "value": "("}, "on")]),
                "good": flag(),
            }
        )
    )
    ev = client.evaluate("bad", {"a": "x"})
    assert (ev.value, ev.variant, ev.reason) == (False, "off", Reason.ERROR)
    assert client.value("bad", {}, "caller-default") == "caller-default"
    assert client.evaluate("good", {}).reason == Reason.STATIC
    assert client.snapshot is not None
    assert list(client.snapshot.validate()) == ["bad"]


REFUSED_PATTERNS = {
    "^(a+)+$": "nested quantifiers",
    "(x+x+)+y": "nested quantifiers",
    "^(ab|a)*c$": "more than one way",
    "(a|)*": "more than one way",
    r"^\d+\d+$": "one after the other",
    ".*@.*": "one after the other",
    r"\w+\d\w+": "one after the other",
    r"(a)\1": "backreferences",
    "(?P<x>a)(?P=x)": "backreferences",
    "(?=admin)": "lookahead and lookbehind",
    "(?<!x)y": "lookahead and lookbehind",
}
ALLOWED_PATTERNS = [
    r"^[a-z0-9._%+-]+@company\.com$",
    r"\w+@\w+\.com",
    r"^\d+\.\d+$",
    "(ab|cd)*e",
    "^user-[0-9]{3}$",
    r"\d{3}\d{4}",
    "(?i)^BETA-",
    "[^@]+@[^@]+",
    r"(https?://)?example\.com",
    r"(\w|\d)+",  # the engine turns this into one character class
]


def test_pattern_safety_rules() -> None:
    from flagwright.runtime.regex import problem

    for pattern, reason in REFUSED_PATTERNS.items():
        refused = problem(pattern)
        assert refused is not None and reason in str(refused), pattern
        assert refused.construct == (reason in ("backreferences", "lookahead and lookbehind"))
    for pattern in ALLOWED_PATTERNS:
        assert problem(pattern) is None, pattern


def test_runtime_refuses_a_slow_pattern_and_bounds_the_input() -> None:
    from flagwright.runtime.regex import MAX_MATCH_LENGTH

    client = Client(
        bundle(
            {
                "slow": flag(rules=[rule(attr("email", "matches", "^(a+)+$"), "off")]),
                "ok": flag({"serve": "off"}, rules=[rule(attr("ua", "matches", "a*b"), "on")]),
            }
        )
    )
    hostile = {"email": "a" * 34 + "!"}
    assert client.evaluate("slow", hostile).reason == Reason.ERROR  # refused, never run
    assert client.snapshot is not None
    assert "not allowed" in client.snapshot.validate()["slow"]
    assert client.is_enabled("ok", {"ua": "a" * (MAX_MATCH_LENGTH - 1) + "b"})
    assert not client.is_enabled("ok", {"ua": "a" * MAX_MATCH_LENGTH + "b"})  # too long
    assert client.explain("ok", {"ua": "a" * MAX_MATCH_LENGTH + "b"}).evaluation.value is False


def test_chained_choices_and_long_patterns_are_refused() -> None:
    from flagwright.runtime.regex import MAX_PATTERN_LENGTH, problem

    # Both take minutes in Python's engine on a few dozen characters.
    for pattern in ["a?" * 24 + "a" * 24, "(a|aa)" * 30 + "b", r"\w+s?", r"\d+\.?\d*"]:
        refused = problem(pattern)
        assert refused is not None and not refused.construct, pattern
    for pattern in [r"-?\d+", r"^v?\d+$", "colou?r", "(foo|foobar)x", "^(beta|alpha)-"]:
        assert problem(pattern) is None, pattern
    assert problem("a" * MAX_PATTERN_LENGTH) is None
    too_long = problem("a" * (MAX_PATTERN_LENGTH + 1))
    assert too_long is not None and "longer than 200" in str(too_long)
