"""`flagwright progress` against a real Prometheus and a real Git history with dated commits."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

from cli_runner import run_cli
from gitops.conftest import GitWork

from .conftest import AT, commit_at


def progress(work: GitWork, *args: str, at: str = AT.isoformat()) -> tuple[int, dict[str, Any]]:
    ran = run_cli("-C", str(work.root), "progress", "--at", at, "--format", "json", *args)
    assert ran.stderr == "", ran.stderr
    return ran.exit_code, json.loads(ran.stdout)


def by_flag(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {d["flag"]: d for d in report["decisions"]}


def test_one_run_advances_holds_and_rolls_back(config_repo: GitWork) -> None:
    code, report = progress(config_repo, "--env", "prod")
    assert code == 0
    got = by_flag(report)
    assert sorted(got) == [
        "big-step", "failing", "failing-careful", "healthy-ready", "healthy-young", "no-data",
        "slow-blip",
    ]  # fmt: skip

    # Healthy and held long enough (from the commit that entered stage 1, not the later comment
    # commit): one stage up, and only one.
    ready = got["healthy-ready"]
    assert (ready["action"], ready["from"]["stage"], ready["to"]["stage"]) == ("advance", 1, 2)
    assert ready["stage_entered"] == "2026-03-01T10:00:00+00:00"
    assert [g["value"] for g in ready["gates"]] == [0.01, 300.0]
    assert ready["blast_radius"] == [
        "fallthrough: 9.00% of all users change variant: off → on 9.00%"
    ]
    assert 'rollout: {plan: canary, variant: "on", stage: 2}  # advanced by progress' in (
        config_repo.read("flags/healthy-ready.yaml")
    )
    assert "# watched by the checkout team" in config_repo.read("flags/healthy-ready.yaml")

    # Healthy but entered 10 minutes ago, hold 30m: stays.
    young = got["healthy-young"]
    assert (young["action"], young["to"]) == ("hold", None)
    assert young["hold_until"] == "2026-03-01T12:20:00+00:00"
    assert "stage: 1" in config_repo.read("flags/healthy-young.yaml")

    # Failing gate: back to no exposure in this same run (the hold is irrelevant).
    failing = got["failing"]
    assert (failing["action"], failing["to"]) == ("rollback", {"stage": 0, "percent": 0.0})
    assert failing["gates"][0]["verdict"] == "fail"
    assert abs(failing["gates"][0]["value"] - 0.1) < 1e-9
    text = config_repo.read("flags/failing.yaml")
    assert "enabled: false" in text and "stage: 2}  # advanced by progress" in text

    # on_failure: step-back goes one stage back instead.
    careful = got["failing-careful"]
    assert (careful["action"], careful["from"]["stage"], careful["to"]["stage"]) == (
        "rollback", 3, 2,
    )  # fmt: skip
    assert "stage: 2}" in config_repo.read("flags/failing-careful.yaml")

    # No series at all: inconclusive, never a pass.
    no_data = got["no-data"]
    assert no_data["action"] == "hold"
    assert [g["verdict"] for g in no_data["gates"]] == ["inconclusive", "inconclusive"]
    assert no_data["reason"] == "inconclusive: max_error_rate has no data; max_p99_ms has no data"

    # 10% → 50% is beyond prod's max_rollout_step of 25: the policy holds it.
    big = got["big-step"]
    assert big["action"] == "hold"
    assert big["policy"] == [
        "big-step in prod: the rollout of on grows from 10.00% to 50.00% in one change "
        "(40.00%); prod's max_rollout_step is 25.00%"
    ]
    assert "stage: 1" in config_repo.read("flags/big-step.yaml")

    # count 3, interval 1m, failure_limit 1: one bad sample of three is tolerated.
    blip = got["slow-blip"]
    measured = [(m["at"], m["value"], m["verdict"]) for m in blip["gates"][0]["measurements"]]
    assert measured == [
        ("2026-03-01T11:58:00+00:00", 300.0, "pass"),
        ("2026-03-01T11:59:00+00:00", 300.0, "pass"),
        ("2026-03-01T12:00:00+00:00", 5000.0, "fail"),
    ]
    assert blip["action"] == "advance"
    assert report["changed"] is True
    assert report["commit_message"].startswith("progress: roll back 2, advance 2 of 4 rollouts\n")


def test_freeze_holds_an_advance_but_not_a_rollback(config_repo: GitWork) -> None:
    code, report = progress(config_repo, "--env", "frozen")
    assert code == 0
    got = by_flag(report)
    healthy, failing = got["frozen-healthy"], got["frozen-failing"]
    assert healthy["action"] == "hold"
    assert len(healthy["policy"]) == 1
    assert (
        "frozen from 2026-03-01T00:00:00+00:00 to 2026-03-02T00:00:00+00:00 (test freeze)"
        in (healthy["policy"][0])
    )
    assert "stage: 1" in config_repo.read("flags/frozen-healthy.yaml")
    assert failing["action"] == "rollback"
    assert failing["written"] is True
    assert "enabled: false" in config_repo.read("flags/frozen-failing.yaml")
    # A step back shrinks exposure too: the freeze lets it through.
    careful = got["frozen-careful"]
    assert (careful["action"], careful["to"]["stage"], careful["written"]) == ("rollback", 2, True)
    assert "stage: 2}" in config_repo.read("flags/frozen-careful.yaml")


def test_unreachable_prometheus_holds_and_exits_1(config_repo: GitWork) -> None:
    code, report = progress(config_repo, "--env", "dark")
    assert code == 1
    (dark,) = report["decisions"]
    assert dark["action"] == "hold"
    assert dark["unreadable"] and dark["unreadable"][0].startswith("cannot reach http://127.0.0.1:")
    assert report["changed"] is False and report["commit_message"] == ""
    assert config_repo.git("status", "--porcelain") == ""


def test_all_environments_write_what_they_can_when_one_prometheus_is_down(
    config_repo: GitWork,
) -> None:
    code, report = progress(config_repo)
    assert code == 1  # dark's Prometheus is down
    assert sorted(d["flag"] for d in report["decisions"] if d["written"]) == [
        "failing", "failing-careful", "frozen-careful", "frozen-failing", "healthy-ready",
        "slow-blip",
    ]  # fmt: skip


def test_dry_run_writes_nothing(config_repo: GitWork) -> None:
    code, report = progress(config_repo, "--env", "prod", "--dry-run")
    assert code == 0
    assert report["dry_run"] is True
    assert {d["flag"]: d["action"] for d in report["decisions"]}["healthy-ready"] == "advance"
    assert not any(d["written"] for d in report["decisions"])
    assert config_repo.git("status", "--porcelain") == ""


def test_the_next_stage_holds_from_its_own_commit(config_repo: GitWork) -> None:
    """Git is the only state: after the advance is committed, its hold starts again."""
    progress(config_repo, "--env", "prod")
    commit_at(config_repo, "progress", AT + timedelta(minutes=1))
    code, report = progress(
        config_repo, "--env", "prod", at=(AT + timedelta(minutes=5)).isoformat()
    )
    assert code == 0
    ready = by_flag(report)["healthy-ready"]
    assert (ready["action"], ready["from"]["stage"]) == ("hold", 2)
    assert ready["stage_entered"] == "2026-03-01T12:01:00+00:00"
    assert ready["hold_until"] == "2026-03-01T12:31:00+00:00"
    # Rolled-back flags are disabled: no longer progressing.
    assert "failing" not in by_flag(report)


def test_an_uncommitted_stage_has_not_started_its_hold(config_repo: GitWork) -> None:
    path = config_repo.root / "flags/big-step.yaml"
    path.write_text(path.read_text().replace("plan: wide", "plan: canary"))
    _, report = progress(config_repo, "--env", "prod", "--dry-run")
    big = by_flag(report)["big-step"]
    assert big["action"] == "hold"
    assert big["stage_entered"] is None
    assert big["reason"] == "the current stage is not committed yet, so its hold has not begun"


EXPECTED = Path(__file__).parent / "expected"


def commits_named(work: GitWork, text: str) -> str:
    """Commit ids depend on the Prometheus port written into the config: name them instead."""
    for line in work.git("log", "--format=%h %H %s").splitlines():
        _short, full, subject = line.split(" ", 2)
        text = text.replace(full[:12], f"<{subject}>")
    return text


def test_pull_request_body_and_commit_message(config_repo: GitWork) -> None:
    ran = run_cli(
        "-C", str(config_repo.root), "progress", "--env", "prod", "--at", AT.isoformat(),
        "--format", "markdown", "--dry-run",
    )  # fmt: skip
    assert ran.exit_code == 0
    assert commits_named(config_repo, ran.stdout) == (EXPECTED / "pr-body.md").read_text()
    _, report = progress(config_repo, "--env", "prod", "--dry-run")
    assert report["pull_request"]["body"] == ran.stdout
    assert report["commit_message"] == (EXPECTED / "commit-message.txt").read_text()
    text = run_cli(
        "-C", str(config_repo.root), "progress", "--env", "prod", "--at", AT.isoformat(),
        "--dry-run",
    )  # fmt: skip
    assert commits_named(config_repo, text.stdout) == (EXPECTED / "report.txt").read_text()


def test_a_query_prometheus_refuses_holds_and_exits_1(config_repo: GitWork) -> None:
    # Valid PromQL that fails when it runs: both sides of the match have two series per flag.
    path = config_repo.root / "environments/prod.yaml"
    refused = 'max(app_requests_total{flag="{{ flag }}"} + on(flag) app_requests_total)'
    lines = [
        f"    p99_ms: '{refused}'" if line.startswith("    p99_ms:") else line
        for line in path.read_text().splitlines()
    ]
    path.write_text("\n".join(lines) + "\n")
    code, report = progress(config_repo, "--env", "prod", "--dry-run")
    assert code == 1
    ready = by_flag(report)["healthy-ready"]
    assert ready["action"] == "hold"
    (error,) = ready["unreadable"]
    assert error.startswith(f"HTTP 422 from {report_url(config_repo)}: execution: ")
    assert "many-to-many matching not allowed" in error
    # A failing gate still rolls back although another gate of the plan cannot be read.
    assert by_flag(report)["failing"]["action"] == "rollback"


def report_url(work: GitWork) -> str:
    for line in work.read("environments/prod.yaml").splitlines():
        if "prometheus:" in line:
            return line.split("prometheus:", 1)[1].strip()
    raise AssertionError("no prometheus URL")


def test_an_invalid_configuration_writes_nothing_and_exits_1(config_repo: GitWork) -> None:
    path = config_repo.root / "flags/plans/canary.yaml"
    path.write_text(path.read_text().replace("max_p99_ms", "max_latency_ms"))
    ran = run_cli("-C", str(config_repo.root), "progress", "--at", AT.isoformat())
    assert ran.exit_code == 1
    assert ran.stdout == ""
    assert ran.stderr.splitlines()[0] == (
        "flags/plans/canary.yaml:9:31: error[FW260] gate 'max_latency_ms' reads query "
        "'latency_ms', which environment 'dark' does not define (used by the rollout of flag "
        "'dark-flag'); queries: error_rate, p99_ms"
    )
    assert config_repo.git("status", "--porcelain") == "M flags/plans/canary.yaml"  # stripped


def test_a_query_template_is_sandboxed_to_bare_names(config_repo: GitWork) -> None:
    path = config_repo.root / "environments/prod.yaml"
    path.write_text(path.read_text().replace("{{ flag }}", "{{ flag | upper }}", 1))
    ran = run_cli("-C", str(config_repo.root), "progress", "--env", "prod", "--at", AT.isoformat())
    assert ran.exit_code == 1
    assert ran.stderr.splitlines()[0].startswith(
        "environments/prod.yaml:9:17: error[FW262] query 'error_rate': template "
    )
    assert config_repo.git("status", "--porcelain") == "M environments/prod.yaml"  # stripped


def test_a_stage_merged_from_a_branch_begins_when_the_merge_lands(config_repo: GitWork) -> None:
    """The branch commit is dated 3h ago, the merge 20 minutes ago: the hold counts from the
    merge, when the stage reached the branch that is deployed."""
    config_repo.git("switch", "-q", "-c", "feature")
    path = config_repo.root / "flags/big-step.yaml"
    path.write_text(path.read_text().replace("plan: wide", "plan: canary"))
    commit_at(config_repo, "big-step: canary", AT - timedelta(hours=3))
    config_repo.git("switch", "-q", "main")
    env = os.environ | {
        "GIT_AUTHOR_DATE": (AT - timedelta(minutes=20)).isoformat(),
        "GIT_COMMITTER_DATE": (AT - timedelta(minutes=20)).isoformat(),
    }
    subprocess.run(["git", "merge", "-q", "--no-ff", "-m", "merge feature", "feature"],
                   cwd=config_repo.root, env=env, check=True)  # fmt: skip
    _, report = progress(config_repo, "--env", "prod", "--dry-run")
    big = by_flag(report)["big-step"]
    assert (big["plan"], big["action"]) == ("canary", "hold")
    assert big["stage_entered"] == "2026-03-01T11:40:00+00:00"
    assert big["hold_until"] == "2026-03-01T12:10:00+00:00"
