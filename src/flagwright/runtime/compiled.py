"""A snapshot plus its lazily compiled flags: the immutable unit a client swaps atomically."""

from __future__ import annotations

from _thread import RLock

from .errors import SnapshotError
from .flags import CompiledFlag, broken_flag, compile_flag

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .snapshot import Snapshot


class CompiledSnapshot:
    """Compiles each flag on first use (so loading 10k flags stays fast) and caches it.

    Cache hits take no lock; compiling takes one because prerequisite cycle detection keeps a
    stack of the flags being compiled.
    """

    __slots__ = ("_compiling", "_lock", "flags", "snapshot")

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.flags: dict[str, CompiledFlag] = {}
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
                compiled = compile_flag(key, raw, self._prerequisite, self.snapshot.bucketing)
            except SnapshotError as exc:
                compiled = broken_flag(key, raw, f"flag {key!r}: {exc}")
            finally:
                self._compiling.pop()
            self.flags[key] = compiled
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

    def compile_all(self) -> dict[str, str]:
        """Compile every flag (warming the cache); returns each broken flag's problem."""
        problems: dict[str, str] = {}
        for key in self.snapshot.flags:
            compiled = self.get(key)
            if compiled is not None and compiled.problem is not None:
                problems[key] = compiled.problem
        return problems
