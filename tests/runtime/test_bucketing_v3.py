"""Bucketing rule flagd-v3: the runtime's own CBOR encoder against the vendored vectors, the
flagd testbed's @fractional-v3 rows and cbor2; and the runtime evaluating a flagd-v3 bundle."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import cbor2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flagwright.runtime import Client, SnapshotError
from flagwright.runtime.bucketing import bucket, bucket_value, hash_key, pick
from flagwright.runtime.cbor import encode, encode_pair, encode_text, normalize

from . import flagd_v3_data
from .bundles import bundle, split, string_flag

SRC = Path(__file__).resolve().parents[2] / "src"
VECTORS = flagd_v3_data.vectors()


@pytest.mark.parametrize("vector", VECTORS["vectors"], ids=lambda v: f"v{v['id']}")
def test_vector(vector: dict[str, Any]) -> None:
    data = encode(vector["bucketKey"])
    assert data.hex() == vector["cborHex"]
    assert normalize(vector["bucketKey"]) == vector["hashedValue"]
    assert hash_key(data) == vector["murmur3_x86_32"]
    for expected in vector["buckets"].values():
        weights = expected["weights"]
        found = (hash_key(data) * sum(weights)) >> 32
        assert found == expected["bucketValue"]
        assert pick(found, weights) == expected["index"]
    if vector["v2"] is not None:
        assert hash_key(vector["v2"]["hashedUtf8"]) == vector["v2"]["murmur3_x86_32"]


def test_vector_count_and_shorthand_shapes() -> None:
    assert len(VECTORS["vectors"]) == 40
    shorthand = [v for v in VECTORS["vectors"] if v["mode"] == "targetingKey"]
    assert len(shorthand) >= 10
    for vector in shorthand:
        flag_key, targeting_key = vector["bucketKey"]
        assert encode_pair(flag_key, targeting_key).hex() == vector["cborHex"]
        # The runtime's flagd-v3 input for bucket_by: targeting_key is that shorthand array.
        for expected in vector["buckets"].values():
            total = sum(expected["weights"])
            got = bucket_value(flag_key, targeting_key, total, "flagd-v3", "targeting_key")
            assert got == expected["bucketValue"]
    for vector in VECTORS["vectors"]:
        if isinstance(vector["bucketKey"], str):
            assert encode_text(vector["bucketKey"]).hex() == vector["cborHex"]


def test_design_example_bytes() -> None:
    assert encode(["k", "x"]) == bytes.fromhex("82616b6178")
    assert encode({"aa": 2, "z": 1}).hex() == "a2617a0162616102"
    assert encode(1.5).hex() == "f93e00"
    assert encode(3.4028234663852886e38).hex() == "fa7f7fffff"
    assert encode(18446744073709551616.0).hex() == "fa5f800000"
    assert encode(-0.0) == encode(0) == b"\x00"
    assert encode([True, False, None]).hex() == "83f5f4f6"


def _fractional(flag: dict[str, Any], flag_key: str, tk: str | None, attrs: dict[str, Any]) -> Any:
    """A flag whose targeting is one ``fractional``, evaluated with the runtime's encoder."""
    ctx: dict[str, Any] = {**attrs, "$flagd": {"flagKey": flag_key}}

    def value(expr: Any) -> Any:
        if isinstance(expr, dict) and "var" in expr:
            found: Any = ctx
            for part in expr["var"].split("."):
                found = found.get(part) if isinstance(found, dict) else None
            return found
        if isinstance(expr, dict) and "cat" in expr:
            return "".join(str(value(part)) for part in expr["cat"])
        return expr

    args = flag["targeting"]["fractional"]
    first = value(args[0])
    if isinstance(first, list):
        if not isinstance(tk, str) or not tk:
            return None
        key, entries = [flag_key, tk], args
    elif first is None:
        return None
    else:
        key, entries = first, args[1:]
    weights = [entry[1] if len(entry) > 1 else 1 for entry in entries]
    found = (hash_key(encode(key)) * sum(weights)) >> 32
    return entries[pick(found, weights)][0]


