"""Semantic diff of two revisions: flags per environment with their blast radius, and values."""

from __future__ import annotations

from flagwright.diff.model import Blast, Change, FlagChange, Move, SemanticDiff, ValueChange

__all__ = ["Blast", "Change", "FlagChange", "Move", "SemanticDiff", "ValueChange"]
