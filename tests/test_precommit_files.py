"""The pre-commit files: this repo's own hooks, and the hooks it offers to config repositories."""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path
from typing import Any

import click
import pytest
import yaml
from click.testing import CliRunner

from flagwright.cli.main import cli

ROOT = Path(__file__).resolve().parent.parent


def load(name: str) -> Any:
    return yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))


def local_hooks() -> dict[str, dict[str, Any]]:
    (repo,) = load(".pre-commit-config.yaml")["repos"]
    assert repo["repo"] == "local"
    return {hook["id"]: hook for hook in repo["hooks"]}


def manifest_hooks() -> dict[str, dict[str, Any]]:
    return {hook["id"]: hook for hook in load(".pre-commit-hooks.yaml")}


def matches(hook: dict[str, Any], path: str) -> bool:
    return re.search(hook["files"], path) is not None


def test_local_hooks_lint_type_check_and_run_flagwright_on_itself() -> None:
    hooks = local_hooks()
    assert {hook_id: hook["entry"] for hook_id, hook in hooks.items()} == {
        "ruff-check": "ruff check --force-exclude",
        "ruff-format": "ruff format --force-exclude",
        "mypy": "mypy",
        "flagwright-validate": "flagwright validate",
        "flagwright-schema-check": "flagwright schema --check",
    }
    assert {hook["language"] for hook in hooks.values()} == {"system"}
    for hook_id in ("mypy", "flagwright-validate", "flagwright-schema-check"):
        assert hooks[hook_id]["pass_filenames"] is False


def test_local_tools_are_the_ones_pinned_in_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pinned = {req.split("==")[0] for req in project["optional-dependencies"]["dev"] if "==" in req}
    executables = {shlex.split(hook["entry"])[0] for hook in local_hooks().values()}
    assert executables == {"ruff", "mypy", "flagwright"}
    assert executables - {"flagwright"} <= pinned
    assert "flagwright" in project["scripts"]


@pytest.mark.parametrize(
    ("path", "validate", "schema_check"),
    [
        ("flags/checkout-redesign.yaml", True, False),
        ("flags/segments/beta-users.yaml", True, False),
        ("environments/apps/payments.yml", True, False),
        ("src/flagwright/model/flag.py", True, True),
        ("src/flagwright/check/flags.py", True, False),
        ("src/flagwright/schemas.py", False, True),
        ("schemas/flag.schema.json", False, True),
        ("README.md", False, False),
        ("rendered/prod/values/checkout.yaml", False, False),
    ],
)
def test_local_flagwright_hooks_run_for_the_files_they_depend_on(
    path: str, validate: bool, schema_check: bool
) -> None:
    hooks = local_hooks()
    assert matches(hooks["flagwright-validate"], path) is validate
    assert matches(hooks["flagwright-schema-check"], path) is schema_check


def test_offered_hooks() -> None:
    hooks = manifest_hooks()
    assert {hook_id: hook["entry"] for hook_id, hook in hooks.items()} == {
        "flagwright-validate": "flagwright validate",
        "flagwright-render-check": "flagwright render --check",
        "flagwright-policy": "flagwright validate --pre-push",
    }
    assert hooks["flagwright-policy"]["stages"] == ["pre-push"]
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert hook["pass_filenames"] is False
        assert hook["name"]
    assert hooks["flagwright-validate"]["files"] == r"^(flags|environments)/.*\.ya?ml$"


@pytest.mark.parametrize(
    ("path", "wanted"),
    [
        ("flags/checkout-redesign.yaml", True),
        ("flags/plans/standard-canary.yml", True),
        ("environments/prod.yaml", True),
        ("environments/apps/storefront.yaml", True),
        ("src/flagwright/model/flag.py", False),
        ("docs/flags/intro.yaml", False),
        ("flags/README.md", False),
    ],
)
def test_offered_validate_hook_runs_for_config_files_only(path: str, wanted: bool) -> None:
    assert matches(manifest_hooks()["flagwright-validate"], path) is wanted


def flagwright_entries() -> list[tuple[str, list[str]]]:
    offered = [(f".pre-commit-hooks.yaml {i}", h["entry"]) for i, h in manifest_hooks().items()]
    local = [(f".pre-commit-config.yaml {i}", h["entry"]) for i, h in local_hooks().items()]
    return [
        (label, shlex.split(entry)[1:])
        for label, entry in offered + local
        if entry.startswith("flagwright ")
    ]


@pytest.mark.parametrize(("label", "args"), flagwright_entries())
def test_flagwright_hook_entries_are_real_commands_and_options(label: str, args: list[str]) -> None:
    if args[0] not in cli.list_commands(click.Context(cli)):
        pytest.skip(f"{label}: `flagwright {args[0]}` is not implemented yet")
    # --help is eager but comes last, so an unknown command or option fails first (exit 2).
    result = CliRunner().invoke(cli, [*args, "--help"])
    assert result.exit_code == 0, f"{label}: {result.output}"
