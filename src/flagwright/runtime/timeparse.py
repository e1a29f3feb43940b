"""RFC 3339 instants as POSIX seconds; ``datetime`` is imported only when first needed."""

from __future__ import annotations

import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    import re
    from datetime import datetime

_CACHE_LIMIT = 4096
# Context attributes repeat across evaluations, and parsing is the slow part of before/after.
_cache: dict[str, float | None] = {}


_pattern: re.Pattern[str] | None = None


def parse_datetime(text: str) -> datetime:
    """An RFC 3339 date-time with an offset (``Z`` allowed) as an aware datetime.

    The one time parser of flagwright: the configuration's checks, the compiler, ``--at`` and
    context attributes all go through it. ``datetime.fromisoformat`` alone also takes dates,
    the basic format (``20260201T000000Z``) and hour-only times, which RFC 3339 does not.
    Raises ValueError for anything else.
    """
    global _pattern
    if _pattern is None:
        import re

        _pattern = re.compile(
            r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})"
        )
    from datetime import datetime

    if isinstance(text, str) and _pattern.fullmatch(text):
        try:
            return datetime.fromisoformat(text.upper())
        except ValueError:
            pass  # a month, day or hour out of range
    raise ValueError(f"{text!r} is not an RFC 3339 time with an offset, e.g. 2026-11-20T10:00:00Z")


def parse_instant(text: str) -> float:
    """POSIX seconds of an RFC 3339 string with an offset; raises ValueError otherwise."""
    return parse_datetime(text).timestamp()


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
