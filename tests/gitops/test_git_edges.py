"""Where the repository is not what a command expects: a clear error (exit 1), never an
internal error and never a false "no problems"."""

from __future__ import annotations

import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest
from tests.cli_runner import run_cli

from .conftest import BASE_FILES, GitWork, replace

NOT_A_REPO = "is not a config repository: it has no YAML files under flags/ or environments/"


@pytest.mark.parametrize(
    "args",
    [
        ["validate"],
        ["render", "--check"],
        ["eval", "new-api", "--env", "prod"],
        ["explain", "new-api", "--env", "prod"],
        ["promote", "new-api", "--to", "prod"],
        ["diff"],
        ["log", "new-api"],
        ["set", "new-api", "--env", "prod", "--disabled"],
        ["advance", "new-api", "--env", "prod"],
        ["rollback", "new-api", "--env", "prod"],
    ],
)
def test_a_folder_inside_a_config_repo_is_not_one(config_repo: GitWork, args: list[str]) -> None:
    inner = config_repo.root / "flags"
    result = run_cli("-C", str(inner), *args)
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {inner} {NOT_A_REPO}; {config_repo.root} is one: run there or pass -C "
        f"{config_repo.root}\n"
    )
    assert "no problems" not in result.stdout


def test_an_empty_directory_is_not_a_config_repo(tmp_path: Path) -> None:
    result = run_cli("-C", str(tmp_path), "validate")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"error: {tmp_path} {NOT_A_REPO}\n"


def test_folders_without_yaml_are_not_a_config_repo(tmp_path: Path) -> None:
    (tmp_path / "flags").mkdir()
    (tmp_path / "environments").mkdir()
    (tmp_path / "flags" / "README.md").write_text("notes\n", encoding="utf-8")
    assert run_cli("-C", str(tmp_path), "validate").exit_code == 1


@pytest.fixture
def unborn(work: GitWork) -> GitWork:
    """A config repository whose Git repository has no commits yet."""
    for rel, text in BASE_FILES.items():
        work.write(rel, text)
    return work


@pytest.mark.parametrize(
    "args",
    [
        ["rollback", "new-api", "--env", "prod"],
        ["log", "new-api"],
        ["diff"],
        ["validate", "--base", "HEAD"],
    ],
)
def test_no_commits_yet_is_a_clear_error(unborn: GitWork, args: list[str]) -> None:
    result = run_cli("-C", str(unborn.root), *args)
    assert result.exit_code == 1, result.stderr
    assert "the repository has no commits yet; commit the configuration first" in result.stderr
    assert "internal error" not in result.stderr


def _history(work: GitWork) -> None:
    replace(work, "flags/new-api.yaml", "stage: 2}", "stage: 3}")
    work.commit("prod to 25%")
    replace(work, "flags/new-api.yaml", "stage: 3}", "stage: 1}")
    work.commit("prod to 1%")


def _clone(source: GitWork, target: Path, *flags: str) -> Path:
    subprocess.run(
        ["git", "clone", "-q", *flags, f"file://{source.root}", str(target)],
        check=True,
        capture_output=True,
    )
    return target


def test_log_in_a_shallow_clone_says_so(config_repo: GitWork, tmp_path: Path) -> None:
    _history(config_repo)
    clone = _clone(config_repo, tmp_path / "clone", "--depth", "1")
    result = run_cli("-C", str(clone), "log", "new-api")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: this is a shallow clone: the history before commit ")
    assert result.stderr.endswith("(prod to 1%) is not here, so its change cannot be shown; "
                                  "fetch it with `git fetch --unshallow`\n")  # fmt: skip


def test_rollback_and_base_in_a_shallow_clone_say_so(config_repo: GitWork, tmp_path: Path) -> None:
    _history(config_repo)
    clone = _clone(config_repo, tmp_path / "clone", "--depth", "1")
    result = run_cli("-C", str(clone), "rollback", "new-api", "--env", "prod")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: no earlier revision of flags/new-api.yaml has a different prod entry for "
        "new-api; this is a shallow clone, so older revisions may exist upstream (fetch them "
        "with `git fetch --unshallow`)\n"
    )
    result = run_cli("-C", str(clone), "validate", "--base", "HEAD~1")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: unknown revision 'HEAD~1': no commit by that name in this shallow clone; fetch "
        "more history with `git fetch --unshallow` (or `git fetch --depth N`)\n"
    )


