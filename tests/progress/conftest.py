"""A real Prometheus holding synthetic series around a fixed instant, and a dated Git repo.

Every series is sampled once a minute from AT - 3h to AT + 10m, so instant queries at AT (and a
few minutes either side) hit them. Requests are counters (the error rate is a ratio of rates, as
a real gate computes it); p99 latency is a gauge.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from gitops import conftest as git_fixtures
from gitops.conftest import GitWork
from prometheus_server import free_port, prometheus

# The hermetic Git set-up and work tree of the Git tests, shared rather than copied.
hermetic_git = git_fixtures.hermetic_git
work = git_fixtures.work

AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
START = AT - timedelta(hours=3)
END = AT + timedelta(minutes=10)

# flag -> (variant, requests per minute, 5xx per minute, p99 ms)
HEALTH: dict[str, tuple[str, int, int, float]] = {
    "healthy-ready": ("on", 1000, 10, 300.0),
    "healthy-young": ("on", 1000, 5, 250.0),
    "failing": ("on", 1000, 100, 400.0),
    "failing-careful": ("on", 1000, 200, 400.0),
    "big-step": ("on", 1000, 0, 200.0),
    "frozen-healthy": ("on", 1000, 10, 300.0),
    "frozen-failing": ("on", 1000, 300, 300.0),
    "frozen-careful": ("on", 1000, 300, 300.0),
    "slow-blip": ("on", 1000, 0, 300.0),
}
BLIP_AT = AT  # slow-blip's p99 spikes for the one sample at AT


def openmetrics() -> str:
    lines = [
        "# HELP app_requests Requests served, by flag variant and status.",
        "# TYPE app_requests counter",
    ]
    minutes = int((END - START).total_seconds() // 60)
    for flag, (variant, rate, errors, _p99) in sorted(HEALTH.items()):
        for code, per_minute in (("200", rate - errors), ("500", errors)):
            for i in range(minutes + 1):
                ts = int((START + timedelta(minutes=i)).timestamp())
                labels = f'flag="{flag}",variant="{variant}",code="{code}"'
                lines.append(f"app_requests_total{{{labels}}} {per_minute * i} {ts}")
    lines += ["# HELP app_latency_p99_ms p99 latency.", "# TYPE app_latency_p99_ms gauge"]
    for flag, (variant, _rate, _errors, p99) in sorted(HEALTH.items()):
        for i in range(minutes + 1):
            when = START + timedelta(minutes=i)
            value = 5000.0 if flag == "slow-blip" and when == BLIP_AT else p99
            ts = int(when.timestamp())
            lines.append(f'app_latency_p99_ms{{flag="{flag}",variant="{variant}"}} {value} {ts}')
    lines.append("# EOF")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="session")
def prom_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    work = tmp_path_factory.mktemp("prometheus-gates")
    config = "global:\n  scrape_interval: 1m\nscrape_configs: []\n"
    with prometheus(work, config, openmetrics()) as url:
        yield url


ERROR_RATE = (
    'sum(rate(app_requests_total{flag="{{ flag }}",variant="{{ variant }}",code=~"5.."}[5m])) / '
    'sum(rate(app_requests_total{flag="{{ flag }}",variant="{{ variant }}"}[5m]))'
)
P99 = 'max(app_latency_p99_ms{flag="{{ flag }}",variant="{{ variant }}"})'


def environment(name: str, prometheus_url: str, policy: str = "", after: str = "") -> str:
    promotes = f"promotes_from: {after}" if after else ""
    return f"""
        kind: Environment
        name: {name}
        {promotes}
        argocd: {{project: shop, destination: {{name: {name}-1}}, namespace: shop-{name}}}
        {policy}
        metrics:
          prometheus: {prometheus_url}
          queries:
            error_rate: '{ERROR_RATE}'
            p99_ms: '{P99}'
        apps:
          web: {{}}
    """


PLANS = {
    "flags/plans/canary.yaml": """
        kind: RolloutPlan
        name: canary
        stages:
          - {percent: 1, hold: 30m}
          - {percent: 10, hold: 30m}
          - {percent: 25, hold: 1h}
          - {percent: 50, hold: 1h}
          - {percent: 100}
        gates: {max_error_rate: 0.05, max_p99_ms: 2000}
    """,
    "flags/plans/careful.yaml": """
        kind: RolloutPlan
        name: careful
        stages:
          - {percent: 1, hold: 30m}
          - {percent: 10, hold: 30m}
          - {percent: 25, hold: 1h}
          - {percent: 100}
        gates: {max_error_rate: 0.05}
        on_failure: step-back
    """,
    "flags/plans/wide.yaml": """
        kind: RolloutPlan
        name: wide
        stages:
          - {percent: 10, hold: 30m}
          - {percent: 50, hold: 30m}
          - {percent: 100}
        gates: {max_error_rate: 0.05}
    """,
    "flags/plans/blippy.yaml": """
        kind: RolloutPlan
        name: blippy
        stages:
          - {percent: 5, hold: 10m}
          - {percent: 20, hold: 10m}
          - {percent: 100}
        gates: {max_p99_ms: 2000, count: 3, interval: 1m, failure_limit: 1}
    """,
}


def flag(key: str, env: str, entry: str, comment: str = "") -> str:
    return f"""
        kind: Flag
        key: {key}
        description: {key} under test
        owner: team-test
        environments:
          {env}:
            {comment}
            {entry}
    """


def rollout(plan: str, stage: int) -> str:
    return f'rollout: {{plan: {plan}, variant: "on", stage: {stage}}}  # advanced by progress'


def iso(moment: datetime) -> str:
    return moment.isoformat()


@pytest.fixture
def config_repo(work: GitWork, prom_url: str) -> GitWork:
    """The repository: one commit per change, dated, so holds are measured from history."""
    dark = f"http://127.0.0.1:{free_port()}"  # nothing listens here
    freeze = (
        "policy:\n          freeze:\n            - {from: '2026-03-01T00:00:00Z', "
        "to: '2026-03-02T00:00:00Z', reason: test freeze}"
    )
    base = {
        "environments/repository.yaml": "kind: Repository\nurl: https://example.com/c.git\n",
        "environments/apps/web.yaml": """
            kind: App
            name: web
            chart: {repo: https://charts.example.com, name: web, version: 1.0.0}
            flags: ["*"]
        """,
        "environments/prod.yaml": environment(
            "prod", prom_url, "policy: {max_rollout_step: 25}", after="dark"
        ),
        "environments/frozen.yaml": environment("frozen", prom_url, freeze, after="prod"),
        "environments/dark.yaml": environment("dark", dark),
        **PLANS,
        "flags/healthy-ready.yaml": flag("healthy-ready", "prod", 'serve: "off"'),
        "flags/healthy-young.yaml": flag("healthy-young", "prod", 'serve: "off"'),
        "flags/failing.yaml": flag("failing", "prod", rollout("canary", 2)),
        "flags/failing-careful.yaml": flag("failing-careful", "prod", rollout("careful", 3)),
        "flags/no-data.yaml": flag("no-data", "prod", rollout("canary", 1)),
        "flags/big-step.yaml": flag("big-step", "prod", rollout("wide", 1)),
        "flags/slow-blip.yaml": flag("slow-blip", "prod", rollout("blippy", 1)),
        "flags/frozen-healthy.yaml": flag("frozen-healthy", "frozen", rollout("canary", 1)),
        "flags/frozen-failing.yaml": flag("frozen-failing", "frozen", rollout("canary", 2)),
        "flags/frozen-careful.yaml": flag("frozen-careful", "frozen", rollout("careful", 3)),
        "flags/dark-flag.yaml": flag("dark-flag", "dark", rollout("canary", 1)),
    }
    for rel, text in base.items():
        work.write(rel, text)
    commit_at(work, "config", AT - timedelta(days=1))
    work.write("flags/healthy-ready.yaml", flag("healthy-ready", "prod", rollout("canary", 1)))
    commit_at(work, "healthy-ready: stage 1", AT - timedelta(hours=2))
    # A later commit to the same file that leaves the stage alone: the hold still counts from
    # the commit that entered the stage.
    work.write(
        "flags/healthy-ready.yaml",
        flag("healthy-ready", "prod", rollout("canary", 1), "# watched by the checkout team"),
    )
    commit_at(work, "healthy-ready: comment", AT - timedelta(minutes=5))
    work.write("flags/healthy-young.yaml", flag("healthy-young", "prod", rollout("canary", 1)))
    commit_at(work, "healthy-young: stage 1", AT - timedelta(minutes=10))
    return work


def commit_at(work: GitWork, message: str, moment: datetime) -> str:
    """Commit everything with author and committer dated ``moment`` (holds read the latter)."""
    env = os.environ | {"GIT_AUTHOR_DATE": iso(moment), "GIT_COMMITTER_DATE": iso(moment)}
    for args in (["add", "-A"], ["commit", "-q", "--allow-empty", "-m", message]):
        subprocess.run(["git", *args], cwd=work.root, env=env, check=True, capture_output=True)
    return work.git("rev-parse", "HEAD")
