"""Rendered Rollouts, AnalysisTemplates and Services: their shape for each strategy, the strict
v1.9.1 schemas and the controller's rules, and the Applications that carry them."""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from flagwright.render import analysis
from flagwright.render.kube_validate import ManifestValidator
from render.conftest import render
from render.fixture_repo import FILES

SCHEMAS = {
    "Rollout": "rollout.strict.json",
    "AnalysisTemplate": "analysistemplate.strict.json",
}


def _strict(kind: str) -> Draft202012Validator:
    text = resources.files("flagwright").joinpath("data", "argo-rollouts", SCHEMAS[kind])
    return Draft202012Validator(json.loads(text.read_text("utf-8")))


def _documents(text: str) -> list[dict[str, Any]]:
    return list(yaml.safe_load_all(text))


def _argo_documents(files: dict[str, str]) -> list[dict[str, Any]]:
    return [
        document
        for path, text in sorted(files.items())
        if path.endswith("-rollout.yaml")
        for document in _documents(text)
        if document["kind"] in SCHEMAS
    ]


def test_every_committed_rollout_and_template_passes_the_strict_schemas(repo_root: Path) -> None:
    files = {
        str(p.relative_to(repo_root)): p.read_text(encoding="utf-8")
        for p in (repo_root / "rendered").glob("*/manifests/*-rollout.yaml")
    }
    documents = _argo_documents(files)
    kinds = sorted(d["kind"] for d in documents)
    assert kinds == ["AnalysisTemplate"] * 4 + ["Rollout"] * 3
    for document in documents:
        errors = list(_strict(document["kind"]).iter_errors(document))
        assert errors == [], (document["metadata"]["name"], [e.message for e in errors])


def test_the_strict_schema_catches_a_typo_the_open_one_allows() -> None:
    rollout = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {"strategy": {"blueGreen": {"activeService": "a", "autoPromotionEnable": False}}},
    }
    [(where, code, message)] = ManifestValidator().problems(rollout)
    assert (where, code.code) == (("spec", "strategy", "blueGreen"), "FW304")
    assert "'autoPromotionEnable' was unexpected" in message
    assert "Argo Rollouts Rollout CRD schema (v1.9.1)" in message


def test_controller_rules_the_schema_misses() -> None:
    rollout = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {
            "workloadRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web",
                            "scaleDown": "sometimes"},
            "strategy": {"canary": {"stableService": "s", "canaryService": "s",
                                    "steps": [{"setWeight": 120}, {"setWeight": 5, "pause": {}}]}},
        },
    }  # fmt: skip
    template = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "AnalysisTemplate",
        "metadata": {"name": "t", "namespace": "shop"},
        "spec": {"metrics": [
            {"name": "m", "count": 2, "failureLimit": 3, "provider": {"prometheus": {}}},
            {"name": "m", "interval": "1m", "provider": {}},
        ]},
    }  # fmt: skip
    found = [(where, code.code) for doc in (rollout, template)
             for where, code, _ in ManifestValidator().problems(doc)]  # fmt: skip
    assert found == [
        (("spec", "workloadRef", "scaleDown"), "FW330"),
        (("spec", "strategy", "canary", "canaryService"), "FW330"),
        (("spec", "strategy", "canary", "steps", 0, "setWeight"), "FW330"),
        (("spec", "strategy", "canary", "steps", 1), "FW330"),
        (("spec", "metrics", 0, "count"), "FW330"),  # needs an interval
        (("spec", "metrics", 0, "count"), "FW330"),  # count 2 < failureLimit 3
        (("spec", "metrics", 1, "name"), "FW330"),
        (("spec", "metrics", 1, "provider"), "FW330"),
    ]


