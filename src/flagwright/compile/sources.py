"""Provenance of a bundle: a digest of the configuration files it was compiled from."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path, PurePosixPath


def source_digest(root: Path, files: Iterable[str]) -> str:
    """``sha256:`` over the sorted (repository-relative POSIX path, content) pairs of ``files``.

    Each path and content is length-prefixed so no two file sets hash alike by concatenation.
    CRLF line ends are read as LF: a Windows checkout with ``core.autocrlf`` must produce the
    same digest, or ``render --check`` would report drift that is not there.
    """
    digest = hashlib.sha256()
    for rel in sorted({PurePosixPath(f).as_posix() for f in files}):
        content = (root / rel).read_bytes().replace(b"\r\n", b"\n")
        name = rel.encode("utf-8")
        digest.update(b"%d:" % len(name) + name + b"%d:" % len(content))
        digest.update(content)
    return "sha256:" + digest.hexdigest()
