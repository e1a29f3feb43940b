"""`eval` and `explain` in a fleet: the example's prod runs in prod-eu-1 and prod-us-1, and
prod-us-1 overrides storefront-express-shipping to "off" (environments/prod.yaml)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cli_runner import Ran, run_cli

REPO_ROOT = Path(__file__).resolve().parents[2]
FLAG = "storefront-express-shipping"
AFTER_ROLLOUT = "2026-12-03T00:00:00Z"  # the prod rollout has reached 100% by then


def _eval(*args: str) -> Ran:
    return run_cli("-C", str(REPO_ROOT), "eval", FLAG, "--env", "prod", "--at", AFTER_ROLLOUT,
                   "-c", "targeting_key=user-1", *args)  # fmt: skip


def _json(*args: str) -> dict[str, Any]:
    ran = _eval(*args, "--json")
    assert (ran.exit_code, ran.stderr) == (0, ""), ran
    result: dict[str, Any] = json.loads(ran.stdout)
    return result


def test_the_environment_answer_names_the_clusters_it_does_not_hold_for() -> None:
    found = _json()
    assert (found["value"], found["variant"]) == (True, "on")
    assert found["overridden_in"] == ["prod-us-1"]
    assert "cluster" not in found
    text = _eval().stdout
    assert text.splitlines()[-1] == (
        "clusters: prod-us-1 overrides storefront-express-shipping in prod; this is what its "
        "other clusters serve (ask with --cluster prod-us-1)"
    )


def test_a_cluster_with_an_override_serves_it() -> None:
    found = _json("--cluster", "prod-us-1")
    assert (found["value"], found["variant"], found["reason"]) == (False, "off", "STATIC")
    assert found["cluster"] == "prod-us-1"
    assert "overridden_in" not in found


def test_a_cluster_without_an_override_serves_the_environment_entry() -> None:
    found = _json("--cluster", "prod-eu-1")
    assert (found["value"], found["variant"], found["cluster"]) == (True, "on", "prod-eu-1")


def test_an_unknown_cluster_is_refused_with_a_suggestion() -> None:
    ran = _eval("--cluster", "prod-us1")
    assert (ran.exit_code, ran.stdout) == (1, "")
    assert (
        ran.stderr
        == "error: environment 'prod' has no cluster 'prod-us1'; did you mean 'prod-us-1'?\n"
    )
    ran = run_cli("-C", str(REPO_ROOT), "eval", FLAG, "--env", "staging", "--cluster", "eu",
                  "-c", "targeting_key=user-1")  # fmt: skip
    assert (ran.exit_code, ran.stderr) == (
        1,
        "error: environment 'staging' has no cluster 'eu'; none are defined\n",
    )


def test_a_flag_no_cluster_overrides_carries_no_note() -> None:
    ran = run_cli("-C", str(REPO_ROOT), "eval", "checkout-apple-pay", "--env", "prod",
                  "-c", "targeting_key=user-1", "--json")  # fmt: skip
    assert (ran.exit_code, ran.stderr) == (0, ""), ran
    assert "overridden_in" not in json.loads(ran.stdout)


def test_explain_says_which_cluster_and_which_clusters_differ() -> None:
    args = ("-C", str(REPO_ROOT), "explain", FLAG, "--env", "prod", "--at", AFTER_ROLLOUT,
            "-c", "targeting_key=user-1")  # fmt: skip
    lines = run_cli(*args).stdout.splitlines()
    assert lines[:2] == [
        "flag storefront-express-shipping in environment prod",
        "clusters: prod-us-1 overrides storefront-express-shipping in prod; this is what its "
        "other clusters serve (ask with --cluster prod-us-1)",
    ]
    ran = run_cli(*args, "--cluster", "prod-us-1")
    assert ran.exit_code == 0, ran
    lines = ran.stdout.splitlines()
    assert lines[0] == "flag storefront-express-shipping in environment prod, cluster prod-us-1"
    assert lines[-1] == "result: false (variant off, reason STATIC)"
