"""Segment: a named, reusable condition."""

from __future__ import annotations

from typing import Literal

from flagwright.model.base import Name, Strict
from flagwright.model.conditions import Condition


class Segment(Strict):
    kind: Literal["Segment"]
    name: Name
    description: str | None = None
    when: Condition
