"""Walking a config repository's history: each commit that touched the configuration, with the
revision of its first parent and its own, parsed once per commit and sharing files by blob."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from flagwright.errors import GitError
from flagwright.gitio.repo import CommitInfo, GitRepo
from flagwright.gitio.revision import Revision, RevisionLoader
from flagwright.load.repository import CONFIG_DIRS, require_config_repo


class ConfigHistory:
    def __init__(self, root: Path) -> None:
        require_config_repo(root)
        self.git = GitRepo(root)
        self.loader = RevisionLoader(self.git)
        self._empty = self.loader.from_files("(nothing)", {})
        self._revisions: dict[str, Revision] = {}

    def load(self, sha: str) -> Revision:
        if sha not in self._revisions:
            self._revisions[sha] = self.loader.commit(sha)
        return self._revisions[sha]

    def changes(self) -> Iterator[tuple[CommitInfo, Revision, Revision]]:
        """Newest first: each config commit, its first parent's revision (empty for a root
        commit) and its own; a shallow clone's boundary is an error, not a silent root."""
        boundary = self.git.shallow_commits()
        for commit in self.git.history(self.git.head(), list(CONFIG_DIRS)):
            if commit.sha in boundary:
                raise GitError(
                    f"this is a shallow clone: the history before commit {commit.sha[:12]} "
                    f"({commit.subject}) is not here, so its change cannot be shown; fetch it "
                    "with `git fetch --unshallow`"
                )
            base = self._empty if commit.parent is None else self.load(commit.parent)
            yield commit, base, self.load(commit.sha)
