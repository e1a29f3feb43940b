"""A real Prometheus for the tests: Debian's ``prometheus`` on 127.0.0.1, a free port, a temporary
data directory holding blocks that ``promtool tsdb create-blocks-from openmetrics`` wrote from
synthetic series, so every query has a fixed answer at :data:`AT`."""

from __future__ import annotations

import json
import math
import shutil
import socket
import subprocess
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _tool(name: str) -> str:
    path = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else None)
    if path is None:  # a missing component fails the tests loudly; it never skips them
        raise RuntimeError(f"{name} is not installed (Debian: apt-get install prometheus)")
    return path


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
    data = folder / "data"
    source = folder / "series.om"
    source.write_text(metrics_text, encoding="utf-8")
    subprocess.run(
        [_tool("promtool"), "tsdb", "create-blocks-from", "openmetrics", str(source), str(data)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    config = folder / "prometheus.yml"
    config.write_text("global: {}\n", encoding="utf-8")
    port = _free_port()
    process = subprocess.Popen(
        [
            _tool("prometheus"), f"--config.file={config}", f"--storage.tsdb.path={data}",
            f"--web.listen-address=127.0.0.1:{port}", "--storage.tsdb.retention.time=100y",
        ],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    reader: threading.Thread | None = None
    try:
        assert process.stderr is not None
        log = []
        for line in process.stderr:  # blocks until Prometheus says it serves, or exits
            log.append(line)
            if "Server is ready to receive web requests" in line:
                break
        else:
            raise RuntimeError("prometheus exited before it was ready:\n" + "".join(log))
        # Keep reading its log so a full pipe never blocks it.
        reader = threading.Thread(target=process.stderr.read, daemon=True)
        reader.start()
        yield Prometheus(f"http://127.0.0.1:{port}")
    finally:
        process.terminate()
        process.wait(timeout=30)
        if reader is not None:
            reader.join(timeout=30)
        if process.stderr is not None:
            process.stderr.close()
