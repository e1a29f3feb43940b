"""Semantic versions ``MAJOR.MINOR.PATCH[-pre][+build]`` as sortable keys (semver.org §11)."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    import re

_CACHE_LIMIT = 4096
_cache: dict[str, tuple[object, ...] | None] = {}
cache_get = _cache.get
_pattern: re.Pattern[str] | None = None


def _compiled_pattern() -> re.Pattern[str]:
    global _pattern
    if _pattern is None:
        import re

        num = r"0|[1-9]\d*"
        ident = r"(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)"
        _pattern = re.compile(
            rf"({num})\.({num})\.({num})"
            rf"(?:-({ident}(?:\.{ident})*))?"
            r"(?:\+[0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*)?"
        )
    return _pattern


def parse(text: str) -> tuple[object, ...] | None:
    """A key ordering versions by precedence (build metadata ignored), or None if unparsable."""
    match = _compiled_pattern().fullmatch(text)
    if match is None:
        return None
    major, minor, patch, pre = match.groups()
    if pre is None:
        # A release sorts after all of its pre-releases.
        return (int(major), int(minor), int(patch), 1, ())
    parts = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split("."))
    return (int(major), int(minor), int(patch), 0, parts)


def key_of(value: object) -> tuple[object, ...] | None:
    """Cached ``parse`` of a context attribute; None for non-strings and unparsable text."""
    if not isinstance(value, str):
        return None
    if value in _cache:
        return _cache[value]
    result = parse(value)
    if len(_cache) >= _CACHE_LIMIT:
        _cache.clear()
    _cache[value] = result
    return result
