"""The pull-request comment (`diff --format markdown`): one comment a bot updates in place.

Each case compares the whole comment with a committed file under ``expected/`` (read by a
person: the summary table first, details folded, policy violations and reshuffles visible).
"""

from __future__ import annotations

import os
from pathlib import Path

from tests.cli_runner import run_cli

from .conftest import GitWork, replace

EXPECTED = Path(__file__).parent / "expected"
NOW = "2026-11-25T12:00:00Z"  # before prod's holiday freeze in the test config


def _comment(work: GitWork, now: str = NOW) -> str:
    ran = run_cli("-C", str(work.root), "diff", "main", "--format", "markdown", "--now", now)
    assert ran.exit_code == 0, ran.stderr
    return ran.stdout


def _expected(name: str, actual: str) -> str:
    """The committed comment; ``FLAGWRIGHT_UPDATE_EXPECTED=1`` rewrites it (read the diff)."""
    if os.environ.get("FLAGWRIGHT_UPDATE_EXPECTED") == "1":
        (EXPECTED / name).write_text(actual, encoding="utf-8", newline="\n")
    return (EXPECTED / name).read_text(encoding="utf-8")


def test_comment_summary_first_details_folded(config_repo: GitWork) -> None:
    replace(config_repo, "flags/new-api.yaml", "stage: 2}", "stage: 3}")
    replace(
        config_repo,
        "flags/checkout.yaml",
        "prod:\n    split: {control: 50, treatment: 50}",
        "prod:\n    split: {treatment: 60, control: 40}",
    )
    replace(config_repo, "environments/prod.yaml", "replicaCount: 3", "replicaCount: 4")
    replace(config_repo, "environments/staging.yaml", "namespace: shop-staging", "namespace: stg")
    comment = _comment(config_repo)
    assert comment == _expected("comment-composite.md", comment)


def test_comment_lists_policy_violations_with_their_lines(config_repo: GitWork) -> None:
    # 10% → 100% in one step: prod allows 25 points; in the freeze window, too.
    replace(config_repo, "flags/new-api.yaml", "stage: 2}", "stage: 5}")
    comment = _comment(config_repo, "2026-12-24T12:00:00Z")
    assert comment == _expected("comment-policy.md", comment)


def test_comment_starts_with_the_marker_a_bot_looks_for(config_repo: GitWork) -> None:
    replace(config_repo, "environments/dev.yaml", "replicaCount: 1", "replicaCount: 2")
    comment = _comment(config_repo)
    assert comment.splitlines()[0] == "<!-- flagwright-diff -->"
    assert "| dev | 0 | none | 1 Helm value | ✅ ok |" in comment


def test_no_comment_at_all_when_no_flag_or_deploy_changes(config_repo: GitWork) -> None:
    # A description and a comment change nothing anyone is served or any cluster runs.
    replace(config_repo, "flags/new-api.yaml", "description: New API", "description: The new API")
    config_repo.write("flags/segments/beta.yaml", "# who is in beta\n" + config_repo.read(
        "flags/segments/beta.yaml"))  # fmt: skip
    ran = run_cli("-C", str(config_repo.root), "diff", "main", "--format", "markdown")
    assert (ran.exit_code, ran.stdout, ran.stderr) == (0, "", "")
