"""A cluster's flag files, patched from its environment's instead of rendered from scratch.

A cluster with overrides serves its environment's bundle with a few flags compiled again. Its
snapshot, exports and ConfigMaps are therefore the environment's files patched for those flags,
by the same code that patches REF's files in ``render --changed-since``
(:func:`flagwright.render.delta.patch_scope`): the ConfigMaps of apps whose selection holds no
overridden flag are the environment's, byte for byte, and are copied. A full render of a fleet
repository thus runs the patching on every cluster with overrides, and its expected outputs
(tests/render) check it. If the patch refuses (it never should on files rendered a moment
before), the cluster is rendered from scratch as before.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

from flagwright.codes import Code
from flagwright.compile.clusters import cluster_flags
from flagwright.model.cluster import Cluster
from flagwright.render.artifact import Artifact
from flagwright.render.configmap import check_size, configmap_path
from flagwright.render.context import EnvContext
from flagwright.render.delta import patch_scope
from flagwright.render.delta_exports import StaleExport
from flagwright.render.fleet import ClusterContext, cluster_flag_files

RenderFn = Callable[[EnvContext], dict[str, Artifact]]


def cluster_files_from_environment(
    ctx: EnvContext,
    cluster: Cluster,
    files: dict[str, Artifact],
    renderers: Sequence[tuple[str, RenderFn]],
) -> dict[str, Artifact]:
    """What :func:`flagwright.render.fleet.cluster_flag_files` renders, from ``files`` (the
    environment's own)."""
    child = ClusterContext(ctx, cluster)
    base, child_base = ctx.base, child.base
    wanted = [f"{base}/flags/{name}" for name in ("snapshot.json", "flagd.json",
                                                  "featuremanagement.json")]  # fmt: skip
    wanted += [configmap_path(ctx, d.name) for d in ctx.deployments]
    mine = {p: files[p] for p in wanted if p in files}
    texts = {child_base + p[len(base) :]: a.text for p, a in mine.items()}
    try:
        patched, found = patch_scope(
            child,
            texts.__getitem__,
            cluster_flags(ctx.index, ctx.name, cluster),
            set(cluster.flags),
        )
    except (StaleExport, KeyError):
        return cluster_flag_files(ctx, cluster, renderers)
    scope = f"{ctx.name}/{cluster.name}"
    out = {child_base + p[len(base) :]: a for p, a in mine.items()}
    out.update(patched)
    for deployment in child.deployments:
        path = configmap_path(child, deployment.name)
        if path not in patched and path in out:
            # The environment's ConfigMap, reported again under the cluster's path.
            data: dict[str, Any] = (out[path].manifest or {}).get("data", {})
            check_size(child, deployment, out[path], data)
    own = {ctx.index.flags[k].source.path for k in cluster.flags if k in ctx.index.flags}
    ctx.findings.extend(
        f for f in [*found] if f.code is not Code.EXPORT_OMITTED or f.source.path in own
    )
    return {path: dataclasses.replace(a, scope=scope) for path, a in out.items()}
