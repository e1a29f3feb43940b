"""RFC 3339 instants as POSIX seconds; ``datetime`` is imported only when first needed."""

from __future__ import annotations

import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from datetime import datetime

_CACHE_LIMIT = 4096
# Context attributes repeat across evaluations, and parsing is the slow part of before/after.
_cache: dict[str, float | None] = {}


def parse_instant(text: str) -> float:
    """POSIX seconds of an RFC 3339 string with an offset; raises ValueError otherwise."""
    from datetime import datetime

    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValueError(f"time {text!r} has no UTC offset")
    return parsed.timestamp()


def instant_of(value: object) -> float | None:
    """POSIX seconds of a context attribute (RFC 3339 string or aware datetime), else None."""
    if isinstance(value, str):
        if value in _cache:
            return _cache[value]
        try:
            result: float | None = parse_instant(value)
        except ValueError:
            result = None
        if len(_cache) >= _CACHE_LIMIT:
            _cache.clear()
        _cache[value] = result
        return result
    from datetime import datetime

    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            return None
        return value.timestamp()
    return None


def now_seconds(now: datetime | None) -> float:
    """The evaluation instant: ``now`` (must be aware) or the current time."""
    if now is None:
        return time.time()
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")
    return now.timestamp()


def format_instant(seconds: float) -> str:
    """RFC 3339 UTC text with a ``Z`` suffix, as bundles write times."""
    from datetime import UTC, datetime

    text = datetime.fromtimestamp(seconds, UTC).isoformat()
    return text.replace("+00:00", "Z")
