"""``rendered/<env>/manifests/<app>-rollout.yaml``: Argo Rollouts carries out an app's blue-green
or canary deploy. One file, several documents, in this order:

- the ``Rollout``, with ``workloadRef`` to the chart's Deployment (so any chart works unchanged;
  ``scaleDown: progressively`` hands its pods over to the Rollout as the Rollout's come up);
- one ``AnalysisTemplate`` per gate set, one Prometheus metric per gate (:mod:`.analysis`);
- the two Services the strategy switches between, unless ``deploy.services`` names the chart's.

Traffic moves by replica counts unless ``deploy.traffic_routing`` names a router (ingress-nginx,
Istio, SMI, ...), passed to the Rollout as Argo Rollouts writes it and checked by its schema.
"""

from __future__ import annotations

from typing import Any

from flagwright.codes import Code
from flagwright.model.base import parse_duration
from flagwright.model.environment import BlueGreen, Canary
from flagwright.render.analysis import (
    API_VERSION,
    analysis_metrics,
    analysis_template,
    deploy_query_names,
)
from flagwright.render.artifact import Artifact
from flagwright.render.configmap import labels
from flagwright.render.context import Deployment, EnvContext
from flagwright.render.yamlout import dump_yaml
from flagwright.rollouts.deploys import GateSet, RolloutDeploy, canary_weight, resolve_deploy
from flagwright.rollouts.gates import TemplateProblem

SERVICE_SIDES = {"blue-green": ("active", "preview"), "canary": ("stable", "canary")}


def rollout_path(ctx: EnvContext, app: str) -> str:
    return f"{ctx.base}/manifests/{app}-rollout.yaml"


def rollout_file_name(app: str) -> str:
    return f"{app}-rollout.yaml"


def rollout_deploy(ctx: EnvContext, deployment: Deployment) -> RolloutDeploy | None:
    return resolve_deploy(
        deployment.name, deployment.env_app, ctx.index.plans, deployment.app.model.values
    )


def template_name(app: str, gate_set: GateSet) -> str:
    return f"{app}-{gate_set.role}"


def _metadata(ctx: EnvContext, app: str, name: str) -> dict[str, Any]:
    return {
        "name": name,
        "namespace": ctx.environment.model.argocd.namespace,
        "labels": labels(ctx, app),
    }


def service_names(rollout: RolloutDeploy) -> tuple[str, str]:
    first, second = SERVICE_SIDES[rollout.strategy]
    named = rollout.deploy.services
    if named is not None and getattr(named, first) and getattr(named, second):
        return getattr(named, first), getattr(named, second)
    return f"{rollout.app}-{first}", f"{rollout.app}-{second}"


def _services(ctx: EnvContext, rollout: RolloutDeploy) -> list[dict[str, Any]]:
    deploy = rollout.deploy
    if deploy.services is not None:
        return []
    selector = deploy.selector or {"app.kubernetes.io/instance": rollout.app}
    port = {
        "name": "http",
        "port": deploy.port,
        "protocol": "TCP",
        "targetPort": deploy.target_port,
    }
    return [
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": _metadata(ctx, rollout.app, name),
            "spec": {"selector": dict(selector), "ports": [port]},
        }
        for name in service_names(rollout)
    ]


def _templates(ctx: EnvContext, rollout: RolloutDeploy) -> list[dict[str, Any]]:
    metrics = ctx.environment.model.metrics
    if metrics is None:
        return []  # validate reported every gate (FW260)
    names = deploy_query_names(rollout.app, ctx.name, ctx.environment.model.argocd.namespace)
    blocking = not (isinstance(rollout.deploy, Canary) and rollout.deploy.analysis == "background")
    out = []
    for gate_set in rollout.gate_sets:
        try:
            metric_list = analysis_metrics(gate_set.gates, metrics, names, blocking)
        except (TemplateProblem, KeyError) as problem:
            ctx.findings.add(
                ctx.environment.source, ("metrics",), Code.QUERY_TEMPLATE_ERROR,
                f"the gates of {rollout.app!r} ({gate_set.role}) do not render: {problem}",
            )  # fmt: skip
            continue
        name = template_name(rollout.app, gate_set)
        out.append(analysis_template(name, _metadata(ctx, rollout.app, name), metric_list))
    return out


