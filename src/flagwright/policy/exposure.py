"""The one rule for growing exposure: is moving a rollout from one share to another allowed now?

Exposure is the share of users (out of 10000 buckets) served something other than the flag's
default. Reducing it is always allowed: a freeze blocks growth, never a step back, and
``max_rollout_step`` limits how far one change may grow it. ``validate --base``, the editing
commands and ``flagwright progress`` all ask this module, so a step one of them takes is never
refused by another.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise

from flagwright.codes import Code
from flagwright.diff.model import percent_text
from flagwright.model.environment import Freeze, Policy


@dataclass(frozen=True, slots=True)
class Verdict:
    """``allowed``, or the policy ``code`` that forbids the change and ``reason`` in words."""

    allowed: bool
    code: Code | None = None
    reason: str = ""


ALLOWED = Verdict(True)


def active_freeze(windows: Iterable[Freeze], now: datetime) -> Freeze | None:
    """The first window containing ``now`` (``from`` inclusive, ``to`` exclusive)."""
    for window in windows:
        if window.from_ <= now < window.to:
            return window
    return None


def window_text(freeze: Freeze) -> str:
    why = f" ({freeze.reason})" if freeze.reason else ""
    return f"{freeze.from_.isoformat()} to {freeze.to.isoformat()}{why}"


def step_limit(policy: Policy) -> int | None:
    """``max_rollout_step`` in buckets out of 10000, or None when the policy sets none."""
    return None if policy.max_rollout_step is None else round(policy.max_rollout_step * 100)


def exposure_change(policy: Policy, env: str, before: int, after: int, now: datetime) -> Verdict:
    """May exposure in ``env`` move from ``before`` to ``after`` (buckets of 10000) at ``now``?

    This is the question ``flagwright progress`` asks before it advances a stage and the one
    ``advance`` and ``set`` answer before they write: shrinking or keeping exposure is always
    allowed (a roll back is never held); growing it is held by an active freeze and by a step
    beyond ``max_rollout_step``.
    """
    if after <= before:
        return ALLOWED
    freeze = active_freeze(policy.freeze, now)
    if freeze is not None:
        return Verdict(
            False,
            Code.FROZEN,
            f"{env} is frozen from {window_text(freeze)}: exposure may shrink but not grow "
            f"(from {percent_text(before)} to {percent_text(after)})",
        )
    problem = step_problem(policy, env, before, after)
    if problem is not None:
        return Verdict(False, Code.ROLLOUT_STEP, problem)
    return ALLOWED


def step_problem(policy: Policy, env: str, before: int, after: int) -> str | None:
    """Why growing from ``before`` to ``after`` in one change breaks ``max_rollout_step``."""
    limit = step_limit(policy)
    step = after - before
    if limit is None or step <= limit:
        return None
    return (
        f"grows from {percent_text(before)} to {percent_text(after)} in one change "
        f"({percent_text(step)}); {env}'s max_rollout_step is {percent_text(limit)}"
    )


def schedule_problem(policy: Policy, env: str, percents: Sequence[float]) -> str | None:
    """Why a schedule through ``percents`` breaks ``max_rollout_step``, step by step.

    A scheduled rollout grows by the clock with no commit per stage, so each of its steps
    (starting from 0% before ``start``) is held to the limit a manual ``advance`` is held to.
    """
    limit = step_limit(policy)
    if limit is None:
        return None
    weights = [0, *(round(p * 100) for p in percents)]
    for number, (low, high) in enumerate(pairwise(weights), start=1):
        if high - low > limit:
            path = " → ".join(f"{w / 100:g}" for w in weights[1:])
            return (
                f"its schedule ({path}) steps from {percent_text(low)} to {percent_text(high)} "
                f"at stage {number} ({percent_text(high - low)}); {env}'s max_rollout_step is "
                f"{percent_text(limit)}, so use a plan whose stages grow by at most that, or a "
                "manual rollout (stage: N)"
            )
    return None


def frozen_stages(
    windows: Iterable[Freeze], starts: Sequence[tuple[int, float, datetime]]
) -> tuple[int, float, datetime, Freeze] | None:
    """The first scheduled stage (number, percent, start) that begins inside a freeze window.

    A schedule keeps growing by the clock, so a stage that starts during a freeze is growth
    during the freeze, exactly like an ``advance`` committed then.
    """
    windows = list(windows)
    for number, percent, start in starts:
        freeze = active_freeze(windows, start)
        if freeze is not None:
            return number, percent, start, freeze
    return None