def test_canary_rollout_from_the_plan_with_background_analysis(config: Path) -> None:
    output = render(config, env="prod")
    assert output.ok, output.diagnostics
    rollout, template, stable, canary = _documents(
        output.files["rendered/prod/manifests/web-rollout.yaml"].text
    )
    assert rollout["spec"]["replicas"] == 3
    assert rollout["spec"]["workloadRef"] == {
        "apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "scaleDown": "progressively",
    }  # fmt: skip
    assert rollout["spec"]["strategy"] == {
        "canary": {
            "stableService": "web-stable",
            "canaryService": "web-canary",
            "analysis": {"templates": [{"templateName": "web-canary"}]},
            "steps": [
                {"setWeight": 5}, {"pause": {"duration": "1800s"}},
                {"setWeight": 50}, {"pause": {"duration": "3600s"}},
                {"setWeight": 100},
            ],
        }
    }  # fmt: skip
    [metric] = template["spec"]["metrics"]
    assert "count" not in metric  # background: watches until the steps are done
    assert (metric["name"], metric["interval"], metric["failureLimit"]) == (
        "max-error-rate", "1m", 0,
    )  # fmt: skip
    assert metric["provider"]["prometheus"]["query"] == (
        'sum(rate(http_requests_total{namespace="shop-prod",app="web",code=~"5.."}[5m])) '
        '/ sum(rate(http_requests_total{namespace="shop-prod",app="web"}[5m]))'
    )
    assert [stable["metadata"]["name"], canary["metadata"]["name"]] == ["web-stable", "web-canary"]
    assert stable["spec"]["selector"] == {"app.kubernetes.io/instance": "web"}


def _prod(replace: str, by: str) -> dict[str, str]:
    text = FILES["environments/prod.yaml"]
    assert replace in text
    return {"environments/prod.yaml": text.replace(replace, by)}


def test_canary_analysis_per_step(make_config: Callable[[dict[str, str]], Path]) -> None:
    files = _prod("plan: standard}", "plan: standard, analysis: steps}")
    output = render(make_config(files), env="prod")
    assert output.ok, output.diagnostics
    rollout, template, *_ = _documents(
        output.files["rendered/prod/manifests/web-rollout.yaml"].text
    )
    check = {"analysis": {"templates": [{"templateName": "web-canary"}]}}
    assert rollout["spec"]["strategy"]["canary"]["steps"] == [
        {"setWeight": 5}, {"pause": {"duration": "1800s"}}, check,
        {"setWeight": 50}, {"pause": {"duration": "3600s"}}, check,
        {"setWeight": 100},
    ]  # fmt: skip
    assert "analysis" not in rollout["spec"]["strategy"]["canary"]
    # a blocking analysis must end: the default count applies
    assert template["spec"]["metrics"][0]["count"] == analysis.BLOCKING_COUNT


def test_blue_green_rollout(config: Path) -> None:
    output = render(config, env="prod")
    rollout, template, active, preview = _documents(
        output.files["rendered/prod/manifests/worker-rollout.yaml"].text
    )
    assert rollout["spec"]["replicas"] == 2
    assert rollout["spec"]["strategy"] == {
        "blueGreen": {
            "activeService": "worker-active",
            "previewService": "worker-preview",
            "autoPromotionEnabled": False,
            "scaleDownDelaySeconds": 3600,
            "prePromotionAnalysis": {"templates": [{"templateName": "worker-before"}]},
        }
    }
    assert template["metadata"]["name"] == "worker-before"
    assert template["spec"]["metrics"][0]["count"] == analysis.BLOCKING_COUNT
    assert [active["metadata"]["name"], preview["metadata"]["name"]] == [
        "worker-active", "worker-preview",
    ]  # fmt: skip


