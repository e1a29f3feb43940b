"""A real Prometheus (Debian's /usr/bin/prometheus) on 127.0.0.1, for tests that read gates.

Synthetic history goes in before start: ``promtool tsdb create-blocks-from openmetrics`` writes
blocks into the data directory, and Prometheus loads them as it opens the TSDB. A missing binary
fails the test loudly; nothing is skipped.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

STARTUP_SECONDS = 60.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def binary(name: str) -> str:
    found = shutil.which(name) or (
        f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else None
    )
    if found is None:
        raise RuntimeError(f"{name} is not installed (Debian package {name}; see .ci/setup)")
    return found


def create_blocks(openmetrics: str, data_dir: Path, work: Path) -> None:
    source = work / "series.om"
    source.write_text(openmetrics, encoding="utf-8")
    data_dir.mkdir(parents=True, exist_ok=True)
    command = [binary("promtool"), "tsdb", "create-blocks-from", "openmetrics"]
    subprocess.run(
        [*command, str(source), str(data_dir)], check=True, capture_output=True, timeout=120
    )


@contextmanager
def prometheus(work: Path, config: str, openmetrics: str | None = None) -> Iterator[str]:
    """Run Prometheus with ``config`` (YAML) on a free port; yields its base URL."""
    data = work / "data"
    if openmetrics is not None:
        create_blocks(openmetrics, data, work)
    (work / "prometheus.yml").write_text(config, encoding="utf-8")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = (work / "prometheus.log").open("wb")
    process = subprocess.Popen(
        [
            binary("prometheus"),
            f"--config.file={work / 'prometheus.yml'}",
            f"--storage.tsdb.path={data}",
            f"--web.listen-address=127.0.0.1:{port}",
            # Blocks are dated around fixed test instants, far from the wall clock.
            "--storage.tsdb.retention.time=100y",
            "--log.level=warn",
        ],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        _wait_ready(url, process, work / "prometheus.log")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"prometheus exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/-/ready", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.05)  # polling a starting process, bounded by the deadline
    raise RuntimeError(f"prometheus did not become ready in {STARTUP_SECONDS}s")


def query(url: str, promql: str, at: float | None = None) -> list[dict[str, Any]]:
    params = {"query": promql} | ({} if at is None else {"time": str(at)})
    with urllib.request.urlopen(
        f"{url}/api/v1/query?{urllib.parse.urlencode(params)}", timeout=10
    ) as r:
        answer = json.load(r)
    assert answer["status"] == "success", answer
    result: list[dict[str, Any]] = answer["data"]["result"]
    return result
