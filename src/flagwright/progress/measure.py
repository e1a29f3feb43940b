"""Measure a plan's gates: each gate's query at ``count`` instants ``interval`` apart.

The instants end at the decision time (``--at``), so a run reproduces: the same instant asks
Prometheus the same question. A gate fails when more than ``failure_limit`` of its measurements
fail (as in an Argo Rollouts analysis); otherwise a measurement without data, or one that could
not be read, makes it inconclusive; otherwise it passes. When a query returns several series, or
the flag is bundled by several apps (one query each when the template names ``app``), the worst
value counts: the largest for a ``max_`` gate, the smallest for a ``min_`` gate.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flagwright.model.base import parse_duration
from flagwright.model.plan import Gates
from flagwright.progress.prometheus import Reading, instant_query
from flagwright.rollouts.gates import Gate, Verdict


@dataclass(frozen=True, slots=True)
class Measurement:
    at: datetime
    value: float | None  # None: no data
    error: str | None = None  # the query could not be read at all
    verdict: Verdict = Verdict.INCONCLUSIVE


@dataclass(frozen=True, slots=True)
class GateReading:
    gate: Gate
    queries: tuple[str, ...]  # the rendered PromQL, one per distinct text
    measurements: tuple[Measurement, ...]
    failure_limit: int
    verdict: Verdict

    @property
    def failures(self) -> int:
        return sum(m.verdict is Verdict.FAIL for m in self.measurements)

    @property
    def latest(self) -> Measurement:
        return self.measurements[-1]

    @property
    def errors(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.error for m in self.measurements if m.error is not None))


class Prometheus:
    """One Prometheus, asked each (query, instant) once per run, and nothing more once it did
    not answer at all."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._seen: dict[tuple[str, datetime], Reading] = {}
        self._down: Reading | None = None

    def read(self, promql: str, at: datetime) -> Reading:
        key = (promql, at)
        if key not in self._seen:
            if self._down is not None:
                return self._down  # one timeout per run, not one per query
            reading = self._seen[key] = instant_query(self.url, promql, at)
            if reading.unreachable:
                self._down = reading
        return self._seen[key]


def instants(settings: Gates, at: datetime) -> list[datetime]:
    count = settings.count or 1
    step = timedelta(seconds=parse_duration(settings.interval))
    return [at - step * i for i in reversed(range(count))]


def measure(
    gate: Gate, queries: Sequence[str], settings: Gates, at: datetime, prometheus: Prometheus
) -> GateReading:
    measurements = tuple(
        _measure_once(gate, queries, when, prometheus) for when in instants(settings, at)
    )
    failures = sum(m.verdict is Verdict.FAIL for m in measurements)
    if failures > settings.failure_limit:
        verdict = Verdict.FAIL
    elif any(m.verdict is Verdict.INCONCLUSIVE for m in measurements):
        verdict = Verdict.INCONCLUSIVE
    else:
        verdict = Verdict.PASS  # failures within failure_limit are tolerated
    return GateReading(gate, tuple(queries), measurements, settings.failure_limit, verdict)


def _measure_once(
    gate: Gate, queries: Sequence[str], at: datetime, prometheus: Prometheus
) -> Measurement:
    values: list[float] = []
    errors: list[str] = []
    for promql in queries:
        reading = prometheus.read(promql, at)
        if reading.error is not None:
            errors.append(reading.error)
        values.extend(v for v in reading.values if not math.isnan(v))
    if not values:
        return Measurement(at, None, errors[0] if errors else None, Verdict.INCONCLUSIVE)
    worst = max(values) if gate.bound == "max" else min(values)
    verdict = gate.judge(worst)
    if errors and verdict is Verdict.PASS:
        # Another query of the same gate was not readable: a pass is not proven.
        return Measurement(at, worst, errors[0], Verdict.INCONCLUSIVE)
    return Measurement(at, worst, errors[0] if errors else None, verdict)
