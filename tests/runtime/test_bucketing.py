"""Bucketing rule flagd-v2 (FORMAT.md): vectors, flagd testbed, uniformity, stability."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flagwright.runtime import Client, bucket, bucket_value, hash_key

from .bundles import bundle, flag, manual_rollout, split, string_flag
from .murmur_reference import murmur3_32, reference_bucket

TESTBED = Path(__file__).resolve().parents[1] / "data/vendor/flagd-testbed"
SRC = Path(__file__).resolve().parents[2] / "src"


def test_design_vectors() -> None:
    assert hash_key("fractional-flagjack") == 2682799072
    assert bucket_value("fractional-flag", "jack", 100) == 62
    assert bucket("fractional-flag", "jack", [25, 25, 25, 25]) == 2  # third variant
    assert hash_key("fractional-flagqueen") == 4278517551
    assert bucket_value("fractional-flag", "queen", 100) == 99
    assert bucket("fractional-flag", "queen", [25, 25, 25, 25]) == 3
    # Out of 10000 the same users land in the same variants.
    assert bucket_value("fractional-flag", "jack") == (2682799072 * 10000) >> 32 == 6246
    assert bucket("fractional-flag", "jack", [2500, 2500, 2500, 2500]) == 2


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_mmh3_agrees_with_reference_murmur3(key: str) -> None:
    try:
        data = key.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates cannot be bucketed at all
        return
    assert hash_key(key) == murmur3_32(data)


def test_key_text_matches_flagd_cat() -> None:
    assert bucket_value("f", "7") == bucket_value("f", 7)
    assert bucket_value("f", 7.0) == bucket_value("f", 7)
    assert bucket_value("f", True) == bucket_value("f", "true")
    assert bucket_value("f", 1.5) == bucket_value("f", "1.5")
    for missing in (None, "", [], {}, float("nan")):
        assert bucket_value("f", missing) is None
        assert bucket("f", missing, [50, 50]) is None


def test_bucket_edges() -> None:
    assert bucket("f", "u", [0, 10000]) == 1
    assert bucket("f", "u", [10000, 0]) == 0
    assert bucket("f", "u", [0, 0]) is None
    with pytest.raises(ValueError):
        bucket("f", "u", [-50, 150])


def _testbed_fractionals() -> list[tuple[str, Any, list[str], list[int]]]:
    """(flag key, bucketing expression, variants, weights) for definitions that map cleanly."""
    found = []
    for path in sorted(
        [*TESTBED.glob("flags/*.json"), TESTBED / "evaluator-flags/testkit-flags.json"]
    ):
        for key, definition in json.loads(path.read_text())["flags"].items():
            targeting = definition.get("targeting") or {}
            args = targeting.get("fractional") if isinstance(targeting, dict) else None
            if not isinstance(args, list) or not args:
                continue
            expression: Any = None
            if not isinstance(args[0], list):
                expression, args = args[0], args[1:]
            entries = []
            for entry in args:
                if not (isinstance(entry, list) and entry and isinstance(entry[0], str)):
                    break
                weight = entry[1] if len(entry) > 1 else 1  # flagd shorthand: weight 1
                if not isinstance(weight, int) or weight < 0:
                    break
                entries.append((entry[0], weight))
            else:
                if entries and sum(w for _, w in entries) > 0:
                    names = [name for name, _ in entries]
                    found.append((key, expression, names, [w for _, w in entries]))
    return found


def _seed_and_attr(flag_key: str, expression: Any) -> tuple[str, str] | None:
    """How flagd builds the hash key: returns (prefix, attribute) or None if not a simple form."""
    if expression is None:
        return flag_key, "targetingKey"  # flagd's default: flag key + targeting key
    if isinstance(expression, dict) and set(expression) == {"var"}:
        return "", expression["var"]
    if isinstance(expression, dict) and set(expression) == {"cat"}:
        first, second = expression["cat"]
        if isinstance(second, dict) and "var" in second:
            if first == {"var": "$flagd.flagKey"}:
                return flag_key, second["var"]
            if isinstance(first, str):
                return first, second["var"]
    return None


def test_flagd_testbed_fractional_definitions() -> None:
    fractionals = _testbed_fractionals()
    assert len(fractionals) >= 5
    checked = 0
    users = ["jack", "queen", "ace", "joker", "ten", "nine", "3", "user-1", "héloïse", "x" * 50]
    for flag_key, expression, _, weights in fractionals:
        form = _seed_and_attr(flag_key, expression)
        if form is None:
            continue
        prefix, _attribute = form
        for user in users:
            ours = bucket(prefix, user, weights)
            assert ours == reference_bucket(prefix + user, weights), (flag_key, user)
            checked += 1
    assert checked >= 50
    by_key = {key: (variants, weights) for key, _, variants, weights in fractionals}
    variants, weights = by_key["fractional-flag"]
    assert variants[bucket("fractional-flag", "jack", weights)] == "hearts"
    assert variants[bucket("fractional-flag", "queen", weights)] == "spades"
    # Flags sharing a seed assign every user the same variant position.
    a, b = by_key["fractional-flag-A-shared-seed"], by_key["fractional-flag-B-shared-seed"]
    for user in users:
        assert bucket("shared-seed", user, a[1]) == bucket("shared-seed", user, b[1])


CHI2_CRITICAL_P001 = {3: 16.266, 9: 27.877}  # chi-square critical values at p = 0.001


def _chi_square(counts: list[int]) -> float:
    expected = sum(counts) / len(counts)
    return sum((c - expected) ** 2 / expected for c in counts)


def test_split_is_uniform_chi_square() -> None:
    """100,000 keys over a 4-way 25% split: reject uniformity only if p < 0.001."""
    weights = {"a": 25, "b": 25, "c": 25, "d": 25}
    flags = {"ab": string_flag(split(**weights), variants={k: k for k in weights}, default="a")}
    client = Client(bundle(flags))
    counts = dict.fromkeys(weights, 0)
    for i in range(100_000):
        counts[client.evaluate("ab", {"targeting_key": f"user-{i}"}).variant] += 1  # type: ignore[index]
    assert _chi_square(list(counts.values())) < CHI2_CRITICAL_P001[3], counts
    deciles = [0] * 10
    for i in range(100_000):
        deciles[bucket_value("another-flag", f"account:{i}") // 1000] += 1  # type: ignore[operator]
    assert _chi_square(deciles) < CHI2_CRITICAL_P001[9], deciles


@settings(max_examples=150, deadline=None)
@given(
    low=st.integers(0, 10000),
    high=st.integers(0, 10000),
    users=st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=30),
)
def test_raising_a_rollout_never_takes_the_feature_away(
    low: int, high: int, users: list[str]
) -> None:
    low, high = sorted((low, high))
    before = Client(bundle({"f": flag(manual_rollout(1, [low / 100]))}))
    after = Client(bundle({"f": flag(manual_rollout(1, [high / 100]))}))
    for user in users:
        ctx = {"targeting_key": user}
        if before.is_enabled("f", ctx):
            assert after.is_enabled("f", ctx)


_STABILITY_SCRIPT = """
import json, sys
sys.path.insert(0, sys.argv[1])
sys.path.insert(0, sys.argv[2])
from runtime.bundles import bundle, flag, split, string_flag, manual_rollout
from flagwright.runtime import Client, bucket_value
client = Client(bundle({
    "ab": string_flag(split(control=30, treatment=70)),
    "r": flag(manual_rollout(2, [5, 40, 100])),
}))
out = [(client.evaluate("ab", {"targeting_key": f"u{i}"}).variant,
        client.evaluate("r", {"targeting_key": f"u{i}"}).variant,
        bucket_value("ab", f"u{i}")) for i in range(2000)]
