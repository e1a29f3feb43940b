"""A real Prometheus (Debian's /usr/bin/prometheus) on 127.0.0.1, for every test that needs one.

Synthetic history goes in before start: ``promtool tsdb create-blocks-from openmetrics`` writes
blocks into the data directory, and Prometheus loads them as it opens the TSDB. Readiness is read
from Prometheus' own log line, not polled. A missing binary fails the test loudly; nothing is
skipped.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

READY = "Server is ready to receive web requests"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def binary(name: str) -> str:
    path = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else None)
    if path is None:  # a missing component fails the tests loudly; it never skips them
        raise RuntimeError(f"{name} is not installed (Debian: apt-get install prometheus)")
    return path


def create_blocks(openmetrics: str, data_dir: Path, work: Path) -> None:
    source = work / "series.om"
    source.write_text(openmetrics, encoding="utf-8")
    command = [binary("promtool"), "tsdb", "create-blocks-from", "openmetrics"]
    subprocess.run(
        [*command, str(source), str(data_dir)], check=True, capture_output=True, timeout=120
    )


@contextmanager
def prometheus(work: Path, config: str, openmetrics: str | None = None) -> Iterator[str]:
    """Run Prometheus with ``config`` (YAML) on a free port; yields its base URL."""
    data = work / "data"
    data.mkdir(parents=True, exist_ok=True)
    if openmetrics is not None:
        create_blocks(openmetrics, data, work)
    (work / "prometheus.yml").write_text(config, encoding="utf-8")
    port = free_port()
    process = subprocess.Popen(
        [
            binary("prometheus"),
            f"--config.file={work / 'prometheus.yml'}",
            f"--storage.tsdb.path={data}",
            f"--web.listen-address=127.0.0.1:{port}",
            # Blocks are dated around fixed test instants, far from the wall clock.
            "--storage.tsdb.retention.time=100y",
        ],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    reader: threading.Thread | None = None
    try:
        assert process.stderr is not None
        log = []
        for line in process.stderr:  # blocks until Prometheus says it serves, or exits
            log.append(line)
            if READY in line:
                break
        else:
            raise RuntimeError("prometheus exited before it was ready:\n" + "".join(log))
        # Keep reading its log so a full pipe never blocks it.
        reader = threading.Thread(target=process.stderr.read, daemon=True)
        reader.start()
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)
        if reader is not None:
            reader.join(timeout=30)
        if process.stderr is not None:
            process.stderr.close()


def query(url: str, promql: str, at: float | None = None) -> list[dict[str, Any]]:
    """An instant query's result (a vector's samples)."""
    params = {"query": promql} | ({} if at is None else {"time": str(at)})
    address = f"{url}/api/v1/query?{urllib.parse.urlencode(params)}"
    with urllib.request.urlopen(address, timeout=10) as response:
        answer = json.load(response)
    assert answer["status"] == "success", answer
    result: list[dict[str, Any]] = answer["data"]["result"]
    return result
