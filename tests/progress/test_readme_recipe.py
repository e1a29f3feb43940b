"""The README's CI recipe: its decide step, run as written (bash, jq) on a real repository."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from gitops.conftest import GitWork

from .conftest import AT

README = Path(__file__).resolve().parents[2] / "README.md"
MARKER = "# .github/workflows/flagwright-progress.yml\n"


def recipe() -> dict[str, object]:
    text = README.read_text(encoding="utf-8")
    start = text.index(MARKER)
    workflow: dict[str, object] = yaml.safe_load(text[start : text.index("```", start)])
    return workflow


def test_the_workflow_runs_on_a_schedule_with_full_history() -> None:
    workflow = recipe()
    assert workflow[True] == {"schedule": [{"cron": "*/10 * * * *"}], "workflow_dispatch": {}}  # type: ignore[index]
    steps = workflow["jobs"]["progress"]["steps"]  # type: ignore[index]
    assert steps[0]["with"]["fetch-depth"] == 0


def test_the_decide_step_produces_the_pull_request(config_repo: GitWork, tmp_path: Path) -> None:
    steps = recipe()["jobs"]["progress"]["steps"]  # type: ignore[index]
    (decide,) = [s for s in steps if s.get("id") == "decide"]
    # The recorded series are dated around AT: decide as of then, not the wall clock.
    script = decide["run"].replace(
        "flagwright progress", f"flagwright progress --at {AT.isoformat()}"
    )
    outputs = tmp_path / "outputs"
    env = os.environ | {
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_OUTPUT": str(outputs),
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
    }
    subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=config_repo.root, env=env,
                   check=True, timeout=300)  # fmt: skip
    got = dict(line.split("=", 1) for line in outputs.read_text().splitlines())
    # dark's Prometheus is down: the job fails at its end, after the pull request is made.
    assert got == {"changed": "true", "rollback": "true", "status": "1"}
    message = (tmp_path / "message.txt").read_text()
    assert message.startswith("progress: roll back 4, advance 2 of 6 rollouts\n")
    assert (tmp_path / "body.md").read_text().startswith("## flagwright progress at ")
    assert config_repo.git("branch", "--show-current") == "flagwright/progress"
    assert "enabled: false" in config_repo.read("flags/frozen-failing.yaml")


def test_the_commit_step_commits_sources_and_rendered_output(
    config_repo: GitWork, tmp_path: Path
) -> None:
    steps = recipe()["jobs"]["progress"]["steps"]  # type: ignore[index]
    (decide,) = [s for s in steps if s.get("id") == "decide"]
    (commit,) = [s for s in steps if str(s.get("name", "")).startswith("commit")]
    env = os.environ | {
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_OUTPUT": str(tmp_path / "outputs"),
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
    }
    script = decide["run"].replace(
        "flagwright progress", f"flagwright progress --at {AT.isoformat()}"
    )
    # Up to the push: pushing and the pull request need GitHub.
    local = commit["run"].split("git push", 1)[0]
    for part in (script, local):
        subprocess.run(["bash", "-euo", "pipefail", "-c", part], cwd=config_repo.root, env=env,
                       check=True, timeout=300)  # fmt: skip
    assert config_repo.git("status", "--porcelain") == ""
    assert config_repo.git("log", "-1", "--format=%s") == (
        "progress: roll back 4, advance 2 of 6 rollouts"
    )
    changed = config_repo.git("show", "--name-only", "--format=", "HEAD").splitlines()
    assert "flags/healthy-ready.yaml" in changed
    assert "rendered/prod/flags/snapshot.json" in changed
