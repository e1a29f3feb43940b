"""``FlagwrightProvider``: OpenFeature resolution over the flagwright runtime.

The provider serves one snapshot file (a mounted ConfigMap's ``snapshot.json``) through a
:class:`flagwright.runtime.Client`, replaced as a whole when the file changes. Events: the SDK
emits PROVIDER_READY (or PROVIDER_ERROR) after :meth:`initialize`; on a reload the provider emits
PROVIDER_CONFIGURATION_CHANGED with the flags whose compiled form changed, PROVIDER_ERROR when the
new file is rejected (the last good snapshot keeps serving), and PROVIDER_READY when a good file
follows a bad one.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from openfeature.evaluation_context import EvaluationContext
from openfeature.event import ProviderEventDetails
from openfeature.exception import (
    ErrorCode,
    FlagNotFoundError,
    GeneralError,
    ParseError,
    TypeMismatchError,
)
from openfeature.flag_evaluation import FlagResolutionDetails, FlagValueType, Reason
from openfeature.hook import Hook
from openfeature.provider import AbstractProvider, Metadata
from openfeature.track import TrackingEventDetails

from flagwright.runtime import Client, Evaluation, Snapshot, SnapshotError
from flagwright.runtime import Reason as NativeReason
from flagwright.runtime.watch import Identity, Poller, file_identity

NAME = "flagwright"
TARGETING_KEY = "targeting_key"
_REASONS = {
    NativeReason.STATIC: Reason.STATIC,
    NativeReason.TARGETING_MATCH: Reason.TARGETING_MATCH,
    NativeReason.SPLIT: Reason.SPLIT,
    NativeReason.DISABLED: Reason.DISABLED,
    NativeReason.DEFAULT: Reason.DEFAULT,
}
TrackHook = Callable[[str, dict[str, Any], TrackingEventDetails | None], object]


def context_of(evaluation_context: EvaluationContext | None) -> dict[str, Any]:
    """An OpenFeature context as a flagwright context: its targeting key is ``targeting_key``."""
    if evaluation_context is None:
        return {}
    context = dict(evaluation_context.attributes)
    if evaluation_context.targeting_key is not None:
        context[TARGETING_KEY] = evaluation_context.targeting_key
    return context


def changed_flags(old: Snapshot | None, new: Snapshot) -> list[str]:
    """Flags added, removed or compiled differently between two snapshots, sorted."""
    before: Mapping[str, Any] = {} if old is None else old.flags
    keys = set(before) | set(new.flags)
    return sorted(k for k in keys if before.get(k) != new.flags.get(k))


class FlagwrightProvider(AbstractProvider):
    """Resolves flags from a flagwright snapshot file, following it when ``watch`` is set."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        watch: bool = True,
        poll_interval: float = 1.0,
        hooks: Sequence[Hook] = (),
        on_track: TrackHook | None = None,
    ) -> None:
        super().__init__()
        self._path = os.fspath(path)
        self._watch = watch
        self._interval = poll_interval
        self._hooks = list(hooks)
        self._on_track = on_track
        self._client: Client | None = None
        self._seen: Identity | None = None
        self._failing = False
        self._lock = threading.Lock()
        self._poller: Poller | None = None
        self._tracked: dict[str, int] = {}

    # -- lifecycle -----------------------------------------------------------------------------

    def get_metadata(self) -> Metadata:
        return Metadata(name=NAME)

    def get_provider_hooks(self) -> list[Hook]:
        return list(self._hooks)

    def initialize(self, evaluation_context: EvaluationContext) -> None:
        """Load the file; a bad or missing one raises, which the SDK reports as PROVIDER_ERROR.

        With ``watch`` the file is followed even then, so a good file later makes it ready.
        """
        with self._lock:
            self._seen = file_identity(self._path)
            try:
                snapshot = Snapshot.from_file(self._path)
            except SnapshotError as exc:
                self._failing = True
                self._start_watching()
                raise GeneralError(str(exc)) from None
            self._client = Client(snapshot)
            self._failing = False
            self._start_watching()

    def _start_watching(self) -> None:
        if self._watch and self._poller is None:
            self._poller = Poller(self._poll, self._interval)

    def shutdown(self) -> None:
        poller, self._poller = self._poller, None
        if poller is not None:
            poller.stop()

    @property
    def snapshot(self) -> Snapshot | None:
        """The snapshot being served (None before a good one was read)."""
        client = self._client
        return None if client is None else client.snapshot

    def reload(self) -> bool:
        """Re-read the file now (what the watcher does when it changes); True if swapped."""
        with self._lock:
            return self._reload(force=True)

    def _poll(self) -> None:
        with self._lock:
            self._reload(force=False)

    def _reload(self, force: bool) -> bool:
        identity = file_identity(self._path)
        if not force and identity == self._seen:
            return False
        self._seen = identity
        try:
            snapshot = Snapshot.from_file(self._path)
        except SnapshotError as exc:
            self._failing = True
            self.emit_provider_error(
                ProviderEventDetails(message=str(exc), error_code=ErrorCode.PARSE_ERROR)
            )
            return False
        old = self.snapshot
        recovered, self._failing = self._failing, False
        if old is not None and old.digest == snapshot.digest:
            if recovered:
                self.emit_provider_ready(ProviderEventDetails(message="snapshot is good again"))
            return False
        self._client = Client(snapshot)
        if recovered:
            self.emit_provider_ready(ProviderEventDetails(message="snapshot is good again"))
        self.emit_provider_configuration_changed(
            ProviderEventDetails(
                flags_changed=changed_flags(old, snapshot),
                message=f"snapshot {snapshot.digest}",
                metadata={"digest": snapshot.digest},
            )
        )
        return True

    # -- tracking --------------------------------------------------------------------------------

    def track(
        self,
        tracking_event_name: str,
        evaluation_context: EvaluationContext | None = None,
        tracking_event_details: TrackingEventDetails | None = None,
    ) -> None:
        """Count the event (see :meth:`tracked`) and pass it to ``on_track`` if given."""
        with self._lock:
            self._tracked[tracking_event_name] = self._tracked.get(tracking_event_name, 0) + 1
        if self._on_track is not None:
            self._on_track(tracking_event_name, context_of(evaluation_context),
                           tracking_event_details)  # fmt: skip

    def tracked(self) -> dict[str, int]:
        """Tracking events so far, by name (a copy)."""
        with self._lock:
            return dict(self._tracked)

    # -- resolution ------------------------------------------------------------------------------

    def _resolve(
        self,
        flag_key: str,
        wanted: str,
        evaluation_context: EvaluationContext | None,
        check: Callable[[Any], bool],
    ) -> FlagResolutionDetails[Any]:
        client = self._client
        snapshot = None if client is None else client.snapshot
        if client is None or snapshot is None:
            raise GeneralError("no snapshot loaded")
        raw = snapshot.flags.get(flag_key)
        if raw is None:
            raise FlagNotFoundError(f"flag {flag_key!r} is not in snapshot {snapshot.digest}")
        flag_type = raw.get("type")
        if flag_type != wanted:
            raise TypeMismatchError(f"flag {flag_key!r} is a {flag_type} flag, not {wanted}")
        evaluation: Evaluation = client.evaluate(flag_key, context_of(evaluation_context))
        if evaluation.reason == NativeReason.ERROR:
            raise ParseError(f"flag {flag_key!r} cannot be evaluated from this snapshot")
        if not check(evaluation.value):
            raise TypeMismatchError(
                f"flag {flag_key!r} variant {evaluation.variant!r} is {evaluation.value!r}"
            )
        metadata: dict[str, bool | int | float | str] = {"digest": snapshot.digest}
        if evaluation.rule is not None:
            metadata["rule"] = evaluation.rule
        return FlagResolutionDetails(
            evaluation.value,
            variant=evaluation.variant,
            reason=_REASONS[evaluation.reason],
            flag_metadata=metadata,
        )

    def resolve_boolean_details(
        self,
        flag_key: str,
        default_value: bool,
        evaluation_context: EvaluationContext | None = None,
    ) -> FlagResolutionDetails[bool]:
        return self._resolve(flag_key, "boolean", evaluation_context, _is_bool)

    def resolve_string_details(
        self,
        flag_key: str,
        default_value: str,
        evaluation_context: EvaluationContext | None = None,
    ) -> FlagResolutionDetails[str]:
        return self._resolve(flag_key, "string", evaluation_context, _is_str)

    def resolve_integer_details(
        self,
        flag_key: str,
        default_value: int,
        evaluation_context: EvaluationContext | None = None,
    ) -> FlagResolutionDetails[int]:
        details = self._resolve(flag_key, "number", evaluation_context, _is_integral)
        details.value = int(details.value)
        return details

    def resolve_float_details(
        self,
        flag_key: str,
        default_value: float,
        evaluation_context: EvaluationContext | None = None,
    ) -> FlagResolutionDetails[float]:
        details = self._resolve(flag_key, "number", evaluation_context, _is_number)
        details.value = float(details.value)
        return details

    def resolve_object_details(
        self,
        flag_key: str,
        default_value: Sequence[FlagValueType] | Mapping[str, FlagValueType],
        evaluation_context: EvaluationContext | None = None,
    ) -> FlagResolutionDetails[Sequence[FlagValueType] | Mapping[str, FlagValueType]]:
        return self._resolve(flag_key, "object", evaluation_context, _is_object)


def _is_bool(value: object) -> bool:
    return isinstance(value, bool)


def _is_str(value: object) -> bool:
    return isinstance(value, str)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_integral(value: object) -> bool:
    return _is_number(value) and float(value).is_integer()  # type: ignore[arg-type]


def _is_object(value: object) -> bool:
    return isinstance(value, (dict, list))
