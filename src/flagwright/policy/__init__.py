"""Change policies checked against a base revision (``flagwright validate --base REF``)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from flagwright.diagnostics import Diagnostic
from flagwright.errors import UserError
from flagwright.gitio.refs import check_ref
from flagwright.gitio.repo import GitRepo
from flagwright.gitio.revision import WORK_TREE, Revision, RevisionLoader
from flagwright.load.index import ConfigIndex
from flagwright.load.repository import LoadedRepo
from flagwright.load.resolve import resolve_positions
from flagwright.policy.changes import check_change_policies
from flagwright.policy.history import History, parse_allowances

__all__ = ["check_change_policies", "parse_now", "policy_diagnostics"]


def parse_now(text: str | None) -> datetime:
    """The instant freeze windows are checked at: the given RFC 3339 time, or the clock."""
    if text is None:
        return datetime.now(UTC)
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise UserError(f"--now {text!r} is not an RFC 3339 time") from None
    return instant if instant.tzinfo is not None else instant.replace(tzinfo=UTC)


def policy_diagnostics(
    root: Path, base_ref: str, head: LoadedRepo, index: ConfigIndex, now: datetime
) -> list[Diagnostic]:
    """Violations of the change BASE → the work tree (already loaded as ``head``)."""
    check_ref(base_ref)
    git = GitRepo(root)
    loader = RevisionLoader(git)
    base_sha = git.resolve(base_ref)
    base = loader.commit(base_sha, base_ref)
    head_rev = Revision(WORK_TREE, None, head, index, head.findings)
    allowed = parse_allowances(git.messages(base_sha, git.head()))
    findings = check_change_policies(base, head_rev, now, History(git, base_sha), allowed)
    return resolve_positions(findings.items, head.texts)
