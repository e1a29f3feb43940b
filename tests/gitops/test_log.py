"""`flagwright log FLAG`: the audit trail, one semantic change per commit."""

from __future__ import annotations

from click.testing import CliRunner

from flagwright.audit import flag_log
from flagwright.cli.main import cli

from .conftest import GitWork, replace


def _history(work: GitWork) -> None:
    replace(work, "flags/new-api.yaml", "stage: 2}", "stage: 3}")
    work.commit("new-api: prod to 25%", date="2026-11-21T09:00:00+01:00")
    replace(work, "flags/checkout.yaml", "treatment: v2}", "treatment: v3}")
    work.commit("checkout: v3", date="2026-11-22T09:00:00+01:00")
    replace(work, "flags/new-api.yaml", "description: New API", "description: New API (v2)")
    work.commit("new-api: wording only", date="2026-11-23T09:00:00+01:00")
    replace(work, "flags/new-api.yaml", "  prod:\n", "  prod:\n    enabled: false\n")
    work.commit("new-api: kill switch in prod", date="2026-11-24T09:00:00+01:00")


def test_log_lists_each_commit_that_changed_the_flag(config_repo: GitWork) -> None:
    _history(config_repo)
    entries = flag_log(config_repo.root, "new-api")
    assert [e.commit.subject for e in entries] == [
        "new-api: kill switch in prod",
        "new-api: prod to 25%",
        "initial configuration",
    ]
    kill, raise_, initial = entries
    assert [(c.env, [x.text for x in c.changes]) for c in kill.changes] == [
        ("prod", ["enabled true → false"])
    ]
    assert raise_.changes[0].blast[0].weight == 1500
    assert {c.status for c in initial.changes} == {"added"}
    assert kill.commit.author == "Ada Author"
    assert kill.commit.date == "2026-11-24T09:00:00+01:00"


def test_log_env_filter_and_text_output(config_repo: GitWork) -> None:
    _history(config_repo)
    result = CliRunner().invoke(
        cli,
        ["-C", str(config_repo.root), "log", "new-api", "--env", "prod"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0
    sha = config_repo.git("rev-parse", "HEAD~3")
    block = (
        f"commit {sha}\n"
        "Author: Ada Author <ada@example.com>\n"
        "Date:   2026-11-21T09:00:00+01:00\n"
        "\n"
        "    new-api: prod to 25%\n"
        "\n"
        "    prod: changed\n"
        "      rollout canary (on): stage 2 (10%) → stage 3 (25%)\n"
        "      blast radius, fallthrough: 15.00% of users no rule matches change variant: "
        "off → on 15.00%\n"
    )
    assert block in result.output
    assert result.output.count("commit ") == 3
    assert "staging" not in result.output
