"""A snapshot plus its lazily compiled flags: the immutable unit a client swaps atomically."""

from __future__ import annotations

from _thread import RLock

from .bucketing import rule
from .errors import SnapshotError
from .flags import CompiledFlag, broken_flag, compile_flag

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .bulk import Bulk
    from .client import _NoSnapshot
    from .flags import Fast
    from .snapshot import Snapshot


class CompiledSnapshot:
    """Compiles each flag on first use (so loading 10k flags stays fast) and caches it.

    ``entries`` maps each compiled, working flag to its ``entry`` and ``fasts`` to its ``fast``
    function: the tables ``Client.evaluate`` and ``evaluate_all`` read. A flag missing from them
    is not compiled yet, broken or unknown, and goes the long way through ``get``. A flag is
    entered in them only after ``clocked`` says whether any of them reads the clock.

    Cache hits take no lock; compiling takes one because prerequisite cycle detection keeps a
    stack of the flags being compiled.
    """

    __slots__ = (
        "_compiling",
        "_lock",
        "_rule",
        "bulk",
        "clocked",
        "entries",
        "fasts",
        "flags",
        "plans",
        "snapshot",
    )

    def __init__(self, snapshot: Snapshot) -> None:
        found = rule(snapshot.bucketing)
        if found is None:  # Snapshot verified it; a rule removed since would be a bug here
            raise SnapshotError(f"unknown bucketing {snapshot.bucketing!r}")
        self.snapshot = snapshot
        self._rule = found  # chosen once per snapshot
        self.flags: dict[str, CompiledFlag] = {}
        self.entries: dict[str, Fast] = {}
        self.fasts: dict[str, Fast] = {}
        self.clocked = False  # whether a flag compiled so far reads the clock
        self.bulk: Bulk | None = None
        self.plans: dict[tuple[str, ...], Bulk] = {}  # evaluate_all of a list, per list
        self._compiling: list[str] = []
        self._lock = RLock()

    def get(self, key: str) -> CompiledFlag | None:
        """The compiled flag, a broken stand-in if it does not compile, or None if unknown."""
        found = self.flags.get(key)
        if found is not None:
            return found
        raw = self.snapshot.flags.get(key)
        if raw is None:
            return None
        with self._lock:
            found = self.flags.get(key)
            if found is not None:
                return found
            self._compiling.append(key)
            try:
                compiled = compile_flag(key, raw, self._prerequisite, self._rule)
            except SnapshotError as exc:
                compiled = broken_flag(key, raw, f"flag {key!r}: {exc}")
            finally:
                self._compiling.pop()
            self.flags[key] = compiled
            if compiled.fast is not None and compiled.entry is not None:
                self.clocked = self.clocked or compiled.needs_clock
                self.fasts[key] = compiled.fast
                self.entries[key] = compiled.entry
            return compiled

    def _prerequisite(self, key: str) -> CompiledFlag:
        if key in self._compiling:
            chain = " -> ".join([*self._compiling, key])
            raise SnapshotError(f"prerequisite cycle {chain}")
        found = self.get(key)
        if found is None:
            raise SnapshotError(f"prerequisite {key!r} is not in the snapshot")
        if found.problem is not None:
            raise SnapshotError(f"prerequisite {key!r} is broken")
        return found

    def bulk_plan(self, names: tuple[str, ...] | None = None) -> Bulk:
        """How ``evaluate_all`` evaluates every flag, or ``names`` (compiling them first)."""
        from .bulk import PLANS_PER_SNAPSHOT, Bulk

        with self._lock:  # one plan per list, or hits counted on a second one get lost
            if names is None:
                if self.bulk is None:
                    self.bulk = Bulk(self, list(self.snapshot.flags))
                return self.bulk
            plan = self.plans.get(names)
            if plan is None:
                if len(self.plans) >= PLANS_PER_SNAPSHOT:
                    for dropped in self.plans.values():
                        dropped.counted()
                    self.plans = {}
                plan = self.plans[names] = Bulk(self, names)
            return plan

    def compile_all(self) -> dict[str, str]:
        """Compile every flag (warming the cache); returns each broken flag's problem."""
        problems: dict[str, str] = {}
        for key in self.snapshot.flags:
            compiled = self.get(key)
            if compiled is not None and compiled.problem is not None:
                problems[key] = compiled.problem
        return problems


def add_hits(
    into: dict[tuple[str, str | None], int], state: CompiledSnapshot | _NoSnapshot
) -> None:
    """Add the evaluations counted in ``state`` to ``into`` (per flag and variant)."""
    plans = [state.bulk, *state.plans.values()]
    for plan in plans:
        if plan is not None and plan.calls:
            for outcome in plan.fixed:
                key = (outcome.flag, outcome.evaluation.variant)
                into[key] = into.get(key, 0) + plan.calls
    for compiled in list(state.flags.values()):
        for outcome in compiled.outcomes:
            if outcome.hits:
                key = (outcome.flag, outcome.evaluation.variant)
                into[key] = into.get(key, 0) + outcome.hits
