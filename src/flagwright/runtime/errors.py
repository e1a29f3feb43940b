"""Exceptions raised while loading a bundle or compiling one of its flags."""

from __future__ import annotations


class SnapshotError(ValueError):
    """A bundle (or one flag in it) does not follow FORMAT.md; the message says why."""
