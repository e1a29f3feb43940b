"""The specialised evaluator (what ``evaluate`` runs) agrees with the reference (what ``explain``
runs) over random flags and contexts, and its generated source never carries snapshot text."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.engines import engine

from flagwright.runtime import Client, Snapshot, accel
from flagwright.runtime.bucketing import RULES
from flagwright.runtime.build import Builder, fallthrough
from flagwright.runtime.compiled import CompiledSnapshot
from flagwright.runtime.specialise import source_text

from .bundles import attr, bundle, flag, manual_rollout, rule, scheduled_rollout, weights

ATTRS = ["email", "country", "age", "app_version", "account"]
# Operands and context values come from the same small pools, so conditions hit their edges
# (equal numbers, equal strings, exact versions) often.
NUMBERS = st.sampled_from([-1, 0, 1, 2.5, 7, 7.0, 18])
STRINGS = st.sampled_from(["", "a", "a@co.com", "co.com", "DE", "2.3.0", "3.0.0-rc.1", "1.0.0"])
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    NUMBERS,
    STRINGS,
    st.floats(allow_nan=True, allow_infinity=True, width=32),
    st.sampled_from(["junk", "2026-11-20T10:00:00Z", "2025-12-31T23:59:59Z", "a" * 300]),
    st.text(max_size=6),
    st.lists(st.integers(0, 2), max_size=2),
)


def _attribute() -> st.SearchStrategy[dict[str, Any]]:
    name = st.sampled_from(ATTRS)
    string_ops = st.sampled_from(["starts_with", "ends_with", "contains", "eq", "ne"])
    return st.one_of(
        st.builds(attr, name, string_ops, STRINGS),
        st.builds(attr, name, st.sampled_from(["eq", "ne"]), st.one_of(NUMBERS, st.booleans())),
        st.builds(
            attr,
            name,
            st.sampled_from(["in", "not_in"]),
            st.lists(st.one_of(STRINGS, NUMBERS, st.booleans(), st.none()), max_size=4),
        ),
        st.builds(attr, name, st.sampled_from(["lt", "le", "gt", "ge"]), NUMBERS),
        st.builds(
            attr,
            name,
            st.sampled_from([f"semver_{op}" for op in ("eq", "lt", "le", "gt", "ge")]),
            st.sampled_from(["2.3.0", "3.0.0-rc.1", "1.0.0"]),
        ),
        st.builds(
            attr, name, st.sampled_from(["before", "after"]), st.just("2026-01-01T00:00:00Z")
        ),
        st.builds(attr, name, st.just("matches"), st.sampled_from(["^a", r"\.com$", "E"])),
    )


CLOCK = st.sampled_from(
    [
        {"time": {"after": "2026-11-20T10:00:00Z"}},
        {"schedule": {"from": "09:00", "to": "17:00", "tz": "Europe/Berlin"}},
    ]
)
CONDITIONS = st.recursive(
    st.one_of(_attribute(), CLOCK),
    lambda inner: st.one_of(
        st.builds(lambda items: {"all": items}, st.lists(inner, max_size=3)),
        st.builds(lambda items: {"any": items}, st.lists(inner, max_size=3)),
        st.builds(lambda item: {"not": item}, inner),
        st.builds(lambda item: {"segment": "seg", "when": item}, inner),
    ),
    max_leaves=6,
)
SPLITS = st.lists(st.integers(0, 100), min_size=2, max_size=2).map(
    lambda w: {"on": w[0], "off": 100 - w[0]} if w[0] <= 100 else {"on": 100, "off": 0}
)
FALLTHROUGHS = st.one_of(
    st.just({"serve": "on"}),
    SPLITS.map(lambda w: {"split": weights(w)}),
    st.integers(1, 3).map(lambda stage: manual_rollout(stage, [0, 12.5, 100])),
    st.just(scheduled_rollout("2026-11-20T10:00:00Z", [(5, 1800), (50, 1800), (100, None)])),
)
RULE_LISTS = st.lists(
    st.one_of(
        st.builds(lambda when: rule(when, "on"), CONDITIONS),
        st.builds(lambda when, w: rule(when, split=w), CONDITIONS, SPLITS),
    ),
    max_size=4,
)
FLAGS = st.builds(
    lambda rules, fall, requires, bucket_by: flag(
        fall, rules=rules, requires=["gate"] if requires else [], bucket_by=bucket_by
    ),
    RULE_LISTS,
    FALLTHROUGHS,
    st.booleans(),
    st.sampled_from(["targeting_key", "account"]),
)
CONTEXTS = st.lists(
    st.dictionaries(st.sampled_from([*ATTRS, "targeting_key"]), VALUES, max_size=6),
    min_size=1,
    max_size=40,
)
INSTANTS = [datetime(2026, 11, 20, 9, 0, tzinfo=UTC), datetime(2026, 11, 20, 10, 40, tzinfo=UTC)]


@settings(max_examples=50, deadline=None)
@given(FLAGS, CONTEXTS, st.sampled_from(["flagd-v2", "flagd-v3"]))
def test_specialised_and_reference_agree(
    raw: dict[str, Any], contexts: list[dict[str, Any]], bucketing: str
) -> None:
    gate = flag(rules=[rule(attr("country", "eq", "DE"), "off")])
    client = Client(bundle({"f": raw, "gate": gate}, bucketing=bucketing))
    state = client._state
    assert isinstance(state, CompiledSnapshot)
    compiled = state.get("f")
    assert compiled is not None and compiled.problem is None and compiled.fast is not None
    for ctx in contexts:
        for now in INSTANTS:
            seconds = now.timestamp()
            reference = compiled.run(ctx, seconds, None)
            assert compiled.fast(ctx, seconds) is reference, (ctx, now)
            assert client.evaluate("f", ctx, now=now) == reference.evaluation
            assert client.explain("f", ctx, now=now).evaluation == reference.evaluation
            assert client.evaluate_all(ctx, now=now)["f"] == reference.evaluation


def _source(raw: dict[str, Any], key: str = "f") -> str:
    build = Builder(key, raw, RULES["flagd-v2"])
    from flagwright.runtime.flags import _rule

    rules = [_rule(build, r, i)[0] for i, r in enumerate(raw["rules"], start=1)]
    fall = fallthrough(build, raw["fallthrough"])
    blocked = build.outcome(build.default, "DEFAULT", None)
    return source_text(build, (), rules, fall, blocked)


def test_generated_source_holds_no_snapshot_text() -> None:
    hostile = '"); __import__("os").system("x"); ("'
    plain = flag(
        {"split": weights({"on": 30, "off": 70})},
        rules=[rule({"all": [attr("email", "ends_with", "@a.com"), attr("c", "in", ["x"])]}, "on")],
    )
    evil = flag(
        {"split": weights({"on": 70, "off": 30})},
        variants={hostile: True, "off": False},
        rules=[
            rule(
                {"all": [attr(hostile, "ends_with", hostile), attr("c", "in", [hostile])]}, hostile
            )
        ],
        bucket_by=hostile,
    )
    evil["fallthrough"]["split"][0][0] = hostile
    evil["default"] = "off"
    evil = dict(evil)
    evil["rules"][0]["serve"] = hostile
    assert _source(plain) == _source(evil, key=hostile)
    assert hostile not in _source(evil, key=hostile)
    # And the flag with hostile text works like any other.
    client = Client(bundle({hostile: evil}))
    ctx = {hostile: "x" + hostile, "c": hostile}
    assert client.evaluate(hostile, ctx).variant == hostile
    snapshot = Snapshot.from_dict(bundle({hostile: evil}))
    assert Client(snapshot).explain(hostile, ctx).evaluation.variant == hostile


POOL_NUMBERS = [-1, 0, 1, 2.5, 7, 7.0, 18, True, False]
POOL_STRINGS = ["", "a", "a@co.com", "co.com", "DE", "2.3.0", "3.0.0-rc.1", "1.0.0", "A"]


class _Text(str):
    """A str subclass: not ``str`` by class, a string by ``isinstance`` (both paths tested)."""


POOL_VALUES = [None, *POOL_NUMBERS, *POOL_STRINGS, float("nan"), [1], {"a": 1}, "a" * 300]
POOL_VALUES += [_Text("2.3.0"), _Text("a@co.com"), _Text("DE")]
OPERANDS = {
    **dict.fromkeys(("starts_with", "ends_with", "contains"), POOL_STRINGS),
    **dict.fromkeys(("eq", "ne"), POOL_STRINGS + POOL_NUMBERS),
    **{op: [v for v in POOL_NUMBERS if not isinstance(v, bool)] for op in ("lt", "le", "gt", "ge")},
    **{f"semver_{op}": ["2.3.0", "3.0.0-rc.1", "1.0.0"] for op in ("eq", "lt", "le", "gt", "ge")},
    "in": [POOL_STRINGS[:4], [1, True, "DE"], [0, 7.0, None]],
    "not_in": [POOL_STRINGS[:4], [1, True, "DE"], [0, 7.0, None]],
    "matches": ["^a", r"\.com$"],
}


def test_every_operator_agrees_on_the_edges() -> None:
    """Each operator, each operand, each value: a deterministic sweep of the edges."""
    checked = 0
    for op, operands in OPERANDS.items():
        flags = {
            f"f{i}": flag({"serve": "off"}, rules=[rule(attr("x", op, operand), "on")])
            for i, operand in enumerate(operands)
        }
        state = Client(bundle(flags))._state
        assert isinstance(state, CompiledSnapshot)
        for key in flags:
            compiled = state.get(key)
            assert compiled is not None and compiled.fast is not None, compiled and compiled.problem
            for value in POOL_VALUES * 2:  # twice: remembered answers (versions) must agree too
                ctx = {"x": value}
                assert compiled.fast(ctx, 0.0) is compiled.run(ctx, 0.0, None), (op, key, value)
                checked += 1
    assert checked > 3000


def test_same_shape_compiles_once_and_sees_no_builtins() -> None:
    with engine("python"):  # the generated Python itself, on either engine's run
        _same_shape_compiles_once()


def _same_shape_compiles_once() -> None:
    from flagwright.runtime import specialise

    flags = {
        f"f{i}": flag(
            {"split": weights({"on": i, "off": 100 - i})},
            rules=[rule(attr("email", "ends_with", f"@{i}.com"), "on")],
        )
        for i in range(1, 30)
    }
    state = Client(bundle(flags))._state
    assert isinstance(state, CompiledSnapshot)
    before = len(specialise._CODES)
    fasts = []
    for key in flags:
        compiled = state.get(key)
        assert compiled is not None and compiled.fast is not None
        fasts.append(compiled.fast)
    assert len(specialise._CODES) - before <= 1
    # One compilation: every flag's code is the same bytecode with its own constants.
    assert len({fast.__code__.co_code for fast in fasts}) == 1
    assert len({fast.__code__.co_consts for fast in fasts}) == len(flags)
    assert "@1.com" in fasts[0].__code__.co_consts
    assert fasts[0].__globals__["__builtins__"] == {}


@settings(max_examples=40, deadline=None)
@given(st.lists(FLAGS, min_size=2, max_size=4), CONTEXTS, st.sampled_from(["flagd-v2", "flagd-v3"]))
def test_generated_groups_agree_with_each_flag(
    raws: list[dict[str, Any]], contexts: list[dict[str, Any]], bucketing: str
) -> None:
    """``evaluate_all``'s groups share reads and conditions that repeat across flags."""
    gate = flag(rules=[rule(attr("country", "eq", "DE"), "off")])
    shared = rule(attr("email", "ends_with", "a@co.com"), "on")  # in every flag: computed once
    flags = {f"f{i}": {**raw, "rules": [shared, *raw["rules"]]} for i, raw in enumerate(raws)}
    client = Client(bundle({**flags, "gate": gate}, bucketing=bucketing))
    state = client._state
    assert isinstance(state, CompiledSnapshot)
    for ctx in contexts:
        for now in INSTANTS:
            seconds = now.timestamp()
            expected = {}
            for key in [*flags, "gate"]:
                compiled = state.get(key)
                assert compiled is not None
                expected[key] = compiled.run(ctx, seconds, None).evaluation
            assert client.evaluate_all(ctx, now=now) == expected
            assert client.evaluate_all(ctx, list(reversed(expected)), now=now) == expected
    assert state.bulk is not None and state.bulk.whole is not None
    if accel.ENGINE is None:
        assert "c0" in state.bulk.whole.__code__.co_varnames  # the shared condition's one result
    else:
        assert isinstance(state.bulk.whole, accel.ENGINE.Group)
