"""'Did you mean' hints for names that do not resolve."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

# Listing every known name helps only while the list is short enough to read at a glance.
_MAX_LISTED = 10


def did_you_mean(name: str, candidates: Iterable[str], known: str = "") -> str:
    """A close match, or else (when ``known`` names what the candidates are) a short list of them.

    ``known`` is a plural noun: ``did_you_mean("qa", envs, "environments")`` →
    ``"; environments: dev, prod"`` or ``"; no environments are defined"``.
    """
    names = sorted(candidates)
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    if close:
        return f"; did you mean {close[0]!r}?"
    if not known:
        return ""
    if not names:
        return f"; no {known} are defined"
    if len(names) <= _MAX_LISTED:
        return f"; {known}: {', '.join(names)}"
    return ""
