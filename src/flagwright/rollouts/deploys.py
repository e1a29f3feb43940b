"""An app's Argo Rollouts deploy in one environment, resolved from the model: which strategy,
which gate sets, how it promotes. Render builds the manifests from it; diff describes it."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from flagwright.load.repository import Located
from flagwright.model import RolloutPlan
from flagwright.model.environment import BlueGreen, Canary, EnvApp
from flagwright.model.plan import Gates
from flagwright.rollouts.gates import gates_of


@dataclass(frozen=True, slots=True)
class GateSet:
    """Gates that become one AnalysisTemplate: ``role`` names it (before, after, canary)."""

    role: Literal["before", "after", "canary"]
    gates: Gates


@dataclass(frozen=True, slots=True)
class RolloutDeploy:
    app: str
    strategy: Literal["blue-green", "canary"]
    deploy: BlueGreen | Canary
    plan: RolloutPlan | None  # canary: its stages
    gate_sets: tuple[GateSet, ...]
    replicas: int | None

    @property
    def workload(self) -> str:
        return self.deploy.workload or self.app

    def describe(self) -> str:
        """For review: ``blue-green, manual promotion, analysis: error_rate ≤ 0.02``."""
        parts: list[str] = [self.strategy]
        deploy = self.deploy
        if isinstance(deploy, BlueGreen):
            parts.append("automatic promotion" if deploy.auto_promote else "manual promotion")
            if deploy.keep_previous:
                parts.append(f"previous version kept {deploy.keep_previous}")
        elif self.plan is not None:
            weights = " → ".join(f"{canary_weight(s.percent)}%" for s in self.plan.stages)
            parts.append(f"plan {self.plan.name} ({weights})")
        for gate_set in self.gate_sets:
            described = ", ".join(g.describe() for g in gates_of(gate_set.gates))
            label = "analysis" if gate_set.role == "canary" else f"analysis {gate_set.role}"
            parts.append(f"{label}: {described}")
        return ", ".join(parts)


def canary_weight(percent: float) -> int:
    """setWeight takes whole percents: a fractional stage rounds up, so a 0.5% stage still
    sends some traffic instead of becoming a 0% step that tests nothing."""
    return math.ceil(percent)


def resolve_deploy(
    app: str,
    env_app: EnvApp,
    plans: Mapping[str, Located[RolloutPlan]],
    app_values: Mapping[str, Any],
) -> RolloutDeploy | None:
    """The app's Argo Rollouts deploy, or None for a rolling (or no) deploy."""
    deploy = env_app.deploy
    replicas = replica_count(env_app, app_values)
    if isinstance(deploy, BlueGreen):
        sets: list[GateSet] = []
        analysis = deploy.analysis
        for role in ("before", "after"):
            what = getattr(analysis, role) if analysis is not None else None
            gates = _gates(what, plans)
            if gates is not None:
                sets.append(GateSet(role, gates))
        return RolloutDeploy(app, "blue-green", deploy, None, tuple(sets), replicas)
    if isinstance(deploy, Canary):
        located = plans.get(deploy.plan)
        plan = located.model if located is not None else None
        sets = [GateSet("canary", plan.gates)] if plan is not None and plan.gates else []
        return RolloutDeploy(app, "canary", deploy, plan, tuple(sets), replicas)
    return None


def _gates(what: str | Gates | None, plans: Mapping[str, Located[RolloutPlan]]) -> Gates | None:
    if isinstance(what, Gates):
        return what
    if isinstance(what, str) and what in plans:
        return plans[what].model.gates
    return None


def replica_count(env_app: EnvApp, app_values: Mapping[str, Any]) -> int | None:
    """``deploy.replicas``, else the ``replicaCount`` value (environment's over the app's)."""
    deploy = env_app.deploy
    if isinstance(deploy, BlueGreen | Canary) and deploy.replicas is not None:
        return deploy.replicas
    for values in (env_app.values, app_values):
        count = values.get("replicaCount")
        if "replicaCount" in values:
            return count if isinstance(count, int) and not isinstance(count, bool) else None
    return None
