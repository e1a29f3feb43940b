"""Times as bundles write them: RFC 3339 in UTC with a ``Z`` suffix."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_text(moment: datetime) -> str:
    """``2026-11-20T10:00:00Z`` for any aware datetime, whatever offset it was written with."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def normalise_time_text(text: str) -> str:
    """An RFC 3339 string with an offset in UTC ``Z`` form; anything else is left as written.

    Validation has already rejected unparsable times, so leaving them alone only matters for
    configs compiled without validating; the runtime then treats them as it documents.
    """
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return text
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        return text
    return utc_text(parsed)
