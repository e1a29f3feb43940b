"""`flagwright diff` as a function: resolve BASE and HEAD, load both, compare."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flagwright.diff.model import SemanticDiff
from flagwright.diff.revisions import diff_revisions
from flagwright.gitio.refs import check_ref
from flagwright.gitio.repo import GitRepo
from flagwright.gitio.revision import Revision, RevisionLoader
from flagwright.load.repository import require_config_repo


@dataclass(slots=True)
class Pair:
    git: GitRepo
    loader: RevisionLoader
    base: Revision
    head: Revision


def load_pair(root: Path, base: str | None, head: str | None) -> Pair:
    """BASE (default: merge base with the default branch) and HEAD (default: the work tree).

    Both refs are checked before the repository is even opened, so nothing from the command
    line reaches Git unchecked.
    """
    for ref in (base, head):
        if ref is not None:
            check_ref(ref)
    require_config_repo(root)
    git = GitRepo(root)
    loader = RevisionLoader(git)
    head_rev = loader.work_tree() if head is None else loader.commit(git.resolve(head), head)
    if base is None:
        base_sha = git.merge_base()
        base_rev = loader.commit(base_sha, f"merge-base {base_sha[:12]}")
    else:
        base_rev = loader.commit(git.resolve(base), base)
    return Pair(git, loader, base_rev, head_rev)


def run_diff(root: Path, base: str | None = None, head: str | None = None) -> SemanticDiff:
    pair = load_pair(root, base, head)
    return diff_revisions(pair.base, pair.head)
