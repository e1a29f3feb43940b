"""A real Prometheus scrapes a small service that evaluates flags with the runtime, and sees
per-variant counters a gate can query."""

from __future__ import annotations

import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from flagwright.runtime import Client
from flagwright.runtime.telemetry import CONTENT_TYPE, Telemetry
from prometheus_server import prometheus, query

SNAPSHOT = Path(__file__).resolve().parents[2] / "rendered/prod/flags/snapshot.json"
DEADLINE_SECONDS = 60.0


class Service:
    """``/checkout?user=ID`` answers with the variant of new-checkout-api; ``/metrics`` scrapes."""

    def __init__(self) -> None:
        self.telemetry = Telemetry()
        self.client = Client.from_file(SNAPSHOT, **self.telemetry.hooks())
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urllib.parse.urlsplit(self.path)
                if url.path == "/metrics":
                    body, kind = service.telemetry.exposition().encode(), CONTENT_TYPE
                elif url.path == "/checkout":
                    user = urllib.parse.parse_qs(url.query)["user"][0]
                    ev = service.client.evaluate("new-checkout-api", {"targeting_key": user})
                    body, kind = (ev.variant or "").encode(), "text/plain"
                else:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)


@pytest.fixture
def service() -> Iterator[Service]:
    running = Service()
    running.thread.start()
    try:
        yield running
    finally:
        running.server.shutdown()
        running.server.server_close()
        running.client.close()


def test_prometheus_scrapes_per_variant_counters(service: Service, tmp_path: Path) -> None:
    served: Counter[str] = Counter()
    for i in range(400):
        with urllib.request.urlopen(f"{service.url}/checkout?user=user-{i}", timeout=10) as r:
            served[r.read().decode()] += 1
    assert set(served) == {"on", "off"}  # stage 2 of the prod rollout: about 10% get "on"
    host = service.url.removeprefix("http://")
    config = (
        "global: {scrape_interval: 1s, scrape_timeout: 1s}\n"
        f"scrape_configs:\n  - job_name: shop\n    static_configs: [{{targets: ['{host}']}}]\n"
    )
    promql = 'sum by (variant) (flagwright_flag_evaluations_total{flag="new-checkout-api"})'
    with prometheus(tmp_path, config) as url:
        deadline = time.monotonic() + DEADLINE_SECONDS
        seen: dict[str, float] = {}
        while time.monotonic() < deadline:
            seen = {r["metric"]["variant"]: float(r["value"][1]) for r in query(url, promql)}
            if seen:
                break
            threading.Event().wait(0.2)  # the next scrape is at most 1s away
    assert seen == {variant: float(n) for variant, n in served.items()}
