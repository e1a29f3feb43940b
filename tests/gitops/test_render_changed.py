"""`render --changed-since REF`: only the environments a Flag change touches are rendered again,
and the result is exactly a full render's."""

from __future__ import annotations

import shutil
from datetime import date

import pytest
from click.testing import CliRunner

from flagwright.cli.main import cli
from flagwright.render.incremental import render_changed_since
from flagwright.render.pipeline import RenderOptions, render_repository

from .conftest import REPO_ROOT, GitWork, replace

TODAY = date(2026, 11, 23)
KILL = "flags/payments-paypal-express.yaml"


@pytest.fixture
def example(work: GitWork) -> GitWork:
    for folder in ("flags", "environments", "rendered"):
        shutil.copytree(REPO_ROOT / folder, work.root / folder)
    work.commit("the example, rendered")
    return work


def _texts(output: object) -> dict[str, str]:
    return {path: a.text for path, a in output.files.items()}  # type: ignore[attr-defined]


def test_a_prod_only_change_renders_prod_again_and_equals_a_full_render(example: GitWork) -> None:
    replace(example, KILL, "    enabled: false\n", "    enabled: true\n")
    changed = render_changed_since(example.root, "HEAD", TODAY, RenderOptions())
    assert (changed.fallback, changed.rendered) == (None, ["prod"])
    assert changed.output.ok
    full = render_repository(example.root, TODAY, RenderOptions())
    assert _texts(changed.output) == _texts(full)
    committed = (REPO_ROOT / "rendered/prod/flags/snapshot.json").read_text(encoding="utf-8")
    assert changed.output.files["rendered/prod/flags/snapshot.json"].text != committed


def test_a_change_that_serves_the_same_renders_nothing_again(example: GitWork) -> None:
    replace(example, KILL, "owner: team-payments", "owner: team-checkout")
    changed = render_changed_since(example.root, "HEAD", TODAY, RenderOptions())
    assert (changed.fallback, changed.rendered) == (None, [])
    assert _texts(changed.output) == _texts(render_repository(example.root, TODAY, RenderOptions()))


def test_a_cluster_override_of_a_changed_flag_renders_its_environment(example: GitWork) -> None:
    flag = "flags/storefront-express-shipping.yaml"
    replace(example, flag, "description: Show", "description: Now show")
    example.write("flags/brand-new.yaml", "kind: Flag\nkey: brand-new\ndescription: New\n"
                  "owner: team-x\ntags: [x]\nenvironments:\n  dev: {serve: 'on'}\n")  # fmt: skip
    changed = render_changed_since(example.root, "HEAD", TODAY, RenderOptions())
    assert changed.fallback is None
    assert changed.rendered == ["dev", "prod", "staging"]  # a new flag is in every bundle
    assert _texts(changed.output) == _texts(render_repository(example.root, TODAY, RenderOptions()))


@pytest.mark.parametrize(
    ("rel", "old", "new", "reason"),
    [
        ("environments/prod.yaml", "replicaCount: 6", "replicaCount: 7",
         "environments/prod.yaml changed and is not a Flag document"),
        (KILL, "    enabled: false\n", "    enabled: maybe\n", "a changed file does not load"),
        (KILL, "    serve: \"on\"\n", "    serve: \"onn\"\n", "a changed file has errors"),
    ],
)  # fmt: skip
def test_anything_else_falls_back_to_a_full_render(
    example: GitWork, rel: str, old: str, new: str, reason: str
) -> None:
    replace(example, rel, old, new)
    changed = render_changed_since(example.root, "HEAD", TODAY, RenderOptions())
    assert changed.fallback == reason
    full = render_repository(example.root, TODAY, RenderOptions())
    assert changed.output.ok == full.ok
    assert _texts(changed.output) == _texts(full)
    assert changed.output.diagnostics == full.diagnostics


def test_cli_writes_the_result_and_refuses_env(example: GitWork) -> None:
    replace(example, KILL, "    enabled: false\n", "    enabled: true\n")
    args = ["-C", str(example.root), "render", "--today", TODAY.isoformat()]
    result = CliRunner().invoke(cli, [*args, "--changed-since", "HEAD"], catch_exceptions=False)
    assert result.exit_code == 0
    assert "rendered again: prod" in result.stderr
    assert "rendered/prod/flags/snapshot.json: changed" in result.stdout
    check = CliRunner().invoke(cli, [*args, "--check"], catch_exceptions=False)
    assert check.exit_code == 0, check.output
    usage = CliRunner().invoke(cli, [*args, "--changed-since", "HEAD", "--env", "prod"])
    assert usage.exit_code == 2


def test_a_deleted_flag_leaves_every_bundle_as_a_full_render_does(example: GitWork) -> None:
    example.remove("flags/wishlist-sharing.yaml")
    changed = render_changed_since(example.root, "HEAD", TODAY, RenderOptions())
    assert changed.fallback is None
    assert changed.rendered == ["dev", "prod", "staging"]
    assert _texts(changed.output) == _texts(render_repository(example.root, TODAY, RenderOptions()))


def test_a_removed_flag_that_another_requires_falls_back(example: GitWork) -> None:
    example.remove("flags/new-checkout-api.yaml")
    changed = render_changed_since(example.root, "HEAD", TODAY, RenderOptions())
    assert changed.fallback == (
        "a removed flag is still required by another flag or overridden in a cluster"
    )
    assert not changed.output.rendered  # the full validation reports the unknown prerequisite
