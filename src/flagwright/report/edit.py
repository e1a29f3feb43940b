"""What every editing command prints: the file it wrote and the semantic diff of the edit."""

from __future__ import annotations

from flagwright.edit import EditOutcome
from flagwright.edit.rollback import Rollback
from flagwright.report.diff import as_text


def outcome_text(outcome: EditOutcome) -> str:
    if outcome.written:
        head = f"wrote {outcome.path}: {outcome.summary}"
    else:
        head = f"{outcome.path}: already as requested, nothing written"
    return f"{head}\n{as_text(outcome.diff)}"


def rollback_text(rollback: Rollback) -> str:
    restored = f"restoring {rollback.env} entry of {rollback.flag} from {rollback.commit[:12]}"
    return f"{restored}\n{outcome_text(rollback.outcome)}"
