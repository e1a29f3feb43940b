"""The offered pre-push hook: its entry, run as pre-commit runs it, in a real repository."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import yaml

from .conftest import GitWork, replace

ROOT = Path(__file__).resolve().parents[2]
CALM_DAY = "2026-11-20"


def _entry() -> list[str]:
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    hook = hooks["flagwright-policy"]
    assert hook["stages"] == ["pre-push"] and hook["pass_filenames"] is False
    command = shlex.split(hook["entry"])
    assert command[0] == "flagwright"
    # the console script pip installs next to this interpreter, as pre-commit's hook venv has it
    return [str(Path(sys.executable).parent / "flagwright"), *command[1:]]


def _push_hook(work: GitWork, source: str, target: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_FROM_REF": source, "PRE_COMMIT_TO_REF": target}
    # --today/--now pin the calendar (freeze windows), as the other policy tests do
    args = [*_entry(), "--today", CALM_DAY, "--now", f"{CALM_DAY}T12:00:00Z"]
    return subprocess.run(args, cwd=work.root, env=env, capture_output=True, text=True)


def test_hook_passes_an_allowed_push(config_repo: GitWork) -> None:
    main = config_repo.git("rev-parse", "HEAD")
    config_repo.git("checkout", "-q", "-b", "rollout")
    replace(config_repo, "flags/new-api.yaml", "stage: 2}", "stage: 3}")
    head = config_repo.commit("prod to 25%")
    done = _push_hook(config_repo, main, head)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout == f"{head[:12]} against {main[:12]}: 9 files, 9 documents: no problems\n"


def test_hook_refuses_two_steps_pushed_one_at_a_time(config_repo: GitWork, tmp_path: Path) -> None:
    """The second push is judged from the merge base with origin's main, not the first push."""
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", str(origin)], check=True)
    config_repo.git("remote", "add", "origin", str(origin))
    config_repo.git("push", "-q", "origin", "main")
    config_repo.git("checkout", "-q", "-b", "rollout")
    replace(config_repo, "flags/new-api.yaml", "stage: 2}", "stage: 3}")
    first = config_repo.commit("prod to 25%")
    assert _push_hook(config_repo, "0" * 40, first).returncode == 0
    config_repo.git("push", "-q", "origin", "rollout")
    replace(config_repo, "flags/new-api.yaml", "stage: 3}", "stage: 4}")
    second = config_repo.commit("prod to 50%")
    config_repo.write("flags/new-api.yaml", "kind: Flag\n")  # the work tree is not what is pushed
    done = _push_hook(config_repo, first, second)
    assert done.returncode == 1
    assert done.stdout == (
        "flags/new-api.yaml:15:51: error[FW401] new-api in prod: the rollout of on grows from "
        "10.00% to 50.00% in one change (40.00%); prod's max_rollout_step is 25.00%\n"
        "1 error, 0 warnings\n"
    )


def test_hook_reports_an_invalid_pushed_commit(config_repo: GitWork) -> None:
    main = config_repo.git("rev-parse", "HEAD")
    replace(config_repo, "flags/new-api.yaml", "plan: canary, variant", "plan: canery, variant")
    head = config_repo.commit("typo")
    done = _push_hook(config_repo, main, head)
    assert done.returncode == 1
    assert done.stdout == (
        "flags/new-api.yaml:9:21: error[FW203] unknown rollout plan 'canery'; did you mean "
        "'canary'?\n1 error, 0 warnings\n"
    )


def test_hook_outside_pre_commit_says_what_it_needs(config_repo: GitWork) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRE_COMMIT_")}
    done = subprocess.run(_entry(), cwd=config_repo.root, env=env, capture_output=True, text=True)
    assert done.returncode == 1
    assert done.stderr == (
        "error: --pre-push reads PRE_COMMIT_FROM_REF and PRE_COMMIT_TO_REF, which pre-commit sets "
        "for pre-push hooks; outside pre-commit use `flagwright validate --base REF`\n"
    )
