"""Read and verify a snapshot bundle (FORMAT.md); flags are compiled later, on first use."""

# Imported with the runtime: no `from __future__ import annotations` (loading __future__ is a
# module load at start-up); annotations naming what only type checking imports are quoted.

from .errors import SnapshotError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from os import PathLike
    from typing import Any

FORMAT = "flagwright.snapshot/v1"
MappingProxyType = type(type.__dict__)  # types.MappingProxyType, without importing ``types``
_DIGEST_PREFIX = "sha256:"


def canonical_bytes(doc: "Mapping[str, Any]") -> bytes:
    """The bytes ``digest`` is computed over: the document without ``digest``, canonical JSON."""
    import json

    body = {key: value for key, value in doc.items() if key != "digest"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def compute_digest(doc: "Mapping[str, Any]") -> str:
    """``"sha256:<hex>"`` of ``doc`` as FORMAT.md defines it (any ``digest`` key is ignored)."""
    from hashlib import sha256

    return _DIGEST_PREFIX + sha256(canonical_bytes(doc)).hexdigest()


class Snapshot:
    """A verified bundle: metadata plus the raw compiled-flag documents (read-only)."""

    __slots__ = ("bucketing", "digest", "environment", "flags", "format", "source", "source_digest")

    format: str
    bucketing: str
    environment: str
    digest: str
    source_digest: str
    flags: "Mapping[str, Mapping[str, Any]]"
    source: str | None

    def __init__(
        self, doc: "Mapping[str, Any]", source: str | None = None, raw: bytes | None = None
    ) -> None:
        """Verify ``doc`` (format, bucketing, structure, digest); raises SnapshotError.

        ``doc`` is used as it is, not copied: ``from_dict`` is the entry point for callers that
        keep a reference to their document. ``raw``, the file's bytes, lets the digest be checked
        without re-serialising the document when the file is in the compiler's canonical layout;
        it is required when ``doc["flags"]`` is a ``LazyFlags`` (``from_bytes``).
        """
        where = f"{source}: " if source else ""
        try:
            _verify(doc, raw)
        except SnapshotError as exc:
            raise SnapshotError(f"{where}{exc}") from None
        setter = object.__setattr__
        setter(self, "format", doc["format"])
        setter(self, "bucketing", doc["bucketing"])
        setter(self, "environment", doc["environment"])
        setter(self, "digest", doc["digest"])
        setter(self, "source_digest", doc["source_digest"])
        setter(self, "flags", MappingProxyType(doc["flags"]))
        setter(self, "source", source)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Snapshot is immutable")

    def __repr__(self) -> str:
        return (
            f"Snapshot(environment={self.environment!r}, digest={self.digest!r}, "
            f"flags={len(self.flags)})"
        )

    @classmethod
    def from_dict(cls, doc: "Mapping[str, Any]") -> "Snapshot":
        """Verify a bundle held in memory; a private copy is kept, so ``doc`` may change later."""
        import json

        if not isinstance(doc, dict):
            raise SnapshotError("a snapshot must be a JSON object")
        try:
            copied = json.loads(json.dumps(doc, ensure_ascii=False))
        except (TypeError, ValueError) as exc:
            raise SnapshotError(f"snapshot is not JSON data: {exc}") from None
        return cls(copied)

    @classmethod
    def from_bytes(cls, data: bytes, source: str | None = None) -> "Snapshot":
        """Parse and verify the bytes of a ``snapshot.json``."""
        import json

        where = f"{source}: " if source else ""
        if not data.strip():
            raise SnapshotError(f"{where}empty file")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SnapshotError(f"{where}corrupt: not UTF-8 ({exc.reason})") from None
        from .lazyflags import lazy_document

        # Only a JSON escape can spell a lone surrogate, text with no UTF-8 form (the compiler
        # never writes one of these escapes). Such a file is decoded whole and every string
        # checked, even if its bytes hash to its digest: no flag key or value ever holds one.
        # Most files have no backslash at all, which one memchr tells.
        suspect = b"\\" in data and _surrogate_escape(data)
        lazy = None if suspect else lazy_document(text)
        if lazy is not None:
            try:
                return cls(lazy, source, data)
            except SnapshotError:
                pass  # the whole document, decoded, says what is wrong (or verifies canonically)
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            kind = "truncated" if exc.pos >= len(text.rstrip()) else "corrupt"
            raise SnapshotError(f"{where}{kind} JSON: {exc}") from None
        if suspect:
            try:
                canonical_bytes(doc)  # encodes every string as UTF-8
            except UnicodeEncodeError as exc:
                raise SnapshotError(
                    f"{where}text that is not valid Unicode ({exc.reason})"
                ) from None
        return cls(doc, source, data)

    @classmethod
    def from_file(cls, path: "str | PathLike[str]") -> "Snapshot":
        """Read, parse and verify a ``snapshot.json`` file."""
        import os

        name = os.fspath(path)
        try:
            with open(name, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            raise SnapshotError(f"{name}: cannot read: {exc.strerror or exc}") from None
        return cls.from_bytes(data, name)

    def validate(self) -> dict[str, str]:
        """Compile every flag now; returns the problem of each flag that does not compile."""
        from .compiled import CompiledSnapshot

        return CompiledSnapshot(self).compile_all()


def _surrogate_escape(data: bytes) -> bool:
    """Whether ``data`` may hold a JSON escape of a surrogate (``\\uD800`` to ``\\uDFFF``)."""
    import re  # loaded with json already

    return re.search(rb"\\u[dD][89a-fA-F]", data) is not None


def _verify(doc: object, raw: bytes | None = None) -> None:
    if not isinstance(doc, dict):
        raise SnapshotError("a snapshot must be a JSON object")
    fmt = doc.get("format")
    if fmt != FORMAT:
        raise SnapshotError(f"unknown format {fmt!r} (this runtime reads {FORMAT!r})")
    from .bucketing import RULES  # with mmh3: loaded with the first bundle, not at import

    if not isinstance(doc.get("bucketing"), str) or doc["bucketing"] not in RULES:
        known = ", ".join(repr(name) for name in RULES)
        raise SnapshotError(
            f"unknown bucketing {doc.get('bucketing')!r} (this runtime knows {known})"
        )
    for key in ("environment", "source_digest", "digest"):
        if not isinstance(doc.get(key), str):
            raise SnapshotError(f"{key!r} must be a string")
    from .lazyflags import LazyFlags  # with json: loaded with the first bundle

    flags = doc.get("flags")
    if isinstance(flags, LazyFlags):
        # Each body was checked to be {...} text; only the file's bytes can verify the digest.
        if raw is None or not _raw_digest_matches(raw, doc["digest"]):
            raise SnapshotError("digest mismatch: the file's bytes do not hash to its digest")
        return
    if not isinstance(flags, dict):
        raise SnapshotError("'flags' must be an object")
    for key, flag in flags.items():
        if not isinstance(flag, dict):
            raise SnapshotError(f"flag {key!r} must be an object")
    if raw is not None and _raw_digest_matches(raw, doc["digest"]):
        return
    try:
        expected = compute_digest(doc)
    except UnicodeEncodeError as exc:  # a lone surrogate, which JSON escapes can spell
        raise SnapshotError(f"text that is not valid Unicode ({exc.reason})") from None
    if doc["digest"] != expected:
        raise SnapshotError(f"digest mismatch: file says {doc['digest']}, content is {expected}")


def _raw_digest_matches(raw: bytes, digest: object) -> bool:
    """Check the digest against the file bytes when the file is in the canonical layout.

    The compiler writes canonical JSON plus the ``digest`` member and newlines between flags
    (compact JSON escapes newlines inside strings, so every raw newline is layout). Removing both
    gives back exactly the bytes the digest was computed over; any other layout (say, a file
    pretty-printed by hand) does not match here and is verified by re-serialising instead.
    """
    from hashlib import sha256

    if not isinstance(digest, str):
        return False
    member = b'"digest":"' + digest.encode("utf-8") + b'",'
    body = raw.replace(member, b"", 1).replace(b"\n", b"")
    return _DIGEST_PREFIX + sha256(body).hexdigest() == digest
