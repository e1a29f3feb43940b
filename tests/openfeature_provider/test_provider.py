"""flagwright.openfeature through the real OpenFeature SDK (openfeature-sdk 0.10.0): values,
variants, reasons, error codes, events on reload, hooks and tracking."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openfeature import api
from openfeature.client import OpenFeatureClient
from openfeature.evaluation_context import EvaluationContext
from openfeature.event import EventDetails, ProviderEvent
from openfeature.exception import ErrorCode
from openfeature.flag_evaluation import FlagEvaluationDetails, Reason
from openfeature.hook import Hook, HookContext, HookHints
from openfeature.track import TrackingEventDetails

from flagwright.openfeature import FlagwrightProvider
from flagwright.runtime.bucketing import bucket
from runtime.bundles import bundle, flag, split, string_flag

SRC = Path(__file__).resolve().parents[2] / "src"
NUMBERS = {"low": 5, "high": 20, "half": 2.5}


def _flags(banner_headline: str = "Hello") -> dict[str, dict[str, Any]]:
    return {
        "dark-mode": flag(
            {"serve": "off"},
            rules=[
                {
                    "name": "staff",
                    "when": {"attr": "email", "op": "ends_with", "value": "@acme.example"},
                    "serve": "on",
                }
            ],
        ),
        "checkout": string_flag(split(control=50, treatment=50)),
        "retry-limit": flag({"serve": "high"}, type="number", variants=NUMBERS, default="low"),
        "backoff": flag({"serve": "half"}, type="number", variants=NUMBERS, default="low"),
        "banner": flag(
            {"serve": "main"},
            type="object",
            variants={"main": {"headline": banner_headline}, "none": {}},
            default="none",
        ),
        "killed": flag({"serve": "on"}, enabled=False),
        # Valid JSON with a valid digest, but the flag does not compile: PARSE_ERROR.
        "broken": flag({"serve": "missing-variant"}),
    }


def _write(path: Path, flags: dict[str, dict[str, Any]]) -> None:
    path.write_text(json.dumps(bundle(flags)), encoding="utf-8")


@pytest.fixture
def snapshot_file(tmp_path: Path) -> Path:
    path = tmp_path / "snapshot.json"
    _write(path, _flags())
    return path


class Events:
    """Every event the SDK delivers to a client's handlers (it runs them on its own threads)."""

    def __init__(self, client: OpenFeatureClient) -> None:
        self.seen: list[tuple[ProviderEvent, EventDetails]] = []
        self._arrived = threading.Condition()
        for kind in ProviderEvent:
            client.add_handler(kind, lambda details, kind=kind: self._record(kind, details))

    def _record(self, kind: ProviderEvent, details: EventDetails) -> None:
        with self._arrived:
            self.seen.append((kind, details))
            self._arrived.notify_all()

    def wait(self, count: int) -> list[ProviderEvent]:
        """The kinds of the first ``count`` events, once that many have arrived."""
        with self._arrived:
            assert self._arrived.wait_for(lambda: len(self.seen) >= count, timeout=30), self.seen
            return [kind for kind, _ in self.seen[:count]]

    def kinds(self) -> list[ProviderEvent]:
        return [kind for kind, _ in self.seen]

    def wait_for(self, kind: ProviderEvent) -> None:
        with self._arrived:
            assert self._arrived.wait_for(lambda: kind in self.kinds(), timeout=30), self.seen


