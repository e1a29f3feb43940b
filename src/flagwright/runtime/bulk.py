"""How ``Client.evaluate_all`` evaluates many flags for one context: a plan per list of flags.

Flags are evaluated in groups of up to ``GROUP_SIZE``, each group one generated function
(``specialise.specialise_group``) that reads every attribute it needs from the context once and
evaluates the group's flags one after the other without a call between them. Per flag that
saves the call of its own function, the table lookup and the re-reading of attributes that
several flags test (the targeting key above all).

The plan of every flag of the snapshot answers flags whose answer depends on nothing (unlisted,
disabled, a plain ``serve``) by copying ``template`` and counts them together: each call adds
one to ``calls``, and every outcome in ``fixed`` counts ``calls`` hits. The plan of a list of
flags (cached per list) puts those in its groups instead, so it can be dropped without losing
counts. Flags that are unknown or do not compile are in ``slow``: the long way, as ``evaluate``.
"""

from __future__ import annotations

from .specialise import specialise_group

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from .build import Outcome
    from .compiled import CompiledSnapshot
    from .evaluation import Evaluation
    from .specialise import Spec

    Group = tuple[tuple[str, ...], Callable[..., None]]

GROUP_SIZE = 32  # enough to share the reads; small enough that a failing group costs little
PLANS_PER_SNAPSHOT = 64  # lists of flags seen; a service asks for a few


class Bulk:
    """The plan of one list of flags (or of the whole snapshot, ``every``)."""

    __slots__ = ("calls", "duplicates", "fixed", "groups", "slow", "template")

    def __init__(self, state: CompiledSnapshot, names: Sequence[str], every: bool) -> None:
        self.template: dict[str, Evaluation | None] = {}
        self.fixed: list[Outcome] = []
        self.slow: list[str] = []
        self.calls = 0
        self.duplicates = len(set(names)) != len(names)
        members: list[tuple[str, Spec | Outcome]] = []
        for name in names:
            compiled = state.get(name)
            self.template[name] = None
            if compiled is None or compiled.problem is not None:
                self.slow.append(name)
            elif compiled.fixed is not None and every:
                self.template[name] = compiled.fixed.evaluation
                self.fixed.append(compiled.fixed)
            elif compiled.fixed is not None:
                members.append((name, compiled.fixed))
            elif compiled.spec is not None:
                members.append((name, compiled.spec))
            else:  # compiled, with no specialisation to group: the long way keeps it right
                self.slow.append(name)
        self.groups: list[Group] = []
        for start in range(0, len(members), GROUP_SIZE):
            chunk = members[start : start + GROUP_SIZE]
            self.groups.append((tuple(name for name, _ in chunk), specialise_group(chunk)))
