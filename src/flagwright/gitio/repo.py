"""The Git repository around a config root: revisions, trees and blobs, read without checkout.

Every revision from the command line goes through :func:`check_ref` before this module runs any
Git command with it; everything after that passes full object ids only. Nothing here fetches,
pushes or otherwise touches a remote.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from flagwright.errors import GitError
from flagwright.gitio.refs import check_ref
from flagwright.load.repository import CONFIG_DIRS, YAML_SUFFIXES

DEFAULT_BRANCHES = ("main", "master")


@dataclass(frozen=True, slots=True)
class CommitInfo:
    sha: str
    author: str
    email: str
    date: str  # ISO 8601 with the author's offset, as Git recorded it
    subject: str
    parent: str | None  # the first parent; None for a root commit


class GitRepo:
    """A Git work tree and the config root inside it (``prefix`` is the root's path in Git)."""

    def __init__(self, root: Path) -> None:
        import git  # gitpython is slow to import; commands that never touch Git do not pay

        try:
            self._repo = git.Repo(root, search_parent_directories=True)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            raise GitError(f"{root} is not inside a Git repository") from None
        top = self._repo.working_tree_dir
        if top is None:
            raise GitError(f"{root} is a bare repository; flagwright needs a work tree")
        self.top = Path(top)
        self.root = root
        rel = root.resolve().relative_to(self.top.resolve()).as_posix()
        self.prefix = "" if rel == "." else rel + "/"
        self._git = self._repo.git

    # --- revisions ----------------------------------------------------------------------------

    def resolve(self, ref: str) -> str:
        """The full commit id ``ref`` names; GitError if it is malformed or names nothing."""
        check_ref(ref)
        import git

        try:
            sha = str(
                self._git.rev_parse("--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
            )
        except git.GitCommandError:
            raise GitError(f"unknown revision {ref!r}: no commit by that name") from None
        return sha.strip()

    def head(self) -> str:
        return self.resolve("HEAD")

    def is_shallow(self) -> bool:
        return str(self._git.rev_parse("--is-shallow-repository")).strip() == "true"

    def default_branch(self) -> str | None:
        """origin/HEAD's target, else the first of main, master (local, then origin's)."""
        import git

        try:
            target = str(self._git.symbolic_ref("-q", "refs/remotes/origin/HEAD")).strip()
            if target:
                return target
        except git.GitCommandError:
            pass
        for name in DEFAULT_BRANCHES:
            for ref in (f"refs/heads/{name}", f"refs/remotes/origin/{name}"):
                if self._exists(ref):
                    return ref
        return None

    def merge_base(self) -> str:
        """The merge base of HEAD with the default branch: what a pull request is compared to."""
        import git

        head = self.head()
        branch = self.default_branch()
        if branch is None:
            if self.is_shallow():
                raise GitError(_shallow_message("main"))
            raise GitError(
                "cannot find the default branch (origin/HEAD, main or master); give BASE, "
                "e.g. `flagwright diff origin/develop`"
            )
        try:
            base = str(self._git.merge_base(head, branch)).strip()
        except git.GitCommandError:
            base = ""
        if not base:
            if self.is_shallow():
                raise GitError(_shallow_message(branch.rsplit("/", 1)[-1]))
            raise GitError(f"HEAD and {_short(branch)} have no common ancestor; give BASE")
        return base

    def _exists(self, full_ref: str) -> bool:
        import git

        try:
            self._git.rev_parse("--verify", "--quiet", full_ref)
        except git.GitCommandError:
            return False
        return True

    # --- trees and blobs ----------------------------------------------------------------------

    def list_config_files(self, commit: str) -> dict[str, str]:
        """``{config-relative path: blob id}`` of the YAML files under flags/ and environments/."""
        out = str(
            self._git.ls_tree(
                "-r", "-z", "--full-tree", commit, "--", *(self.prefix + d for d in CONFIG_DIRS)
            )
        )
        files: dict[str, str] = {}
        for record in out.split("\0"):
            if not record:
                continue
            meta, _, path = record.partition("\t")
            _mode, kind, sha = meta.split(" ")
            if kind != "blob" or PurePosixPath(path).suffix not in YAML_SUFFIXES:
                continue
            files[path[len(self.prefix) :]] = sha
        return files

    def read_blobs(self, shas: Iterable[str]) -> dict[str, bytes]:
        """Contents of many blobs through one ``git cat-file --batch``: one process, no checkout."""
        wanted = sorted(set(shas))
        if not wanted:
            return {}
        process = self._git.cat_file("--batch", as_process=True, istream=subprocess.PIPE)
        stdout, _ = process.communicate(("\n".join(wanted) + "\n").encode("ascii"))
        blobs: dict[str, bytes] = {}
        pos = 0
        for sha in wanted:
            end = stdout.index(b"\n", pos)
            header = stdout[pos:end].split(b" ")
            if len(header) != 3:
                raise GitError(f"object {sha} is missing from the repository")
            size = int(header[2])
            blobs[sha] = stdout[end + 1 : end + 1 + size]
            pos = end + 1 + size + 1
        return blobs

    def read_file(self, commit: str, rel: str) -> bytes | None:
        """One config file at ``commit``; None when it does not exist there."""
        sha = self.list_config_files(commit).get(rel)
        return None if sha is None else self.read_blobs([sha])[sha]

    # --- history ------------------------------------------------------------------------------

    def history(self, rev: str, paths: Sequence[str]) -> list[CommitInfo]:
        """Commits reachable from ``rev`` that touch ``paths`` (config-relative), newest first."""
        full = [self.prefix + p for p in paths]
        return [
            CommitInfo(
                sha=commit.hexsha,
                author=str(commit.author.name),
                email=str(commit.author.email),
                date=commit.authored_datetime.isoformat(),
                subject=str(commit.message).split("\n", 1)[0],
                parent=commit.parents[0].hexsha if commit.parents else None,
            )
            for commit in self._repo.iter_commits(rev, paths=full)
        ]

    def landed(self, rev: str, paths: Sequence[str]) -> list[tuple[str, int]]:
        """``(commit, committer time in Unix seconds)`` of the commits on ``rev``'s first-parent
        line that change ``paths``, newest first: when each change reached that branch (a merge
        commit, not the branch commit it merged, when the change came through a merge)."""
        full = [self.prefix + p for p in paths]
        out = str(self._git.log("--first-parent", "--format=%H %ct", rev, "--", *full))
        return [(sha, int(when)) for sha, when in (line.split() for line in out.splitlines())]


def _short(ref: str) -> str:
    return ref.removeprefix("refs/heads/").removeprefix("refs/remotes/")


def _shallow_message(branch: str) -> str:
    return (
        "this is a shallow clone, so the merge base with the default branch is not available. "
        f"Fetch it with `git fetch --unshallow` (or `git fetch origin {branch}` when only that "
        "branch is missing), or give BASE explicitly"
    )
