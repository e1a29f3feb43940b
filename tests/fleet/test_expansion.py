"""The committed ApplicationSet of the example's two-cluster prod, and what it generates."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from tests.cli_runner import run_cli

from flagwright.render.appset_expand import expand_applicationset
from flagwright.render.kube_validate import ManifestValidator
from flagwright.render.pipeline import RenderOptions, render_repository

SET = "rendered/prod/argocd/applicationset.yaml"
FLAGS_SET = "rendered/prod/argocd/applicationset-flags.yaml"


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _committed_expansion(root: Path) -> dict[str, Any]:
    folder = root / "rendered/prod/expansion"
    return {p.relative_to(folder).as_posix(): _load(p) for p in sorted(folder.rglob("*.yaml"))}


def test_committed_expansion_is_what_the_committed_generators_produce(repo_root: Path) -> None:
    generated = {
        f"{a['metadata']['labels']['flagwright.dev/cluster']}/"
        f"{a['metadata']['labels'].get('app.kubernetes.io/name', '_flags')}.yaml": a
        for path in (SET, FLAGS_SET)
        for a in expand_applicationset(_load(repo_root / path))
    }
    assert len(generated) == 2 * 3 + 2  # three apps and the flags Application, per cluster
    assert generated == _committed_expansion(repo_root)


def test_each_generated_application_points_at_its_cluster_and_its_files(repo_root: Path) -> None:
    for name, app in _committed_expansion(repo_root).items():
        cluster, file = name.split("/")
        spec = app["spec"]
        assert spec["destination"] == {"name": cluster, "namespace": "shop-prod"}
        # preserveResourcesOnDeletion: no finalizer, so deleting an Application keeps workloads
        assert "finalizers" not in app["metadata"]
        if file == "_flags.yaml":
            assert app["metadata"]["name"] == f"flagwright-flags-prod-{cluster}"
            source = spec["source"]
            names = source["directory"]["include"].strip("{}").split(",")
            assert all((repo_root / source["path"] / n).is_file() for n in names)
            # flags sync on their own, everywhere at once, even where deploys wait for a person
            assert spec["syncPolicy"]["automated"] == {"prune": True, "selfHeal": True}
            continue
        assert app["metadata"]["name"] == f"{file[:-5]}-{cluster}"
        values = spec["sources"][0]["helm"]["valueFiles"][0]
        assert values == f"$values/rendered/prod/clusters/{cluster}/values/{file}"
        assert (repo_root / values.removeprefix("$values/")).is_file()
        manifests = spec["sources"][2]
        assert (repo_root / manifests["path"] / manifests["directory"]["include"]).is_file()
        assert "automated" not in spec["syncPolicy"]


def test_only_the_cluster_with_an_override_reads_its_own_flags(repo_root: Path) -> None:
    apps = _committed_expansion(repo_root)
    paths = {name: a["spec"]["source"]["path"] for name, a in apps.items() if "_flags" in name}
    assert paths["prod-eu-1/_flags.yaml"] == "rendered/prod/manifests"
    assert paths["prod-us-1/_flags.yaml"] == "rendered/prod/clusters/prod-us-1/manifests"
    eu = _load(repo_root / "rendered/prod/flags/snapshot.json")["flags"]
    us = _load(repo_root / "rendered/prod/clusters/prod-us-1/flags/snapshot.json")["flags"]
    key = "storefront-express-shipping"
    assert "rollout" in eu[key]["fallthrough"]
    assert us[key]["fallthrough"] == {"serve": "off"}
    assert {k: v for k, v in us.items() if k != key} == {k: v for k, v in eu.items() if k != key}


def test_set_has_safe_defaults_and_syncs_the_canary_wave_first(repo_root: Path) -> None:
    spec = _load(repo_root / SET)["spec"]
    assert spec["syncPolicy"] == {
        "applicationsSync": "create-update",
        "preserveResourcesOnDeletion": True,
    }
    assert spec["strategy"]["type"] == "RollingSync"
    steps = spec["strategy"]["rollingSync"]["steps"]
    assert [s["matchExpressions"][0]["values"] for s in steps] == [["1"], ["2"]]
    # prod syncs by hand (argocd.sync: manual): the controller starts no sync of its own
    assert all(s["maxUpdate"] == 0 for s in steps)
    flags = _load(repo_root / FLAGS_SET)["spec"]
    assert "strategy" not in flags  # a kill switch reaches every cluster at once
    assert flags["syncPolicy"] == spec["syncPolicy"]


def test_every_set_and_application_validates_against_the_strict_schemas(repo_root: Path) -> None:
    validator = ManifestValidator()
    documents = [
        _load(repo_root / SET),
        _load(repo_root / FLAGS_SET),
        *_committed_expansion(repo_root).values(),
    ]
    assert {d["kind"] for d in documents} == {"ApplicationSet", "Application"}
    for document in documents:
        assert validator.problems(document) == []


def test_schema_and_rule_violations_of_a_set_are_reported(repo_root: Path) -> None:
    validator = ManifestValidator()
    appset = _load(repo_root / SET)
    appset["spec"]["syncPolicy"]["applicationsSync"] = "sync"
    appset["spec"]["generators"][0]["list"]["template"]["spec"]["destination"]["server"] = "x"
    appset["spec"]["generators"][1]["list"]["tempalte"] = {}
    found = [(".".join(map(str, w)), c.code) for w, c, _ in validator.problems(appset)]
    assert ("spec.generators.1.list", "FW304") in found  # the strict schema: unknown key
    assert ("spec.syncPolicy", "FW305") in found  # could delete Applications
    assert ("spec.generators.0.list.template.spec.destination", "FW305") in found


def test_editing_the_committed_expansion_is_drift(repo_root: Path, tmp_path: Path) -> None:
    root = tmp_path / "repo"
    for folder in ("flags", "environments", "rendered"):
        shutil.copytree(repo_root / folder, root / folder)
    target = root / "rendered/prod/expansion/prod-us-1/checkout.yaml"
    target.write_text(target.read_text().replace("name: prod-us-1", "name: prod-eu-1"))
    result = run_cli("-C", str(root), "render", "--check", "--today", "2026-11-23")
    out = result.stdout
    assert result.exit_code == 1
    assert "rendered/prod/expansion/prod-us-1/checkout.yaml: would be changed" in out


def test_without_clusters_prod_renders_as_a_one_cluster_environment(
    repo_root: Path, tmp_path: Path
) -> None:
    root = tmp_path / "repo"
    for folder in ("flags", "environments"):
        shutil.copytree(repo_root / folder, root / folder)
    prod = root / "environments/prod.yaml"
    text = prod.read_text(encoding="utf-8")
    head, _, rest = text.partition("clusters:\n")
    _, _, tail = rest.partition("allow_cluster_overrides: [storefront-express-shipping]\n")
    head = head.replace(
        "  namespace: shop-prod", "  destination: {name: prod-eu-1}\n  namespace: shop-prod"
    )
    prod.write_text(head + tail, encoding="utf-8")
    output = render_repository(root, date(2026, 11, 23), RenderOptions())
    assert output.ok, output.diagnostics
    committed = {
        p.relative_to(repo_root).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted((repo_root / "rendered").rglob("*"))
        if p.is_file()
    }
    files = {path: a.text for path, a in output.files.items()}
    # dev and staging are untouched by prod's clusters, byte for byte
    for path, text in committed.items():
        if not path.startswith("rendered/prod/"):
            assert files[path] == text
    assert sorted(p for p in files if p.startswith("rendered/prod/argocd/")) == [
        "rendered/prod/argocd/_flags.yaml",
        "rendered/prod/argocd/checkout.yaml",
        "rendered/prod/argocd/payments.yaml",
        "rendered/prod/argocd/storefront.yaml",
    ]
    assert not [p for p in files if "/clusters/" in p or "/expansion/" in p]
    assert (
        files["rendered/prod/flags/snapshot.json"] == committed["rendered/prod/flags/snapshot.json"]
    )


def test_a_generated_fleet_renders_and_auto_sync_lets_the_controller_sync_each_wave(
    tmp_path: Path,
) -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    from generate import generate_repo

    generate_repo(tmp_path, flags=120, apps=3, seed=1, clusters=3)
    output = render_repository(tmp_path, date(2026, 11, 23), RenderOptions())
    assert output.ok, output.diagnostics[:3]
    for env in ("dev", "staging", "prod"):
        appset = output.files[f"rendered/{env}/argocd/applicationset.yaml"].manifest
        assert appset is not None
        expanded = expand_applicationset(appset)
        assert len(expanded) == 3 * 3
        flags = output.files[f"rendered/{env}/argocd/applicationset-flags.yaml"].manifest
        assert flags is not None
        for app in [*expanded, *expand_applicationset(flags)]:
            labels = app["metadata"]["labels"]
            path = (
                f"rendered/{env}/expansion/{labels['flagwright.dev/cluster']}/"
                f"{labels.get('app.kubernetes.io/name', '_flags')}.yaml"
            )
            assert output.files[path].manifest == app
        steps = appset["spec"]["strategy"]["rollingSync"]["steps"]
        assert [s["matchExpressions"][0]["values"] for s in steps] == [["1"], ["2"]]
        manual = env == "prod"
        assert all(("maxUpdate" in s) == manual for s in steps)
        assert not any(p.startswith(f"rendered/{env}/argocd/") and "applicationset" not in p
                       and "root" not in p for p in output.files)  # fmt: skip


def _example_copy(repo_root: Path, tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    for folder in ("flags", "environments"):
        shutil.copytree(repo_root / folder, root / folder)
    return root


def test_clusters_named_and_by_server_get_one_generator_each_per_app(
    repo_root: Path, tmp_path: Path
) -> None:
    root = _example_copy(repo_root, tmp_path)
    prod = root / "environments/prod.yaml"
    prod.write_text(
        prod.read_text(encoding="utf-8").replace(
            "destination: {name: prod-us-1}", "destination: {server: 'https://us.example:6443'}"
        ),
        encoding="utf-8",
    )
    output = render_repository(root, date(2026, 11, 23), RenderOptions())
    assert output.ok, output.diagnostics
    appset = output.files[SET].manifest
    assert appset is not None
    generators = appset["spec"]["generators"]
    assert len(generators) == 6
    flags = output.files[FLAGS_SET].manifest
    assert flags is not None
    assert len(flags["spec"]["generators"]) == 2
    us = output.files["rendered/prod/expansion/prod-us-1/payments.yaml"].manifest
    assert us is not None
    assert us["spec"]["destination"] == {
        "server": "https://us.example:6443",
        "namespace": "shop-prod",
    }
    # the set's template holds what every generator shares: both forms share only the namespace
    assert appset["spec"]["template"]["spec"]["destination"] == {"namespace": "shop-prod"}


def test_configured_text_the_controller_would_read_as_a_template_is_refused(
    repo_root: Path, tmp_path: Path
) -> None:
    root = _example_copy(repo_root, tmp_path)
    repository = root / "environments/repository.yaml"
    repository.write_text(
        repository.read_text(encoding="utf-8").replace("shop-config.git", "shop-{{.cluster}}.git"),
        encoding="utf-8",
    )
    output = render_repository(root, date(2026, 11, 23), RenderOptions())
    assert not output.ok
    errors = [d for d in output.diagnostics if d.severity == "error"]
    assert {d.code for d in errors} == {"FW340"}
    assert all(d.path == "environments/prod.yaml" for d in errors)
    assert "shop-{{.cluster}}.git" in errors[0].message