print(json.dumps(out))
"""


def test_results_identical_across_hash_seeds() -> None:
    tests_dir = Path(__file__).resolve().parents[1]
    outputs = []
    for seed in ("0", "4242"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        done = subprocess.run(
            [sys.executable, "-c", _STABILITY_SCRIPT, str(SRC), str(tests_dir)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        outputs.append(json.loads(done.stdout))
    assert outputs[0] == outputs[1]
    here = Client(bundle({"ab": string_flag(split(control=30, treatment=70))}))
    assert [here.evaluate("ab", {"targeting_key": f"u{i}"}).variant for i in range(2000)] == [
        row[0] for row in outputs[0]
    ]


@settings(max_examples=50, deadline=None)
@given(
    hashed=st.one_of(st.integers(0, 2**32 - 1), st.sampled_from([0, 1, 2**31, 2**32 - 1])),
    total=st.sampled_from([1, 3, 7, 100, 10000, 2**31 - 1]),
    data=st.data(),
)
def test_hash_thresholds_pick_what_the_scaled_bucket_picks(
    hashed: int, total: int, data: st.DataObject
) -> None:
    """Comparing the hash with thresholds is flagd's ``(h * total) >> 32`` selection, exactly."""
    from flagwright.runtime.bucketing import pick, pick_hash, scale, threshold, thresholds

    running = data.draw(st.integers(0, total))
    assert (hashed < threshold(running, total)) == (scale(hashed, total) < running)
    # At the threshold itself and one below: the exact edge.
    edge = threshold(running, total)
    for h in (edge - 1, edge):
        if 0 <= h < 2**32:
            assert (h < edge) == (scale(h, total) < running)
    weights = data.draw(st.lists(st.integers(0, total), min_size=1, max_size=5))
    if sum(weights) > 0:
        assert pick_hash(hashed, thresholds(weights)) == pick(scale(hashed, sum(weights)), weights)


