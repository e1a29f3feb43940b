"""Helm values: each merge rule, and the generated keys."""

from __future__ import annotations

from pathlib import Path

import yaml

from flagwright.model.environment import BlueGreen, Canary, EnvApp, Rolling
from flagwright.model.plan import RolloutPlan
from flagwright.render.values import deep_merge, generated_values

from .conftest import render


def test_maps_merge_key_by_key() -> None:
    base = {"image": {"repository": "r", "tag": "1"}, "a": 1}
    assert deep_merge(base, {"image": {"tag": "2"}}) == {
        "image": {"repository": "r", "tag": "2"},
        "a": 1,
    }


def test_lists_replace_rather_than_append() -> None:
    assert deep_merge({"queues": ["a", "b"]}, {"queues": ["c"]}) == {"queues": ["c"]}


def test_scalars_replace() -> None:
    assert deep_merge({"replicas": 1, "name": "x"}, {"replicas": 3}) == {"replicas": 3, "name": "x"}


def test_a_map_replaces_a_scalar_and_a_scalar_a_map() -> None:
    assert deep_merge({"a": 1, "b": {"c": 1}}, {"a": {"x": 1}, "b": 2}) == {"a": {"x": 1}, "b": 2}


def test_null_overrides_and_is_kept_so_helm_removes_the_key() -> None:
    merged = deep_merge(
        {"resources": {"limits": {"memory": "1Gi"}}, "keep": 1}, {"resources": None}
    )
    assert merged == {"resources": None, "keep": 1}
    assert "resources: null" in yaml.safe_dump(merged)


def test_merge_neither_modifies_nor_shares_its_inputs() -> None:
    base = {"a": {"b": [1, {"c": 1}]}}
    override = {"a": {"d": {"e": 1}}}
    merged = deep_merge(base, override)
    merged["a"]["b"][1]["c"] = 99
    merged["a"]["d"]["e"] = 99
    assert base == {"a": {"b": [1, {"c": 1}]}}
    assert override == {"a": {"d": {"e": 1}}}


def _plan() -> RolloutPlan:
    return RolloutPlan.model_validate(
        {
            "kind": "RolloutPlan",
            "name": "p",
            "stages": [{"percent": 2.5, "hold": "1d"}, {"percent": 100}],
            "gates": {"max_p99_ms": 900},
        }
    )


def test_blue_green_generates_active_and_preview_slots() -> None:
    # `active` is obsolete (Argo Rollouts tracks the live version) but still passed on
    env_app = EnvApp(deploy=BlueGreen(strategy="blue-green", active="green"))
    generated = generated_values("web", "prod", env_app, {})["flagwright"]
    assert generated["deploy"] == {
        "strategy": "blue-green",
        "rollout": "web",
        "blueGreen": {"activeSlot": "green", "previewSlot": "blue"},
    }
    assert generated["flags"] == {"configMap": "web-flags", "key": "snapshot.json"}


def test_canary_generates_the_plans_steps_with_pauses_in_seconds() -> None:
    env_app = EnvApp(deploy=Canary(strategy="canary", plan="p"))
    deploy = generated_values("web", "prod", env_app, {"p": _plan()})["flagwright"]["deploy"]
    assert deploy == {
        "strategy": "canary",
        "rollout": "web",
        "canary": {
            "plan": "p",
            "steps": [
                {"setWeight": 2.5},
                {"pause": {"duration": "86400s"}},
                {"setWeight": 100},
            ],
            "analysis": {"maxP99Ms": 900},
        },
    }


def test_rolling_and_no_strategy() -> None:
    rolling = generated_values("w", "dev", EnvApp(deploy=Rolling(strategy="rolling")), {})
    assert rolling["flagwright"]["deploy"] == {"strategy": "rolling"}
    assert "deploy" not in generated_values("w", "dev", EnvApp(), {})["flagwright"]


def test_rendered_values_merge_app_and_environment(config: Path) -> None:
    files = render(config).files
    web = yaml.safe_load(files["rendered/prod/values/web.yaml"].text)
    assert web["image"] == {
        "repository": "ghcr.io/acme/web",
        "pullPolicy": "IfNotPresent",
        "tag": "1.0.4",
    }
    assert web["resources"] is None
    assert web["replicaCount"] == 3
    assert web["debug"] == "on"  # quoted in the file, so YAML 1.1 readers keep it a string
    assert web["host"] == "web.prod.example.com"
    assert web["flagwright"]["deploy"]["canary"]["steps"][0] == {"setWeight": 5}
    worker = yaml.safe_load(files["rendered/prod/values/worker.yaml"].text)
    assert worker["queues"] == ["high", "low"]
    assert worker["namespaceHint"] == "shop-prod/shop/charts/worker@v3"
