"""A real Prometheus for the tests: Debian's ``prometheus`` on 127.0.0.1, a free port, a temporary
data directory holding blocks that ``promtool tsdb create-blocks-from openmetrics`` wrote from
synthetic series (started by :mod:`prometheus_server`), so every query has a fixed answer at
:data:`AT`."""

from __future__ import annotations

import json
import math
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prometheus_server import prometheus

START = 1_767_225_600  # 2026-01-01T00:00:00Z: the first sample
STEP = 15  # seconds between samples, as a scrape interval
SAMPLES = 121  # 30 minutes
AT = START + STEP * (SAMPLES - 1)  # the instant every test queries


@dataclass(frozen=True)
class Traffic:
    """An app's requests per scrape interval: ``errors`` of ``requests`` are 5xx; latencies are
    spread over the histogram ``buckets`` (cumulative counts per interval, by upper bound)."""

    namespace: str
    app: str
    requests: int
    errors: int
    buckets: tuple[tuple[str, int], ...]


def openmetrics(traffic: list[Traffic], gauges: dict[str, float]) -> str:
    """OpenMetrics text for ``traffic`` plus a ``gate_probe`` gauge per app in ``gauges``."""
    lines = ["# TYPE http_requests counter"]
    for t in traffic:
        for code, per_step in (("200", t.requests - t.errors), ("500", t.errors)):
            labels = f'namespace="{t.namespace}",app="{t.app}",code="{code}"'
            lines += [f"http_requests_total{{{labels}}} {i * per_step} {START + i * STEP}"
                      for i in range(SAMPLES)]  # fmt: skip
    lines.append("# TYPE http_request_duration_seconds histogram")
    for t in traffic:
        base = f'namespace="{t.namespace}",app="{t.app}"'
        for le, per_step in t.buckets:
            lines += [
                f'http_request_duration_seconds_bucket{{{base},le="{le}"}} {i * per_step} '
                f"{START + i * STEP}"
                for i in range(SAMPLES)
            ]
        total = t.buckets[-1][1]
        lines += [f"http_request_duration_seconds_count{{{base}}} {i * total} {START + i * STEP}"
                  for i in range(SAMPLES)]  # fmt: skip
        lines += [f"http_request_duration_seconds_sum{{{base}}} {i * total * 0.1} "
                  f"{START + i * STEP}" for i in range(SAMPLES)]  # fmt: skip
    lines.append("# TYPE gate_probe gauge")
    for app, value in sorted(gauges.items()):
        shown = "NaN" if math.isnan(value) else repr(value)
        lines += [f'gate_probe{{app="{app}"}} {shown} {START + i * STEP}' for i in range(SAMPLES)]
    lines.append("# EOF")
    return "\n".join(lines) + "\n"


class Prometheus:
    def __init__(self, url: str) -> None:
        self.url = url

    def query(self, promql: str, at: int = AT) -> Any:
        """The instant query's ``data`` (resultType and result) at ``at``."""
        params = urllib.parse.urlencode({"query": promql, "time": str(at)})
        with urllib.request.urlopen(f"{self.url}/api/v1/query?{params}", timeout=10) as response:
            body = json.load(response)
        assert body["status"] == "success", body
        return body["data"]


def start_prometheus(folder: Path, metrics_text: str) -> Iterator[Prometheus]:
    with prometheus(folder, "global: {}\n", metrics_text) as url:
        yield Prometheus(url)