def test_blue_green_with_the_charts_services_and_inline_gates(
    make_config: Callable[[dict[str, str]], Path],
) -> None:
    deploy = (
        "deploy: {strategy: blue-green, auto_promote: true, workload: worker-main, replicas: 5, "
        "services: {active: worker, preview: worker-next}, "
        "analysis: {after: {max_error_rate: 0.01, count: 3, failure_limit: 1, interval: 1d}}}"
    )
    files = _prod("deploy: {strategy: blue-green, keep_previous: 1h, analysis: {before: standard}}",
                  deploy)  # fmt: skip
    output = render(make_config(files), env="prod")
    assert output.ok, output.diagnostics
    rollout, template = _documents(output.files["rendered/prod/manifests/worker-rollout.yaml"].text)
    assert rollout["spec"]["replicas"] == 5
    assert rollout["spec"]["workloadRef"]["name"] == "worker-main"
    assert rollout["spec"]["strategy"]["blueGreen"] == {
        "activeService": "worker",
        "previewService": "worker-next",
        "autoPromotionEnabled": True,
        "postPromotionAnalysis": {"templates": [{"templateName": "worker-after"}]},
    }
    [metric] = template["spec"]["metrics"]
    assert (metric["count"], metric["failureLimit"], metric["interval"]) == (3, 1, "86400s")
    app = yaml.safe_load(output.files["rendered/prod/argocd/worker.yaml"].text)
    assert app["spec"]["ignoreDifferences"][0]["name"] == "worker-main"


def test_the_application_carries_the_rollout_and_leaves_replicas_to_it(config: Path) -> None:
    output = render(config, env="prod")
    app = yaml.safe_load(output.files["rendered/prod/argocd/web.yaml"].text)
    assert app["spec"]["sources"][2] == {
        "repoURL": "https://git.example.com/acme/config.git",
        "targetRevision": "main",
        "path": "rendered/prod/manifests",
        "directory": {"include": "web-rollout.yaml"},
    }
    assert app["spec"]["ignoreDifferences"] == [
        {"group": "apps", "kind": "Deployment", "name": "web", "namespace": "shop-prod",
         "jsonPointers": ["/spec/replicas"]},
    ]  # fmt: skip
    assert app["spec"]["syncPolicy"] == {
        "syncOptions": ["CreateNamespace=true", "RespectIgnoreDifferences=true"]
    }


def test_a_rolling_app_has_no_rollout_and_no_manifests_source(config: Path) -> None:
    output = render(config, env="dev")
    assert not [p for p in output.files if p.endswith("-rollout.yaml")]
    app = yaml.safe_load(output.files["rendered/dev/argocd/web.yaml"].text)
    assert len(app["spec"]["sources"]) == 2
    assert "ignoreDifferences" not in app["spec"]


def test_flags_sync_on_their_own_even_where_deploys_wait(config: Path) -> None:
    output = render(config, env="prod")
    flags = yaml.safe_load(output.files["rendered/prod/argocd/_flags.yaml"].text)
    assert flags["metadata"]["name"] == "flagwright-flags-prod"
    assert flags["spec"]["source"]["directory"] == {"include": "{web-flags.yaml,worker-flags.yaml}"}
    assert flags["spec"]["syncPolicy"]["automated"] == {"prune": True, "selfHeal": True}
    web = yaml.safe_load(output.files["rendered/prod/argocd/web.yaml"].text)
    assert "automated" not in web["spec"]["syncPolicy"]  # prod deploys: sync: manual


def test_argocd_extras(make_config: Callable[[dict[str, str]], Path]) -> None:
    extras = (
        "  sync: manual\n  flags_sync: manual\n  root_project: platform\n"
        "  sync_options: [PruneLast=true, CreateNamespace=false]\n"
        "  annotations: {notifications.argoproj.io/subscribe.on-sync-failed.slack: shop}\n"
        "  retry: {limit: 3, backoff: {duration: 1m, factor: 3, max_duration: 1h}}\n"
    )
    files = _prod("  sync: manual\n", extras)
    files["environments/prod.yaml"] = files["environments/prod.yaml"].replace(
        "      queues: [high, low]\n",
        "      queues: [high, low]\n    argocd: {annotations: {example.com/team: batch}}\n",
    )
    output = render(make_config(files), env="prod")
    assert output.ok, output.diagnostics
    root = yaml.safe_load(output.files["rendered/prod/argocd-root.yaml"].text)
    flags = yaml.safe_load(output.files["rendered/prod/argocd/_flags.yaml"].text)
    worker = yaml.safe_load(output.files["rendered/prod/argocd/worker.yaml"].text)
    assert root["spec"]["project"] == "platform"
    assert "automated" not in flags["spec"]["syncPolicy"]
    retry = {"limit": 3, "backoff": {"duration": "1m", "factor": 3, "maxDuration": "1h"}}
    for app in (root, flags, worker):
        assert app["spec"]["syncPolicy"]["retry"] == retry
    # the first mention of an option wins: flagwright's CreateNamespace=true stays
    assert worker["spec"]["syncPolicy"]["syncOptions"] == [
        "CreateNamespace=true", "RespectIgnoreDifferences=true", "PruneLast=true",
    ]  # fmt: skip
    assert worker["metadata"]["annotations"] == {
        "notifications.argoproj.io/subscribe.on-sync-failed.slack": "shop",
        "example.com/team": "batch",
    }
    assert flags["metadata"]["annotations"] == {
        "notifications.argoproj.io/subscribe.on-sync-failed.slack": "shop"
    }