def test_a_deeper_shallow_clone_rolls_back(config_repo: GitWork, tmp_path: Path) -> None:
    _history(config_repo)
    clone = _clone(config_repo, tmp_path / "clone", "--depth", "2")
    result = run_cli("-C", str(clone), "rollback", "new-api", "--env", "prod",
                     "--now", "2026-11-20T12:00:00Z")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "stage: 3}" in (clone / "flags/new-api.yaml").read_text(encoding="utf-8")


def test_detached_head_works(config_repo: GitWork) -> None:
    _history(config_repo)
    config_repo.git("checkout", "-q", "--detach", "HEAD")
    root = str(config_repo.root)
    log = run_cli("-C", root, "log", "new-api")
    assert log.exit_code == 0, log.stderr
    assert "prod to 1%" in log.stdout
    assert run_cli("-C", root, "diff").exit_code == 0
    assert run_cli("-C", root, "validate", "--base", "HEAD~1").exit_code == 0
    back = run_cli("-C", root, "rollback", "new-api", "--env", "prod",
                   "--now", "2026-11-20T12:00:00Z")  # fmt: skip
    assert back.exit_code == 0, back.stderr


def _drop_tree(work: GitWork, rev: str) -> None:
    """Delete the loose root tree object of ``rev``: a damaged or partial clone."""
    tree = work.git("rev-parse", f"{rev}^{{tree}}")
    (work.root / ".git" / "objects" / tree[:2] / tree[2:]).unlink()


@pytest.mark.parametrize(
    "args",
    [
        ["log", "new-api"],
        ["diff", "HEAD~1"],
        ["validate", "--base", "HEAD~1"],
    ],
)
def test_a_missing_tree_object_is_a_clear_error(config_repo: GitWork, args: list[str]) -> None:
    _history(config_repo)
    _drop_tree(config_repo, "HEAD~1")
    result = run_cli("-C", str(config_repo.root), *args)
    assert result.exit_code == 1, result.stderr
    assert "missing from the repository (a partial" in result.stderr
    assert "`git fetch` or `git fsck` may restore" in result.stderr


def test_not_a_config_repo_even_with_git_history(tmp_path: Path, work: GitWork) -> None:
    """A Git repository whose config lives elsewhere: log must not answer "no commits"."""
    (work.root / "README.md").write_text(textwrap.dedent("hello\n"), encoding="utf-8")
    work.commit("readme")
    result = run_cli("-C", str(work.root), "log", "new-api")
    assert result.exit_code == 1
    assert NOT_A_REPO in result.stderr
    shutil.rmtree(work.root / ".git")


def test_listing_only_some_config_files_at_a_commit(work: GitWork) -> None:
    """``render --changed-since`` asks for the blobs of the changed files only; the paths are
    matched literally (a ``*`` in a name is no glob) and paths outside the config folders are
    never listed."""
    from flagwright.gitio.repo import GitRepo

    work.write("flags/a*.yaml", "x: 1\n")
    work.write("flags/ab.yaml", "x: 2\n")
    work.write("flags/a.yaml", "x: 3\n")
    work.write("rendered/a.yaml", "x: 4\n")
    head = work.commit("three flags")
    git = GitRepo(work.root)
    everything = git.list_config_files(head)
    assert sorted(everything) == ["flags/a*.yaml", "flags/a.yaml", "flags/ab.yaml"]
    assert git.list_config_files(head, only=["flags/a*.yaml", "flags/gone.yaml"]) == {
        "flags/a*.yaml": everything["flags/a*.yaml"]
    }
    assert git.list_config_files(head, only=["rendered/a.yaml"]) == {}
    assert git.list_config_files(head, only=[]) == {}
