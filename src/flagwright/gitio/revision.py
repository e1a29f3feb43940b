"""A revision of the configuration (a commit or the work tree), loaded and indexed.

Files are parsed once per Git blob: two revisions of a large repository that differ in a few
files share every other blob, so the second revision costs only its changed files. The cache key
is (path, blob id) because a document's findings name the file it came from.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from flagwright.check import CheckOptions
from flagwright.check.repository import Validated, check_loaded
from flagwright.diagnostics import Diagnostic, Findings
from flagwright.gitio.repo import GitRepo
from flagwright.load.index import ConfigIndex
from flagwright.load.repository import LoadedRepo, load_text, merge_loaded, require_config_repo

WORK_TREE = "work tree"


@dataclass(slots=True)
class Revision:
    label: str  # what people call it: the ref as given, a short id, or "work tree"
    commit: str | None  # None for the work tree
    loaded: LoadedRepo
    index: ConfigIndex
    findings: Findings
    blobs: dict[str, str] = field(default_factory=dict)  # path -> blob id
    diagnostics: list[Diagnostic] = field(default_factory=list)  # located; only when checked

    @classmethod
    def of(
        cls, label: str, commit: str | None, checked: Validated, blobs: dict[str, str] | None = None
    ) -> Revision:
        return cls(label, commit, checked.repo, checked.index, checked.findings, blobs or {},
                   checked.diagnostics)  # fmt: skip


def blob_id(raw: bytes) -> str:
    """Git's object id of a blob with this content (so work-tree files share the cache)."""
    return hashlib.sha1(b"blob %d\0" % len(raw) + raw, usedforsecurity=False).hexdigest()


class RevisionLoader:
    """Loads revisions of one repository, sharing parsed files between them."""

    def __init__(self, git: GitRepo) -> None:
        self.git = git
        self._parsed: dict[tuple[str, str], LoadedRepo] = {}

    def commit(
        self, sha: str, label: str | None = None, checks: CheckOptions | None = None
    ) -> Revision:
        """The commit, indexed; also checked (its diagnostics located) when ``checks`` are given."""
        blobs = self.git.list_config_files(sha)
        missing = {b for p, b in blobs.items() if (p, b) not in self._parsed}
        contents = self.git.read_blobs(missing)
        for path, blob in blobs.items():
            if (path, blob) not in self._parsed:
                self._parse(path, blob, contents[blob])
        return self._assemble(label or sha[:12], sha, blobs, checks)

    def work_tree(self) -> Revision:
        root = self.git.root
        blobs: dict[str, str] = {}
        for rel in require_config_repo(root):
            try:
                raw = (root / rel).read_bytes()
            except OSError:
                continue  # vanished while reading: treat as absent
            blob = blob_id(raw)
            blobs[rel] = blob
            if (rel, blob) not in self._parsed:
                self._parse(rel, blob, raw)
        return self._assemble(WORK_TREE, None, blobs)

    def from_files(self, label: str, files: dict[str, bytes]) -> Revision:
        """A revision made of in-memory files (an edit not yet written)."""
        blobs = {}
        for rel, raw in files.items():
            blob = blob_id(raw)
            blobs[rel] = blob
            if (rel, blob) not in self._parsed:
                self._parse(rel, blob, raw)
        return self._assemble(label, None, blobs)

    def _parse(self, rel: str, blob: str, raw: bytes) -> None:
        part = LoadedRepo(root=self.git.root)
        load_text(part, rel, raw)
        self._parsed[(rel, blob)] = part

    def _assemble(
        self,
        label: str,
        commit: str | None,
        blobs: dict[str, str],
        checks: CheckOptions | None = None,
    ) -> Revision:
        loaded = LoadedRepo(root=Path(self.git.root))
        for path in sorted(blobs):
            merge_loaded(loaded, self._parsed[(path, blobs[path])])
        checked = check_loaded(loaded, checks, locate=checks is not None)
        return Revision.of(label, commit, checked, blobs)
