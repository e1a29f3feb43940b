"""The Git repository around a config root: revisions, trees and blobs, read without checkout.

Every revision from the command line goes through :func:`check_ref` before this module runs any
Git command with it; everything after that passes full object ids only. Nothing here fetches,
pushes or otherwise touches a remote.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterable, Sequence
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
            raise GitError(self._unknown(ref)) from None
        return sha.strip()

    def _unknown(self, ref: str) -> str:
        """Why ``ref`` names no commit, in the words a user can act on."""
        if not self._exists("HEAD"):
            return (
                f"unknown revision {ref!r}: the repository has no commits yet; commit the "
                "configuration first (flagwright reads revisions and history from Git)"
            )
        if self.is_shallow():
            return (
                f"unknown revision {ref!r}: no commit by that name in this shallow clone; fetch "
                "more history with `git fetch --unshallow` (or `git fetch --depth N`)"
            )
        return f"unknown revision {ref!r}: no commit by that name"

    def has_commits(self) -> bool:
        return self._exists("HEAD")

    def head(self) -> str:
        return self.resolve("HEAD")

    def is_shallow(self) -> bool:
        return str(self._git.rev_parse("--is-shallow-repository")).strip() == "true"

    def shallow_commits(self) -> frozenset[str]:
        """Commits whose parents this clone does not have (the shallow boundary)."""
        path = Path(str(self._git.rev_parse("--git-path", "shallow")).strip())
        if not path.is_absolute():
            path = self.top / path
        try:
            return frozenset(path.read_text(encoding="ascii").split())
        except OSError:
            return frozenset()

    def default_branch(self) -> str | None:
        """origin/HEAD's target, else the first of main, master (local, then origin's)."""
        return self._default_branch(("refs/heads/", "refs/remotes/origin/"))

    def remote_default_branch(self) -> str | None:
        """The remote's default branch: origin/HEAD's target, else origin/main or origin/master."""
        return self._default_branch(("refs/remotes/origin/",))

    def _default_branch(self, prefixes: tuple[str, ...]) -> str | None:
        import git

        try:
            target = str(self._git.symbolic_ref("-q", "refs/remotes/origin/HEAD")).strip()
            if target:
                return target
        except git.GitCommandError:
            pass
        for name in DEFAULT_BRANCHES:
            for prefix in prefixes:
                if self._exists(prefix + name):
                    return prefix + name
        return None

    def merge_base_of(self, commit: str, branch: str) -> str:
        """The merge base of two commits (full ids or full ref names, never user input)."""
        import git

        try:
            base = str(self._git.merge_base(commit, branch)).strip()
        except git.GitCommandError:
            base = ""
        if not base:
            raise GitError(f"{commit[:12]} and {_short(branch)} have no common ancestor")
        return base

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

    def list_config_files(self, commit: str, only: Iterable[str] | None = None) -> dict[str, str]:
        """``{config-relative path: blob id}`` of the YAML files under flags/ and environments/;
        ``only``: of those of these paths that are there (ls-tree matches paths literally)."""
        import git

        if only is None:
            paths = [self.prefix + d for d in CONFIG_DIRS]
        else:
            paths = [self.prefix + p for p in only if p.split("/", 1)[0] in CONFIG_DIRS]
            if not paths:
                return {}
        try:
            out = str(self._git.ls_tree("-r", "-z", "--full-tree", commit, "--", *paths))
        except git.GitCommandError:
            raise GitError(self._missing(commit)) from None
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
                raise GitError(
                    f"object {sha} is missing from the repository (a partial or damaged clone); "
                    "`git fetch` or `git fsck` may restore it"
                )
            size = int(header[2])
            blobs[sha] = stdout[end + 1 : end + 1 + size]
            pos = end + 1 + size + 1
        return blobs

    def list_files(self, commit: str, folder: str) -> dict[str, str]:
        """``{config-relative path: blob id}`` of every file under ``folder`` at ``commit``."""
        out = str(self._git.ls_tree("-r", "-z", "--full-tree", commit, "--", self.prefix + folder))
        files: dict[str, str] = {}
        for record in out.split("\0"):
            meta, _, path = record.partition("\t")
            if record and meta.split(" ")[1] == "blob":
                files[path[len(self.prefix) :]] = meta.split(" ")[2]
        return files

    def changed_config_files(self, commit: str) -> set[str]:
        """Config files (YAML under flags/ and environments/) whose work-tree content differs
        from ``commit``: modified, deleted, or new (untracked ones too, unless ignored)."""
        dirs = [self.prefix + d for d in CONFIG_DIRS]
        # Relative to the top of the work tree, whatever the current directory.
        changed = str(self._git.diff("--name-only", "-z", "--no-renames", commit, "--", *dirs))
        new = str(self._git.ls_files("-z", "--others", "--exclude-standard", "--full-name",
                                     "--", *dirs))  # fmt: skip
        return {
            path[len(self.prefix) :]
            for path in [*changed.split("\0"), *new.split("\0")]
            if path and PurePosixPath(path).suffix in YAML_SUFFIXES
        }

    def changed_files(self, commit: str, folder: str) -> list[str]:
        """Files under ``folder`` whose work-tree state differs from ``commit``: modified,
        deleted, or not in ``commit`` at all (untracked or ignored ones too), sorted."""
        import git

        where = self.prefix + folder
        # `flagwright render` carries unchanged files over as hard links, which changes their
        # inode's ctime only: with ctime trusted, Git would read and hash every one of them
        # again on each diff until the index is refreshed (half a second for a fleet's 140 MB).
        # Size, mtime and inode still tell an edited file. A command object of its own: the
        # option must not reach another thread's command (changed_files_soon).
        own = git.Git(self.top)(c="core.trustctime=false")
        changed = str(own.diff("--name-only", "-z", "--no-renames", commit, "--", where))
        new = str(own.ls_files("-z", "--others", "--full-name", "--", where))
        paths = {p[len(self.prefix) :] for p in [*changed.split("\0"), *new.split("\0")] if p}
        return sorted(paths)

    def changed_files_soon(self, commit: str, folder: str) -> Callable[[], list[str]]:
        """:meth:`changed_files`, started in a thread now: Git reads (and may hash) the work
        tree while the caller works on. Calling the result waits for the list."""
        from concurrent.futures import ThreadPoolExecutor

        pool = ThreadPoolExecutor(max_workers=1)
        future = pool.submit(self.changed_files, commit, folder)
        pool.shutdown(wait=False)
        return future.result

    def read_file(self, commit: str, rel: str) -> bytes | None:
        """One config file at ``commit``; None when it does not exist there."""
        sha = self.list_config_files(commit).get(rel)
        return None if sha is None else self.read_blobs([sha])[sha]

    # --- history ------------------------------------------------------------------------------

    def history(self, rev: str, paths: Sequence[str], limit: int | None = None) -> list[CommitInfo]:
        """Commits reachable from ``rev`` that touch ``paths`` (config-relative), newest first."""
        import git

        full = [self.prefix + p for p in paths]
        try:
            return self._history(rev, full, limit)
        except (git.GitCommandError, ValueError):
            where = "this shallow clone" if self.is_shallow() else "the repository"
            raise GitError(
                f"cannot read the history of {rev[:12]}: an object it needs is missing from "
                f"{where} (a partial, shallow or damaged clone); `git fetch --unshallow`, "
                "`git fetch` or `git fsck` may restore it"
            ) from None

    def messages(self, base: str, head: str) -> list[str]:
        """Full messages of the commits reachable from ``head`` but not from ``base`` (ids)."""
        import git

        try:
            out = str(self._git.log("--format=%B%x00", f"{base}..{head}", "--"))
        except git.GitCommandError:
            raise GitError(f"cannot read the commits from {base[:12]} to {head[:12]}") from None
        return [m.strip() for m in out.split("\0") if m.strip()]

    def _history(self, rev: str, full: list[str], limit: int | None) -> list[CommitInfo]:
        # `git log` rather than gitpython's iter_commits: no long-lived cat-file process is left
        # behind when an object turns out to be missing halfway through.
        count = [] if limit is None else [f"--max-count={limit}"]
        out = str(
            self._git.log(
                "-z", *count, "--format=%H%x1f%an%x1f%ae%x1f%aI%x1f%P%x1f%B", rev, "--", *full
            )
        )
        commits = []
        for record in out.split("\0"):
            if not record.strip():
                continue
            sha, author, email, date, parents, message = record.split("\x1f", 5)
            commits.append(
                CommitInfo(
                    sha=sha.strip(),
                    author=author,
                    email=email,
                    date=date,
                    subject=message.strip("\n").split("\n", 1)[0],
                    parent=parents.split()[0] if parents.strip() else None,
                )
            )
        return commits

    def _missing(self, commit: str) -> str:
        """Why the files of ``commit`` cannot be read."""
        if commit in self.shallow_commits() or (self.is_shallow() and not self._has(commit)):
            return (
                f"commit {commit[:12]} is beyond the history of this shallow clone; fetch it "
                "with `git fetch --unshallow`"
            )
        return (
            f"the files of commit {commit[:12]} are missing from the repository (a partial or "
            "damaged clone: an object is not in .git/objects); `git fetch` or `git fsck` may "
            "restore them"
        )

    def _has(self, commit: str) -> bool:
        import git

        try:
            self._git.cat_file("-e", f"{commit}^{{tree}}")
        except git.GitCommandError:
            return False
        return True

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
