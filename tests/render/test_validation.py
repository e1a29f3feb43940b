"""Every rendered manifest is validated: schemas (real kubernetes-validate), Argo CD's own rules,
names, sizes. Each failure is a diagnostic with a stable code at the rendered file's line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from flagwright.render import argocd, configmap
from flagwright.render.kube_validate import ManifestValidator, default_kubernetes_version

from .conftest import render
from .fixture_repo import FILES


def _diagnostics(output: Any) -> list[tuple[str, int, int, str]]:
    return [(d.path, d.line, d.col, d.code) for d in output.diagnostics]


def test_every_rendered_manifest_validates_with_kubernetes_validate_itself(config: Path) -> None:
    output = render(config)
    assert output.ok and not output.diagnostics
    version = default_kubernetes_version()
    configmaps = [a for p, a in output.files.items() if p.endswith("-flags.yaml")]
    assert len(configmaps) == 4
    for artifact in configmaps:
        # kubernetes-validate's own (slow, uncached) entry point agrees with ours
        kubernetes_validate.validate(yaml.safe_load(artifact.text), version, strict=True)
    services = [
        document
        for path, artifact in output.files.items()
        if path.endswith("-rollout.yaml")
        for document in yaml.safe_load_all(artifact.text)
        if document["kind"] == "Service"
    ]
    assert len(services) == 4  # web: stable + canary, worker: active + preview
    for service in services:
        kubernetes_validate.validate(service, version, strict=True)


def test_a_bad_value_type_in_a_generated_configmap(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = configmap.labels

    def bad_labels(ctx: Any, app: str) -> dict[str, Any]:
        return {**real(ctx, app), "replicas": 3}

    monkeypatch.setattr(configmap, "labels", bad_labels)
    output = render(config, env="dev")
    assert not output.ok
    assert _diagnostics(output) == [
        ("rendered/dev/manifests/web-flags.yaml", 19, 15, "FW304"),
        ("rendered/dev/manifests/worker-flags.yaml", 18, 15, "FW304"),
    ]
    message = next(d.message for d in output.diagnostics if d.code == "FW304")
    assert message == (
        "metadata.labels.replicas: 3 is not of type 'string', 'null' "
        f"(Kubernetes {default_kubernetes_version()}'s ConfigMap schema) "
        "(generated from environments/apps/web.yaml)"
    )


def test_an_application_with_both_server_and_name(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = argocd.application

    def both(ctx: Any, deployment: Any) -> dict[str, Any]:
        manifest = real(ctx, deployment)
        manifest["spec"]["destination"]["server"] = "https://k8s.example.com"
        return manifest

    monkeypatch.setattr(argocd, "application", both)
    output = render(config, env="prod")
    assert not output.ok
    assert _diagnostics(output) == [
        ("rendered/prod/argocd/web.yaml", 15, 3, "FW305"),
        ("rendered/prod/argocd/worker.yaml", 15, 3, "FW305"),
    ]
    assert output.diagnostics[0].message.startswith(
        "destination needs exactly one of 'server' or 'name'"
    )


def _application(**spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "web-dev", "namespace": "argocd"},
        "spec": {"project": "p", "destination": {"name": "c", "namespace": "n"}, **spec},
    }


def test_rules_the_argocd_schema_misses() -> None:
    sources = [
        {"repoURL": "https://c", "chart": "web", "targetRevision": "1",
         "helm": {"valueFiles": ["$values/a.yaml", "x/$values/b.yaml", "$other/c.yaml"]}},
        {"repoURL": "https://g", "targetRevision": "main", "ref": "values", "chart": "oops"},
    ]  # fmt: skip
    problems = ManifestValidator().problems(_application(sources=sources))
    assert [(where, code.code) for where, code, _ in problems] == [
        (("spec", "sources", 0, "helm", "valueFiles", 1), "FW305"),
        (("spec", "sources", 0, "helm", "valueFiles", 2), "FW305"),
        (("spec", "sources", 1, "chart"), "FW305"),
    ]


def test_the_argocd_schema_catches_a_typo() -> None:
    manifest = _application(source={"repoURL": "https://c", "helm": {"valueFile": ["a"]}})
    [(where, code, message)] = ManifestValidator().problems(manifest)
    assert (where, code.code) == (("spec", "source", "helm"), "FW304")
    assert "'valueFile' was unexpected" in message


def test_names_that_kubernetes_would_reject_are_reported(
    make_config: Callable[[dict[str, str]], Path],
) -> None:
    long_name = "w" + "x" * 70
    app = FILES["environments/apps/worker.yaml"].replace("name: worker", f"name: {long_name}")
    env = FILES["environments/dev.yaml"].replace("  worker:", f"  {long_name}:")
    root = make_config({
        "environments/apps/worker.yaml": app, "environments/dev.yaml": env,
        "environments/prod.yaml": FILES["environments/prod.yaml"].split("  worker:")[0],
    })  # fmt: skip
    output = render(root, env="dev")
    # Reported where the name is written, not in generated files that are never written.
    found = [(d.path, d.line, d.col, d.code) for d in output.diagnostics]
    assert found == [("environments/apps/worker.yaml", 2, 7, "FW306")]
    assert all("label value" in d.message for d in output.diagnostics)
    assert not output.rendered


def _big_flags(count: int, chars: int) -> dict[str, str]:
    value = "x" * chars
    return {
        f"flags/web-big-{i}.yaml": (
            f"kind: Flag\nkey: web-big-{i}\ndescription: big\nowner: me\ntype: string\n"
            f"variants: {{small: a, big: {value}}}\ndefault: small\n"
            "environments:\n  dev: {serve: big}\n"
        )
        for i in range(count)
    }


def test_a_configmap_over_256_kib_warns_and_syncs_server_side(
    make_config: Callable[[dict[str, str]], Path],
) -> None:
    output = render(make_config(_big_flags(1, 300_000)), env="dev")
    assert output.ok
    assert _diagnostics(output) == [("environments/apps/web.yaml", 11, 1, "FW308")]
    assert "ServerSideApply=true" in output.diagnostics[0].message
    # the ConfigMaps belong to the environment's flags Application, which syncs server-side
    flags = yaml.safe_load(output.files["rendered/dev/argocd/_flags.yaml"].text)
    assert flags["spec"]["syncPolicy"]["syncOptions"] == [
        "CreateNamespace=true",
        "ServerSideApply=true",
    ]
    app = yaml.safe_load(output.files["rendered/dev/argocd/web.yaml"].text)
    assert app["spec"]["syncPolicy"]["syncOptions"] == ["CreateNamespace=true"]


def test_an_oversize_configmap_is_an_error(
    make_config: Callable[[dict[str, str]], Path],
) -> None:
    output = render(make_config(_big_flags(3, 400_000)), env="dev")
    assert not output.ok
    assert _diagnostics(output) == [("environments/apps/web.yaml", 11, 1, "FW307")]
    assert "over Kubernetes' 1 MiB object limit" in output.diagnostics[0].message


def test_an_unsupported_kubernetes_version_is_a_user_error(config: Path) -> None:
    from flagwright.errors import RenderError

    with pytest.raises(RenderError, match=r"no schemas for Kubernetes 1\.99"):
        ManifestValidator("1.99")


def _mutations(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], Any]]:
    """(path, replacement) pairs that break a manifest in the ways a renderer bug would: an
    unknown key in every mapping, every scalar of the wrong type, every list made a mapping."""
    found: list[tuple[tuple[Any, ...], Any]] = []
    if isinstance(value, dict):
        found.append(((*path, "zzUnknown"), "x"))
        for key, item in value.items():
            found.extend(_mutations(item, (*path, key)))
    elif isinstance(value, list):
        found.append((path, {"a": 1}))
        for index, item in enumerate(value):
            found.extend(_mutations(item, (*path, index)))
    elif isinstance(value, str):
        found.extend([(path, 12345), (path, ["x"]), (path, "Not A Name!\n")])
    else:
        found.extend([(path, "x"), (path, {"a": 1})])
    return found


def _replaced(manifest: Any, path: tuple[Any, ...], value: Any) -> Any:
    import copy

    out = copy.deepcopy(manifest)
    node = out
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return out


def test_jsonschema_rs_and_jsonschema_agree_on_every_kind_rendered() -> None:
    """Manifests are checked with jsonschema-rs, and only those it rejects with ``jsonschema``
    (for its messages): the two must agree on what is valid. Every kind the example repository
    renders (Applications, an ApplicationSet, ConfigMaps, Rollouts, Services, AnalysisTemplates),
    as rendered and broken in every place."""
    from datetime import date

    from flagwright.render import kube_validate as kv
    from flagwright.render.pipeline import RenderOptions, render_repository

    output = render_repository(Path(__file__).resolve().parents[2], date(2026, 11, 23),
                               RenderOptions())  # fmt: skip
    samples: dict[tuple[str, str], Any] = {}
    for artifact in output.files.values():
        for manifest in artifact.documents:
            if isinstance(manifest, dict) and "kind" in manifest:
                samples.setdefault((manifest["apiVersion"], manifest["kind"]), manifest)
    assert {kind for _, kind in samples} >= {
        "Application", "ApplicationSet", "ConfigMap", "Rollout", "Service", "AnalysisTemplate",
    }  # fmt: skip
    folder = kv._schema_dir(kv.default_kubernetes_version())
    compared = rejected = 0
    for (api_version, kind), manifest in sorted(samples.items()):
        if api_version == kv.ARGOCD_API:
            fast, slow = kv._argocd_checker(kind), kv._argocd_validator(kind)
        else:
            fast = kv._kubernetes_checker(folder, kind, api_version)
            slow = kv._kubernetes_validator(folder, kind, api_version)
        assert fast is not None
        cases = [manifest] + [_replaced(manifest, p, v) for p, v in _mutations(manifest)]
        for case in cases:
            verdict = not any(True for _ in slow.iter_errors(case))
            assert fast.is_valid(case) == verdict, (kind, case)
            compared += 1
            rejected += not verdict
    assert compared > 300 and rejected > compared // 2  # most mutations break it
