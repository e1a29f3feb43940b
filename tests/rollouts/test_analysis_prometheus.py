"""AnalysisTemplates against a real Prometheus: every rendered query runs, and the conditions
give the verdict a gate means (flagwright.rollouts.gates) below, at and above the threshold, and
for no data. The conditions are evaluated as Argo Rollouts does (expr_eval, exactly the forms
emitted)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from flagwright.model.environment import Metrics
from flagwright.model.plan import Gates
from flagwright.render.analysis import analysis_metrics, conditions, deploy_query_names
from flagwright.rollouts.gates import Gate, Verdict, gates_of

from .expr_eval import evaluate, measurement
from .prometheus import Prometheus

PHASE = {
    Verdict.PASS: "Successful",
    Verdict.FAIL: "Failed",
    Verdict.INCONCLUSIVE: "Inconclusive",
}
# (template, metric) → the phase its first measurement gets from the synthetic traffic
EXPECTED = {
    ("checkout-before", "max-error-rate"): "Successful",  # 1% ≤ 2%
    ("checkout-after", "max-error-rate"): "Successful",
    ("checkout-after", "max-p99-ms"): "Successful",  # 500 ms ≤ 1200 ms
    ("payments-before", "max-error-rate"): "Inconclusive",  # no traffic at all
    ("payments-before", "max-p99-ms"): "Inconclusive",
    ("storefront-canary", "max-error-rate"): "Failed",  # 3% > 2%
    ("storefront-canary", "max-p99-ms"): "Failed",  # 1800 ms > 800 ms
}


def argo_result(data: dict[str, Any]) -> Any:
    """What Argo Rollouts' Prometheus provider hands the conditions: floats of a vector."""
    if data["resultType"] == "vector":
        return [float(sample["value"][1]) for sample in data["result"]]
    assert data["resultType"] == "scalar", data
    return float(data["result"][1])


def _templates(repo_root: Path) -> list[dict[str, Any]]:
    return [
        document
        for path in sorted((repo_root / "rendered").glob("*/manifests/*-rollout.yaml"))
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8"))
        if document["kind"] == "AnalysisTemplate"
    ]


def test_every_rendered_query_runs_and_gets_its_verdict(
    repo_root: Path, prometheus: Prometheus
) -> None:
    phases = {}
    for template in _templates(repo_root):
        for metric in template["spec"]["metrics"]:
            data = prometheus.query(metric["provider"]["prometheus"]["query"])
            phase = measurement(metric["successCondition"], metric["failureCondition"],
                                argo_result(data))  # fmt: skip
            phases[(template["metadata"]["name"], metric["name"])] = phase
    assert phases == EXPECTED


def test_the_queries_measure_what_the_traffic_says(prometheus: Prometheus) -> None:
    checkout = 'namespace="shop-prod",app="checkout"'
    ratio = prometheus.query(
        f'sum(rate(http_requests_total{{{checkout},code=~"5.."}}[5m])) / '
        f"sum(rate(http_requests_total{{{checkout}}}[5m]))"
    )
    assert argo_result(ratio) == [pytest.approx(0.01)]
    p99 = prometheus.query(
        "1000 * histogram_quantile(0.99, sum by (le) "
        f"(rate(http_request_duration_seconds_bucket{{{checkout}}}[5m])))"
    )
    assert argo_result(p99) == [pytest.approx(500.0)]


@pytest.mark.parametrize(
    ("bound", "app", "phase"),
    [
        ("max", "below", "Successful"),
        ("max", "at", "Successful"),
        ("max", "above", "Failed"),
        ("max", "nan", "Inconclusive"),
        ("max", "none", "Inconclusive"),
        ("min", "below", "Failed"),
        ("min", "at", "Successful"),
        ("min", "above", "Successful"),
        ("min", "nan", "Inconclusive"),
        ("min", "none", "Inconclusive"),
    ],
)
def test_a_gate_condition_gives_the_gates_verdict(
    prometheus: Prometheus, bound: str, app: str, phase: str
) -> None:
    gates = Gates.model_validate({f"{bound}_probe": 0.05, "interval": "30s"})
    metrics = Metrics(
        prometheus="http://prometheus.monitoring.svc:9090",
        queries={"probe": 'max(gate_probe{app="{{ app }}"})'},
    )
    [metric] = analysis_metrics(gates, metrics, deploy_query_names(app, "prod", "shop"), True)
    assert metric["provider"]["prometheus"]["query"] == f'max(gate_probe{{app="{app}"}})'
    result = argo_result(prometheus.query(metric["provider"]["prometheus"]["query"]))
    assert len(result) == (0 if app == "none" else 1)
    assert measurement(metric["successCondition"], metric["failureCondition"], result) == phase
    # the same verdict as flagwright progress's reading of the gate
    [gate] = gates_of(gates)
    assert PHASE[gate.judge(result[0] if result else None)] == phase


def test_the_evaluator_short_circuits_and_rejects_other_forms() -> None:
    assert evaluate("len(result) > 0 && result[0] <= 0.05", []) is False
    assert measurement("result[0] <= 1.0", "result[0] > 1.0", []) == "Error"
    assert evaluate("!isNaN(result[0]) && result[0] >= 2.0", [2.0]) is True
    with pytest.raises(SyntaxError):
        evaluate("result[0] <= 0.05 || true", [0.01])
    with pytest.raises(SyntaxError):
        evaluate("default(result, 0) < 0.05", [0.01])


@settings(max_examples=50, deadline=None)
@given(
    bound=st.sampled_from(["max", "min"]),
    threshold=st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    value=st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True)),
)
def test_conditions_and_gate_judge_agree_for_any_value(
    bound: str, threshold: float, value: float | None
) -> None:
    gate = Gate(f"{bound}_q", "q", "max" if bound == "max" else "min", threshold)
    success, failure = conditions(gate)
    result = [] if value is None else [value]
    assert measurement(success, failure, result) == PHASE[gate.judge(value)]
