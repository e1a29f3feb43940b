"""Edits that keep a file as written: set, advance, promote, rollback."""

from __future__ import annotations

from flagwright.edit.apply import EditOutcome, apply_edit
from flagwright.edit.splice import EditError

__all__ = ["EditError", "EditOutcome", "apply_edit"]
