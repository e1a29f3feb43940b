"""Evaluation telemetry a gate can read: Prometheus counters and OpenTelemetry attributes.

Attach it through the client's own hooks; a client without telemetry pays nothing::

    from flagwright.runtime import Client
    from flagwright.runtime.telemetry import Telemetry

    telemetry = Telemetry()
    client = Client.from_file("/etc/flags/snapshot.json", watch=True, **telemetry.hooks())
    ...
    body = telemetry.exposition()   # serve at /metrics with CONTENT_TYPE

Counters are per flag, variant and reason (``flagwright_flag_evaluations_total``), rendered
here in Prometheus' text exposition format by the standard library, so a query can compare a
rollout's variant with the default. ``emit`` receives OpenTelemetry's feature-flag evaluation
attributes for each evaluation (``feature_flag.key``, ``feature_flag.result.variant``,
``feature_flag.version`` = the bundle digest, ...); :func:`span_events` is such an ``emit`` that
adds them as an event to the current span (it needs ``opentelemetry-api``, imported on first
use: the runtime itself depends on the standard library and mmh3 only).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from .snapshot import Snapshot

    Emit = Callable[[dict[str, str]], object]

METRIC = "flagwright_flag_evaluations_total"
INFO_METRIC = "flagwright_snapshot_info"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
EVENT_NAME = "feature_flag.evaluation"
PROVIDER_NAME = "flagwright"


class Telemetry:
    """Counts evaluations and forwards their OpenTelemetry attributes.

    Safe to share between threads; as with ``Client.counters()``, a few counts may be lost under
    heavy multi-threaded load.
    """

    __slots__ = ("_counts", "_emit", "_environment", "_provider", "_version")

    def __init__(self, emit: Emit | None = None, provider: str = PROVIDER_NAME) -> None:
        self._counts: dict[tuple[str, str, str], int] = {}
        self._emit = emit
        self._provider = provider
        self._version: str | None = None
        self._environment: str | None = None

    def hooks(self) -> dict[str, Any]:
        """``on_evaluation`` and ``on_reload`` for ``Client.from_file(..., **hooks)``."""
        return {"on_evaluation": self.on_evaluation, "on_reload": self.on_reload}

    def on_reload(self, snapshot: Snapshot) -> None:
        """Learn the bundle being served (``Client(snapshot)`` callers pass it once themselves)."""
        self._version = snapshot.digest
        self._environment = snapshot.environment

    def on_evaluation(self, flag: str, variant: str | None, reason: str) -> None:
        key = (flag, variant or "", reason)
        counts = self._counts
        # A plain increment, as the client's own counters: a lock per evaluation cost more than
        # the evaluation, and a rare lost count under heavy threading does not move a ratio.
        counts[key] = counts.get(key, 0) + 1
        if self._emit is not None:
            self._emit(self.attributes(flag, variant, reason))

    def attributes(self, flag: str, variant: str | None, reason: str) -> dict[str, str]:
        """OpenTelemetry's feature-flag evaluation attributes for one evaluation."""
        out = {
            "feature_flag.key": flag,
            "feature_flag.provider.name": self._provider,
            "feature_flag.result.reason": reason.lower(),
        }
        if variant is not None:
            out["feature_flag.result.variant"] = variant
        if self._version is not None:
            out["feature_flag.version"] = self._version
        if self._environment is not None:
            out["feature_flag.set.id"] = self._environment
        if reason == "ERROR":
            out["error.type"] = "flag_not_found" if variant is None else "general"
        return out

    def counts(self) -> dict[tuple[str, str, str], int]:
        """``{(flag, variant, reason): evaluations}`` so far; variant "" for an unknown flag."""
        return dict(self._counts)  # one C-level copy: no evaluation interleaves with it

    def exposition(self) -> str:
        """The counters in Prometheus' text exposition format (version 0.0.4), sorted."""
        lines = [
            f"# HELP {METRIC} Flag evaluations by flag, variant and reason.",
            f"# TYPE {METRIC} counter",
        ]
        for (flag, variant, reason), count in sorted(self.counts().items()):
            labels = f'flag="{_escape(flag)}",variant="{_escape(variant)}",reason="{reason}"'
            lines.append(f"{METRIC}{{{labels}}} {count}")
        if self._version is not None:
            lines.append(f"# HELP {INFO_METRIC} The snapshot bundle being served.")
            lines.append(f"# TYPE {INFO_METRIC} gauge")
            env = _escape(self._environment or "")
            lines.append(
                f'{INFO_METRIC}{{digest="{_escape(self._version)}",environment="{env}"}} 1'
            )
        return "\n".join(lines) + "\n"


def span_events(event_name: str = EVENT_NAME) -> Emit:
    """An ``emit`` adding each evaluation as an event on the current OpenTelemetry span."""
    from opentelemetry import trace  # optional: only services that trace have it

    def emit(attributes: dict[str, str]) -> None:
        trace.get_current_span().add_event(event_name, attributes)

    return emit


def _escape(value: str) -> str:
    # The exposition format's label-value escapes: backslash, double quote, line feed.
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
