"""``Client``: evaluate flags from a snapshot, optionally following a file as it changes."""

# Imported with the runtime: no `from __future__ import annotations` (loading __future__ is a
# module load at start-up); annotations naming what only type checking imports are quoted.

from _thread import allocate_lock

from .errors import ProblemLog, SnapshotError, describe_failure
from .evaluation import ERROR_NO_FLAG, Evaluation, Reason
from .snapshot import Snapshot

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping
    from datetime import datetime
    from os import PathLike
    from types import TracebackType
    from typing import Any

    from .compiled import CompiledSnapshot
    from .flags import Fast
    from .trace import Explanation
    from .watch import Identity, Poller

    Hook = Callable[[str, str | None, str], object]

_EMPTY_CONTEXT: "dict[str, Any]" = {}


def now_seconds(now: "datetime | None") -> float:
    """``timeparse.now_seconds``, imported on first use: only clock-driven flags read it."""
    from .timeparse import now_seconds as convert

    return convert(now)


class _NoSnapshot:
    """Stands in before any good snapshot was loaded: every flag is unknown."""

    __slots__ = ("bulk", "clocked", "entries", "fasts", "flags", "plans", "snapshot")

    def __init__(self) -> None:
        self.bulk = None
        self.plans: dict[Any, Any] = {}
        self.clocked = False
        self.flags: dict[str, Any] = {}
        self.entries: dict[str, Any] = {}
        self.fasts: dict[str, Any] = {}
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
        snapshot: "Snapshot | Mapping[str, Any] | None",
        on_evaluation: "Hook | None" = None,
    ) -> None:
        """Serve ``snapshot`` (a Snapshot or a bundle dict, verified: raises SnapshotError).

        ``on_evaluation(flag, variant, reason)`` is called after each evaluation; its exceptions
        are swallowed and logged once.
        """
        self._hook = on_evaluation
        self._problems = ProblemLog()
        self._carried: dict[tuple[str, str | None], int] = {}
        self._state: CompiledSnapshot | _NoSnapshot = _NoSnapshot()
        self._entries: dict[str, Fast] = self._state.entries
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
        path: "str | PathLike[str]",
        watch: bool = False,
        poll_interval: float = 1.0,
        on_evaluation: "Hook | None" = None,
        on_reload: "Callable[[Snapshot], object] | None" = None,
    ) -> "Client":
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
            from .watch import Poller

            client._poller = Poller(client._poll, poll_interval)
        return client

    # -- evaluation (hot path) -------------------------------------------------------------
    # ``evaluate`` and ``is_enabled`` each spell out the fast path instead of one calling the
    # other: a Python call is a fifth of an evaluation's cost. The fast path is one table
    # lookup and one call of the flag's specialised function; anything unusual (a flag not yet
    # compiled, unknown or broken, a context that is not a mapping, a naive ``now``) raises
    # there and is handled by ``_evaluate`` with the reference evaluator.

    def evaluate(
        self, flag: str, context: "Mapping[str, Any] | None", now: "datetime | None" = None
    ) -> "Evaluation":
        """Evaluate ``flag`` for ``context``; ``now`` (aware) is read only by clock-driven flags."""
        try:
            outcome = self._entries[flag](_EMPTY_CONTEXT if context is None else context, now)
        except Exception:
            return self._evaluate(flag, context, now)
        outcome.hits += 1
        if self._hook is not None:
            self._call_hook(flag, outcome.evaluation)
        return outcome.evaluation

    def is_enabled(
        self, flag: str, context: "Mapping[str, Any] | None", now: "datetime | None" = None
    ) -> bool:
        """True only when a boolean flag evaluates to ``true`` without error."""
        try:
            outcome = self._entries[flag](_EMPTY_CONTEXT if context is None else context, now)
        except Exception:
            evaluation = self._evaluate(flag, context, now)
            return evaluation.value is True and evaluation.reason != Reason.ERROR
        outcome.hits += 1
        if self._hook is not None:
            self._call_hook(flag, outcome.evaluation)
        return outcome.enabled

    def value(
        self,
        flag: str,
        context: "Mapping[str, Any] | None",
        default: "Any",
        now: "datetime | None" = None,
    ) -> "Any":
        """The flag's value, or ``default`` when the flag is unknown or evaluation failed."""
        evaluation = self.evaluate(flag, context, now)
        return default if evaluation.reason == Reason.ERROR else evaluation.value

    def evaluate_all(
        self,
        context: "Mapping[str, Any] | None",
        flags: "Iterable[str] | None" = None,
        now: "datetime | None" = None,
    ) -> "dict[str, Evaluation]":
        """Evaluate every flag of the snapshot (or those named in ``flags``) for one context.

        The bulk form of ``evaluate`` (as OpenFeature's bulk evaluation and OFREP's bulk endpoint
        have it): one snapshot serves every flag of the call, the clock is read at most once, and
        each flag is counted and reported to the hook as by ``evaluate``. Unknown names in
        ``flags`` answer ERROR.
        """
        state = self._state
        if context is None:
            context = _EMPTY_CONTEXT
        seconds: float | None = None
        if state.clocked:
            try:
                seconds = now_seconds(now)  # once: every flag of the call sees the same instant
            except ValueError:  # a naive now: the long way, which answers ERROR where it matters
                names = state.snapshot.flags if flags is None and state.snapshot else flags
                long = self._long(context, now, state, None)
                every: dict[str, Evaluation] = {}
                for flag in names or ():  # a comprehension would make `long` a closure cell
                    every[flag] = long(flag)
                return every
        hook = self._hook
        if hook is None and state.snapshot is not None:
            if flags is None:
                plan = state.bulk or state.bulk_plan()
            else:
                names = flags if type(flags) is tuple else tuple(flags)
                plan = state.plans.get(names) or state.bulk_plan(names)
                flags = names  # an iterator is consumed once
            whole = plan.whole
            if whole is not None:
                try:
                    result = whole(context, seconds)
                except Exception:  # nothing was counted: each varying flag the long way
                    long = self._long(context, now, state, seconds)
                    return plan.run(context, seconds, long, whole_failed=True)
                plan.calls += 1  # one hit for every flag in plan.fixed
                return result
            if not plan.duplicates:
                return plan.run(context, seconds, self._long(context, now, state, seconds))
        if flags is None:
            flags = state.snapshot.flags if state.snapshot is not None else ()
        fasts = state.fasts
        evaluations: dict[str, Evaluation] = {}
        for flag in flags:
            try:
                outcome = fasts[flag](context, seconds)
            except Exception:
                evaluations[flag] = self._evaluate(flag, context, now, state, seconds)
                continue
            outcome.hits += 1
            evaluations[flag] = evaluation = outcome.evaluation
            if hook is not None:
                self._call_hook(flag, evaluation)
        return evaluations

    def _long(
        self,
        context: "Mapping[str, Any]",
        now: "datetime | None",
        state: "CompiledSnapshot | _NoSnapshot",
        seconds: float | None,
    ) -> "Callable[[str], Evaluation]":
        def long(flag: str) -> "Evaluation":
            return self._evaluate(flag, context, now, state, seconds)

        return long

    def _evaluate(
        self,
        flag: str,
        context: "Mapping[str, Any] | None",
        now: "datetime | None",
        state: "CompiledSnapshot | _NoSnapshot | None" = None,
        seconds: float | None = None,
    ) -> "Evaluation":
        """The long way: compile on first use, reference evaluator, problems logged."""
        if state is None:
            state = self._state
        compiled = state.get(flag)
        if compiled is None:
            return self._unknown(flag, state)
        if context is None:
            context = _EMPTY_CONTEXT
        try:
            if not compiled.needs_clock:
                outcome = compiled.run(context, 0.0, None)
            elif seconds is None:
                outcome = compiled.run(context, now_seconds(now), None)
            else:
                outcome = compiled.run(context, seconds, None)
        except Exception as exc:  # a flag problem must never reach the caller
            outcome = compiled.error
            self._problems.report(describe_failure(flag, exc))
        outcome.hits += 1
        evaluation = outcome.evaluation
        if self._hook is not None:
            self._call_hook(flag, evaluation)
        return evaluation

    def _unknown(self, flag: str, state: "CompiledSnapshot | _NoSnapshot") -> "Evaluation":
        if state.snapshot is None:
            self._problems.report("no snapshot loaded yet: every flag evaluates to ERROR")
        else:
            self._problems.report(f"unknown flag {flag!r}")
        key = (flag, None)
        self._carried[key] = self._carried.get(key, 0) + 1
        if self._hook is not None:
            self._call_hook(flag, ERROR_NO_FLAG)
        return ERROR_NO_FLAG

    def _call_hook(self, flag: str, evaluation: "Evaluation") -> None:
        assert self._hook is not None
        try:
            self._hook(flag, evaluation.variant, evaluation.reason)
        except Exception as exc:
            self._problems.report(f"on_evaluation hook raised {type(exc).__name__}: {exc}")

    # -- introspection ---------------------------------------------------------------------

    @property
    def snapshot(self) -> "Snapshot | None":
        """The snapshot being served, or None if no good one was ever loaded."""
        return self._state.snapshot

    def counters(self) -> dict[tuple[str, str | None], int]:
        """Evaluations so far per ``(flag, variant)`` (variant None: unknown flag). A copy.

        Counts are plain increments: under heavy multi-threaded load a few may be lost, and an
        evaluation still running on a snapshot being replaced may go uncounted.
        """
        from .compiled import add_hits

        result = dict(self._carried)
        add_hits(result, self._state)
        return result

    def explain(
        self, flag: str, context: "Mapping[str, Any] | None", now: "datetime | None" = None
    ) -> "Explanation":
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
        from .watch import file_identity

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
            if not self._install(snapshot, warm=current is not None):
                return False
        if self._on_reload is not None:
            try:
                self._on_reload(snapshot)
            except Exception as exc:
                self._problems.report(f"on_reload hook raised {type(exc).__name__}: {exc}")
        return True

    def _install(self, snapshot: "Snapshot", warm: bool) -> bool:
        """Serve ``snapshot``; a reload (``warm``) is refused if any of its flags is broken."""
        # Imported here: the flag compiler is only needed once there is a snapshot.
        from .compiled import CompiledSnapshot, add_hits

        state = CompiledSnapshot(snapshot)
        if warm:
            # Compile off the request path so the first evaluations after a swap are not slow,
            # and so a bundle with a broken flag never replaces one that served it well.
            problems = state.compile_all()
            if problems:
                current = self._state.snapshot
                first = sorted(problems)[0]
                self._problems.report(
                    f"rejected snapshot {snapshot.source or snapshot.digest}: "
                    f"{len(problems)} flag(s) do not compile ({problems[first]})"
                    + (f"; still serving {current.digest}" if current else ""),
                    level=40,
                )
                return False
        old, self._state = self._state, state
        self._entries = state.entries
        add_hits(self._carried, old)
        return True

    def close(self) -> None:
        """Stop watching the file (evaluation keeps working on the last snapshot)."""
        poller, self._poller = self._poller, None
        if poller is not None:
            poller.stop()

    def __enter__(self) -> "Client":
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: "TracebackType | None",
    ) -> None:
        self.close()
