"""The compiled evaluator (``_accel``): built, the same answers as the pure path on the same
inputs, no leaked references, and malformed programs refused without a crash.

Every other module under tests/runtime runs on both evaluators (``conftest.evaluator``); these
tests compare the two directly, inside one test.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator, Mapping
from hashlib import sha256
from pathlib import Path
from typing import Any

import mmh3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.engines import engine

from flagwright.compile.json_out import dump_bundle
from flagwright.runtime import Client, accel
from flagwright.runtime.compiled import CompiledSnapshot

from .bundles import attr, bundle, flag, manual_rollout, rule, weights


def _fast(client: Client, key: str) -> Any:
    state = client._state
    assert isinstance(state, CompiledSnapshot)
    compiled = state.get(key)
    assert compiled is not None and compiled.problem is None
    return compiled.fast


def test_the_compiled_evaluator_is_built_and_used(evaluator: str) -> None:
    """The test environment must have it (an install with a C compiler): no silent skip."""
    assert accel._load() is not None, "flagwright.runtime._accel is not built: run .ci/setup"
    assert accel._load().ABI == 1  # type: ignore[union-attr]
    client = Client(bundle({"f": flag({"split": weights({"on": 50, "off": 50})})}))
    fast = _fast(client, "f")
    if evaluator == "c":
        assert (
            type(fast).__name__ == "Flag" and type(fast).__module__ == "flagwright.runtime._accel"
        )
    else:
        assert fast.__code__.co_name == "fast"  # generated Python


def test_the_environment_variable_selects_pure_python() -> None:
    code = (
        "from flagwright.runtime import Client, accel\n"
        "print(accel.ENGINE)\n"
        "doc = {'format': 'flagwright.snapshot/v1', 'environment': 'e', 'bucketing': 'flagd-v2',"
        " 'source_digest': 'sha256:' + '0' * 64, 'flags': {}}\n"
    )
    for value, expected in (("1", "None"), ("0", "flagwright.runtime._accel")):
        env = dict(os.environ, FLAGWRIGHT_PURE_PYTHON=value)
        done = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        assert expected in done.stdout, (value, done.stdout, done.stderr)


def test_without_the_extension_the_runtime_is_pure_python() -> None:
    """As on a machine without a C compiler: the import fails, and every flag still evaluates."""
    code = (
        "import sys\n"
        "sys.modules['flagwright.runtime._accel'] = None  # what an install without it has\n"
        "from flagwright.runtime import Client, accel, compute_digest\n"
        "assert accel.ENGINE is None\n"
        "flag = {'type': 'boolean', 'variants': {'on': True, 'off': False}, 'default': 'off',"
        " 'fallthrough': {'split': [['on', 5000], ['off', 5000]]}}\n"
        "doc = {'format': 'flagwright.snapshot/v1', 'environment': 'e', 'bucketing': 'flagd-v2',"
        " 'source_digest': 'sha256:' + '0' * 64, 'flags': {'f': flag}}\n"
        "doc['digest'] = compute_digest(doc)\n"
        "client = Client(doc)\n"
        "print(client.evaluate('f', {'targeting_key': 'user-1'}).reason,"
        " type(client._state.get('f').fast).__name__)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["SPLIT", "function"], done.stderr


@settings(max_examples=50, deadline=None)
@given(st.binary(max_size=600))
def test_murmur3_is_mmh3(data: bytes) -> None:
    built = accel._load()
    assert built is not None
    assert built.murmur3(data) == mmh3.hash(data, 0, False)


KEYS = st.one_of(
    st.text(max_size=12),
    st.text(min_size=250, max_size=400),  # the hash input outgrows the stack buffer
    st.sampled_from(["", "user-1", "é", "𝄞" * 70, "a" * 253]),
    st.integers(-5, 5),
    st.floats(allow_nan=True),
    st.booleans(),
    st.none(),
)


def _both(raw: dict[str, Any], bucketing: str = "flagd-v2") -> tuple[Client, Client]:
    with engine("c"):
        compiled = Client(bundle({"f": raw}, bucketing=bucketing))
        assert type(_fast(compiled, "f")).__name__ == "Flag"
    with engine("python"):
        pure = Client(bundle({"f": raw}, bucketing=bucketing))
        assert _fast(pure, "f").__code__.co_name == "fast"
    return compiled, pure


@settings(max_examples=50, deadline=None)
@given(
    st.lists(KEYS, min_size=1, max_size=30),
    st.sampled_from(["flagd-v2", "flagd-v3"]),
    st.sampled_from(["targeting_key", "account"]),
    st.text(min_size=1, max_size=300),
)
def test_bucketing_agrees_with_the_pure_path(
    keys: list[Any], bucketing: str, bucket_by: str, flag_key: str
) -> None:
    raw = flag({"split": weights({"on": 37, "off": 63})}, bucket_by=bucket_by)
    with engine("c"):
        compiled = Client(bundle({flag_key: raw}, bucketing=bucketing))
    with engine("python"):
        pure = Client(bundle({flag_key: raw}, bucketing=bucketing))
    for key in keys:
        ctx = {bucket_by: key}
        assert compiled.evaluate(flag_key, ctx) == pure.evaluate(flag_key, ctx), key
        assert compiled.explain(flag_key, ctx).evaluation == pure.evaluate(flag_key, ctx)


class _Attributes(Mapping[str, Any]):
    """A context that is a Mapping but not a dict: read through its ``get``."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.values)

    def __len__(self) -> int:
        return len(self.values)


