"""Read a bundle in the compiler's layout without decoding its flags until they are used.

In that layout (FORMAT.md) the first line is the document up to ``"flags":{``, each flag is one
line ``"<key>":{...},``, and the last line is ``},"format":...}``. Decoding every flag body is
most of the cost of loading a large bundle, and a service evaluates only some of its flags, so
only the keys are decoded at load and each body on first use. The file's integrity is still
checked at load, over all of its bytes, by the digest (``snapshot._raw_digest_matches``).

A first or last line not in that layout makes ``lazy_document`` return None, and a digest that
the bytes do not match sends the file to the eager path: the caller then decodes the whole file
as before and refuses it for the same reasons. Newlines elsewhere between the first and last
lines are still valid (FORMAT.md) and are handled by ``LazyFlags``. A body that is not one JSON
object (only a writer that breaks the format can produce one, since the digest matched) makes
that flag broken when it is first used. The cost of decoding a flag moves to its first use;
a lookup of a flag the bundle lacks, or listing the flags, decodes them all once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from json.decoder import scanstring  # type: ignore[attr-defined]  # (C, not in typeshed)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    _Base = Mapping[str, Mapping[str, Any]]
else:
    _Base = Mapping  # subscripting needs typing.Any at run time, and importing typing is slow

_HEAD_END = '"flags":{'


class Undecodable(dict):  # type: ignore[type-arg]
    """The stand-in for a flag body that is not a JSON object: empty, carrying the problem."""

    problem: str

    def __init__(self, problem: str) -> None:
        super().__init__()
        self.problem = problem


class LazyFlags(_Base):
    """Flag key -> flag document, each body decoded from its text on first access (cached).

    The keys come from the line starts, which is right when each line holds exactly one flag.
    A file whose digest matches may still place its newlines elsewhere (FORMAT.md allows any
    layout); then some line's body is not one object. So before answering "no such flag",
    before listing the keys, and when a body does not decode, every body is decoded once
    (``_check_all``), and if any fails the whole ``flags`` text is decoded as one document.
    """

    __slots__ = ("_bodies", "_checked", "_decoded", "_lines", "_lock")

    def __init__(self, bodies: dict[str, str], lines: list[str]) -> None:
        from _thread import allocate_lock

        self._bodies = bodies
        self._decoded: dict[str, Mapping[str, Any]] = {}
        self._lines = lines  # the members' lines as written, for the whole-document fallback
        self._checked = False
        self._lock = allocate_lock()

    def __getitem__(self, key: str) -> Mapping[str, Any]:
        found = self._decoded.get(key)
        if found is not None:
            return found
        text = self._bodies.get(key)
        if text is not None:
            found = _decode(text)
            if found is not None:
                self._decoded[key] = found  # a race decodes twice into equal documents
                return found
        self._check_all()
        return self._decoded[key]  # KeyError for an unknown flag, as a dict

    def __iter__(self) -> Iterator[str]:
        self._check_all()
        return iter(self._bodies)

    def __len__(self) -> int:
        self._check_all()
        return len(self._bodies)

    def __contains__(self, key: object) -> bool:
        if key in self._bodies:
            return True
        self._check_all()
        return key in self._bodies

    def __repr__(self) -> str:
        return f"LazyFlags({len(self._bodies)} flags)"

    def _check_all(self) -> None:
        with self._lock:
            if self._checked:
                return
            decoded = dict(self._decoded)
            failed = []
            for key, text in self._bodies.items():
                if key not in decoded:
                    found = _decode(text)
                    if found is None:
                        failed.append(key)
                    else:
                        decoded[key] = found
            if failed and not self._whole():
                # Not JSON as a whole either (the eager reader would refuse the file): the line
                # starts are the best guess there is, and only the bodies that fail are broken.
                for key in failed:
                    decoded[key] = Undecodable("flag body is not one JSON object")
                self._decoded = decoded
            elif not failed:
                self._decoded = decoded
            self._checked = True

    def _whole(self) -> bool:
        """Decode the flags object as one document: the line starts were not all flag keys."""
        text = "{" + "".join(self._lines) + "}"  # newlines are layout only (FORMAT.md)
        try:
            flags = json.loads(text)
        except ValueError:
            return False
        if not isinstance(flags, dict):
            return False
        self._decoded = {
            key: value if isinstance(value, dict) else Undecodable("not a JSON object")
            for key, value in flags.items()
        }
        self._bodies = dict.fromkeys(self._decoded, "")
        return True


def _decode(text: str) -> dict[str, Any] | None:
    try:
        found = json.loads(text)
    except ValueError:
        return None
    return found if isinstance(found, dict) else None


def lazy_document(text: str) -> dict[str, Any] | None:
    """The bundle's members with ``flags`` a ``LazyFlags``, or None if not in the layout."""
    lines = text.split("\n")
    if len(lines) < 4 or lines[-1] != "":
        return None  # fewer lines: no flag, or not the layout (then decoding it all is cheap)
    head, tail, members = lines[0], lines[-2], lines[1:-2]
    if not (head.startswith("{") and head.endswith(_HEAD_END) and tail.startswith("},")):
        return None
    try:
        doc = json.loads(head + "}" + tail[1:])
    except ValueError:
        return None
    if not isinstance(doc, dict) or doc.get("flags") != {}:
        return None
    bodies: dict[str, str] = {}
    last = len(members) - 1
    for number, line in enumerate(members):
        if not line.startswith('"'):
            return None
        try:
            key, end = scanstring(line, 1)
        except ValueError:
            return None
        if number < last:
            if not line.endswith(","):
                return None
            body = line[end + 1 : -1]
        else:
            body = line[end + 1 :]
        if line[end : end + 1] != ":" or not (body.startswith("{") and body.endswith("}")):
            return None
        bodies[key] = body
    doc["flags"] = LazyFlags(bodies, members)
    return doc
