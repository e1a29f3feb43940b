"""What the PromQL syntax check adds to `flagwright validate`.

    .venv/bin/python bench/bench_promql.py [--repeat 5]

Prints, each best of N in this process:

* one `promtool check rules` run over the example's metric queries, cache cleared (cold);
* validate of this repository's example with the check, cache cleared each time;
* the same validate with promtool absent (the check is skipped with a warning);
* the same validate with the queries already cached (a second validate in one process).

The difference of the first two validate figures is the check's cost in a CLI run.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from flagwright.check.repository import validate_repository
from flagwright.rollouts import promql

ROOT = Path(__file__).resolve().parents[1]
TODAY = date(2026, 11, 23)


def best(
    repeat: int, run: Callable[[], object], before: Callable[[], object] | None = None
) -> float:
    times = []
    for _ in range(repeat):
        if before is not None:
            before()
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    repeat = parser.parse_args().repeat
    validated = validate_repository(ROOT, TODAY)
    queries = [
        query
        for env in validated.index.environments.values()
        if env.model.metrics is not None
        for query in env.model.metrics.queries.values()
    ]
    clear = promql._cache.clear
    cold = best(repeat, lambda: promql.syntax_errors(queries), clear)
    with_check = best(repeat, lambda: validate_repository(ROOT, TODAY), clear)
    cached = best(repeat, lambda: validate_repository(ROOT, TODAY))
    real = promql.PROMTOOL
    promql.PROMTOOL = "flagwright-bench-no-promtool"
    try:
        without = best(repeat, lambda: validate_repository(ROOT, TODAY), clear)
    finally:
        promql.PROMTOOL = real
    print(f"promtool check rules, {len(queries)} queries, cold: {cold * 1000:.1f} ms")
    print(f"validate example with the PromQL check:      {with_check * 1000:.1f} ms")
    print(f"validate example without promtool (skipped): {without * 1000:.1f} ms")
    print(f"validate example, queries cached:            {cached * 1000:.1f} ms")
    print(f"cost of the check per validate run:          {(with_check - without) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