@pytest.fixture
def sdk(request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh SDK state per test; the domain keeps providers of tests apart."""
    yield request.node.name
    api.clear_providers()
    api.clear_hooks()


def _client(sdk: str, provider: FlagwrightProvider) -> OpenFeatureClient:
    api.set_provider_and_wait(provider, sdk)
    return api.get_client(sdk)


def test_resolves_every_type_with_variant_and_reason(sdk: str, snapshot_file: Path) -> None:
    client = _client(sdk, FlagwrightProvider(snapshot_file, watch=False))
    staff = EvaluationContext("u-1", {"email": "ann@acme.example"})
    details = client.get_boolean_details("dark-mode", False, staff)
    assert (details.value, details.variant, details.reason) == (True, "on", Reason.TARGETING_MATCH)
    assert details.flag_metadata["rule"] == "staff"
    other = client.get_boolean_details("dark-mode", True, EvaluationContext("u-1"))
    assert (other.value, other.variant, other.reason) == (False, "off", Reason.STATIC)
    for n in range(50):
        got = client.get_string_details("checkout", "fallback", EvaluationContext(f"user-{n}"))
        index = bucket("checkout", f"user-{n}", [5000, 5000])
        assert (got.variant, got.reason) == (["control", "treatment"][index], Reason.SPLIT)
        assert got.value == {"control": "v1", "treatment": "v2"}[got.variant]
    assert client.get_integer_details("retry-limit", 0).value == 20
    assert client.get_float_details("backoff", 0.0).value == 2.5
    assert client.get_float_details("retry-limit", 0.0).value == 20.0
    banner = client.get_object_details("banner", {})
    assert (banner.value, banner.variant) == ({"headline": "Hello"}, "main")
    killed = client.get_boolean_details("killed", True)
    assert (killed.value, killed.variant, killed.reason) == (False, "off", Reason.DISABLED)
    # No targeting key: the split cannot bucket and serves the default.
    unbucketed = client.get_string_details("checkout", "fallback")
    assert (unbucketed.variant, unbucketed.reason) == ("control", Reason.DEFAULT)


@pytest.mark.parametrize(
    ("call", "key", "code"),
    [
        ("get_boolean_details", "no-such-flag", ErrorCode.FLAG_NOT_FOUND),
        ("get_string_details", "dark-mode", ErrorCode.TYPE_MISMATCH),
        ("get_boolean_details", "retry-limit", ErrorCode.TYPE_MISMATCH),
        ("get_integer_details", "backoff", ErrorCode.TYPE_MISMATCH),  # 2.5 is not an integer
        ("get_object_details", "checkout", ErrorCode.TYPE_MISMATCH),
        ("get_boolean_details", "broken", ErrorCode.PARSE_ERROR),
    ],
)
def test_error_codes_give_the_callers_default(
    sdk: str, snapshot_file: Path, call: str, key: str, code: ErrorCode
) -> None:
    client = _client(sdk, FlagwrightProvider(snapshot_file, watch=False))
    default: Any = {"get_string_details": "dflt", "get_integer_details": 7,
                    "get_object_details": {"d": 1}}.get(call, True)  # fmt: skip
    details: FlagEvaluationDetails[Any] = getattr(client, call)(key, default)
    assert (details.value, details.reason, details.error_code) == (default, Reason.ERROR, code)
    assert details.error_message


def test_reload_emits_configuration_changed_with_the_changed_flags(
    sdk: str, snapshot_file: Path
) -> None:
    provider = FlagwrightProvider(snapshot_file, watch=False)
    client = _client(sdk, provider)
    events = Events(client)
    assert events.wait(1) == [ProviderEvent.PROVIDER_READY]  # already ready: run at once
    _write(snapshot_file, _flags(banner_headline="Sale"))
    assert provider.reload() is True
    assert events.wait(2)[1] == ProviderEvent.PROVIDER_CONFIGURATION_CHANGED
    assert events.seen[1][1].flags_changed == ["banner"]
    assert events.seen[1][1].metadata["digest"] == provider.snapshot.digest  # type: ignore[union-attr]
    assert client.get_object_value("banner", {}) == {"headline": "Sale"}
    assert provider.reload() is False  # same digest: nothing to announce


def test_bad_file_is_provider_error_and_the_last_good_snapshot_keeps_serving(
    sdk: str, snapshot_file: Path
) -> None:
    provider = FlagwrightProvider(snapshot_file, watch=False)
    client = _client(sdk, provider)
    events = Events(client)
    events.wait(1)
    good = snapshot_file.read_text(encoding="utf-8")
    snapshot_file.write_text(good[: len(good) // 2], encoding="utf-8")
    assert provider.reload() is False
    assert events.wait(2)[1] == ProviderEvent.PROVIDER_ERROR
    details = events.seen[1][1]
    assert details.error_code == ErrorCode.PARSE_ERROR
    assert "truncated JSON" in (details.message or "")
    assert client.get_integer_value("retry-limit", 0) == 20
    flags = _flags()
    del flags["killed"]
    _write(snapshot_file, flags)
    assert provider.reload() is True
    assert set(events.wait(4)[2:]) == {
        ProviderEvent.PROVIDER_READY,
        ProviderEvent.PROVIDER_CONFIGURATION_CHANGED,
    }
    changed = [d for k, d in events.seen if k == ProviderEvent.PROVIDER_CONFIGURATION_CHANGED]
    assert changed[0].flags_changed == ["killed"]
    assert client.get_boolean_details("killed", True).error_code == ErrorCode.FLAG_NOT_FOUND


def test_missing_file_fails_initialisation_then_recovers(sdk: str, tmp_path: Path) -> None:
    path = tmp_path / "snapshot.json"
    provider = FlagwrightProvider(path, watch=False)
    api.set_provider(provider, sdk)  # initialised in the background; failure is an event
    client = api.get_client(sdk)
    events = Events(client)
    with pytest.raises(Exception, match="cannot read"):
        provider.initialize(EvaluationContext())
    details = client.get_boolean_details("dark-mode", False)
    assert details.error_code is not None and details.value is False
    _write(path, _flags())
    assert provider.reload() is True
    events.wait_for(ProviderEvent.PROVIDER_READY)
    assert client.get_boolean_value("dark-mode", True) is False


def test_watching_notices_a_new_file(sdk: str, snapshot_file: Path) -> None:
    provider = FlagwrightProvider(snapshot_file, watch=True, poll_interval=0.02)
    client = _client(sdk, provider)
    events = Events(client)
    events.wait(1)
    replacement = snapshot_file.with_name("next.json")
    _write(replacement, _flags(banner_headline="Watched"))
    replacement.replace(snapshot_file)  # an atomic swap, as Kubernetes does
    assert events.wait(2)[1] == ProviderEvent.PROVIDER_CONFIGURATION_CHANGED
    provider.shutdown()
    assert client.get_object_value("banner", {}) == {"headline": "Watched"}


class Recorder(Hook):
    def __init__(self) -> None:
        self.before_keys: list[str] = []
        self.afters: list[tuple[str, Any, str | None]] = []

    def before(self, hook_context: HookContext, hints: HookHints) -> EvaluationContext | None:
        self.before_keys.append(hook_context.flag_key)
        return EvaluationContext(attributes={"email": "hooked@acme.example"})

    def after(
        self, hook_context: HookContext, details: FlagEvaluationDetails[Any], hints: HookHints
    ) -> None:
        self.afters.append((hook_context.flag_key, details.value, details.variant))


def test_provider_and_client_hooks_run_around_resolution(sdk: str, snapshot_file: Path) -> None:
    provider_hook, client_hook = Recorder(), Recorder()
    client = _client(sdk, FlagwrightProvider(snapshot_file, watch=False, hooks=[provider_hook]))
    client.add_hooks([client_hook])
    # The before hook's context reaches the provider: the staff rule matches.
    assert client.get_boolean_value("dark-mode", False, EvaluationContext("u-9")) is True
    assert provider_hook.before_keys == client_hook.before_keys == ["dark-mode"]
    assert provider_hook.afters == client_hook.afters == [("dark-mode", True, "on")]


def test_track_reaches_the_provider(sdk: str, snapshot_file: Path) -> None:
    received: list[tuple[str, dict[str, Any], float | None]] = []
    provider = FlagwrightProvider(
        snapshot_file, watch=False,
        on_track=lambda name, ctx, details: received.append(
            (name, ctx, None if details is None else details.value)
        ),
    )  # fmt: skip
    client = _client(sdk, provider)
    client.track("checkout-completed", EvaluationContext("u-1", {"plan": "pro"}),
                 TrackingEventDetails(value=42.5))  # fmt: skip
    client.track("checkout-completed")
    assert provider.tracked() == {"checkout-completed": 2}
    assert received[0] == ("checkout-completed", {"plan": "pro", "targeting_key": "u-1"}, 42.5)


def test_runtime_never_imports_the_sdk() -> None:
    code = (
        "import sys, flagwright.runtime, flagwright.openfeature;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'openfeature'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={"PYTHONPATH": str(SRC)}).stdout  # fmt: skip
    assert out.strip() == "[]"


def test_async_resolution_uses_the_same_provider(sdk: str, snapshot_file: Path) -> None:
    import asyncio

    client = _client(sdk, FlagwrightProvider(snapshot_file, watch=False))
    staff = EvaluationContext("u-1", {"email": "ann@acme.example"})
    details = asyncio.run(client.get_boolean_details_async("dark-mode", False, staff))
    assert (details.value, details.variant, details.reason) == (True, "on", Reason.TARGETING_MATCH)
