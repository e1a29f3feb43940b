"""OpenFeature provider for flagwright snapshots (optional extra ``openfeature``).

    from openfeature import api
    from flagwright.openfeature import FlagwrightProvider

    api.set_provider(FlagwrightProvider("/etc/flags/snapshot.json"))
    client = api.get_client()
    client.get_boolean_value("new-dashboard", False, EvaluationContext("user-42"))

The OpenFeature SDK is imported only here, when the provider is first used: services that use
:class:`flagwright.runtime.Client` directly never load it.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .provider import FlagwrightProvider

__all__ = ["FlagwrightProvider"]

_HINT = "flagwright.openfeature needs the OpenFeature SDK: pip install 'flagwright[openfeature]'"


def __getattr__(name: str) -> object:
    if name == "FlagwrightProvider":
        try:
            from .provider import FlagwrightProvider
        except ImportError as exc:  # pragma: no cover - depends on the environment
            if exc.name and exc.name.startswith("openfeature"):
                raise ImportError(_HINT) from exc
            raise
        return FlagwrightProvider
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
