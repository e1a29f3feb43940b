"""`flagwright diff` as a function: resolve BASE and HEAD, load both, compare."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flagwright.diff.model import PolicyNote, SemanticDiff
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


def run_diff(
    root: Path, base: str | None = None, head: str | None = None, now: datetime | None = None
) -> SemanticDiff:
    """The diff BASE → HEAD; given ``now``, with the change policies checked at that instant."""
    pair = load_pair(root, base, head)
    result = diff_revisions(pair.base, pair.head)
    if now is not None:
        result.policies = policy_notes(pair.base, pair.head, now)
    return result


def policy_notes(base: Revision, head: Revision, now: datetime) -> list[PolicyNote]:
    """``validate --base``'s policy findings, each with HEAD's line and its environment."""
    from flagwright.load.resolve import resolve_positions
    from flagwright.policy.changes import check_change_policies

    env_files = {e.source.path: name for name, e in head.index.environments.items()}
    notes: list[PolicyNote] = []
    for finding in check_change_policies(base, head, now).items:
        env = env_files.get(finding.source.path)
        where = finding.where
        if env is None and len(where) > 1 and where[0] == "environments":
            env = str(where[1])
        notes.extend(PolicyNote(env, d) for d in resolve_positions([finding], head.loaded.texts))
    return sorted(set(notes), key=lambda n: (n.diagnostic, n.env or ""))
