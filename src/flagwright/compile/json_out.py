"""The one way bundles become text, so identical bundles are identical bytes.

The file is the canonical JSON the digest is computed over (sorted keys, no insignificant
whitespace, UTF-8), plus the ``digest`` member and one newline before each flag. The newlines keep
Git diffs of ``rendered/`` to one line per changed flag; compact JSON lets the C encoder write it
(an indented dump goes through the pure-Python encoder, several times slower), and lets readers
verify the digest by hashing the file's bytes instead of re-serialising the document.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable, Mapping
from hashlib import sha256
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import Any

_string: Callable[[str], str] = encode_basestring
_ATOMIC = (str, int, float, bool, type(None))


def copy_json(value: Any) -> Any:
    """A deep copy of JSON-like data (what YAML loads), several times faster than
    ``copy.deepcopy``, which compiling every flag of a large repository spent most of its time
    in; anything else is left to ``copy.deepcopy``."""
    kind = type(value)
    if kind in _ATOMIC:
        return value
    if kind is dict:
        return {k: v if type(v) in _ATOMIC else copy_json(v) for k, v in value.items()}
    if kind is list:
        return [v if type(v) in _ATOMIC else copy_json(v) for v in value]
    return copy.deepcopy(value)


def _not_json(value: Any) -> Any:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


# json.dumps builds an encoder object and a C encoder for every call: a render makes hundreds of
# thousands of small calls, so one C encoder is made once (the arguments json.dumps passes for
# these options: sorted keys, ":" and ",", not ASCII-only, allow_nan=False, so NaN and Infinity,
# which other readers would reject, raise). No circular-reference markers: the values are trees.
_ENCODER: Callable[[Any, int], Any] | None = (
    None if c_make_encoder is None
    else c_make_encoder(None, _not_json, encode_basestring, None, ":", ",", True, False, False)
)  # fmt: skip


def compact_json(value: Any) -> str:
    """Canonical JSON: sorted keys, no insignificant whitespace, UTF-8 text."""
    if type(value) is str:
        return _string(value)  # what json.dumps does for a string, without its set-up
    if _ENCODER is not None:
        return "".join(_ENCODER(value, 0))
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def dump_bundle(bundle: Mapping[str, Any]) -> str:
    """Canonical compact JSON with one flag per line and a trailing newline.

    Both digests are computed from what is written (``source_digest`` from the flags), so the
    file always verifies, whatever digests ``bundle`` carried.
    """
    return BundleText(bundle).text(bundle["flags"])


class BundleText:
    """Serialises each flag of one bundle once, for the whole bundle and for subsets of it.

    A render writes the environment's bundle and, per app, a bundle of the flags it selects; each
    needs its own digest and text, and serialising every flag again for every app dominated the
    render of a large repository.
    """

    def __init__(self, bundle: Mapping[str, Any]) -> None:
        self._bundle = bundle
        self._members: dict[str, str] = {}
        self._last: tuple[list[str], str, str] | None = None  # keys, text, computed digest
        self._head = {
            key: compact_json(value)
            for key, value in bundle.items()
            if key not in ("flags", "digest")
        }

    def share(self, other: BundleText, keys: Iterable[str]) -> None:
        """Reuse ``other``'s serialisation of ``keys``, flags both bundles hold identically."""
        self._last = None
        for key in keys:
            member = other._members.get(key)
            if member is not None:
                self._members[key] = member

    def prefill(self, members: Mapping[str, str]) -> None:
        """Take ``{key: '"key":value'}`` members serialised before (a rendered snapshot's lines)
        for flags this bundle holds identically."""
        self._last = None
        self._members.update(members)

    def _member(self, key: str) -> str:
        member = self._members.get(key)
        if member is None:
            member = f"{compact_json(key)}:{compact_json(self._bundle['flags'][key])}"
            self._members[key] = member
        return member

    def digest(self, keys: Iterable[str]) -> str:
        """The digest of the bundle restricted to ``keys`` (FORMAT.md)."""
        return self._render(keys, None)[1]

    def text_and_digest(self, keys: Iterable[str]) -> tuple[str, str]:
        """The file text of the bundle restricted to ``keys`` and its digest, in one pass."""
        return self._render(keys, None)

    def text(self, keys: Iterable[str], digest: str | None = None) -> str:
        """The file text of the bundle restricted to ``keys``, with ``digest`` or a computed one."""
        return self._render(keys, digest)[0]

    def _render(self, keys: Iterable[str], digest: str | None) -> tuple[str, str]:
        ordered = sorted(keys)
        last = self._last
        # The digest of a bundle, then its text with that digest (a patched snapshot): one pass.
        if last is not None and last[0] == ordered and digest in (None, last[2]):
            return last[1], last[2]
        text, computed = self._layout(ordered, digest)
        if digest is None:
            self._last = (ordered, text, computed)
        return text, computed

    def _layout(self, ordered: list[str], digest: str | None) -> tuple[str, str]:
        flags = [self._member(key) for key in ordered]
        flags_json = "{" + ",".join(flags) + "}"
        head = dict(self._head)
        if "source_digest" in head:
            # Each bundle names what it holds, so an app's ConfigMap changes only when one of
            # its own flags does (FORMAT.md); for the full bundle this is the environment's.
            head["source_digest"] = compact_json(_sha256(flags_json))
        canonical = dict(head, flags=flags_json)
        layout = dict(head, flags="{\n" + ",\n".join(flags) + "\n}" if flags else "{}")
        if digest is None:
            body = ",".join(f"{compact_json(k)}:{canonical[k]}" for k in sorted(canonical))
            digest = "sha256:" + sha256(("{" + body + "}").encode("utf-8")).hexdigest()
        layout["digest"] = compact_json(digest)
        text = "{" + ",".join(f"{compact_json(k)}:{layout[k]}" for k in sorted(layout)) + "}\n"
        return text, digest


def _sha256(text: str) -> str:
    return "sha256:" + sha256(text.encode("utf-8")).hexdigest()


def dump_outline(document: Any, expand: int) -> str:
    """Sorted-key JSON for files people read in diffs: containers down to ``expand`` levels are
    written one member per line, anything deeper compact on its member's line.

    ``indent=`` would make ``json`` use its pure-Python encoder for the whole document, which took
    seconds for a large export; compact leaves go through the C encoder.
    """
    return _outline(document, expand, 0) + "\n"


class Raw(str):
    """Text already serialised as :func:`compact_json` would: :func:`dump_outline` writes it as
    it is (a member kept from a file rendered before, instead of parsing and dumping it again)."""


def _leaf(value: Any) -> str:
    return value if isinstance(value, Raw) else compact_json(value)


def _outline(value: Any, expand: int, level: int) -> str:
    if isinstance(value, Raw):
        return value
    if expand <= 0 or not isinstance(value, dict | list) or not value:
        return compact_json(value)
    pad = "  " * (level + 1)
    # The last expanded level (one line per flag in the exports) skips the recursion.
    leaf = _leaf if expand == 1 else lambda item: _outline(item, expand - 1, level + 1)
    if isinstance(value, dict):
        members = [f"{pad}{compact_json(key)}: {leaf(value[key])}" for key in sorted(value)]
        return "{\n" + ",\n".join(members) + "\n" + "  " * level + "}"
    items = [f"{pad}{leaf(item)}" for item in value]
    return "[\n" + ",\n".join(items) + "\n" + "  " * level + "]"
