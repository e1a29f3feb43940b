"""A snapshot plus its lazily compiled flags: the immutable unit a client swaps atomically."""

from __future__ import annotations

from _thread import RLock

from .bucketing import rule
from .errors import SnapshotError
from .flags import CompiledFlag, broken_flag, compile_flag

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .build import Outcome
    from .evaluation import Evaluation
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

    def bulk_plan(self) -> Bulk:
        """How ``evaluate_all`` evaluates every flag (compiling all of them the first time)."""
        plan = self.bulk
        if plan is None:
            with self._lock:  # one plan per snapshot, or hits counted on a second one get lost
                if self.bulk is None:
                    self.compile_all()
                    self.bulk = Bulk(self.flags, list(self.snapshot.flags))
                plan = self.bulk
        return plan

    def compile_all(self) -> dict[str, str]:
        """Compile every flag (warming the cache); returns each broken flag's problem."""
        problems: dict[str, str] = {}
        for key in self.snapshot.flags:
            compiled = self.get(key)
            if compiled is not None and compiled.problem is not None:
                problems[key] = compiled.problem
        return problems


class Bulk:
    """Every flag of a snapshot, sorted for ``evaluate_all``.

    Flags whose answer depends on nothing (unlisted, disabled, a plain ``serve``) are answered by
    copying ``template``, which holds their evaluations in snapshot order, and counted together:
    each call adds one to ``calls``, and every outcome in ``fixed`` counts ``calls`` hits.
    ``varying`` are the flags to run, ``broken`` those that always take the long way.
    """

    __slots__ = ("broken", "calls", "fixed", "template", "varying")

    def __init__(self, flags: dict[str, CompiledFlag], names: list[str]) -> None:
        self.template: dict[str, Evaluation | None] = {}
        self.fixed: list[Outcome] = []
        self.varying: list[tuple[str, Fast]] = []
        self.broken: list[str] = []
        self.calls = 0
        for name in names:
            compiled = flags[name]
            self.template[name] = None
            if compiled.fixed is not None:
                self.template[name] = compiled.fixed.evaluation
                self.fixed.append(compiled.fixed)
            elif compiled.fast is not None:
                self.varying.append((name, compiled.fast))
            else:
                self.broken.append(name)