CHECKOUT = flag(
    manual_rollout(2, [10, 25, 100]),
    rules=[
        rule(attr("email", "ends_with", "@company.com"), "on"),
        rule({"not": attr("country", "in", ["DE", "AT"])}, split={"on": 5, "off": 95}),
        rule(attr("app_version", "semver_ge", "3.0.0"), "on"),
        rule(attr("age", "ge", 18), "off"),
    ],
)
ODD_CONTEXTS = [
    {},
    {"email": "x@company.com"},
    {"email": "x@company.com\ud800"},
    {"targeting_key": "k\ud800", "country": "DE"},  # a lone surrogate: no UTF-8, the long way
    {"targeting_key": "user-1", "country": "DE", "age": 18, "app_version": "2.9.9"},
    {"targeting_key": "user-2", "country": "DE", "app_version": "3.1.0"},
    {"targeting_key": 7, "country": "AT", "age": 17.5},
    {"targeting_key": "u", "country": ["DE"], "age": True},
]


def test_odd_contexts_agree_and_leak_no_references() -> None:
    compiled, pure = _both(CHECKOUT)
    state = compiled._state
    assert isinstance(state, CompiledSnapshot)
    outcomes = state.get("f").outcomes  # type: ignore[union-attr]
    for ctx in ODD_CONTEXTS:
        for context in (ctx, _Attributes(ctx)):
            assert compiled.evaluate("f", context) == pure.evaluate("f", context), ctx
            assert compiled.evaluate_all(context) == pure.evaluate_all(context), ctx
    assert compiled.counters() == pure.counters()  # each answer counted once, as the pure path
    before = [sys.getrefcount(o) for o in outcomes]
    for _ in range(2000):
        for ctx in ODD_CONTEXTS:
            compiled.evaluate("f", ctx)
            compiled.evaluate_all(ctx)
    assert [sys.getrefcount(o) for o in outcomes] == before
    assert sum(compiled.counters().values()) == sum(pure.counters().values()) + 2000 * 2 * len(
        ODD_CONTEXTS
    )


