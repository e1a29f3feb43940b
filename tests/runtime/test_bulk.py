"""``Client.evaluate_all``: every flag (or a list) for one context, as ``evaluate`` answers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flagwright.runtime import Client, Evaluation, Reason
from flagwright.runtime.bulk import GROUP_SIZE, PLANS_PER_SNAPSHOT

from .bundles import attr, bundle, flag, manual_rollout, rule, scheduled_rollout, split, string_flag

STAFF = attr("email", "ends_with", "@co.com")


def _flags() -> dict[str, dict[str, Any]]:
    return {
        "static": flag(),
        "killed": flag(enabled=False),
        "unlisted": flag(listed=False),
        "staff": flag({"serve": "off"}, rules=[rule(STAFF, "on")]),
        "ab": string_flag(split(control=50, treatment=50)),
        "rollout": flag(manual_rollout(2, [10, 50, 100])),
        "gated": flag(requires=["staff"]),
        "timed": flag(scheduled_rollout("2026-11-20T10:00:00Z", [(10, 1800), (100, None)])),
        "broken": flag({"split": [["on", 1], ["off", 2]]}),
    }


CONTEXTS = [
    {},
    {"targeting_key": "user-1", "email": "a@co.com"},
    {"targeting_key": "user-2", "email": "b@x.org"},
    {"targeting_key": 42},
]
NOW = datetime(2026, 11, 20, 10, 10, tzinfo=UTC)


def test_every_flag_as_evaluate_answers_it() -> None:
    bulk_client, single = Client(bundle(_flags())), Client(bundle(_flags()))
    for ctx in CONTEXTS:
        for _ in range(2):  # the first call compiles, the second takes the fast path
            result = bulk_client.evaluate_all(ctx, now=NOW)
            assert list(result) == list(_flags())  # snapshot order
            assert result == {name: single.evaluate(name, ctx, now=NOW) for name in _flags()}
    assert result["broken"].reason == Reason.ERROR
    assert bulk_client.counters() == single.counters()
    assert bulk_client.counters()[("killed", "off")] == 2 * len(CONTEXTS)


def test_a_list_of_flags_and_unknown_names() -> None:
    client = Client(bundle(_flags()))
    ctx = {"targeting_key": "user-1", "email": "a@co.com"}
    result = client.evaluate_all(ctx, ["staff", "nope", "ab"])
    assert list(result) == ["staff", "nope", "ab"]
    assert result["staff"] == Evaluation(True, "on", Reason.TARGETING_MATCH, "rule-1")
    assert result["nope"] == Evaluation(None, None, Reason.ERROR, None)
    assert client.counters() == {
        ("staff", "on"): 1,
        ("nope", None): 1,
        ("ab", result["ab"].variant): 1,
    }
    assert client.evaluate_all(None, ["static"]) == {"static": client.evaluate("static", {})}


def test_hook_sees_every_flag() -> None:
    seen: list[tuple[str, str | None, str]] = []
    client = Client(bundle(_flags()), on_evaluation=lambda *args: seen.append(args))
    client.evaluate_all({"email": "a@co.com"}, now=NOW)
    assert [name for name, _, _ in seen] == list(_flags())
    assert ("killed", "off", "DISABLED") in seen and ("broken", "off", "ERROR") in seen


def test_one_instant_for_the_whole_call_and_naive_now() -> None:
    client = Client(bundle(_flags()))
    before = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    assert client.evaluate_all({"targeting_key": "u"}, ["timed"], now=before)["timed"] == (
        Evaluation(False, "off", Reason.SPLIT, None)
    )
    naive = datetime(2026, 11, 20, 12, 0)
    result = client.evaluate_all({"targeting_key": "u"}, now=naive)
    assert result["timed"].reason == Reason.ERROR  # the clock-driven flag refuses a naive now
    assert result["static"].reason == Reason.STATIC  # the others do not read it


def test_no_snapshot_yet(tmp_path: Any) -> None:
    client = Client.from_file(tmp_path / "missing.json")
    assert client.evaluate_all({}) == {}
    assert client.evaluate_all({}, ["f"])["f"].reason == Reason.ERROR


def _many() -> dict[str, dict[str, Any]]:
    """More flags than one generated group holds, of every kind, sharing attributes."""
    kinds = list(_flags().values())
    flags = {f"m{i:02d}": kinds[i % len(kinds)] for i in range(2 * GROUP_SIZE + 5)}
    for i in range(0, len(flags), 7):  # a gate on a flag of another group
        flags[f"m{i:02d}"] = flag(requires=[f"m{(i + 3) % len(flags):02d}"])
    return flags


def _same_as_one_by_one(names: Any, contexts: list[Any]) -> None:
    bulk_client, single = Client(bundle(_many())), Client(bundle(_many()))
    for ctx in contexts:
        for _ in range(2):
            wanted = list(names() if callable(names) else names)
            result = bulk_client.evaluate_all(ctx, names() if callable(names) else names, NOW)
            assert list(result) == list(dict.fromkeys(wanted))
            expected = {}
            for name in wanted:
                expected[name] = single.evaluate(name, ctx, now=NOW)
            assert result == expected
    assert bulk_client.counters() == single.counters()


def test_groups_of_many_flags_answer_and_count_as_evaluate() -> None:
    names = list(_many())
    _same_as_one_by_one(names, CONTEXTS)
    _same_as_one_by_one(lambda: iter(reversed(names)), CONTEXTS)  # an iterator, used once
    _same_as_one_by_one(["m03", "nope", "m08", "m01"], CONTEXTS)  # unknown and broken names
    _same_as_one_by_one(["m03", "m04", "m03"], CONTEXTS)  # a name twice is evaluated twice


def test_every_flag_in_groups_as_evaluate_answers_it() -> None:
    bulk_client, single = Client(bundle(_many())), Client(bundle(_many()))
    for ctx in CONTEXTS:
        result = bulk_client.evaluate_all(ctx, now=NOW)
        assert result == {name: single.evaluate(name, ctx, now=NOW) for name in _many()}
    assert bulk_client.counters() == single.counters()


def test_a_context_that_is_not_a_mapping_takes_the_long_way_uncounted_twice() -> None:
    bulk_client, single = Client(bundle(_many())), Client(bundle(_many()))
    names = ["m03", "m04", "m01"]
    for _ in range(2):
        result = bulk_client.evaluate_all(["not", "a", "mapping"], names)  # type: ignore[arg-type]
        assert result == {n: single.evaluate(n, ["not", "a", "mapping"]) for n in names}  # type: ignore[arg-type]
        assert result["m03"].reason == Reason.ERROR and result["m01"].reason == Reason.DISABLED
    assert bulk_client.counters() == single.counters()


def test_many_lists_drop_plans_without_losing_counts() -> None:
    bulk_client, single = Client(bundle(_many())), Client(bundle(_many()))
    names = list(_many())
    ctx = {"targeting_key": "user-1", "email": "a@co.com"}
    for size in (1, 2, 3):
        for start in range(PLANS_PER_SNAPSHOT):  # more distinct lists than plans are kept
            wanted = names[start % len(names) : start % len(names) + size]
            assert bulk_client.evaluate_all(ctx, wanted, NOW) == {
                name: single.evaluate(name, ctx, now=NOW) for name in wanted
            }
    assert bulk_client.counters() == single.counters()
