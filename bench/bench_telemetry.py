"""Benchmark the cost of runtime telemetry per evaluation, and of rendering the exposition.

Run: ``.venv/bin/python bench/bench_telemetry.py`` (a few seconds). Evaluates the example's prod
snapshot with a plain client and with ``Telemetry`` attached through the client's hooks.
"""

from __future__ import annotations

import sys
import timeit
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

from flagwright.runtime import Client  # noqa: E402
from flagwright.runtime.telemetry import Telemetry  # noqa: E402

SNAPSHOT = ROOT / "rendered/prod/flags/snapshot.json"
CALLS = 100_000
REPEATS = 9


def timed(client: Client, flags: list[str]) -> Callable[[], None]:
    contexts = [{"targeting_key": f"user-{i}"} for i in range(1000)]

    def run() -> None:
        evaluate = client.evaluate
        for i in range(CALLS):
            evaluate(flags[i % len(flags)], contexts[i % 1000])

    return run


def best_of_interleaved(*runs: Callable[[], None]) -> list[float]:
    """Best time per call of each run, alternating them so machine load hits both alike."""
    best = [float("inf")] * len(runs)
    for _ in range(REPEATS):
        for i, run in enumerate(runs):
            best[i] = min(best[i], timeit.timeit(run, number=1) / CALLS)
    return best


def main() -> None:
    plain = Client.from_file(SNAPSHOT)
    flags = sorted(plain.snapshot.flags) if plain.snapshot else []
    telemetry = Telemetry()
    counted = Client.from_file(SNAPSHOT, **telemetry.hooks())
    base, with_telemetry = best_of_interleaved(timed(plain, flags), timed(counted, flags))
    print(f"evaluate, no telemetry:   {base * 1e9:7.0f} ns/call")
    print(f"evaluate, with telemetry: {with_telemetry * 1e9:7.0f} ns/call "
          f"(+{(with_telemetry - base) * 1e9:.0f} ns)")  # fmt: skip
    render = min(timeit.repeat(telemetry.exposition, number=100, repeat=REPEATS)) / 100
    series = len(telemetry.counts())
    print(f"exposition of {series} series: {render * 1e6:.0f} µs")


if __name__ == "__main__":
    main()
