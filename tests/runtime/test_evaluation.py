"""Evaluation semantics (FORMAT.md), hooks, counters and explain."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flagwright.runtime import Client, Evaluation, Reason, bucket_value, explain

from .bundles import (
    attr,
    bundle,
    flag,
    manual_rollout,
    rule,
    scheduled_rollout,
    split,
    string_flag,
)

STAFF = attr("email", "ends_with", "@co.com")
DE = attr("country", "in", ["DE", "AT"])


def ev(value: Any, variant: str | None, reason: str, rule: str | None = None) -> Evaluation:
    return Evaluation(value, variant, reason, rule)


def test_unlisted_disabled_static() -> None:
    client = Client(
        bundle(
            {
                "unlisted": flag(listed=False),
                "killed": flag(enabled=False, rules=[rule(STAFF, "on")]),
                "static": flag(),
            }
        )
    )
    staff = {"email": "a@co.com"}
    assert client.evaluate("unlisted", staff) == ev(False, "off", Reason.DEFAULT)
    assert client.evaluate("killed", staff) == ev(False, "off", Reason.DISABLED)
    assert client.evaluate("static", staff) == ev(True, "on", Reason.STATIC)
    assert client.is_enabled("static", {}) and not client.is_enabled("killed", {})


def test_rules_first_match_wins() -> None:
    rules = [
        rule(STAFF, "treatment", name="staff"),
        rule(DE, split={"control": 0, "treatment": 100}),
        rule(attr("tier", "eq", "gold"), "treatment"),
    ]
    client = Client(bundle({"f": string_flag({"serve": "control"}, rules=rules)}))
    both = {"email": "a@co.com", "country": "DE", "targeting_key": "u"}
    assert client.evaluate("f", both) == ev("v2", "treatment", Reason.TARGETING_MATCH, "staff")
    de = {"country": "DE", "targeting_key": "u"}
    assert client.evaluate("f", de) == ev("v2", "treatment", Reason.SPLIT, "rule-2")
    gold = {"tier": "gold"}
    assert client.evaluate("f", gold) == ev("v2", "treatment", Reason.TARGETING_MATCH, "rule-3")
    assert client.evaluate("f", {}) == ev("v1", "control", Reason.STATIC)
    # A matching split rule whose bucket_by attribute is missing serves the default.
    assert client.evaluate("f", {"country": "AT"}) == ev("v1", "control", Reason.DEFAULT, "rule-2")


def test_split_fallthrough_follows_bucketing() -> None:
    client = Client(bundle({"f": string_flag(split(control=30, treatment=70))}))
    for i in range(200):
        key = f"user-{i}"
        expected = "control" if bucket_value("f", key) < 3000 else "treatment"  # type: ignore[operator]
        assert client.evaluate("f", {"targeting_key": key}).variant == expected
        assert client.evaluate("f", {"targeting_key": key}).reason == Reason.SPLIT


def test_bucket_by_custom_attribute_and_missing_or_empty() -> None:
    client = Client(bundle({"f": string_flag(split(control=50, treatment=50), bucket_by="org")}))
    by_org = client.evaluate("f", {"org": "acme", "targeting_key": "x"})
    assert by_org.variant == ("control" if bucket_value("f", "acme") < 5000 else "treatment")  # type: ignore[operator]
    # Everyone in the same org gets the same variant, whatever their targeting key.
    for i in range(20):
        assert client.evaluate("f", {"org": "acme", "targeting_key": str(i)}) == by_org
    for ctx in ({"targeting_key": "x"}, {"org": ""}, {"org": None}, {"org": ["a"]}):
        assert client.evaluate("f", ctx) == ev("v1", "control", Reason.DEFAULT)


def test_numeric_bucket_by_value() -> None:
    client = Client(bundle({"f": string_flag(split(control=50, treatment=50), bucket_by="id")}))
    assert client.evaluate("f", {"id": 12345}) == client.evaluate("f", {"id": "12345"})


def test_prerequisites() -> None:
    flags = {
        "api": flag(rules=[rule(DE, "on")], fallthrough={"serve": "off"}),
        "checkout": string_flag(requires=["api"]),
        "chain": flag(requires=["checkout"]),
        "api-killed": flag(enabled=False),
        "needs-killed": flag(requires=["api-killed"]),
    }
    client = Client(bundle(flags))
    assert client.evaluate("checkout", {"country": "DE"}) == ev("v2", "treatment", Reason.STATIC)
    assert client.evaluate("checkout", {"country": "FR"}) == ev("v1", "control", Reason.DEFAULT)
    assert client.evaluate("chain", {"country": "DE"}).reason == Reason.STATIC
    assert client.evaluate("chain", {"country": "FR"}) == ev(False, "off", Reason.DEFAULT)
    assert client.evaluate("needs-killed", {}) == ev(False, "off", Reason.DEFAULT)
    # Only the flag asked for is counted, not its prerequisites.
    assert ("api", "on") not in client.counters()


def test_prerequisite_problems_are_errors_not_exceptions() -> None:
    flags = {
        "a": flag(requires=["b"]),
        "b": flag(requires=["a"]),
        "orphan": flag(requires=["nowhere"]),
    }
    client = Client(bundle(flags))
    for key in flags:
        assert client.evaluate(key, {}) == ev(False, "off", Reason.ERROR)
    assert client.snapshot is not None
    assert set(client.snapshot.validate()) == {"a", "b", "orphan"}


def _bucket(key: str) -> int:
    found = bucket_value("r", key)
    assert found is not None
    return found


def _user_with_bucket(low: int, high: int) -> str:
    return next(f"user-{i}" for i in range(100_000) if low <= _bucket(f"user-{i}") < high)


def test_manual_rollout_stages() -> None:
    percents = [1, 10, 25, 100]
    user = _user_with_bucket(1000, 2500)  # gets the feature from 25% on
    for stage, enabled in zip((1, 2, 3, 4), (False, False, True, True), strict=True):
        client = Client(bundle({"r": flag(manual_rollout(stage, percents))}))
        result = client.evaluate("r", {"targeting_key": user})
        assert result.reason == Reason.SPLIT and result.rule is None
        assert result.value is enabled
    fractional = Client(bundle({"r": flag(manual_rollout(1, [12.5]))}))
    assert fractional.is_enabled("r", {"targeting_key": _user_with_bucket(1200, 1250)})
    assert not fractional.is_enabled("r", {"targeting_key": _user_with_bucket(1250, 1300)})


def test_scheduled_rollout_switches_at_the_exact_instants() -> None:
    start = datetime(2026, 11, 20, 10, tzinfo=UTC)
    plan = [(1, 1800), (10, 1800), (25, 3600), (100, None)]
    client = Client(bundle({"r": flag(scheduled_rollout("2026-11-20T10:00:00Z", plan))}))
    second = timedelta(seconds=1)
    users = {
        "b0": _user_with_bucket(0, 100),  # on from 1%
        "b1": _user_with_bucket(100, 1000),  # on from 10%
        "b2": _user_with_bucket(1000, 2500),  # on from 25%
        "b3": _user_with_bucket(2500, 10000),  # on at 100%
    }
    t10, t25, t100 = (start + timedelta(seconds=s) for s in (1800, 3600, 7200))
    timeline = [
        (start - second, set()),
        (start, {"b0"}),
        (t10 - second, {"b0"}),
        (t10, {"b0", "b1"}),
        (t25 - second, {"b0", "b1"}),
        (t25, {"b0", "b1", "b2"}),
        (t100 - second, {"b0", "b1", "b2"}),
        (t100, {"b0", "b1", "b2", "b3"}),
        (start + timedelta(days=400), {"b0", "b1", "b2", "b3"}),
    ]
    for now, enabled in timeline:
        for name, user in users.items():
            result = client.evaluate("r", {"targeting_key": user}, now=now)
            assert result.reason == Reason.SPLIT
            assert result.value is (name in enabled), (now, name)


def test_clock_read_only_when_needed() -> None:
    client = Client(
        bundle(
            {
                "static": flag(),
                "timed": flag(rules=[rule({"time": {"after": "2000-01-01T00:00:00Z"}}, "off")]),
            }
        )
    )
    naive = datetime(2026, 1, 1)
    assert client.evaluate("static", {}, now=naive).reason == Reason.STATIC  # now unused
    assert client.evaluate("timed", {}, now=naive).reason == Reason.ERROR  # naive: rejected
    assert client.evaluate("timed", {}).reason == Reason.TARGETING_MATCH  # current time


def test_unknown_flag_and_bad_contexts_never_raise() -> None:
    client = Client(bundle({"f": flag(rules=[rule(STAFF, "on")]), "s": string_flag()}))
    assert client.evaluate("nope", {}) == ev(None, None, Reason.ERROR)
    assert client.value("nope", {}, 42) == 42
    assert client.is_enabled("nope", {}) is False
    assert client.evaluate("f", None).reason == Reason.STATIC
    broken = client.evaluate("f", ["not", "a", "mapping"])  # type: ignore[arg-type]
    assert broken == ev(False, "off", Reason.ERROR)
    assert client.is_enabled("s", {}) is False  # not a boolean flag
    assert client.value("s", {}, "dflt") == "v2"


def test_hook_and_counters() -> None:
    seen: list[tuple[str, str | None, str]] = []
    client = Client(
        bundle({"f": flag(), "k": flag(enabled=False)}),
        on_evaluation=lambda *args: seen.append(args),
    )
    for _ in range(3):
        client.evaluate("f", {})
    client.evaluate("k", {})
    client.evaluate("missing", {})
    assert seen == [("f", "on", "STATIC")] * 3 + [
        ("k", "off", "DISABLED"),
        ("missing", None, "ERROR"),
    ]
    counters = client.counters()
    assert counters == {("f", "on"): 3, ("k", "off"): 1, ("missing", None): 1}
    counters[("f", "on")] = 99  # a copy
    assert client.counters()[("f", "on")] == 3


def test_hook_exceptions_are_swallowed_and_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    def hook(flag: str, variant: str | None, reason: str) -> None:
        raise RuntimeError("metrics backend down")

    client = Client(bundle({"f": flag()}), on_evaluation=hook)
    with caplog.at_level(logging.WARNING, logger="flagwright.runtime"):
        for _ in range(50):
            assert client.evaluate("f", {}).value is True
    messages = [r.getMessage() for r in caplog.records if "metrics backend" in r.getMessage()]
    assert len(messages) == 1


def test_problems_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    client = Client(bundle({"f": flag(rules=[rule({"attr": "a", "op": "??", "value": 1}, "on")])}))
    with caplog.at_level(logging.WARNING, logger="flagwright.runtime"):
        for _ in range(20):
            client.evaluate("f", {})
            client.evaluate("ghost", {})
    texts = [r.getMessage() for r in caplog.records]
    assert len([t for t in texts if "unknown operator" in t]) == 1
    assert len([t for t in texts if "'ghost'" in t]) == 1


def test_explain_trace() -> None:
    segment = {"segment": "beta", "when": attr("email", "in", ["b@t.com"])}
    flags = {
        "api": flag(),
        "f": string_flag(
            manual_rollout(2, [10, 50, 100], variant="treatment", default="control"),
            requires=["api"],
            rules=[
                rule(STAFF, "treatment", name="staff"),
                rule({"any": [segment, DE]}, split={"control": 50, "treatment": 50}),
            ],
        ),
    }
    client = Client(bundle(flags))
    ctx = {"targeting_key": "user-7", "email": "z@x.org", "country": "FR"}
    result = client.explain("f", ctx)
    assert result.evaluation == client.evaluate("f", ctx)
    kinds = [step["step"] for step in result.steps]
    assert kinds == ["prerequisite", "rule", "rule", "fallthrough", "bucket"]
    prerequisite, staff, second, fallthrough, bucket_step = result.steps
    assert prerequisite["flag"] == "api" and prerequisite["satisfied"] is True
    assert staff["name"] == "staff" and staff["matched"] is False and staff["value"] == "z@x.org"
    assert second["matched"] is False
    assert [(c["path"], c["result"]) for c in second["trace"]] == [
        ("when.any[0]", False),
        ("when.any[1]", False),
    ]
    assert second["trace"][0]["segment"] == "beta"
    assert fallthrough["mode"] == "manual" and fallthrough["stage"] == 2
    assert fallthrough["percent"] == 50
    assert bucket_step["bucket"] == bucket_value("f", "user-7")
    assert bucket_step["key"] == "fuser-7"
    assert bucket_step["weights"] == [["treatment", 5000], ["control", 5000]]
    as_dict = result.as_dict()
    assert as_dict["environment"] == "prod" and as_dict["evaluation"]["variant"] in (
        "control",
        "treatment",
    )


def test_explain_scheduled_rollout() -> None:
    plan = [(1, 1800), (10, 1800), (100, None)]
    doc = bundle({"r": flag(scheduled_rollout("2026-11-20T10:00:00Z", plan))})
    from flagwright.runtime import Snapshot

    snapshot = Snapshot.from_dict(doc)
    at = datetime(2026, 11, 20, 10, 45, tzinfo=UTC)
    result = explain(snapshot, "r", {"targeting_key": "u"}, now=at)
    step = result.steps[0]
    assert step["mode"] == "schedule" and step["stage"] == 2 and step["percent"] == 10
    assert step["since"] == "2026-11-20T10:30:00Z"
    assert step["next_stage_at"] == "2026-11-20T11:00:00Z"
    assert result.now == "2026-11-20T10:45:00Z"
    before = explain(snapshot, "r", {"targeting_key": "u"}, now=at - timedelta(hours=1))
    assert before.steps[0]["stage"] == 0 and before.steps[0]["next_stage_at"] == (
        "2026-11-20T10:00:00Z"
    )
    assert before.evaluation == ev(False, "off", Reason.SPLIT)
    unknown = explain(snapshot, "nope", {})
    assert unknown.evaluation.reason == Reason.ERROR and unknown.steps[0]["step"] == "error"


CONTEXTS = st.fixed_dictionaries(
    {},
    optional={
        "targeting_key": st.text(max_size=8),
        "email": st.sampled_from(["a@co.com", "b@x.org", "", 7]),
        "country": st.sampled_from(["DE", "FR", None, 1]),
        "age": st.one_of(st.integers(0, 99), st.floats(allow_nan=False), st.booleans()),
        "app_version": st.sampled_from(["2.3.0", "2.3.0-rc.1", "10.0.0", "junk"]),
    },
)


@settings(max_examples=150, deadline=None)
@given(CONTEXTS)
def test_explain_agrees_with_evaluate(ctx: dict[str, Any]) -> None:
    rules = [
        rule(STAFF, "treatment"),
        rule({"all": [DE, {"not": attr("age", "lt", 18)}]}, split={"control": 40, "treatment": 60}),
        rule(attr("app_version", "semver_ge", "2.3.0"), "treatment"),
    ]
    client = _SHARED.setdefault(
        "client", Client(bundle({"f": string_flag(split(control=90, treatment=10), rules=rules)}))
    )
    assert client.explain("f", ctx).evaluation == client.evaluate("f", ctx)


_SHARED: dict[str, Client] = {}
