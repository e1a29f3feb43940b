"""A change of an environment's bucketing rule must be acknowledged (``bucketing_from``).

Switching ``flagd-v2`` ↔ ``flagd-v3`` recomputes every user's bucket, so every percentage in the
environment is reshuffled: users move between variants without anyone changing a weight. The
change is allowed when HEAD's Environment names the rule it leaves, ``bucketing_from: <BASE's
rule>``, which makes the reshuffle a deliberate, reviewed line in the pull request.
"""

from __future__ import annotations

from flagwright.codes import Code
from flagwright.diagnostics import Findings
from flagwright.diff.model import FlagChange, percent_text
from flagwright.gitio.revision import Revision


def check_bucketing_changes(
    findings: Findings, base: Revision, head: Revision, flags: list[FlagChange]
) -> None:
    for name, located in sorted(head.index.environments.items()):
        old = base.index.environments.get(name)
        if old is None or old.model.bucketing == located.model.bucketing:
            continue
        was, now = old.model.bucketing, located.model.bucketing
        if located.model.bucketing_from == was:
            continue
        moved = [
            f for f in flags if f.env == name and any(c.what == "bucketing" for c in f.changes)
        ]
        measured = ", ".join(
            f"{f.flag} ~{percent_text(sum(b.weight for b in f.blast))}" for f in moved
        )
        impact = (
            f"{len(moved)} flag(s) with percentages are reshuffled ({measured})"
            if moved
            else "no flag buckets anyone here today"
        )
        findings.add(
            located.source, ("bucketing",), Code.BUCKETING_CHANGED,
            f"{name}: bucketing changes {was} → {now}, which recomputes every user's bucket: "
            f"{impact}. Add `bucketing_from: {was}` to acknowledge the reshuffle",
        )  # fmt: skip
