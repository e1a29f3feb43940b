"""Syntax check for revisions given on the command line, before Git ever sees them.

A revision string reaches ``git`` as an argument, so anything Git could read as an option
(``--upload-pack=...``, ``-x``) or anything a shell or rev-parse would interpret beyond "a name,
maybe with ``~N``/``^N``" is refused here. The grammar is deliberately narrower than Git's: a ref
name or object id, optionally followed by ancestry suffixes.
"""

from __future__ import annotations

import re

from flagwright.errors import GitError

MAX_REF_LENGTH = 256
# A name part: Git's check-ref-format characters minus everything with a special meaning to
# rev-parse (':', '@{', '^{', '..') or a shell ('$', '`', '(', ';', '|', '&', ...).
_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_./+-]*")
_SUFFIX = re.compile(r"(?:[~^][0-9]{0,4})*")


def check_ref(ref: str) -> str:
    """Return ``ref`` unchanged if it is a plain revision; raise GitError saying why otherwise."""
    if not ref:
        raise GitError("empty revision")
    if len(ref) > MAX_REF_LENGTH:
        raise GitError(f"revision is longer than {MAX_REF_LENGTH} characters")
    if ref.startswith("-"):
        raise GitError(
            f"revision {ref!r} starts with '-': refusing what Git could read as an option"
        )
    if any(ord(c) < 32 or ord(c) == 127 for c in ref):
        raise GitError(f"revision {ref!r} contains control characters")
    if ".." in ref:
        raise GitError(
            f"revision {ref!r} contains '..': give BASE and HEAD as two arguments, not a range"
        )
    name_match = _NAME.match(ref)
    if name_match is None:
        raise GitError(f"revision {ref!r} is not a ref name or commit id")
    name, rest = name_match.group(), ref[name_match.end() :]
    if _SUFFIX.fullmatch(rest) is None:
        raise GitError(
            f"revision {ref!r} contains {rest[0]!r}: only names, commit ids and ~N/^N are accepted"
        )
    components = name.split("/")
    if any(not part or part.startswith(".") or part.endswith(".lock") for part in components):
        raise GitError(f"revision {ref!r} is not a valid ref name")
    if name.endswith("."):
        raise GitError(f"revision {ref!r} is not a valid ref name")
    return ref
