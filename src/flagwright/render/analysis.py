"""Gates as Argo Rollouts AnalysisTemplates: one template per gate set, one metric per gate.

A gate's verdict (:class:`flagwright.rollouts.gates.Gate`) becomes two expr-lang conditions over the
Prometheus result, an instant vector that Argo Rollouts hands over as a list of floats:

- ``successCondition``: there is a sample, it is a number, and it is within the threshold;
- ``failureCondition``: there is a sample, it is a number, and it breaches the threshold.

With no sample (no traffic yet) or NaN (``0/0`` of a ratio) neither holds, which Argo Rollouts
records as an Inconclusive measurement: the analysis, and so the rollout, pauses for a person to
promote or abort. No data is never a pass. ``&&`` short-circuits in expr-lang, so ``result[0]``
is not read from an empty vector (that would be an Error measurement instead).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flagwright.model.base import parse_duration
from flagwright.model.environment import Metrics
from flagwright.model.plan import Gates
from flagwright.rollouts.gates import Gate, TemplateProblem, gates_of, query_names, render_query

API_VERSION = "argoproj.io/v1alpha1"
# A blocking analysis (before/after a blue-green switch, a canary step) must end: without a
# `count` of their own, its gates are measured this many times.
BLOCKING_COUNT = 5
_HAS_SAMPLE = "len(result) > 0 && !isNaN(result[0])"


def number_literal(value: float) -> str:
    """A float as an expr-lang literal: plain decimal digits with a point, never an exponent."""
    text = format(Decimal(repr(float(value))), "f")
    return text if "." in text else f"{text}.0"


def conditions(gate: Gate) -> tuple[str, str]:
    """(successCondition, failureCondition) for one gate."""
    threshold = number_literal(gate.threshold)
    within, breach = ("<=", ">") if gate.bound == "max" else (">=", "<")
    return (
        f"{_HAS_SAMPLE} && result[0] {within} {threshold}",
        f"{_HAS_SAMPLE} && result[0] {breach} {threshold}",
    )


def go_duration(duration: str) -> str:
    """A plan duration as a Go duration (Go has no day unit: ``1d`` becomes ``86400s``)."""
    return duration if "d" not in duration else f"{parse_duration(duration)}s"


def metric_name(gate: Gate) -> str:
    return gate.key.replace("_", "-")


def analysis_metrics(
    gates: Gates, metrics: Metrics, names: dict[str, str], blocking: bool
) -> list[dict[str, Any]]:
    """One Prometheus metric per gate. Raises TemplateProblem for a query that does not render
    (validate reports those first, so a render only meets them through a bug)."""
    count = gates.count if gates.count is not None or not blocking else BLOCKING_COUNT
    out: list[dict[str, Any]] = []
    for gate in gates_of(gates):
        success, failure = conditions(gate)
        metric: dict[str, Any] = {
            "name": metric_name(gate),
            "interval": go_duration(gates.interval),
            "failureLimit": gates.failure_limit,
            "successCondition": success,
            "failureCondition": failure,
            "provider": {
                "prometheus": {
                    "address": metrics.prometheus,
                    "query": render_query(metrics.queries[gate.query], names),
                }
            },
        }
        if count is not None:
            metric["count"] = count
        out.append(metric)
    return out


def analysis_template(
    name: str, metadata: dict[str, Any], metric_list: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "apiVersion": API_VERSION,
        "kind": "AnalysisTemplate",
        "metadata": {**metadata, "name": name},
        "spec": {"metrics": metric_list},
    }


def deploy_query_names(app: str, env: str, namespace: str) -> dict[str, str]:
    # A deploy is not a flag: {{ flag }} and {{ variant }} are empty in its queries.
    return query_names(app, env, namespace)


__all__ = [
    "BLOCKING_COUNT",
    "TemplateProblem",
    "analysis_metrics",
    "analysis_template",
    "conditions",
    "deploy_query_names",
    "go_duration",
    "metric_name",
]
