"""Cross-check: the real OpenFeature flagd provider, reading the rendered flagd.json in FILE mode,
serves the native runtime's variant for every example flag, environment and context.

The provider is the `flagd` extra (`pip install -e '.[test,flagd]'`), pinned to the release line
with integer bucketing (design.md §6). Missing, it fails the test: it is never skipped.
"""

from __future__ import annotations

import importlib
import json
import random
import time as real_time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from flagwright.render.pipeline import RenderOptions, render_repository
from flagwright.runtime import Client

REPO_ROOT = Path(__file__).resolve().parents[2]

CONTEXTS_PER_FLAG = 10_000
TODAY = datetime(2026, 11, 23).date()
INSTALL_HINT = (
    "the flagd cross-check needs the OpenFeature flagd provider: "
    "pip install -e '.[test,flagd]' "
    "(openfeature-provider-flagd 0.5.2, openfeature-flagd-core 1.0.0)"
)
# Flags flagd cannot express exactly, by environment: each is named in the export's $comment and
# must be absent from it (FLAG_NOT_FOUND), never exported approximately.
EXPECTED_OMITTED = {
    "dev": set(),
    "staging": set(),
    "prod": {"search-ranking", "storefront-hero-banner", "wishlist-sharing"},
}
# Instants around every clock-driven construct of the example (stage starts of the scheduled
# rollout, the Black Friday window), plus their neighbours one second apart.
_MOMENTS = [
    "2026-11-01T00:00:00Z",
    "2026-11-26T22:59:59Z",
    "2026-11-26T23:00:00Z",
    "2026-11-30T22:59:59Z",
    "2026-11-30T23:00:00Z",
    "2026-12-02T07:59:59Z",
    "2026-12-02T08:00:00Z",
    "2026-12-02T08:30:00Z",
    "2026-12-02T09:30:00Z",
    "2026-12-02T11:29:59Z",
    "2026-12-02T11:30:00Z",
    "2026-12-02T15:30:00Z",
    "2027-06-01T12:00:00Z",
]
INSTANTS = [int(datetime.fromisoformat(m).timestamp()) for m in _MOMENTS]
# Values that hit each rule, miss it, and have the wrong type (§4a: the condition is then false).
POOLS: dict[str, list[Any]] = {
    "email": ["ann@acme-shop.com", "bob@gmail.com", "qa+run-1@testhouse.example", "", 7],
    "platform": ["ios", "web", "android", "IOS", True],
    "app_version": ["4.2.0", "4.1.9", "4.10.0", "4.2.0-rc.1", "5.0.0", "v4.2.0", "x", 420],
    "browser": ["safari", "mobile-safari", "chrome", "Safari", 1],
    "country": ["DE", "FR", "US", "de", 49],
    "account_id": ["acct-10042", "acct-20311", "acct-99999", "", 10042, True, 2.5],
    "beta_opt_in": [True, False, "true", 1, 0],
    "user_agent": ["Mozilla/5.0", "Googlebot/2.1", ""],
    "group": ["beta", "staff", "none"],
}


def _contexts(seed: int, count: int) -> Iterator[tuple[dict[str, Any], int]]:
    rng = random.Random(seed)
    for n in range(count):
        context: dict[str, Any] = {}
        # Mostly distinct users so every split bucket is hit; some without a targeting key.
        roll = rng.random()
        if roll > 0.03:
            context["targeting_key"] = f"user-{seed}-{n}"
        elif roll > 0.015:
            context["targeting_key"] = ""
        for name, pool in POOLS.items():
            if rng.random() < 0.8:  # the rest: attribute missing
                context[name] = rng.choice(pool)
        if "account_id" in context and rng.random() < 0.5:
            context["account_id"] = f"acct-{rng.randrange(100000)}"
        yield context, rng.choice(INSTANTS)


@pytest.fixture(scope="module")
def flagd_core() -> Any:
    try:
        from openfeature.contrib.provider.flagd import FlagdProvider
        from openfeature.contrib.provider.flagd.config import ResolverType

        # The package re-exports the function under the module's name: fetch the module itself.
        targeting = importlib.import_module(
            "openfeature.contrib.tools.flagd.core.targeting.targeting"
        )
    except ImportError as exc:  # pragma: no cover - depends on the environment
        pytest.fail(f"{INSTALL_HINT} ({exc})")
    return FlagdProvider, ResolverType, targeting


@pytest.fixture(scope="module")
def rendered() -> dict[str, str]:
    output = render_repository(REPO_ROOT, TODAY, RenderOptions())
    assert output.ok, [str(d) for d in output.diagnostics]
    return {path: artifact.text for path, artifact in output.files.items()}


class _Clock:
    """Stands in for the `time` module inside flagd's targeting, which reads `$flagd.timestamp`."""

    now = 0.0

    @classmethod
    def time(cls) -> float:
        return cls.now


_RESOLVE = {
    "boolean": ("resolve_boolean_details", False),
    "string": ("resolve_string_details", ""),
    "number": ("resolve_float_details", 0.0),
    "object": ("resolve_object_details", {}),
}


@pytest.mark.parametrize("env", sorted(EXPECTED_OMITTED))
def test_flagd_provider_agrees_with_native_runtime(
    env: str,
    rendered: dict[str, str],
    flagd_core: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from openfeature.evaluation_context import EvaluationContext
    from openfeature.exception import FlagNotFoundError

    provider_class, resolver_type, targeting_module = flagd_core
    flagd_path = tmp_path / "flagd.json"
    flagd_path.write_text(rendered[f"rendered/{env}/flags/flagd.json"], encoding="utf-8")
    bundle = json.loads(rendered[f"rendered/{env}/flags/snapshot.json"])
    document = json.loads(flagd_path.read_text(encoding="utf-8"))
    native = Client(bundle)

    omitted = set(bundle["flags"]) - set(document["flags"])
    assert omitted == EXPECTED_OMITTED[env]
    for key in omitted:
        assert f"flag {key!r}" in document["$comment"]

    monkeypatch.setattr(targeting_module, "time", _Clock)
    provider = provider_class(
        resolver_type=resolver_type.FILE, offline_flag_source_path=str(flagd_path)
    )
    provider.initialize(EvaluationContext())
    try:
        for key in omitted:
            with pytest.raises(FlagNotFoundError):
                provider.resolve_boolean_details(key, False, EvaluationContext("u"))
        for number, key in enumerate(sorted(document["flags"])):
            method_name, fallback = _RESOLVE[bundle["flags"][key]["type"]]
            resolve = getattr(provider, method_name)
            mismatches = []
            for context, instant in _contexts(number, CONTEXTS_PER_FLAG):
                _Clock.now = instant + 0.5  # flagd truncates; the runtime must agree
                expected = native.evaluate(key, context, datetime.fromtimestamp(_Clock.now, UTC))
                attributes = {k: v for k, v in context.items() if k != "targeting_key"}
                got = resolve(
                    key, fallback, EvaluationContext(context.get("targeting_key"), attributes)
                )
                if (got.variant, got.value) != (expected.variant, expected.value):
                    mismatches.append((context, instant, got.variant, expected.variant))
            assert not mismatches, (
                f"{key} in {env}: {len(mismatches)} mismatches, e.g. {mismatches[:3]}"
            )
    finally:
        provider.shutdown()


def test_clock_stand_in_matches_module_interface() -> None:
    # The provider reads time.time(); if it ever read another clock the stand-in would be inert.
    assert callable(real_time.time) and _Clock.time() == _Clock.now
