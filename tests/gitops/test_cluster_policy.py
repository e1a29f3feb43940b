"""Policies and diff per cluster, on the example's two-cluster prod in a real Git repository."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from flagwright.cli.main import cli

from .conftest import REPO_ROOT, GitWork, replace

CALM = "2026-11-20T12:00:00Z"
FROZEN = "2026-11-28T12:00:00Z"  # prod's Black Friday freeze
PROD = "environments/prod.yaml"
OVERRIDE = 'storefront-express-shipping: {serve: "off"}'


@pytest.fixture
def example(work: GitWork) -> GitWork:
    for folder in ("flags", "environments"):
        shutil.copytree(REPO_ROOT / folder, work.root / folder)
    work.commit("the example")
    return work


def _run(work: GitWork, *args: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(cli, ["-C", str(work.root), *args], catch_exceptions=False)
    return result.exit_code, result.output.splitlines()


def _validate(work: GitWork, now: str) -> tuple[int, list[str]]:
    code, lines = _run(work, "validate", "--base", "main", "--now", now, "--today", "2026-11-20")
    return code, lines[:-1]


def _line_of(work: GitWork, text: str) -> int:
    lines = work.read(PROD).splitlines()
    return next(i for i, line in enumerate(lines, start=1) if text in line)


def test_an_override_grows_by_at_most_max_rollout_step(example: GitWork) -> None:
    replace(example, PROD, OVERRIDE, 'storefront-express-shipping: {serve: "on"}')
    code, lines = _validate(example, CALM)
    line = _line_of(example, "storefront-express-shipping: {serve")
    assert code == 1
    assert lines == [
        f"{PROD}:{line}:7: error[FW401] storefront-express-shipping in prod/prod-us-1: the share "
        "of users served a non-default variant grows from 0.00% to 100.00% in one change; "
        "prod's max_rollout_step is 25.00%"
    ]


def test_an_override_must_first_be_served_where_prod_promotes_from(example: GitWork) -> None:
    replace(example, "flags/storefront-express-shipping.yaml", 'staging:\n    serve: "on"',
            'staging:\n    serve: "off"')  # fmt: skip
    example.commit("staging stops serving it")
    replace(example, PROD, OVERRIDE, "storefront-express-shipping: {split: {'on': 20, 'off': 80}}")
    code, lines = _validate(example, CALM)
    line = _line_of(example, "storefront-express-shipping: {split")
    assert code == 1
    assert lines == [
        f"{PROD}:{line}:7: error[FW402] storefront-express-shipping in prod/prod-us-1 would serve "
        "on to 20.00% of users, but staging (which prod promotes from) serves it to 0.00%; "
        "promote it to staging first"
    ]


def test_cluster_values_and_overrides_are_frozen_with_their_environment(example: GitWork) -> None:
    replace(example, PROD, "autoscaling: {minReplicas: 4}", "autoscaling: {minReplicas: 5}")
    code, lines = _validate(example, FROZEN)
    cluster = _line_of(example, "- name: prod-us-1")
    assert code == 1
    assert [line.split(" error")[0] for line in lines] == [f"{PROD}:{cluster}:5:"]
    assert "Helm values of storefront in prod/prod-us-1 change while prod is frozen" in lines[0]
    assert _validate(example, CALM) == (0, [])


def test_diff_names_the_cluster(example: GitWork) -> None:
    replace(example, PROD, OVERRIDE, 'storefront-express-shipping: {serve: "on"}')
    replace(example, PROD, "autoscaling: {minReplicas: 4}", "autoscaling: {minReplicas: 5}")
    code, lines = _run(example, "diff")
    assert code == 0
    text = "\n".join(lines)
    assert "prod/prod-us-1:\n  ~ storefront-express-shipping (changed)\n" in text
    assert "      fallthrough: serve off → serve on" in text
    assert "  prod/prod-us-1/storefront:\n      ~ autoscaling.minReplicas: 4 → 5" in text
    assert "prod-eu-1" not in text