def test_testbed_fractional_v3_rows() -> None:
    rows = flagd_v3_data.testbed_rows()
    assert len(rows) == 132
    flags = flagd_v3_data.testbed_flags()
    failures = []
    for row in rows:
        flag = flags[row.flag]
        variant = _fractional(flag, row.flag, row.targeting_key, row.attributes)
        served = flag["variants"][variant if variant is not None else flag["defaultVariant"]]
        if served != row.expected:
            failures.append((row.line, row.expected, served))
    assert failures == []


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=50, deadline=None)
@given(json_values)
def test_encoder_agrees_with_cbor2(value: Any) -> None:
    assert encode(value) == cbor2.dumps(normalize(value), canonical=True)


@pytest.mark.parametrize(
    "value",
    [0, 23, 24, 255, 256, 65535, 65536, 2**32 - 1, 2**32, 2**64 - 1, -1, -24, -25, -(2**63),
     -(2**64), 0.1, 1e300, 5e-324, 65504.0, 65505.0, 2.0**-24, 1.1754943508222875e-38, "", "é" * 30,
     "a" * 300, [], {}, {"": 1, "\xff": 2, "aaa": 3}],
)  # fmt: skip
def test_encoder_edges_agree_with_cbor2(value: Any) -> None:
    assert encode(value) == cbor2.dumps(normalize(value), canonical=True)


@pytest.mark.parametrize("bad", [math.nan, math.inf, 2**64, -(2**64) - 1, {1: 2}, b"x"])
def test_encoder_refuses_what_the_rule_leaves_undefined(bad: Any) -> None:
    with pytest.raises((ValueError, TypeError)):
        encode(bad)


def test_v3_inputs() -> None:
    # Shorthand: non-empty string targeting keys only (flagd-core 2.0.0 returns the default).
    for missing in (None, "", 12345, True):
        assert bucket_value("f", missing, 100, "flagd-v3", "targeting_key") is None
    # Another attribute: the CBOR text of flag key + the value as flagd's cat renders it.
    assert bucket_value("f", 7, 100, "flagd-v3", "account") == bucket_value(
        "f", "7", 100, "flagd-v3", "account"
    )
    assert (
        bucket_value("f", "7", 100, "flagd-v3", "account") == (hash_key(encode("f7")) * 100) >> 32
    )
    assert bucket("f", [1], [50, 50], "flagd-v3", "account") is None


def _v3_client() -> Client:
    flags = {"new-checkout": string_flag(split(control=50, treatment=50))}
    return Client(bundle(flags, bucketing="flagd-v3"))


def test_runtime_follows_the_bundle_rule() -> None:
    client = _v3_client()
    v2 = Client(bundle({"new-checkout": string_flag(split(control=50, treatment=50))}))
    differ = 0
    for n in range(2000):
        ctx = {"targeting_key": f"user-{n}"}
        index = bucket("new-checkout", f"user-{n}", [5000, 5000], "flagd-v3")
        assert client.evaluate("new-checkout", ctx).variant == ["control", "treatment"][index]
        differ += (
            client.evaluate("new-checkout", ctx).variant != v2.evaluate("new-checkout", ctx).variant
        )
    # Independent rules: about half of the users are served differently.
    assert 800 < differ < 1200
    assert client.evaluate("new-checkout", {"targeting_key": 42}).reason == "DEFAULT"


def test_explain_shows_the_v3_key() -> None:
    steps = _v3_client().explain("new-checkout", {"targeting_key": "u1"}).steps
    step = next(s for s in steps if s["step"] == "bucket")
    assert step["key"] == ["new-checkout", "u1"]
    expected = bucket_value("new-checkout", "u1", 10000, "flagd-v3")
    assert step["bucket"] == expected


def test_unknown_rule_is_refused() -> None:
    doc = bundle({"f": string_flag()}, bucketing="flagd-v9")
    with pytest.raises(SnapshotError, match="unknown bucketing 'flagd-v9'"):
        Client(doc)


def test_runtime_does_not_import_a_cbor_library() -> None:
    code = (
        "import sys, flagwright.runtime.bucketing, flagwright.runtime.cbor;"
        "print(sorted(m for m in sys.modules if 'cbor' in m))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        env={"PYTHONPATH": str(SRC)},
    ).stdout  # fmt: skip
    assert out.strip() == "['flagwright.runtime.cbor']"
