"""``explain``: run the evaluator with a trace collector and return what it recorded."""

from __future__ import annotations

from .compiled import CompiledSnapshot
from .evaluation import ERROR_NO_FLAG, Evaluation
from .timeparse import format_instant, now_seconds

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime
    from typing import Any

    from .client import _NoSnapshot
    from .snapshot import Snapshot


class Explanation:
    """How one evaluation came about.

    ``steps`` is a list of plain dicts, in evaluation order, each with a ``"step"`` kind:
    ``flag`` (not listed / disabled), ``prerequisite`` (with the prerequisite's own ``steps``),
    ``rule`` (``name``, ``index``, ``when``, ``matched`` and the condition ``trace`` of the
    composite conditions it evaluated), ``fallthrough``, ``rollout`` (active ``stage``,
    ``percent``, ``since``, ``next_stage_at``), ``bucket`` (``attribute``, ``value``, ``key``,
    ``bucket`` of ``total``, ``weights``, ``variant``) and ``error``.
    """

    __slots__ = ("digest", "environment", "evaluation", "flag", "now", "steps")

    def __init__(
        self,
        flag: str,
        environment: str | None,
        digest: str | None,
        now: str | None,
        evaluation: Evaluation,
        steps: list[dict[str, Any]],
    ) -> None:
        self.flag = flag
        self.environment = environment
        self.digest = digest
        self.now = now
        self.evaluation = evaluation
        self.steps = steps

    def as_dict(self) -> dict[str, Any]:
        return {
            "flag": self.flag,
            "environment": self.environment,
            "digest": self.digest,
            "now": self.now,
            "evaluation": self.evaluation.as_dict(),
            "steps": self.steps,
        }

    def __repr__(self) -> str:
        return f"Explanation(flag={self.flag!r}, evaluation={self.evaluation!r})"


def explain(
    snapshot: Snapshot,
    flag: str,
    context: Mapping[str, Any] | None,
    now: datetime | None = None,
) -> Explanation:
    """Explain ``flag`` for ``context`` against ``snapshot`` (no client needed)."""
    return explain_state(CompiledSnapshot(snapshot), flag, context, now)


def explain_state(
    state: CompiledSnapshot | _NoSnapshot,
    flag: str,
    context: Mapping[str, Any] | None,
    now: datetime | None,
) -> Explanation:
    snapshot = state.snapshot
    environment = snapshot.environment if snapshot is not None else None
    digest = snapshot.digest if snapshot is not None else None
    steps: list[dict[str, Any]] = []
    compiled = state.get(flag)
    if compiled is None:
        message = "no snapshot loaded" if snapshot is None else f"unknown flag {flag!r}"
        steps.append({"step": "error", "message": message})
        return Explanation(flag, environment, digest, None, ERROR_NO_FLAG, steps)
    instant: str | None = None
    try:
        seconds = 0.0
        if compiled.needs_clock:
            seconds = now_seconds(now)
            instant = format_instant(seconds)
        evaluation = compiled.run(context or {}, seconds, steps).evaluation
    except Exception as exc:
        steps.append({"step": "error", "message": f"{type(exc).__name__}: {exc}"})
        evaluation = compiled.error.evaluation
    return Explanation(flag, environment, digest, instant, evaluation, steps)
