"""Percentages to integer bucket weights out of 10000 (runtime/FORMAT.md, "Fallthrough")."""

from __future__ import annotations

from collections.abc import Mapping

from flagwright.runtime.bucketing import TOTAL as TOTAL  # weights are out of the runtime's total


def weight(percent: float) -> int:
    """25 → 2500, 12.5 → 1250; percentages carry at most 2 decimals, so this is exact."""
    return round(percent * 100)


def percent_number(percent: float) -> int | float:
    """The percent as JSON writes it stably: ``25`` rather than ``25.0``, ``12.5`` as is."""
    rounded = weight(percent) / 100
    return int(rounded) if rounded.is_integer() else rounded


def split_weights(split: Mapping[str, float]) -> list[list[str | int]]:
    """``[[variant, weight], ...]`` in declared order (the loader keeps YAML mapping order)."""
    return [[variant, weight(percent)] for variant, percent in split.items()]


def total(weights: list[list[str | int]]) -> int:
    return sum(int(w) for _, w in weights)