def test_a_broken_template_is_reported_at_its_document_in_the_rollout_file(
    make_config: Callable[[dict[str, str]], Path],
) -> None:
    # count 1 with failure_limit 2 passes the model but not the controller
    files = _prod(
        "deploy: {strategy: blue-green, keep_previous: 1h, analysis: {before: standard}}",
        "deploy: {strategy: blue-green, analysis: {before: {max_error_rate: 0.1, count: 1, "
        "failure_limit: 2}}}",
    )
    output = render(make_config(files), env="prod")
    assert not output.ok
    found = [(d.path, d.line, d.code) for d in output.diagnostics if d.severity == "error"]
    text = output.files["rendered/prod/manifests/worker-rollout.yaml"].text
    line = next(i for i, s in enumerate(text.splitlines(), 1) if s.strip() == "- count: 1")
    assert found == [("rendered/prod/manifests/worker-rollout.yaml", line, "FW330")]
    assert line > text.splitlines().index("kind: AnalysisTemplate")  # the second document


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_rendering_twice_gives_the_same_bytes(config: Path, env: str) -> None:
    first = {p: a.text for p, a in render(config, env=env).files.items()}
    second = {p: a.text for p, a in render(config, env=env).files.items()}
    assert first == second


def test_fractional_plan_percents_round_up_to_whole_weights(
    make_config: Callable[[dict[str, str]], Path],
) -> None:
    plan = FILES["flags/plans/standard.yaml"].replace(
        "{percent: 5, hold: 30m}", "{percent: 0.5, hold: 1d}"
    )
    output = render(make_config({"flags/plans/standard.yaml": plan}), env="prod")
    assert output.ok, output.diagnostics
    rollout = _documents(output.files["rendered/prod/manifests/web-rollout.yaml"].text)[0]
    steps = rollout["spec"]["strategy"]["canary"]["steps"]
    assert steps[:2] == [{"setWeight": 1}, {"pause": {"duration": "86400s"}}]


def test_a_traffic_router_goes_into_the_rollout_and_its_schema_checks_it(
    make_config: Callable[[dict[str, str]], Path],
) -> None:
    routed = "plan: standard, traffic_routing: {nginx: {stableIngress: web}}}"
    output = render(make_config(_prod("plan: standard}", routed)), env="prod")
    assert output.ok, output.diagnostics
    rollout = _documents(output.files["rendered/prod/manifests/web-rollout.yaml"].text)[0]
    canary = rollout["spec"]["strategy"]["canary"]
    assert canary["trafficRouting"] == {"nginx": {"stableIngress": "web"}}
    typo = "plan: standard, traffic_routing: {nginx: {stableIngres: web}}}"
    output = render(make_config(_prod("plan: standard}", typo)), env="prod")
    assert [(d.path, d.code) for d in output.diagnostics] == [
        ("rendered/prod/manifests/web-rollout.yaml", "FW304")
    ]
    assert "'stableIngres' was unexpected" in output.diagnostics[0].message