def test_rules_table_and_snapshot_field() -> None:
    from flagwright.runtime import SnapshotError, compute_digest
    from flagwright.runtime.bucketing import RULES, rule

    assert rule("flagd-v2") is RULES["flagd-v2"]
    assert rule("flagd-v1") is None and rule(None) is None
    assert RULES["flagd-v2"].hash("fractional-flag", "targeting_key", "jack") == 2682799072
    assert bucket_value("fractional-flag", "jack", 100, "flagd-v2") == 62
    doc = bundle({"f": flag()})
    doc["bucketing"] = "flagd-v9"
    doc["digest"] = compute_digest(doc)
    with pytest.raises(SnapshotError, match="unknown bucketing 'flagd-v9'"):
        Client(doc)


@settings(max_examples=50, deadline=None)
@given(st.text(min_size=1, max_size=20), st.text(max_size=20))
def test_text_prefix_promise_of_flagd_v2(flag_key: str, value: str) -> None:
    """The evaluator hashes a non-empty string as murmur3(flag key + value) inline for v2."""
    from flagwright.runtime.bucketing import RULES

    try:
        data = (flag_key + value).encode("utf-8")
    except UnicodeEncodeError:
        return
    expected = murmur3_32(data) if value else None
    assert RULES["flagd-v2"].hash(flag_key, "account", value) == expected


def test_vectors_through_the_evaluator_services_run() -> None:
    """The flagd vectors and the testbed's fractional flags, asked of ``Client.evaluate``.

    A snapshot split is out of 10000; a testbed split whose total divides 10000 becomes the same
    split scaled up, which picks the same variant for every hash (thresholds are equal).
    """
    checked = 0
    users = ["jack", "queen", "ace", "joker", "ten", "nine", "3", "user-1", "héloïse", "x" * 50]
    for flag_key, expression, variants, weights in _testbed_fractionals():
        total = sum(weights)
        form = _seed_and_attr(flag_key, expression)
        if form is None or 10000 % total or form[0] != flag_key:
            continue
        scaled = [[name, w * (10000 // total)] for name, w in zip(variants, weights, strict=True)]
        names = {name: name for name in variants}
        doc = bundle(
            {flag_key: string_flag({"split": scaled}, variants=names, default=variants[0])}
        )
        client = Client(doc)
        for user in users:
            expected = variants[reference_bucket(flag_key + user, weights)]
            assert client.evaluate(flag_key, {"targeting_key": user}).variant == expected
            assert client.explain(flag_key, {"targeting_key": user}).evaluation.variant == expected
            checked += 1
    assert checked >= 30
    client = Client(bundle({"fractional-flag": string_flag(
        {"split": [[v, 2500] for v in ("clubs", "diamonds", "hearts", "spades")]},
        variants={v: v for v in ("clubs", "diamonds", "hearts", "spades")},
        default="clubs",
    )}))  # fmt: skip
    assert client.evaluate("fractional-flag", {"targeting_key": "jack"}).variant == "hearts"
    assert client.evaluate("fractional-flag", {"targeting_key": "queen"}).variant == "spades"
