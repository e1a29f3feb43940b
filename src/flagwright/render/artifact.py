"""What a renderer produces: a file's text, and the object behind it when it is a manifest."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Artifact:
    """One rendered file.

    ``manifest`` is the Kubernetes or Argo CD object the text was dumped from, so validation
    checks the data itself instead of parsing the text back; ``origin`` is the source file the
    object mostly comes from, named in messages about it. A file of several YAML documents has
    the first in ``manifest`` and the others, in file order, in ``more``.
    """

    text: str
    manifest: dict[str, Any] | None = None
    origin: str | None = None
    more: tuple[dict[str, Any], ...] = ()
    # Objects of different scopes never reach the same cluster, so their names may repeat:
    # "" for an environment's own files, "<env>/<cluster>" for one cluster's copies.
    scope: str = ""

    @property
    def documents(self) -> tuple[dict[str, Any], ...]:
        """Every manifest in the file, in order."""
        return () if self.manifest is None else (self.manifest, *self.more)

    @property
    def size(self) -> int:
        return len(self.text.encode("utf-8"))
