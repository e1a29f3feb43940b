"""Revisions from the command line are checked before Git sees them; clear errors otherwise."""

from __future__ import annotations

import subprocess
from pathlib import Path

import git
import pytest

from flagwright.diff.run import load_pair
from flagwright.errors import GitError
from flagwright.gitio import check_ref

from .conftest import GitWork


@pytest.mark.parametrize(
    ("ref", "reason"),
    [
        ("--upload-pack=touch /tmp/pwned", "starts with '-'"),
        ("-x", "starts with '-'"),
        ("--output=/tmp/x", "starts with '-'"),
        ("$(touch pwned)", "is not a ref name or commit id"),
        ("`id`", "is not a ref name or commit id"),
        ("main;id", "contains ';'"),
        ("main..feature", "contains '..'"),
        ("main...feature", "contains '..'"),
        ("HEAD:flags/a.yaml", "contains ':'"),
        ("main@{1}", "contains '@'"),
        ("main\nid", "control characters"),
        ("main\x00", "control characters"),
        ("", "empty revision"),
        ("refs/heads/.hidden", "not a valid ref name"),
        ("main.lock", "not a valid ref name"),
        ("a" * 300, "longer than 256"),
    ],
)
def test_malformed_refs_are_rejected_before_any_git_call(
    ref: str, reason: str, config_repo: GitWork, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_git(*args: object, **kwargs: object) -> None:
        raise AssertionError("Git was called")

    monkeypatch.setattr(git.Repo, "__init__", no_git)
    monkeypatch.setattr(git.cmd.Git, "execute", no_git)
    monkeypatch.setattr(subprocess, "Popen", no_git)
    with pytest.raises(GitError, match="empty revision" if not ref else None) as caught:
        load_pair(config_repo.root, ref, None)
    assert reason in str(caught.value)
    with pytest.raises(GitError):
        load_pair(config_repo.root, "main", ref)


@pytest.mark.parametrize("ref", ["main", "HEAD~1", "HEAD^", "v1.0", "feature/x-1", "a" * 40])
def test_plain_revisions_pass_the_syntax_check(ref: str) -> None:
    assert check_ref(ref) == ref


def test_unknown_revision_is_a_clear_error(config_repo: GitWork) -> None:
    with pytest.raises(GitError) as caught:
        load_pair(config_repo.root, "no-such-branch", None)
    assert str(caught.value) == "unknown revision 'no-such-branch': no commit by that name"


def test_not_a_git_repository(tmp_path: Path) -> None:
    (tmp_path / "flags").mkdir()
    (tmp_path / "flags/x.yaml").write_text("kind: Flag\n", encoding="utf-8")
    with pytest.raises(GitError, match="is not inside a Git repository"):
        load_pair(tmp_path, None, None)


def test_shallow_clone_without_base_says_how_to_fetch(config_repo: GitWork, tmp_path: Path) -> None:
    config_repo.git("checkout", "-q", "-b", "feature")
    config_repo.write("flags/extra.yaml", "kind: Flag\nkey: extra\ndescription: x\nowner: y\n")
    config_repo.commit("feature work")
    config_repo.git("checkout", "-q", "main")  # the origin's default branch stays main
    clone = tmp_path / "clone"
    subprocess.run(
        [
            "git",
            "clone",
            "-q",
            "--depth",
            "1",
            "--branch",
            "feature",
            "--single-branch",
            f"file://{config_repo.root}",
            str(clone),
        ],
        check=True,
        capture_output=True,
    )
    with pytest.raises(GitError) as caught:
        load_pair(clone, None, None)
    message = str(caught.value)
    assert message.startswith("this is a shallow clone")
    assert "`git fetch --unshallow`" in message
    assert "`git fetch origin main`" in message


def test_default_branch_merge_base_is_the_default_base(config_repo: GitWork) -> None:
    first = config_repo.git("rev-parse", "HEAD")
    config_repo.git("checkout", "-q", "-b", "feature")
    config_repo.commit("empty change on a branch")
    pair = load_pair(config_repo.root, None, None)
    assert pair.base.commit == first
    assert pair.head.label == "work tree"
