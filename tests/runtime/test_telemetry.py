"""Runtime telemetry: Prometheus exposition read back by prometheus-client's own parser, and
OpenTelemetry feature-flag attributes recorded by the real OpenTelemetry SDK."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client.parser import text_string_to_metric_families

from flagwright.runtime import Client, Snapshot
from flagwright.runtime.telemetry import Telemetry, span_events

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = ROOT / "rendered/prod/flags/snapshot.json"
WEIRD = 'no such "flag"\\\nreally'


def evaluate_many(client: Client, users: int = 500) -> Counter[tuple[str, str, str]]:
    """Evaluations as the caller saw them, the ground truth for the counters."""
    seen: Counter[tuple[str, str, str]] = Counter()
    for i in range(users):
        for flag in ("new-checkout-api", "checkout-redesign"):
            ev = client.evaluate(flag, {"targeting_key": f"user-{i}", "email": f"u{i}@x.test"})
            seen[(flag, ev.variant or "", ev.reason)] += 1
    ev = client.evaluate(WEIRD, {"targeting_key": "x"})
    seen[(WEIRD, "", ev.reason)] += 1
    return seen


def test_exposition_parses_back_to_the_evaluations() -> None:
    telemetry = Telemetry()
    client = Client.from_file(SNAPSHOT, **telemetry.hooks())
    seen = evaluate_many(client)
    assert {v for f, v, _ in seen if f == "new-checkout-api"} == {"on", "off"}  # a real split

    families = {f.name: f for f in text_string_to_metric_families(telemetry.exposition())}
    evaluations = families["flagwright_flag_evaluations"]
    assert evaluations.type == "counter"
    parsed = {
        (s.labels["flag"], s.labels["variant"], s.labels["reason"]): s.value
        for s in evaluations.samples
        if s.name == "flagwright_flag_evaluations_total"
    }
    assert parsed == {key: float(n) for key, n in seen.items()}
    assert parsed[(WEIRD, "", "ERROR")] == 1.0  # quotes, backslash and newline survive
    (info,) = families["flagwright_snapshot_info"].samples
    snapshot = Snapshot.from_file(SNAPSHOT)
    assert info.labels == {"digest": snapshot.digest, "environment": "prod"}
    assert info.value == 1.0


def test_exposition_is_sorted_and_stable() -> None:
    telemetry = Telemetry()
    client = Client.from_file(SNAPSHOT, **telemetry.hooks())
    client.evaluate("wishlist-sharing", {"targeting_key": "b"})
    client.evaluate("checkout-redesign", {"targeting_key": "a"})
    lines = [line for line in telemetry.exposition().splitlines() if not line.startswith("#")]
    assert lines[0].startswith('flagwright_flag_evaluations_total{flag="checkout-redesign"')
    assert lines[1].startswith('flagwright_flag_evaluations_total{flag="wishlist-sharing"')


def test_open_telemetry_span_events_carry_the_feature_flag_attributes() -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("test")
    telemetry = Telemetry(emit=span_events())
    client = Client.from_file(SNAPSHOT, **telemetry.hooks())
    with tracer.start_as_current_span("request"):
        served = client.evaluate("new-checkout-api", {"targeting_key": "user-7"})
        client.evaluate("missing-flag", {"targeting_key": "user-7"})
    (span,) = exporter.get_finished_spans()
    first, second = span.events
    digest = Snapshot.from_file(SNAPSHOT).digest
    assert first.name == "feature_flag.evaluation"
    assert dict(first.attributes or {}) == {
        "feature_flag.key": "new-checkout-api",
        "feature_flag.provider.name": "flagwright",
        "feature_flag.result.reason": served.reason.lower(),
        "feature_flag.result.variant": served.variant,
        "feature_flag.version": digest,
        "feature_flag.set.id": "prod",
    }
    assert dict(second.attributes or {}) == {
        "feature_flag.key": "missing-flag",
        "feature_flag.provider.name": "flagwright",
        "feature_flag.result.reason": "error",
        "feature_flag.version": digest,
        "feature_flag.set.id": "prod",
        "error.type": "flag_not_found",
    }


SCRIPT = """
import json, sys
before = set(sys.modules)
from flagwright.runtime import Client
from flagwright.runtime.telemetry import Telemetry
t = Telemetry()
client = Client.from_file(sys.argv[1], **t.hooks())
client.evaluate("new-checkout-api", {"targeting_key": "u"})
assert "flagwright_flag_evaluations_total" in t.exposition()
print(json.dumps(sorted(set(sys.modules) - before)))
"""


def test_telemetry_keeps_the_runtime_standard_library_and_mmh3() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(SNAPSHOT)],
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    loaded = set(json.loads(done.stdout))
    third_party = {m.split(".")[0] for m in loaded} - set(sys.stdlib_module_names)
    assert third_party <= {"flagwright", "mmh3"}, third_party
    assert not {m for m in loaded if m.startswith("flagwright.") and ".runtime" not in m}
