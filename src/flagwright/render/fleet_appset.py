"""The ApplicationSet of an environment with ``clusters:``: one ``list`` generator per app and
destination form, one element per cluster, templates holding the cluster parts as Go template
actions, and RollingSync steps wave by wave. :mod:`flagwright.render.fleet` writes it and its
expansion.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from flagwright.codes import Code
from flagwright.model.cluster import Cluster
from flagwright.render.appset_expand import merge_template
from flagwright.render.argocd import API_VERSION, VALUES_REF
from flagwright.render.argocd_extras import FLAGS_FILE, flags_application_name
from flagwright.render.configmap import MANAGED_BY
from flagwright.render.context import RENDERED, EnvContext
from flagwright.render.names import ARGOCD_NAMESPACE, root_application_name

CLUSTER_LABEL = "flagwright.dev/cluster"
WAVE_LABEL = "flagwright.dev/wave"
FLAGS_KEY = FLAGS_FILE.removesuffix(".yaml")  # the flags Application's expansion file name


def cluster_base(env: str, cluster: str) -> str:
    return f"{RENDERED}/{env}/clusters/{cluster}"


def ordered(clusters: Sequence[Cluster]) -> list[Cluster]:
    """Clusters in the order they sync: by wave, then name."""
    return sorted(clusters, key=lambda c: (c.wave, c.name))


def cluster_values_file(env: str, cluster: str, app: str) -> str:
    return f"${VALUES_REF}/{cluster_base(env, cluster)}/values/{app}.yaml"


def applicationset(
    ctx: EnvContext,
    applications: Mapping[str, dict[str, Any] | None],
    manifests: Mapping[str, str],
    ssa: set[str],
    waves: bool = True,
) -> dict[str, Any] | None:
    """The set generating ``applications`` (key: app name, or FLAGS_KEY) in every cluster;
    ``waves``: sync them wave by wave (RollingSync), else each as its own sync policy says."""
    env = ctx.environment.model
    clusters = ordered(env.clusters or [])
    if not clusters or not applications:
        return None
    label_keys = sorted(clusters[0].labels)
    generators: list[dict[str, Any]] = []
    for app, manifest in applications.items():
        if manifest is None:
            continue
        if _user_braces(ctx, manifest):
            continue
        for form in ("name", "server"):
            members = [c for c in clusters if getattr(c.destination, form) is not None]
            if not members:
                continue
            template = app_template(ctx, app, manifest, form, label_keys, bool(ssa), waves)
            elements = [_element(c, form, manifests[c.name]) for c in members]
            generators.append({"list": {"elements": elements, "template": template}})
    if not generators:
        return None
    templates = [g["list"]["template"] for g in generators]
    shared = templates[0]
    for template in templates[1:]:
        shared = common(shared, template)
    for template in templates:
        # The controller merges each generator's template with the set's (mergo); flagwright
        # writes the set's as the part every generator shares, so the merge changes nothing.
        assert merge_template(template, shared) == template, "shared template is not shared"
    if len(generators) == 1:
        del generators[0]["list"]["template"]  # the set's own template says it all
    steps: list[dict[str, Any]] = []
    for wave in sorted({c.wave for c in clusters}):
        step: dict[str, Any] = {
            "matchExpressions": [{"key": WAVE_LABEL, "operator": "In", "values": [str(wave)]}]
        }
        if env.argocd.sync == "manual":
            step["maxUpdate"] = 0  # the controller syncs nothing itself: a person syncs each wave
        steps.append(step)
    labels = {**MANAGED_BY, "flagwright.dev/environment": ctx.name,
              "app.kubernetes.io/part-of": env.argocd.project}  # fmt: skip
    name = root_application_name(ctx.name) if waves else flags_application_name(ctx.name)
    strategy = {"type": "RollingSync", "rollingSync": {"steps": steps}}
    return {
        "apiVersion": API_VERSION,
        "kind": "ApplicationSet",
        "metadata": {"name": name, "namespace": ARGOCD_NAMESPACE, "labels": labels},
        "spec": {
            "goTemplate": True,
            "goTemplateOptions": ["missingkey=error"],
            "generators": generators,
            **({"strategy": strategy} if waves else {}),
            # Deleting the set (or an Application it made) leaves the workloads running, and the
            # controller never deletes an Application: a cluster dropped from the list keeps its
            # Applications until someone deletes them.
            "syncPolicy": {
                "preserveResourcesOnDeletion": True,
                "applicationsSync": "create-update",
            },
            "template": shared,
        },
    }


def _element(cluster: Cluster, form: str, manifests: str) -> dict[str, Any]:
    element: dict[str, Any] = {
        "cluster": cluster.name,
        "destination": getattr(cluster.destination, form),
        "wave": str(cluster.wave),
        "manifests": manifests,
    }
    if cluster.labels:
        element["labels"] = dict(sorted(cluster.labels.items()))
    return element


def app_template(
    ctx: EnvContext, app: str, manifest: Mapping[str, Any], form: str, label_keys: list[str],
    ssa: bool, waves: bool = True,
) -> dict[str, Any]:  # fmt: skip
    """The app's one-cluster Application with the cluster's parts as template actions."""
    replace = {
        f"${VALUES_REF}/{ctx.base}/values/{app}.yaml": cluster_values_file(
            ctx.name, "{{ .cluster }}", app
        ),
        f"{ctx.base}/manifests": "{{ .manifests }}",
    }
    spec = _replace_strings(copy.deepcopy(dict(manifest["spec"])), replace)
    metadata = copy.deepcopy(dict(manifest["metadata"]))
    metadata["name"] = f"{metadata['name'] if app == FLAGS_KEY else app}-{{{{ .cluster }}}}"
    metadata.pop("finalizers", None)  # preserveResourcesOnDeletion: no cascading delete
    labels = dict(metadata.get("labels") or {})
    labels[CLUSTER_LABEL] = "{{ .cluster }}"
    labels[WAVE_LABEL] = "{{ .wave }}"
    for key in label_keys:
        labels[key] = f'{{{{ index .labels "{key}" }}}}'
    metadata["labels"] = labels
    spec["destination"] = {
        form: "{{ .destination }}",
        "namespace": ctx.environment.model.argocd.namespace,
    }
    policy = dict(spec.get("syncPolicy") or {})
    if waves:
        # RollingSync syncs wave by wave itself and requires automated sync off on what it makes.
        policy.pop("automated", None)
    options = list(policy.get("syncOptions") or [])
    if ssa and "ServerSideApply=true" not in options:
        options.append("ServerSideApply=true")
    if options:
        policy["syncOptions"] = options
    spec["syncPolicy"] = policy
    return {"metadata": metadata, "spec": spec}


def _replace_strings(value: Any, replace: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        return replace.get(value, value)
    if isinstance(value, dict):
        return {k: _replace_strings(v, replace) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace_strings(v, replace) for v in value]
    return value


def common(first: Any, second: Any) -> Any:
    """What two templates share: keys on both with equal values, mappings key by key."""
    if isinstance(first, dict) and isinstance(second, dict):
        return {
            key: common(first[key], second[key])
            for key in first
            if key in second and _mergeable(first[key], second[key])
        }
    return first


def _mergeable(first: Any, second: Any) -> bool:
    return bool(first == second or (isinstance(first, dict) and isinstance(second, dict)))


def _user_braces(ctx: EnvContext, manifest: Mapping[str, Any]) -> bool:
    """A configured string with ``{{`` would be read as a template by the controller."""
    found = _braces(manifest)
    if found is not None:
        ctx.findings.add(
            ctx.environment.source, ("clusters",), Code.CLUSTER_TEMPLATE_TEXT,
            f"{found!r} (in the Application of {manifest['metadata']['name']}) contains '{{{{', "
            "which the ApplicationSet controller would read as a Go template",
        )  # fmt: skip
        return True
    return False


def _braces(value: Any) -> str | None:
    if isinstance(value, str):
        return value if "{{" in value else None
    if isinstance(value, dict):
        value = [*value.keys(), *value.values()]
    if isinstance(value, list):
        for item in value:
            found = _braces(item)
            if found is not None:
                return found
    return None
