"""``Client``: evaluate flags from a snapshot, optionally following a file as it changes."""

from __future__ import annotations

from _thread import allocate_lock

from .errors import SnapshotError
from .evaluation import ERROR_NO_FLAG, Evaluation, Reason
from .problems import ProblemLog
from .snapshot import Snapshot
from .timeparse import now_seconds
from .watch import Poller, file_identity

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from datetime import datetime
    from os import PathLike
    from types import TracebackType
    from typing import Any

    from .compiled import CompiledSnapshot
    from .trace import Explanation
    from .watch import Identity

    Hook = Callable[[str, str | None, str], object]

_EMPTY_CONTEXT: dict[str, Any] = {}


class _NoSnapshot:
    """Stands in before any good snapshot was loaded: every flag is unknown."""

    __slots__ = ("flags", "snapshot")

    def __init__(self) -> None:
        self.flags: dict[str, Any] = {}
        self.snapshot = None

    def get(self, key: str) -> None:
        return None


class Client:
    """Evaluates flags in-process. Never raises into the caller for a flag problem.

    The compiled snapshot is one reference swapped atomically on reload, and every evaluation
    reads it once, so concurrent callers see the old or the new snapshot, never a mix.
    """

    def __init__(
        self,
        snapshot: Snapshot | Mapping[str, Any] | None,
        on_evaluation: Hook | None = None,
    ) -> None:
        """Serve ``snapshot`` (a Snapshot or a bundle dict, verified: raises SnapshotError).

        ``on_evaluation(flag, variant, reason)`` is called after each evaluation; its exceptions
        are swallowed and logged once.
        """
        self._hook = on_evaluation
        self._problems = ProblemLog()
        self._carried: dict[tuple[str, str | None], int] = {}
        self._state: CompiledSnapshot | _NoSnapshot = _NoSnapshot()
        self._path: str | None = None
        self._seen: Identity | None = None
        self._reload_lock = allocate_lock()
        self._poller: Poller | None = None
        self._on_reload: Callable[[Snapshot], object] | None = None
        if snapshot is not None:
            if not isinstance(snapshot, Snapshot):
                snapshot = Snapshot.from_dict(snapshot)
            self._install(snapshot, warm=False)

    @classmethod
    def from_file(
        cls,
        path: str | PathLike[str],
        watch: bool = False,
        poll_interval: float = 1.0,
        on_evaluation: Hook | None = None,
        on_reload: Callable[[Snapshot], object] | None = None,
    ) -> Client:
        """Serve the bundle at ``path``; never raises for a bad or missing file.

        Until a good bundle has been read every evaluation is ERROR (``value()`` returns the
        caller's default). With ``watch`` a daemon thread re-reads the file every
        ``poll_interval`` seconds when it changed; a bad new file is logged and ignored.
        ``on_reload(snapshot)`` is called after each new snapshot is swapped in.
        """
        import os

        client = cls(None, on_evaluation)
        client._path = os.fspath(path)
        client._on_reload = on_reload
        client._refresh(force=True)
        if watch:
            client._poller = Poller(client._poll, poll_interval)
        return client

    # -- evaluation (hot path) -------------------------------------------------------------

    def evaluate(
        self, flag: str, context: Mapping[str, Any] | None, now: datetime | None = None
    ) -> Evaluation:
        """Evaluate ``flag`` for ``context``; ``now`` (aware) is read only by clock-driven flags."""
        state = self._state
        compiled = state.flags.get(flag)
        if compiled is None:
            compiled = state.get(flag)
            if compiled is None:
                return self._unknown(flag, state)
        if context is None:
            context = _EMPTY_CONTEXT
        try:
            if compiled.needs_clock:
                outcome = compiled.run(context, now_seconds(now), None)
            else:
                outcome = compiled.run(context, 0.0, None)
        except Exception as exc:  # a flag problem must never reach the caller
            outcome = compiled.error
            self._problems.report(_describe(flag, exc))
        outcome.hits += 1
        evaluation = outcome.evaluation
        if self._hook is not None:
            self._call_hook(flag, evaluation)
        return evaluation

    def is_enabled(
        self, flag: str, context: Mapping[str, Any] | None, now: datetime | None = None
    ) -> bool:
        """True only when a boolean flag evaluates to ``true`` without error."""
        evaluation = self.evaluate(flag, context, now)
        return evaluation.value is True and evaluation.reason != Reason.ERROR

    def value(
        self,
        flag: str,
        context: Mapping[str, Any] | None,
        default: Any,
        now: datetime | None = None,
    ) -> Any:
        """The flag's value, or ``default`` when the flag is unknown or evaluation failed."""
        evaluation = self.evaluate(flag, context, now)
        return default if evaluation.reason == Reason.ERROR else evaluation.value

    def _unknown(self, flag: str, state: CompiledSnapshot | _NoSnapshot) -> Evaluation:
        if state.snapshot is None:
            self._problems.report("no snapshot loaded yet: every flag evaluates to ERROR")
        else:
            self._problems.report(f"unknown flag {flag!r}")
        key = (flag, None)
        self._carried[key] = self._carried.get(key, 0) + 1
        if self._hook is not None:
            self._call_hook(flag, ERROR_NO_FLAG)
        return ERROR_NO_FLAG

    def _call_hook(self, flag: str, evaluation: Evaluation) -> None:
        assert self._hook is not None
        try:
            self._hook(flag, evaluation.variant, evaluation.reason)
        except Exception as exc:
            self._problems.report(f"on_evaluation hook raised {type(exc).__name__}: {exc}")

    # -- introspection ---------------------------------------------------------------------

    @property
    def snapshot(self) -> Snapshot | None:
        """The snapshot being served, or None if no good one was ever loaded."""
        return self._state.snapshot

    def counters(self) -> dict[tuple[str, str | None], int]:
        """Evaluations so far per ``(flag, variant)`` (variant None: unknown flag). A copy.

        Counts are plain increments: under heavy multi-threaded load a few may be lost, and an
        evaluation still running on a snapshot being replaced may go uncounted.
        """
        result = dict(self._carried)
        _add_hits(result, self._state)
        return result

    def explain(
        self, flag: str, context: Mapping[str, Any] | None, now: datetime | None = None
    ) -> Explanation:
        """A structured trace of how ``flag`` evaluates for ``context`` (same evaluator)."""
        from .trace import explain_state

        return explain_state(self._state, flag, context, now)

    # -- reloading -------------------------------------------------------------------------

    def reload(self) -> bool:
        """Re-read the file now; True if a new snapshot was swapped in."""
        return self._refresh(force=True)

    def _poll(self) -> None:
        try:
            self._refresh(force=False)
        except Exception as exc:  # the watcher thread must survive anything
            self._problems.report(f"snapshot watcher failed: {type(exc).__name__}: {exc}")

    def _refresh(self, force: bool) -> bool:
        if self._path is None:
            return False
        with self._reload_lock:
            identity = file_identity(self._path)
            if not force and identity is not None and identity == self._seen:
                return False
            self._seen = identity
            try:
                snapshot = Snapshot.from_file(self._path)
            except SnapshotError as exc:
                current = self._state.snapshot
                keeping = (
                    f"; still serving {current.digest}" if current else "; no snapshot to serve"
                )
                self._problems.report(f"rejected snapshot {exc}{keeping}", level=40)
                return False
            current = self._state.snapshot
            if current is not None and current.digest == snapshot.digest:
                return False
            self._install(snapshot, warm=current is not None)
        if self._on_reload is not None:
            try:
                self._on_reload(snapshot)
            except Exception as exc:
                self._problems.report(f"on_reload hook raised {type(exc).__name__}: {exc}")
        return True

    def _install(self, snapshot: Snapshot, warm: bool) -> None:
        # Imported here: the flag compiler is only needed once there is a snapshot.
        from .compiled import CompiledSnapshot

        state = CompiledSnapshot(snapshot)
        if warm:
            # Compile off the request path so the first evaluations after a swap are not slow.
            for problem in state.compile_all().values():
                self._problems.report(problem)
        old, self._state = self._state, state
        _add_hits(self._carried, old)

    def close(self) -> None:
        """Stop watching the file (evaluation keeps working on the last snapshot)."""
        poller, self._poller = self._poller, None
        if poller is not None:
            poller.stop()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _add_hits(
    into: dict[tuple[str, str | None], int], state: CompiledSnapshot | _NoSnapshot
) -> None:
    for compiled in list(state.flags.values()):
        for outcome in compiled.outcomes:
            if outcome.hits:
                key = (outcome.flag, outcome.evaluation.variant)
                into[key] = into.get(key, 0) + outcome.hits


def _describe(flag: str, exc: Exception) -> str:
    if isinstance(exc, SnapshotError):
        return str(exc)
    return f"flag {flag!r} failed: {type(exc).__name__}: {exc}"
