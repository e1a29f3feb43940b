"""Real, hermetic Git repositories in tmp_path, and a small config to put in them."""

from __future__ import annotations

import shutil
import subprocess
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def hermetic_git(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No user or system config, no hooks from a template, fixed identities and dates."""
    template = tmp_path_factory.mktemp("git-template")
    for name, value in {
        "GIT_AUTHOR_NAME": "Ada Author",
        "GIT_AUTHOR_EMAIL": "ada@example.com",
        "GIT_COMMITTER_NAME": "Cy Committer",
        "GIT_COMMITTER_EMAIL": "cy@example.com",
        "GIT_AUTHOR_DATE": "2026-11-20T10:00:00+01:00",
        "GIT_COMMITTER_DATE": "2026-11-20T10:00:00+01:00",
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_TEMPLATE_DIR": str(template),
        "GIT_TERMINAL_PROMPT": "0",
        # Edits check freeze windows: pin their clock to the commits' day, never the machine's.
        "FLAGWRIGHT_NOW": "2026-11-20T12:00:00Z",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("GIT_DIR", raising=False)
    monkeypatch.delenv("GIT_WORK_TREE", raising=False)


class GitWork:
    """A work tree with helpers to write files and commit them."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def git(self, *args: str) -> str:
        done = subprocess.run(
            ["git", *args], cwd=self.root, check=True, capture_output=True, text=True
        )
        return done.stdout.strip()

    def write(self, rel: str, text: str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    def remove(self, rel: str) -> None:
        (self.root / rel).unlink()

    def read(self, rel: str) -> str:
        return (self.root / rel).read_text(encoding="utf-8")

    def commit(self, message: str, date: str | None = None) -> str:
        self.git("add", "-A")
        env_date = ["-c", "user.useConfigOnly=false"]
        args = [*env_date, "commit", "-q", "--allow-empty", "-m", message]
        if date is not None:
            args[len(env_date) + 1 : len(env_date) + 1] = ["--date", date]
        self.git(*args)
        return self.git("rev-parse", "HEAD")


@pytest.fixture
def work(tmp_path: Path) -> GitWork:
    root = tmp_path / "repo"
    root.mkdir()
    repo = GitWork(root)
    repo.git("init", "-q", "-b", "main")
    return repo


BASE_FILES = {
    "environments/dev.yaml": """
        kind: Environment
        name: dev
        argocd: {project: shop, destination: {name: dev-1}, namespace: shop-dev, sync: auto}
        apps:
          web:
            values: {replicaCount: 1}
    """,
    "environments/staging.yaml": """
        kind: Environment
        name: staging
        promotes_from: dev
        argocd: {project: shop, destination: {name: stg-1}, namespace: shop-staging}
        apps:
          web:
            values: {replicaCount: 2}
    """,
    "environments/prod.yaml": """
        kind: Environment
        name: prod
        promotes_from: staging
        argocd: {project: shop, destination: {name: prod-1}, namespace: shop-prod}
        policy:
          max_rollout_step: 25
          require_promotion: true
          freeze:
            - {from: "2026-12-20T00:00:00Z", to: "2027-01-03T00:00:00Z", reason: holidays}
        apps:
          web:
            values: {replicaCount: 3, image: {tag: 1.0.0}}
    """,
    "environments/repository.yaml": """
        kind: Repository
        url: https://example.com/shop-config.git
    """,
    "environments/apps/web.yaml": """
        kind: App
        name: web
        chart: {repo: https://charts.example.com, name: web, version: 1.0.0}
        values: {image: {repository: ghcr.io/acme/web}}
        flags: ["*"]
    """,
    "flags/plans/canary.yaml": """
        kind: RolloutPlan
        name: canary
        stages:
          - {percent: 1, hold: 30m}
          - {percent: 10, hold: 30m}
          - {percent: 25, hold: 1h}
          - {percent: 50, hold: 1h}
          - {percent: 100}
    """,
    "flags/segments/beta.yaml": """
        kind: Segment
        name: beta
        when: {attr: email, op: in, values: [beta@test.com]}
    """,
    "flags/new-api.yaml": """
        kind: Flag
        key: new-api
        description: New API
        owner: team-a
        environments:
          dev:
            serve: "on"
          staging:
            rollout: {plan: canary, variant: "on", stage: 4}
          prod:
            rules:
              - name: beta
                when: {segment: beta}
                serve: "on"
            rollout: {plan: canary, variant: "on", stage: 2}
    """,
    "flags/checkout.yaml": """
        kind: Flag
        key: checkout
        description: Checkout test
        owner: team-b
        type: string
        variants: {control: v1, treatment: v2}
        default: control
        environments:
          dev:
            serve: treatment
          staging:
            split: {control: 50, treatment: 50}
          prod:
            split: {control: 50, treatment: 50}
    """,
}


@pytest.fixture
def config_repo(work: GitWork) -> GitWork:
    """A small valid configuration, committed once on main."""
    for rel, text in BASE_FILES.items():
        work.write(rel, text)
    work.commit("initial configuration")
    return work


@pytest.fixture
def example_repo(work: GitWork) -> GitWork:
    """The project's example configuration (flags/ and environments/), committed on main."""
    for folder in ("flags", "environments"):
        shutil.copytree(REPO_ROOT / folder, work.root / folder)
    work.commit("example configuration")
    return work


Edit = Callable[[str, str, str], None]


def replace(work: GitWork, rel: str, old: str, new: str) -> None:
    text = work.read(rel)
    assert old in text, f"{old!r} not in {rel}"
    (work.root / rel).write_text(text.replace(old, new, 1), encoding="utf-8")