def test_a_context_that_is_not_a_mapping_answers_error_on_both() -> None:
    compiled, pure = _both(CHECKOUT)
    for ctx in ([("email", "x")], "email", 7):
        assert compiled.evaluate("f", ctx) == pure.evaluate("f", ctx)  # type: ignore[arg-type]
        assert compiled.evaluate("f", ctx).reason == "ERROR"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "program",
    [
        (),
        ("not", "a", "program", "!"),
        ((), (), (0,), ("k", "f", len, True)),  # a fallthrough without its outcome
        ((), ((("x",), None, None),), (0, None), ("k", "f", len, True)),
        ((), (((99, "a", "b"), None, None),), (0, None), ("k", "f", len, True)),
        ((), (), (1, ((1,), (None,), None)), ("k", "f", len, True)),
    ],
)
def test_malformed_programs_are_refused(program: tuple[object, ...]) -> None:
    built = accel._load()
    assert built is not None
    with pytest.raises(TypeError, match="flagwright accelerator: malformed"):
        built.Flag(program)
    with pytest.raises(TypeError):
        built.Group((("f", "not a flag", None),), True)


def test_a_split_must_cover_every_hash() -> None:
    built = accel._load()
    assert built is not None
    client = Client(bundle({"f": flag({"serve": "on"})}))
    state = client._state
    assert isinstance(state, CompiledSnapshot)
    on = state.get("f").fixed  # type: ignore[union-attr]
    short = ((), (), (1, ((1 << 31,), (on,), on)), ("k", "f", len, True))
    with pytest.raises(TypeError, match="last threshold must cover every hash"):
        built.Flag(short)
    whole = ((), (), (1, ((1 << 32,), (on,), on)), ("k", "f", len, True))
    assert built.Flag(whole)({"k": "x"}, None) is on


@pytest.mark.parametrize("bucketing", ["flagd-v2", "flagd-v3"])
@pytest.mark.parametrize("bucket_by", ["targeting_key", "account"])
def test_a_bucket_value_that_is_not_unicode_answers_error_without_a_crash(
    bucketing: str, bucket_by: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A lone surrogate (Python's JSON decoder accepts one) has no UTF-8 form; mmh3 5.x would
    crash the process on it as a str, so it is never handed one: the answer is ERROR, logged."""
    raw = flag({"split": weights({"on": 50, "off": 50})}, bucket_by=bucket_by)
    for client in _both(raw, bucketing):
        ctx = {bucket_by: "user-\ud800"}
        for evaluation in (
            client.evaluate("f", ctx),
            client.evaluate_all(ctx)["f"],
            client.explain("f", ctx).evaluation,
        ):
            assert (evaluation.variant, evaluation.reason) == ("off", "ERROR")
        assert client.evaluate("f", {bucket_by: "user-\U0001d11e"}).reason == "SPLIT"
    assert "surrogates not allowed" in caplog.text


def _with_key(tmp_path: Path, spelled: str) -> Path:
    """A bundle in the compiler's layout whose flag key is ``spelled`` (JSON), its digest
    computed over its bytes as the compiler computes it."""
    doc = bundle({"kk": flag({"split": weights({"on": 50, "off": 50})})})
    text = dump_bundle(doc).replace('"kk"', spelled)
    found = re.search(r'"digest":"(sha256:[0-9a-f]{64})",', text)
    assert found is not None
    body = text.replace(found.group(0), "", 1).replace("\n", "")
    path = tmp_path / "snapshot.json"
    path.write_text(text.replace(found.group(1), "sha256:" + sha256(body.encode()).hexdigest()))
    return path


def test_a_snapshot_with_text_that_is_not_unicode_does_not_load(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A JSON escape can spell a lone surrogate (here in a flag key) in a file whose bytes hash
    to its digest: it is refused, so no flag key or value ever holds one. Escaped backslashes
    and surrogate pairs are text like any other."""
    for spelled, key in (('"k\\ud83d\\ude00"', "k\U0001f600"), ('"k\\\\ud800"', "k\\ud800")):
        client = Client.from_file(_with_key(tmp_path, spelled))
        assert client.snapshot is not None and list(client.snapshot.flags) == [key]
        assert client.evaluate(key, {"targeting_key": "u"}).reason == "SPLIT"
    client = Client.from_file(_with_key(tmp_path, '"k\\ud800"'))
    assert client.snapshot is None
    assert client.evaluate("k\ud800", {"targeting_key": "u"}).reason == "ERROR"
    assert "rejected snapshot" in caplog.text and "not valid Unicode" in caplog.text
