"""What ``progress`` decided for one rollout, and the pure rule that decides it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from flagwright.progress.measure import GateReading
from flagwright.rollouts.gates import Verdict

Action = Literal["advance", "hold", "rollback"]
OFF = 0  # "stage 0": no exposure, written as `enabled: false`


@dataclass(frozen=True, slots=True)
class Step:
    stage: int  # OFF for no exposure
    percent: float


@dataclass(slots=True)
class Decision:
    env: str
    flag: str
    path: str  # the flag's file
    variant: str
    plan: str
    action: Action
    reason: str
    current: Step
    target: Step | None  # where the edit takes the rollout (None: it holds)
    gates: tuple[GateReading, ...] = ()
    entered: datetime | None = None  # when the current stage reached the branch
    commit: str | None = None  # the commit that entered it
    hold_until: datetime | None = None
    policy: tuple[str, ...] = ()  # why a policy holds the advance
    blast: tuple[str, ...] = ()  # who changes variant, from the diff of the edit
    written: bool = False
    error: str | None = None  # the edit could not be made
    unreadable: tuple[str, ...] = field(default_factory=tuple)  # Prometheus errors


@dataclass(frozen=True, slots=True)
class Facts:
    """Everything the rule reads, gathered by :mod:`flagwright.progress.run`."""

    stage: int
    percents: Sequence[float]  # the plan's stages
    on_failure: Literal["rollback", "step-back"]
    gates: tuple[GateReading, ...]
    hold_until: datetime | None  # None: the stage is not committed yet
    at: datetime


def rule(facts: Facts) -> tuple[Action, Step | None, str]:
    """Roll back on a failing gate (whatever the hold or a freeze), else hold unless every gate
    passes and the hold has elapsed, else advance (the caller still checks policies)."""
    failed = [g for g in facts.gates if g.verdict is Verdict.FAIL]
    if failed:
        names = ", ".join(g.gate.key for g in failed)
        if facts.on_failure == "step-back" and facts.stage > 1:
            back = facts.stage - 1
            return "rollback", Step(back, facts.percents[back - 1]), f"gate failed: {names}"
        return "rollback", Step(OFF, 0.0), f"gate failed: {names}"
    unsure = [g for g in facts.gates if g.verdict is not Verdict.PASS]
    if unsure:
        why = "; ".join(_inconclusive(g) for g in unsure)
        return "hold", None, f"inconclusive: {why}"
    if facts.stage >= len(facts.percents):
        return "hold", None, "the last stage of the plan: nothing to advance"
    if facts.hold_until is None:
        return "hold", None, "the current stage is not committed yet, so its hold has not begun"
    if facts.at < facts.hold_until:
        return "hold", None, f"the hold runs until {facts.hold_until.isoformat()}"
    nxt = facts.stage + 1
    return (
        "advance",
        Step(nxt, facts.percents[nxt - 1]),
        "every gate passes and the hold has elapsed",
    )


def _inconclusive(reading: GateReading) -> str:
    if reading.errors:
        return f"{reading.gate.key} could not be read ({reading.errors[0]})"
    return f"{reading.gate.key} has no data"
