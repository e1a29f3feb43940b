"""Argo CD Applications: one per app and environment, the environment's flags Application, and
its app-of-apps.

Each app's Application has the chart (from a Helm repository or a Git path) reading its values
file through the ``$values`` reference, the config repository itself as that reference, and, for
a blue-green or canary app, ``rendered/<env>/manifests`` restricted to its Rollout file. The flag
ConfigMaps belong to the flags Application (:mod:`.argocd_extras`).
"""

from __future__ import annotations

from typing import Any

from flagwright.model import ChartRepo
from flagwright.render.argocd_extras import (
    FLAGS_FILE,
    flags_application,
    flags_application_name,
    manifests_source,
    with_extras,
)
from flagwright.render.artifact import Artifact
from flagwright.render.configmap import MANAGED_BY
from flagwright.render.context import Deployment, EnvContext
from flagwright.render.names import (
    ARGOCD_NAMESPACE,
    application_name,
    root_application_name,
)
from flagwright.render.yamlout import dump_yaml

API_VERSION = "argoproj.io/v1alpha1"
FINALIZER = "resources-finalizer.argocd.argoproj.io"
IN_CLUSTER = "https://kubernetes.default.svc"
# The app-of-apps creates Applications in Argo CD's own namespace; an environment's project
# usually may not deploy there, so the root uses the project every Argo CD has unless the
# environment names another (argocd.root_project).
ROOT_PROJECT = "default"
VALUES_REF = "values"


def _sync_policy(ctx: EnvContext, server_side_apply: bool) -> dict[str, Any]:
    options = ["CreateNamespace=true"]
    if server_side_apply:
        options.append("ServerSideApply=true")
    policy: dict[str, Any] = {"syncOptions": options}
    if ctx.environment.model.argocd.sync == "auto":
        policy["automated"] = {"prune": True, "selfHeal": True}
    return policy


def _metadata(ctx: EnvContext, name: str, app: str | None) -> dict[str, Any]:
    labels = {**MANAGED_BY, "flagwright.dev/environment": ctx.name}
    if app is not None:
        labels["app.kubernetes.io/name"] = app
    labels["app.kubernetes.io/part-of"] = ctx.environment.model.argocd.project
    return {
        "name": name,
        "namespace": ARGOCD_NAMESPACE,
        "labels": labels,
        "finalizers": [FINALIZER],
    }


def _chart_source(ctx: EnvContext, deployment: Deployment) -> dict[str, Any]:
    app = deployment.app.model
    helm = {
        "releaseName": app.name,
        "valueFiles": [f"${VALUES_REF}/{ctx.base}/values/{app.name}.yaml"],
    }
    chart = app.chart
    if isinstance(chart, ChartRepo):
        return {
            "repoURL": chart.repo,
            "chart": chart.name,
            "targetRevision": chart.version,
            "helm": helm,
        }
    return {"repoURL": chart.git, "path": chart.path, "targetRevision": chart.ref, "helm": helm}


def application(ctx: EnvContext, deployment: Deployment) -> dict[str, Any]:
    app = deployment.app.model
    argocd = ctx.environment.model.argocd
    repo = ctx.repository
    # An environment with clusters has no destination here: render/fleet.py fills it per cluster.
    destination = argocd.destination.model_dump(exclude_none=True) if argocd.destination else {}
    sources = [
        _chart_source(ctx, deployment),
        {"repoURL": repo.url, "targetRevision": repo.revision, "ref": VALUES_REF},
    ]
    manifests = manifests_source(ctx, deployment)
    if manifests is not None:
        sources.append(manifests)
    manifest = {
        "apiVersion": API_VERSION,
        "kind": "Application",
        "metadata": _metadata(ctx, application_name(app.name, ctx.name), app.name),
        "spec": {
            "project": argocd.project,
            "destination": {**destination, "namespace": argocd.namespace},
            "sources": sources,
            "syncPolicy": _sync_policy(ctx, server_side_apply=False),
        },
    }
    return with_extras(ctx, manifest, deployment)


def root_application(ctx: EnvContext) -> dict[str, Any]:
    repo = ctx.repository
    root = {
        "apiVersion": API_VERSION,
        "kind": "Application",
        "metadata": _metadata(ctx, root_application_name(ctx.name), None),
        "spec": {
            "project": ctx.environment.model.argocd.root_project or ROOT_PROJECT,
            "destination": {"server": IN_CLUSTER, "namespace": ARGOCD_NAMESPACE},
            "source": {
                "repoURL": repo.url,
                "targetRevision": repo.revision,
                "path": f"{ctx.base}/argocd",
            },
            "syncPolicy": _sync_policy(ctx, server_side_apply=False),
        },
    }
    return with_extras(ctx, root, None)


def render_applications(ctx: EnvContext) -> dict[str, Artifact]:
    """``rendered/<env>/argocd/<app>.yaml`` per deployed app, and ``argocd-root.yaml``."""
    out: dict[str, Artifact] = {}
    for deployment in ctx.deployments:
        manifest = application(ctx, deployment)
        out[f"{ctx.base}/argocd/{deployment.name}.yaml"] = Artifact(
            dump_yaml(manifest), manifest, origin=deployment.app.source.path
        )
    flags = flags_application(ctx, _metadata(ctx, flags_application_name(ctx.name), None))
    if flags is not None:
        out[f"{ctx.base}/argocd/{FLAGS_FILE}"] = Artifact(
            dump_yaml(flags), flags, origin=ctx.environment.source.path
        )
    root = root_application(ctx)
    out[f"{ctx.base}/argocd-root.yaml"] = Artifact(
        dump_yaml(root), root, origin=ctx.environment.source.path
    )
    return out
