"""Diff tells a version change together with how it deploys (strategy, promotion, gates)."""

from __future__ import annotations

import json

from flagwright.diff.run import run_diff
from flagwright.report.diff import FORMATTERS

from .conftest import GitWork, replace


def test_a_new_image_in_prod_with_its_blue_green_deploy(example_repo: GitWork) -> None:
    replace(example_repo, "environments/prod.yaml", "image: {tag: 4.8.2}", "image: {tag: 4.9.0}")
    example_repo.commit("checkout 4.9.0 to prod")
    diff = run_diff(example_repo.root, "main~1", "main")
    assert [d.text for d in diff.deploys] == [
        "checkout prod: image 4.8.2 → 4.9.0, blue-green, manual promotion, previous version "
        "kept 1h, analysis before: error_rate ≤ 0.02, analysis after: error_rate ≤ 0.02, "
        "p99_ms ≤ 1200"
    ]
    text = FORMATTERS["text"](diff)
    assert "\nDeploys:\n  checkout prod: image 4.8.2 → 4.9.0, blue-green, manual" in text
    assert "1 deploy" in text.splitlines()[1]
    markdown = FORMATTERS["markdown"](diff)
    assert "| prod | 0 | none | 1 deploy, 1 Helm value | not checked |" in markdown
    assert (
        "<details><summary>Deploys (1)</summary>\n\n"
        "- checkout prod: image 4.8.2 → 4.9.0, blue-green"
    ) in markdown
    [deploy] = json.loads(FORMATTERS["json"](diff))["deploys"]
    assert (deploy["environment"], deploy["app"]) == ("prod", "checkout")


def test_a_canary_deploy_names_its_plan_and_gates(example_repo: GitWork) -> None:
    replace(example_repo, "environments/prod.yaml", "image: {tag: 2.14.1}", "image: {tag: 2.15.0}")
    example_repo.commit("storefront 2.15.0 to prod")
    diff = run_diff(example_repo.root, "main~1", "main")
    assert [d.text for d in diff.deploys] == [
        "storefront prod: image 2.14.1 → 2.15.0, canary, plan deploy-canary (10% → 50% → 100%), "
        "analysis: error_rate ≤ 0.02, p99_ms ≤ 800"
    ]


def test_a_strategy_change_alone_and_a_rolling_deploy(example_repo: GitWork) -> None:
    replace(example_repo, "environments/prod.yaml",
            "deploy: {strategy: blue-green, keep_previous: 1h, analysis: {before: deploy-canary}}",
            "deploy: {strategy: blue-green, auto_promote: true}")  # fmt: skip
    replace(example_repo, "environments/dev.yaml", "image: {tag: 1.8.0}", "image: {tag: 1.8.1}")
    example_repo.commit("payments promotes itself; dev gets 1.8.1")
    diff = run_diff(example_repo.root, "main~1", "main")
    assert [d.text for d in diff.deploys] == [
        "payments dev: image 1.8.0 → 1.8.1, rolling update",
        "payments prod: deploy settings change, blue-green, automatic promotion (was: "
        "blue-green, manual promotion, previous version kept 1h, analysis before: "
        "error_rate ≤ 0.02, p99_ms ≤ 800)",
    ]
