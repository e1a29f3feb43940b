"""What ``flagwright eval`` prints: the value, variant, reason and rule, as text or JSON."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # formatting needs only the names: no import of the evaluator's stack
    from flagwright.evaluate.target import Evaluated, Where


def overrides_line(where: Where) -> str | None:
    """For an environment-level answer in a fleet: which clusters it does not hold for."""
    if not where.overridden_in:
        return None
    names = ", ".join(where.overridden_in)
    verb = "overrides" if len(where.overridden_in) == 1 else "override"
    return (
        f"clusters: {names} {verb} {where.flag} in {where.environment}; this is what its other "
        f"clusters serve (ask with --cluster {where.overridden_in[0]})"
    )


def evaluation_text(found: Evaluated) -> str:
    evaluation = found.evaluation
    lines = [
        f"value:   {json.dumps(evaluation.value, ensure_ascii=False, sort_keys=True)}",
        f"variant: {evaluation.variant}",
        f"reason:  {evaluation.reason}",
    ]
    if evaluation.rule is not None:
        lines.append(f"rule:    {evaluation.rule}")
    if found.where.cluster is not None:
        lines.append(f"cluster: {found.where.cluster}")
    note = overrides_line(found.where)
    if note is not None:
        lines.append(note)
    return "\n".join(lines) + "\n"


def evaluation_json(found: Evaluated) -> str:
    where = found.where
    record = {"flag": where.flag, "environment": where.environment, **found.evaluation.as_dict()}
    if where.cluster is not None:
        record["cluster"] = where.cluster
    if where.overridden_in:
        record["overridden_in"] = list(where.overridden_in)
    return json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
