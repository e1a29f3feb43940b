"""What ``flagwright eval`` prints: the value, variant, reason and rule, as text or JSON."""

from __future__ import annotations

import json

from flagwright.runtime import Evaluation


def evaluation_text(evaluation: Evaluation) -> str:
    lines = [
        f"value:   {json.dumps(evaluation.value, ensure_ascii=False, sort_keys=True)}",
        f"variant: {evaluation.variant}",
        f"reason:  {evaluation.reason}",
    ]
    if evaluation.rule is not None:
        lines.append(f"rule:    {evaluation.rule}")
    return "\n".join(lines) + "\n"


def evaluation_json(flag: str, env: str, evaluation: Evaluation) -> str:
    record = {"flag": flag, "environment": env, **evaluation.as_dict()}
    return json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
