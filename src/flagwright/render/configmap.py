"""Flag ConfigMaps: per app and environment, the files its services read (``App.reads``): the
app's snapshot (its selected flags and their prerequisites) and/or those flags as flagd and
Microsoft.FeatureManagement documents.

Size limits: Kubernetes rejects objects over 1 MiB, so that is an error. Over 256 KiB, Argo CD's
client-side apply fails (it copies the object into the last-applied annotation, which is capped
at 256 KiB), so the environment's flags Application syncs with ``ServerSideApply=true`` and a
warning says so.
"""

from __future__ import annotations

from typing import Any

from flagwright.codes import Code
from flagwright.render.app_exports import app_export_text
from flagwright.render.artifact import Artifact
from flagwright.render.context import Deployment, EnvContext
from flagwright.render.names import FORMAT_FILES, SNAPSHOT_KEY, configmap_name
from flagwright.render.yamlout import dump_yaml

MAX_BYTES = 1024 * 1024
SERVER_SIDE_APPLY_BYTES = 256 * 1024
MANAGED_BY = {"app.kubernetes.io/managed-by": "flagwright"}
DIGEST_ANNOTATION = "flagwright.dev/digest"


def labels(ctx: EnvContext, app: str) -> dict[str, str]:
    return {
        **MANAGED_BY,
        "app.kubernetes.io/name": app,
        "app.kubernetes.io/part-of": ctx.environment.model.argocd.project,
        "flagwright.dev/environment": ctx.name,
    }


def configmap_path(ctx: EnvContext, app: str) -> str:
    return f"{ctx.base}/manifests/{configmap_name(app)}.yaml"


def flag_configmap(ctx: EnvContext, deployment: Deployment) -> Artifact:
    """The app's ConfigMap, built once per render and shared with the Application renderer."""
    key = f"configmap:{deployment.name}"
    cached = ctx.memo.get(key)
    if isinstance(cached, Artifact):
        return cached
    digest, data = configmap_data(ctx, deployment)
    manifest = configmap_manifest(ctx, deployment.name, digest, data)
    artifact = Artifact(dump_yaml(manifest), manifest, origin=deployment.app.source.path)
    ctx.memo[key] = artifact
    check_size(ctx, deployment, artifact, data)
    return artifact


def configmap_data(ctx: EnvContext, deployment: Deployment) -> tuple[str, dict[str, str]]:
    """The digest of the app's flags and the ConfigMap's files (``data``), by file name."""
    from flagwright.compile.select import selected_keys

    app = deployment.app.model
    patterns = tuple(app.flags)
    keys = ctx.selections.get(patterns)
    if keys is None:
        keys = ctx.selections[patterns] = selected_keys(ctx.bundle, list(patterns))
    # Computing the digest lays out the snapshot's text anyway: both come from one pass.
    snapshot, digest = ctx.bundle_text.text_and_digest(keys)
    data: dict[str, str] = {}
    for fmt in dict.fromkeys(app.reads):  # in declared order, each once
        name = FORMAT_FILES[fmt]
        if name == SNAPSHOT_KEY:
            data[name] = snapshot
        else:
            data[name] = app_export_text(ctx, keys, digest, name)
    return digest, data


def configmap_manifest(
    ctx: EnvContext, app: str, digest: str, data: dict[str, str]
) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": configmap_name(app),
            "namespace": ctx.environment.model.argocd.namespace,
            "labels": labels(ctx, app),
            "annotations": {DIGEST_ANNOTATION: digest},
        },
        "data": data,
    }


def needs_server_side_apply(artifact: Artifact) -> bool:
    return artifact.size > SERVER_SIDE_APPLY_BYTES


def check_size(
    ctx: EnvContext, deployment: Deployment, artifact: Artifact, data: dict[str, str]
) -> None:
    size = artifact.size
    path = configmap_path(ctx, deployment.name)
    source = deployment.app.source
    if size > MAX_BYTES:
        files = ", ".join(f"{name} {_kib(len(text.encode()))}" for name, text in data.items())
        where = ("reads",) if len(data) > 1 else ("flags",)
        ctx.findings.add(
            source, where, Code.CONFIGMAP_TOO_LARGE,
            f"{path} would be {_kib(size)} ({files}), over Kubernetes' 1 MiB object limit: "
            "select fewer flags for this app or read fewer formats",
        )  # fmt: skip
    elif size > SERVER_SIDE_APPLY_BYTES:
        ctx.findings.add(
            source, ("flags",), Code.CONFIGMAP_LARGE,
            f"{path} is {_kib(size)}, over 256 KiB: Argo CD's client-side apply cannot store "
            "it, so the environment's flags Application syncs with ServerSideApply=true",
        )  # fmt: skip


def _kib(size: int) -> str:
    return f"{size / 1024:.1f} KiB"


def render_configmaps(ctx: EnvContext) -> dict[str, Artifact]:
    """``rendered/<env>/manifests/<app>-flags.yaml`` for every app the environment deploys."""
    return {
        configmap_path(ctx, deployment.name): flag_configmap(ctx, deployment)
        for deployment in ctx.deployments
    }
