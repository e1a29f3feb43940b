"""Every example environment compiles, and every example flag evaluates through the CLI."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from cli_runner import run_cli
from flagwright.check.repository import validate_repository
from flagwright.compile import compile_snapshot, dump_bundle
from flagwright.runtime import Snapshot

REPO_ROOT = Path(__file__).resolve().parents[2]
# Pinned like tests/test_example.py, so a flag passing its 'expires' date does not fail this test.
EXAMPLE_DAY = date(2026, 11, 23)
AT = "2026-11-23T12:00:00Z"
CONTEXTS: list[dict[str, Any]] = [
    {
        "targeting_key": "user-1",
        "account_id": "acct-1",
        "email": "alice@company.com",
        "country": "DE",
        "app_version": "2.4.0",
        "platform": "ios",
        "browser": "firefox",
        "beta_opt_in": True,
        "user_agent": "Mozilla/5.0",
    },
    {"targeting_key": "user-2", "country": "US"},  # sparse: missing attributes are not errors
]


def _bundles() -> dict[str, dict[str, Any]]:
    validated = validate_repository(REPO_ROOT, today=EXAMPLE_DAY)
    assert [d for d in validated.diagnostics if d.severity == "error"] == []
    return {env: compile_snapshot(validated.index, env) for env in validated.index.environments}


BUNDLES = _bundles() if (REPO_ROOT / "flags").is_dir() else {}
CASES = [(env, flag) for env, bundle in sorted(BUNDLES.items()) for flag in sorted(bundle["flags"])]


def test_the_example_has_environments_and_flags() -> None:
    assert len(BUNDLES) >= 3
    assert len(CASES) >= 3 * 10


@pytest.mark.parametrize("env", sorted(BUNDLES))
def test_every_environment_compiles_to_a_bundle_the_runtime_accepts(env: str) -> None:
    snapshot = Snapshot.from_bytes(dump_bundle(BUNDLES[env]).encode("utf-8"))
    assert snapshot.environment == env
    assert snapshot.validate() == {}


def _context_args(context: dict[str, Any]) -> list[str]:
    return [arg for key, value in context.items() for arg in ("-c", f"{key}={json.dumps(value)}")]


@pytest.mark.parametrize(("env", "flag"), CASES)
def test_every_flag_evaluates(env: str, flag: str) -> None:
    variants = BUNDLES[env]["flags"][flag]["variants"]
    base = ["-C", str(REPO_ROOT), "eval", flag, "--env", env, "--at", AT, "--json"]
    for context in CONTEXTS:
        ran = run_cli(*base, *_context_args(context))
        assert (ran.exit_code, ran.stderr) == (0, ""), ran
        result = json.loads(ran.stdout)
        assert result["reason"] in {"STATIC", "TARGETING_MATCH", "SPLIT", "DISABLED", "DEFAULT"}
        assert result["value"] == variants[result["variant"]]
    explain = ["-C", str(REPO_ROOT), "explain", flag, "--env", env, "--at", AT]
    explained = run_cli(*explain, *_context_args(CONTEXTS[0]))
    assert (explained.exit_code, explained.stderr) == (0, ""), explained
    assert explained.stdout.splitlines()[-1].startswith("result: ")
