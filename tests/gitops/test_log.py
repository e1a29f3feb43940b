"""`flagwright log FLAG`: the audit trail, one semantic change per commit."""

from __future__ import annotations

import json

from tests.cli_runner import run_cli

from flagwright.audit.flags import flag_log

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
    result = run_cli("-C", str(config_repo.root), "log", "new-api", "--env", "prod")
    assert (result.exit_code, result.stderr) == (0, "")
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
    assert block in result.stdout
    assert result.stdout.count("commit ") == 3
    assert "staging" not in result.stdout


def test_log_of_an_unknown_flag_suggests_the_right_name(config_repo: GitWork) -> None:
    result = run_cli("-C", str(config_repo.root), "log", "new-apj")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "error: unknown flag 'new-apj'; did you mean 'new-api'?\n"


def test_log_of_a_removed_flag_still_shows_its_history(config_repo: GitWork) -> None:
    config_repo.remove("flags/checkout.yaml")
    config_repo.commit("checkout retired")
    result = run_cli("-C", str(config_repo.root), "log", "checkout", "--env", "prod")
    assert result.exit_code == 0, result.stderr
    assert "checkout retired" in result.stdout


def test_log_app_env_lists_the_deploy_history(config_repo: GitWork) -> None:
    replace(config_repo, "environments/prod.yaml", "tag: 1.0.0", "tag: 1.1.0")
    config_repo.commit("web 1.1.0 in prod", date="2026-11-21T09:00:00+01:00")
    replace(config_repo, "environments/staging.yaml", "replicaCount: 2", "replicaCount: 3")
    config_repo.commit("staging: 3 replicas", date="2026-11-22T09:00:00+01:00")
    replace(config_repo, "environments/apps/web.yaml", "version: 1.0.0", "version: 1.2.0")
    config_repo.commit("web chart 1.2.0", date="2026-11-23T09:00:00+01:00")
    result = run_cli("-C", str(config_repo.root), "log", "web", "--env", "prod")
    assert result.exit_code == 0, result.stderr
    commits = [line for line in result.stdout.splitlines() if line.startswith("commit ")]
    assert len(commits) == 3  # staging's replica change is not prod's history
    body = [line for line in result.stdout.splitlines() if line.startswith("    ")]
    assert body == [
        "    web chart 1.2.0",
        "    prod application:",
        "      ~ chart.version: 1.0.0 → 1.2.0",
        "    web 1.1.0 in prod",
        "    prod values:",
        "      ~ image.tag: 1.0.0 → 1.1.0",
        "    initial configuration",
        "    prod: deployed (a new Argo CD Application)",
    ]
    data = json.loads(run_cli("-C", str(config_repo.root), "log", "web", "--json").stdout)
    assert [d["subject"] for d in data] == [
        "web chart 1.2.0",
        "staging: 3 replicas",
        "web 1.1.0 in prod",
        "initial configuration",
    ]
    assert data[2]["values"] == [
        {"after": "1.1.0", "app": "web", "before": "1.0.0", "environment": "prod",
         "path": "image.tag", "status": "changed"}
    ]  # fmt: skip
    assert data[3]["deployed"] == ["dev", "prod", "staging"]


def test_log_of_a_flag_not_committed_yet_is_empty(config_repo: GitWork) -> None:
    config_repo.write("flags/fresh.yaml", "kind: Flag\nkey: fresh\ndescription: x\nowner: y\n")
    result = run_cli("-C", str(config_repo.root), "log", "fresh")
    assert (result.exit_code, result.stdout) == (0, "no commits change fresh\n")
