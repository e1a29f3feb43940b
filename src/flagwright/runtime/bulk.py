"""How ``Client.evaluate_all`` evaluates many flags for one context: a plan per list of flags.

The flags that vary are evaluated by generated functions (``specialise.specialise_group``) that
read every attribute they need from the context once, compute a condition several flags test
once, and evaluate the flags one after the other without a call between them. Per flag that
saves the call of its own function, a table lookup and the re-reading of shared attributes
(the targeting key above all). Up to ``GROUP_SIZE`` varying flags make one function, ``whole``,
that returns the complete answer; more are split into groups that fill a copy of ``template``.

Flags whose answer depends on nothing (unlisted, disabled, a plain ``serve``) are answered from
constants and counted together: each call adds one to ``calls``, and every outcome in ``fixed``
counts ``calls`` hits (``counted`` moves them into the outcomes when a plan is dropped). Flags
that are unknown or do not compile are in ``slow``: the long way, as ``evaluate`` takes.
"""

from __future__ import annotations

from .specialise import specialise_group

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from typing import Any

    from .build import Outcome
    from .compiled import CompiledSnapshot
    from .evaluation import Evaluation
    from .specialise import Spec

    Group = tuple[tuple[str, ...], Callable[..., None]]

GROUP_SIZE = 48  # enough to share the reads; small enough that a failing group costs little
PLANS_PER_SNAPSHOT = 64  # lists of flags seen; a service asks for a few


class Bulk:
    """The plan of one list of flags (or of the whole snapshot)."""

    __slots__ = ("calls", "duplicates", "fixed", "groups", "slow", "template", "varying", "whole")

    def __init__(self, state: CompiledSnapshot, names: Sequence[str]) -> None:
        self.template: dict[str, Evaluation | None] = {}
        self.fixed: list[Outcome] = []
        self.slow: list[str] = []
        self.calls = 0
        self.duplicates = len(set(names)) != len(names)
        members: list[tuple[str, Spec]] = []
        for name in names:
            compiled = state.get(name)
            self.template[name] = None
            if compiled is None or compiled.problem is not None:
                self.slow.append(name)
            elif compiled.fixed is not None:
                self.template[name] = compiled.fixed.evaluation
                self.fixed.append(compiled.fixed)
            elif compiled.spec is not None:
                members.append((name, compiled.spec))
            else:  # compiled, with no specialisation to group: the long way keeps it right
                self.slow.append(name)
        self.varying = tuple(name for name, _ in members)
        self.whole: Callable[[Mapping[str, Any], float | None], dict[str, Evaluation]] | None
        self.whole = None
        self.groups: list[Group] = []
        if not self.slow and not self.duplicates and len(members) <= GROUP_SIZE:
            specs = dict(members)
            every: list[tuple[str, Spec | Evaluation]] = []
            for name in names:
                fixed = self.template[name]
                every.append((name, fixed if fixed is not None else specs[name]))
            self.whole = specialise_group(every, whole=True)
            return
        for start in range(0, len(members), GROUP_SIZE):
            chunk = members[start : start + GROUP_SIZE]
            self.groups.append((tuple(name for name, _ in chunk), specialise_group(chunk)))

    def run(
        self,
        context: Mapping[str, Any],
        seconds: float | None,
        long: Callable[[str], Evaluation],
        whole_failed: bool = False,
    ) -> dict[str, Evaluation]:
        """Evaluate with the groups (``long(flag)`` for what they cannot answer)."""
        result = self.template.copy()
        self.calls += 1  # one hit for every flag in self.fixed
        if whole_failed:
            for flag in self.varying:
                result[flag] = long(flag)
        for names, group in self.groups:
            try:
                group(context, seconds, result)
            except Exception:  # nothing of the group was counted: the long way
                for flag in names:
                    result[flag] = long(flag)
        for flag in self.slow:
            result[flag] = long(flag)
        # Every None of the template has been replaced by now.
        return result  # type: ignore[return-value]

    def counted(self) -> None:
        """Move the hits of ``fixed`` into their outcomes (before the plan is dropped)."""
        for outcome in self.fixed:
            outcome.hits += self.calls
        self.calls = 0
