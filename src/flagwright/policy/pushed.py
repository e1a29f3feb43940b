"""``flagwright validate --pre-push``: check what is being pushed, as the pull request will.

pre-commit runs pre-push hooks with ``PRE_COMMIT_FROM_REF`` (what the remote has) and
``PRE_COMMIT_TO_REF`` (the commit being pushed). The pushed commit is validated as committed,
not the work tree, and its change is judged against the branch it will be merged into: the
merge base with the remote's default branch when there is one (``origin/HEAD``,
``origin/main``, ``origin/master``), else the remote's old tip of the pushed branch. That way
several pushes to one feature branch cannot each take one allowed step and together take two.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path

from flagwright.check import CheckOptions
from flagwright.check.repository import Pushed, Validation
from flagwright.errors import GitError, UserError
from flagwright.gitio.repo import GitRepo
from flagwright.gitio.revision import RevisionLoader
from flagwright.load.repository import require_config_repo
from flagwright.load.resolve import resolve_positions
from flagwright.policy.changes import check_change_policies
from flagwright.policy.history import History, parse_allowances

FROM_VAR = "PRE_COMMIT_FROM_REF"
TO_VAR = "PRE_COMMIT_TO_REF"
_NULL = "0" * 40


def pushed_refs(environ: dict[str, str] | None = None) -> tuple[str, str]:
    env = os.environ if environ is None else environ
    source, target = env.get(FROM_VAR, ""), env.get(TO_VAR, "")
    if not target:
        raise UserError(
            f"--pre-push reads {FROM_VAR} and {TO_VAR}, which pre-commit sets for pre-push hooks; "
            "outside pre-commit use `flagwright validate --base REF`"
        )
    return source, target


def validate_push(
    root: Path, source: str, target: str, today: date, now: datetime, strict: bool = False
) -> Validation:
    require_config_repo(root)
    git = GitRepo(root)
    head_sha = git.resolve(target)
    base_sha = _base(git, source, head_sha)
    loader = RevisionLoader(git)
    head = loader.commit(head_sha, head_sha[:12], CheckOptions(today=today, strict=strict))
    diagnostics = head.diagnostics
    ok = not any(d.severity == "error" for d in diagnostics)
    if ok and base_sha is not None and base_sha != head_sha:
        base = loader.commit(base_sha, base_sha[:12])
        allowed = parse_allowances(git.messages(base_sha, head_sha))
        found = check_change_policies(base, head, now, History(git, base_sha), allowed)
        diagnostics = sorted(
            set(diagnostics) | set(resolve_positions(found.items, head.loaded.texts))
        )
    files, documents = len(head.loaded.texts), len(head.loaded.documents)
    return Validation(files, documents, diagnostics, Pushed(head_sha, base_sha))


def _base(git: GitRepo, source: str, head: str) -> str | None:
    """The merge base with the remote default branch, else the remote's old tip, else None."""
    branch = git.remote_default_branch()
    if branch is not None:
        try:
            return git.merge_base_of(head, branch)
        except GitError:
            pass  # unrelated histories: fall back to what the remote had
    if source and source != _NULL:
        return git.resolve(source)
    return None
