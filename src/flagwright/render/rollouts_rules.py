"""What the Argo Rollouts controller (v1.9.1) checks in a Rollout or AnalysisTemplate beyond its
CRD schema: a document that breaks one of these is accepted by the API server and then refused
by the controller, so render reports it (``FW330``) instead."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from flagwright.codes import Code
from flagwright.diagnostics import YamlPath

Problem = tuple[YamlPath, Code, str]

ROLLOUTS_SCHEMAS = {
    "Rollout": (
        "argo-rollouts", "rollout.strict.json", "the Argo Rollouts Rollout CRD schema (v1.9.1)"
    ),
    "AnalysisTemplate": (
        "argo-rollouts", "analysistemplate.strict.json",
        "the Argo Rollouts AnalysisTemplate CRD schema (v1.9.1)",
    ),
}  # fmt: skip
_SCALE_DOWN = ("never", "onsuccess", "progressively")
_STEP_ACTIONS = ("setWeight", "pause", "experiment", "analysis")


def rollouts_rules(manifest: Mapping[str, Any]) -> Iterator[Problem]:
    spec = manifest.get("spec")
    if not isinstance(spec, Mapping):
        return
    if manifest.get("kind") == "Rollout":
        yield from _rollout(spec)
    else:
        yield from _analysis_template(spec)


def _rule(where: YamlPath, message: str) -> Problem:
    return (where, Code.ROLLOUTS_RULE, message)


def _rollout(spec: Mapping[str, Any]) -> Iterator[Problem]:
    workload = spec.get("workloadRef")
    if isinstance(workload, Mapping):
        if "template" in spec:
            yield _rule(("spec", "template"), "a Rollout with workloadRef must not set template")
        if workload.get("scaleDown", "never") not in _SCALE_DOWN:
            yield _rule(("spec", "workloadRef", "scaleDown"),
                        f"scaleDown must be one of {', '.join(_SCALE_DOWN)}")  # fmt: skip
    strategy = spec.get("strategy")
    if not isinstance(strategy, Mapping):
        return
    if ("canary" in strategy) == ("blueGreen" in strategy):
        yield _rule(("spec", "strategy"), "a Rollout needs exactly one of canary or blueGreen")
    blue_green = strategy.get("blueGreen")
    if isinstance(blue_green, Mapping) and (
        blue_green.get("activeService") == blue_green.get("previewService")
    ):
        yield _rule(("spec", "strategy", "blueGreen", "previewService"),
                        "activeService and previewService must differ")  # fmt: skip
    canary = strategy.get("canary")
    if isinstance(canary, Mapping):
        stable, canary_service = canary.get("stableService"), canary.get("canaryService")
        if stable is not None and stable == canary_service:
            yield _rule(("spec", "strategy", "canary", "canaryService"),
                        "stableService and canaryService must differ")  # fmt: skip
        steps = canary.get("steps")
        for i, step in enumerate(steps if isinstance(steps, list) else []):
            yield from _step(("spec", "strategy", "canary", "steps", i), step)


def _step(where: YamlPath, step: Any) -> Iterator[Problem]:
    if not isinstance(step, Mapping):
        return
    actions = [key for key in _STEP_ACTIONS if key in step]
    if len(actions) != 1:
        yield _rule(where, "a step sets exactly one of setWeight, pause, experiment, analysis")
    weight = step.get("setWeight")
    if isinstance(weight, int) and not 0 <= weight <= 100:
        yield _rule((*where, "setWeight"), f"setWeight {weight} is not within 0..100")
    pause = step.get("pause")
    duration = pause.get("duration") if isinstance(pause, Mapping) else None
    negative = (isinstance(duration, int) and duration < 0) or (
        isinstance(duration, str) and duration.startswith("-")
    )
    if negative:
        yield _rule((*where, "pause", "duration"), "a pause duration must not be negative")


def _analysis_template(spec: Mapping[str, Any]) -> Iterator[Problem]:
    metrics = spec.get("metrics")
    if not isinstance(metrics, list) or not metrics:
        yield _rule(("spec", "metrics"), "an AnalysisTemplate needs at least one metric")
        return
    seen: set[str] = set()
    for i, metric in enumerate(metrics):
        where: YamlPath = ("spec", "metrics", i)
        if not isinstance(metric, Mapping):
            continue
        name = metric.get("name")
        if name in seen:
            yield _rule((*where, "name"), f"metric name {name!r} is used twice")
        seen.add(str(name))
        provider = metric.get("provider")
        if not isinstance(provider, Mapping) or len(provider) != 1:
            yield _rule((*where, "provider"), "a metric needs exactly one provider")
        count, limit = metric.get("count"), metric.get("failureLimit", 0)
        success = metric.get("consecutiveSuccessLimit", 0)
        if isinstance(count, int) and count > 1 and "interval" not in metric:
            yield _rule((*where, "count"), "a metric measured more than once needs an interval")
        if isinstance(limit, int) and limit < -1:
            yield _rule((*where, "failureLimit"), "failureLimit must be -1 (off) or more")
        numbers = all(isinstance(n, int) for n in (count, limit, success))
        if numbers and count < limit + success:
            yield _rule((*where, "count"),
                            f"count {count} is less than failureLimit {limit} plus "
                            f"consecutiveSuccessLimit {success}")  # fmt: skip
