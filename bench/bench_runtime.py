"""Benchmark ``flagwright.runtime``: evaluation rate, import time and snapshot load time.

Run: ``.venv/bin/python bench/bench_runtime.py`` (about half a minute). Snapshots are built in
memory here and written in the compiler's file layout (``dump_bundle``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

import mmh3  # noqa: E402

from flagwright.compile.json_out import dump_bundle  # noqa: E402  (the compiler's file layout)
from flagwright.runtime import Client, Snapshot, compute_digest  # noqa: E402

CONTEXTS = 100_000
REPEATS = 5
ONOFF = {"on": True, "off": False}


def _flag(**kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "type": "boolean",
        "variants": ONOFF,
        "default": "off",
        "listed": True,
        "enabled": True,
        "requires": [],
        "bucket_by": "targeting_key",
        "experiment": None,
        "rules": [],
        "fallthrough": {"serve": "on"},
    }
    base.update(kw)
    return base


def _bundle(flags: dict[str, dict[str, Any]]) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "format": "flagwright.snapshot/v1",
        "environment": "bench",
        "bucketing": "flagd-v2",
        "source_digest": "sha256:" + "0" * 64,
        "flags": flags,
    }
    doc["digest"] = compute_digest(doc)
    return doc


def _rules_and_rollout_flag() -> dict[str, Any]:
    return _flag(
        rules=[
            {
                "name": "staff",
                "when": {"attr": "email", "op": "ends_with", "value": "@company.com"},
                "serve": "on",
            },
            {
                "name": "dach",
                "when": {"attr": "country", "op": "in", "values": ["DE", "AT", "CH"]},
                "serve": "on",
            },
            {
                "name": "new-app",
                "when": {"attr": "app_version", "op": "semver_ge", "value": "3.0.0"},
                "serve": "on",
            },
        ],
        fallthrough={
            "rollout": {
                "plan": "standard-canary",
                "variant": "on",
                "default": "off",
                "mode": "manual",
                "stage": 3,
                "stages": [
                    {"percent": 1, "hold_seconds": 1800},
                    {"percent": 10, "hold_seconds": 1800},
                    {"percent": 25, "hold_seconds": 3600},
                    {"percent": 100, "hold_seconds": None},
                ],
            }
        },
    )


def _split_flag() -> dict[str, Any]:
    return _flag(
        type="string",
        variants={"a": "A", "b": "B", "c": "C", "d": "D"},
        default="a",
        fallthrough={"split": [["a", 2500], ["b", 2500], ["c", 2500], ["d", 2500]]},
    )


def _contexts() -> list[dict[str, Any]]:
    countries = ["US", "FR", "BR", "IN", "JP"]
    return [
        {
            "targeting_key": f"user-{i}",
            "email": f"user{i}@example.org",
            "country": countries[i % len(countries)],
            "app_version": f"2.{i % 10}.{i % 7}",
        }
        for i in range(CONTEXTS)
    ]


def _rate(loop: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(REPEATS):
        started = time.perf_counter()
        loop()
        best = min(best, time.perf_counter() - started)
    return CONTEXTS / best


def bench_evaluation() -> None:
    client = Client(
        _bundle(
            {
                "kill-switch": _flag(enabled=False),
                "checkout": _rules_and_rollout_flag(),
                "ab": _split_flag(),
            }
        )
    )
    contexts = _contexts()
    evaluate = client.evaluate

    def run(flag: str) -> Callable[[], object]:
        def loop() -> None:
            for ctx in contexts:
                evaluate(flag, ctx)

        return loop

    murmur = mmh3.hash

    def baseline() -> int:
        # One dict lookup, one mmh3.hash and one comparison per context.
        hits = 0
        for ctx in contexts:
            if murmur(ctx["targeting_key"], 0, False) < 1073741824:
                hits += 1
        return hits

    def baseline_keyed() -> int:
        # The same plus building the flagd key (flag key + attribute) and the bucket arithmetic.
        hits = 0
        for ctx in contexts:
            if (murmur("checkout" + ctx["targeting_key"], 0, False) * 10000) >> 32 < 2500:
                hits += 1
        return hits

    versions: dict[str, tuple[int, ...] | None] = {}
    on, off = ("on", True, "SPLIT"), ("off", False, "SPLIT")
    match, default = ("on", True, "TARGETING_MATCH"), ("off", False, "DEFAULT")
    dach = frozenset(["DE", "AT", "CH"])

    def version(text: str) -> tuple[int, ...] | None:
        if text not in versions:
            parts = text.split(".")
            ok = len(parts) == 3 and all(p.isdigit() for p in parts)
            versions[text] = tuple(int(p) for p in parts) if ok else None
        return versions[text]

    def inlined_b(ctx: dict[str, Any]) -> tuple[str, bool, str]:
        # Flag (b) written by hand as straight-line Python, with no generality at all: the
        # fastest any Python evaluator of this flag could be (cached versions, no tracing).
        email = ctx.get("email")
        if email.__class__ is str and email.endswith("@company.com"):
            return match
        if ctx.get("country") in dach:
            return match
        app = ctx.get("app_version")
        if app.__class__ is str and (v := version(app)) is not None and v >= (3, 0, 0):
            return match
        key = ctx.get("targeting_key")
        if key.__class__ is str and key:
            return on if (murmur("checkout" + key, 0, False) * 10000) >> 32 < 2500 else off
        return default

    def floor() -> None:
        for ctx in contexts:
            inlined_b(ctx)

    base = _rate(baseline)
    keyed = _rate(baseline_keyed)
    floor_rate = _rate(floor)
    rates = {
        "(a) kill switch (disabled boolean)": _rate(run("kill-switch")),
        "(b) 3 non-matching rules + 25% rollout": _rate(run("checkout")),
        "(c) four-way split": _rate(run("ab")),
    }
    print(f"baseline: dict lookup + mmh3.hash + compare   {base / 1e6:7.2f} M/s")
    print(f"baseline with flagd key + bucket arithmetic   {keyed / 1e6:7.2f} M/s")
    for name, rate in rates.items():
        print(f"{name:<44} {rate / 1e6:7.2f} M/s  ({rate / base:.2f} x baseline)")
    print(
        f"{'floor: flag (b) hand-inlined in Python':<44} {floor_rate / 1e6:7.2f} M/s  "
        f"({floor_rate / base:.2f} x baseline)"
    )
    target = rates["(b) 3 non-matching rules + 25% rollout"] / base
    print(f"target (b) >= 0.5 x baseline: {'met' if target >= 0.5 else 'NOT met'} ({target:.2f})")
    print(f"counters sample: {sorted(client.counters().items())[:3]}")


def _import_ms(env: dict[str, str]) -> float:
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import flagwright.runtime"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    line = [row for row in out.splitlines() if row.rstrip().endswith("| flagwright.runtime")][-1]
    return int(line.split("|")[1]) / 1000


def bench_import() -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    with tempfile.TemporaryDirectory() as warm_cache, tempfile.TemporaryDirectory() as empty:
        warm = dict(env, PYTHONPYCACHEPREFIX=warm_cache)
        cold = dict(env, PYTHONPYCACHEPREFIX=empty, PYTHONDONTWRITEBYTECODE="1")
        _import_ms(warm)  # writes the bytecode cache, as an installed package has
        with_pyc = min(_import_ms(warm) for _ in range(5))
        no_pyc = min(_import_ms(cold) for _ in range(5))
    print(
        f"import flagwright.runtime: {with_pyc:.1f} ms with bytecode cache, "
        f"{no_pyc:.1f} ms compiling from source (-X importtime cumulative, best of 5)"
    )


def _typical_flag(i: int) -> dict[str, Any]:
    """Most flags in a real repository are plain switches; some target, a few roll out."""
    kind = i % 20
    if kind < 10:
        return _flag()
    if kind < 12:
        return _flag(enabled=False)
    if kind < 16:
        return _flag(
            rules=[
                {
                    "name": "staff",
                    "when": {"attr": "email", "op": "ends_with", "value": "@company.com"},
                    "serve": "on",
                }
            ]
        )
    if kind < 18:
        return _split_flag()
    return _rules_and_rollout_flag()


def _big_flag(i: int) -> dict[str, Any]:
    if i % 3 == 0:
        return _rules_and_rollout_flag()
    if i % 3 == 1:
        return _split_flag()
    return _flag(
        rules=[
            {
                "name": "beta",
                "when": {
                    "segment": "beta-users",
                    "when": {"attr": "email", "op": "in", "values": [f"u{i}@x.io", f"v{i}@x.io"]},
                },
                "serve": "on",
            }
        ]
    )


def _load(name: str, flags: dict[str, dict[str, Any]]) -> None:
    doc = _bundle(flags)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "snapshot.json"
        path.write_text(dump_bundle(doc), encoding="utf-8")
        size = path.stat().st_size
        best = float("inf")
        for _ in range(REPEATS):
            started = time.perf_counter()
            client = Client.from_file(path)
            best = min(best, time.perf_counter() - started)
        assert client.snapshot is not None
        started = time.perf_counter()
        loads = json.loads(path.read_text(encoding="utf-8"))
        parse_only = time.perf_counter() - started
        started = time.perf_counter()
        problems = Snapshot(loads).validate()
        full = time.perf_counter() - started
        assert not problems, problems
    print(
        f"load 10,000 {name} flags ({size / 1e6:.1f} MB): {best * 1000:.0f} ms "
        f"(read + json + digest + verify, best of {REPEATS}; json.loads alone "
        f"{parse_only * 1000:.0f} ms); digest recomputed + eager compile of every flag "
        f"{full * 1000:.0f} ms"
    )


def bench_load() -> None:
    _load("typical", {f"flag-{i:05d}": _typical_flag(i) for i in range(10_000)})
    _load("heavy", {f"flag-{i:05d}": _big_flag(i) for i in range(10_000)})


if __name__ == "__main__":
    started = time.perf_counter()
    from importlib.metadata import version

    print(f"Python {sys.version.split()[0]}, mmh3 {version('mmh3')}, {os.cpu_count()} CPUs")
    bench_evaluation()
    bench_import()
    bench_load()
    print(f"total bench time {time.perf_counter() - started:.0f} s")
