"""What the Applications carry beyond chart and values: the app's Rollout file, the
``spec.replicas`` Argo Rollouts owns, the environment's Argo CD extras (annotations, sync options,
retry), and the flags Application that syncs every flag ConfigMap of the environment on its own.

Flags and deploys sync separately: a kill switch is a flag change, and it must reach a cluster
when its pull request merges, even where deploys wait for a person to press Sync.
"""

from __future__ import annotations

from typing import Any

from flagwright.model.deploy import Retry
from flagwright.render.analysis import go_duration
from flagwright.render.configmap import flag_configmap, needs_server_side_apply
from flagwright.render.context import Deployment, EnvContext
from flagwright.render.names import configmap_name
from flagwright.render.rollout import rollout_deploy, rollout_file_name

FLAGS_FILE = "_flags.yaml"  # app names start with a letter or digit, so this is never an app's


def flags_application_name(env: str) -> str:
    return f"flagwright-flags-{env}"


def manifests_source(ctx: EnvContext, deployment: Deployment) -> dict[str, Any] | None:
    """The app's own manifests from ``rendered/<env>/manifests``: its Rollout file, if any."""
    if rollout_deploy(ctx, deployment) is None:
        return None
    repo = ctx.repository
    return {
        "repoURL": repo.url,
        "targetRevision": repo.revision,
        "path": f"{ctx.base}/manifests",
        "directory": {"include": rollout_file_name(deployment.name)},
    }


def ignore_differences(ctx: EnvContext, deployment: Deployment) -> list[dict[str, Any]]:
    """Argo Rollouts scales the chart's Deployment down: Argo CD must not scale it back up."""
    rollout = rollout_deploy(ctx, deployment)
    if rollout is None:
        return []
    return [
        {
            "group": "apps",
            "kind": "Deployment",
            "name": rollout.workload,
            "namespace": ctx.environment.model.argocd.namespace,
            "jsonPointers": ["/spec/replicas"],
        }
    ]


def sync_options(ctx: EnvContext, base: list[str], deployment: Deployment | None) -> list[str]:
    """``base``, then RespectIgnoreDifferences for an app with a Rollout, then the environment's
    own options; the first mention of an option wins."""
    options = list(base)
    if deployment is not None and rollout_deploy(ctx, deployment) is not None:
        options.append("RespectIgnoreDifferences=true")
    options.extend(ctx.environment.model.argocd.sync_options)
    seen: set[str] = set()
    kept = []
    for option in options:
        name = option.split("=", 1)[0]
        if name not in seen:
            seen.add(name)
            kept.append(option)
    return kept


def retry(value: Retry | None) -> dict[str, Any] | None:
    if value is None:
        return None
    out: dict[str, Any] = {"limit": value.limit}
    if value.backoff is not None:
        out["backoff"] = {
            "duration": go_duration(value.backoff.duration),
            "factor": value.backoff.factor,
            "maxDuration": go_duration(value.backoff.max_duration),
        }
    return out


def app_annotations(ctx: EnvContext, deployment: Deployment | None) -> dict[str, str]:
    found = dict(ctx.environment.model.argocd.annotations)
    extra = deployment.env_app.argocd if deployment is not None else None
    if extra is not None:
        found.update(extra.annotations)
    return found


def with_extras(
    ctx: EnvContext, application: dict[str, Any], deployment: Deployment | None
) -> dict[str, Any]:
    """``application`` with the environment's extras and, for an app, its Rollout settings."""
    spec = application["spec"]
    policy = spec["syncPolicy"]
    policy["syncOptions"] = sync_options(ctx, policy.get("syncOptions", []), deployment)
    retried = retry(ctx.environment.model.argocd.retry)
    if retried is not None:
        policy["retry"] = retried
    found = app_annotations(ctx, deployment)
    if found:
        application["metadata"]["annotations"] = found
    if deployment is not None:
        ignored = ignore_differences(ctx, deployment)
        if ignored:
            spec["ignoreDifferences"] = ignored
    return application


def flags_application(ctx: EnvContext, metadata: dict[str, Any]) -> dict[str, Any] | None:
    """The environment's flags Application: every app's flag ConfigMap, its own sync policy."""
    if not ctx.deployments:
        return None
    argocd = ctx.environment.model.argocd
    repo = ctx.repository
    files = sorted(f"{configmap_name(d.name)}.yaml" for d in ctx.deployments)
    include = files[0] if len(files) == 1 else "{" + ",".join(files) + "}"
    options = ["CreateNamespace=true"]
    if any(needs_server_side_apply(flag_configmap(ctx, d)) for d in ctx.deployments):
        options.append("ServerSideApply=true")
    policy: dict[str, Any] = {"syncOptions": options}
    if argocd.flags_sync == "auto":
        policy["automated"] = {"prune": True, "selfHeal": True}
    application = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": metadata,
        "spec": {
            "project": argocd.project,
            "destination": {
                # With clusters there is no destination here: render/fleet.py sets each one.
                **(argocd.destination.model_dump(exclude_none=True) if argocd.destination else {}),
                "namespace": argocd.namespace,
            },
            "source": {
                "repoURL": repo.url,
                "targetRevision": repo.revision,
                "path": f"{ctx.base}/manifests",
                "directory": {"include": include},
            },
            "syncPolicy": policy,
        },
    }
    return with_extras(ctx, application, None)