def _analysis_ref(template: str) -> dict[str, Any]:
    return {"templates": [{"templateName": template}]}


def _blue_green(rollout: RolloutDeploy, deploy: BlueGreen, templates: set[str]) -> dict[str, Any]:
    active, preview = service_names(rollout)
    strategy: dict[str, Any] = {
        "activeService": active,
        "previewService": preview,
        "autoPromotionEnabled": deploy.auto_promote,
    }
    if deploy.keep_previous is not None:
        strategy["scaleDownDelaySeconds"] = parse_duration(deploy.keep_previous)
    for gate_set in rollout.gate_sets:
        name = template_name(rollout.app, gate_set)
        if name in templates:
            key = "prePromotionAnalysis" if gate_set.role == "before" else "postPromotionAnalysis"
            strategy[key] = _analysis_ref(name)
    return {"blueGreen": strategy}


def _canary(rollout: RolloutDeploy, deploy: Canary, templates: set[str]) -> dict[str, Any]:
    stable, canary = service_names(rollout)
    analysis = [
        template_name(rollout.app, s)
        for s in rollout.gate_sets
        if template_name(rollout.app, s) in templates
    ]
    steps: list[dict[str, Any]] = []
    for stage in rollout.plan.stages if rollout.plan is not None else ():
        steps.append({"setWeight": canary_weight(stage.percent)})
        if stage.hold_seconds is not None:
            steps.append({"pause": {"duration": f"{stage.hold_seconds}s"}})
            if deploy.analysis == "steps" and analysis:
                # The hold first, then the gates decide whether the next stage may start.
                steps.append({"analysis": _analysis_ref(analysis[0])})
    strategy: dict[str, Any] = {"stableService": stable, "canaryService": canary, "steps": steps}
    if deploy.traffic_routing is not None:
        strategy["trafficRouting"] = deploy.traffic_routing
    if deploy.analysis == "background" and analysis:
        strategy["analysis"] = _analysis_ref(analysis[0])
    return {"canary": strategy}


def rollout_documents(ctx: EnvContext, deployment: Deployment) -> list[dict[str, Any]]:
    """The Rollout, its AnalysisTemplates and Services; empty for an app without one."""
    rollout = rollout_deploy(ctx, deployment)
    if rollout is None:
        return []
    templates = _templates(ctx, rollout)
    template_names = {t["metadata"]["name"] for t in templates}
    deploy = rollout.deploy
    if isinstance(deploy, BlueGreen):
        strategy = _blue_green(rollout, deploy, template_names)
    else:
        strategy = _canary(rollout, deploy, template_names)
    spec: dict[str, Any] = {
        "workloadRef": {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": rollout.workload,
            "scaleDown": "progressively",
        },
        "strategy": strategy,
    }
    if rollout.replicas is not None:
        spec["replicas"] = rollout.replicas
    manifest = {
        "apiVersion": API_VERSION,
        "kind": "Rollout",
        "metadata": _metadata(ctx, rollout.app, rollout.app),
        "spec": spec,
    }
    return [manifest, *templates, *_services(ctx, rollout)]


def dump_documents(documents: list[dict[str, Any]]) -> str:
    """Several YAML documents in one file, each started by ``---``."""
    texts = (dump_yaml(document) for document in documents)
    return "".join(text if text.startswith("---") else f"---\n{text}" for text in texts)


def render_rollouts(ctx: EnvContext) -> dict[str, Artifact]:
    """``rendered/<env>/manifests/<app>-rollout.yaml`` for every blue-green or canary app."""
    out: dict[str, Artifact] = {}
    for deployment in ctx.deployments:
        documents = rollout_documents(ctx, deployment)
        if documents:
            first, *rest = documents
            out[rollout_path(ctx, deployment.name)] = Artifact(
                dump_documents(documents), first, origin=ctx.environment.source.path,
                more=tuple(rest),
            )  # fmt: skip
    return out
