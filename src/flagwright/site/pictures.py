"""Geometry of the inline SVG pictures: exposure bars and rollout timelines.

Only numbers and labels are computed here; the templates (autoescaped) write the SVG. Sizes are
fixed so the pages lay out the same on every machine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from flagwright.diff.describe import percent
from flagwright.diff.model import TOTAL

# Colour-blind safe (Okabe-Ito), each with at least 3:1 contrast on white; the default variant
# is always grey so "everyone gets the default" reads the same on every flag.
PALETTE = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#8a6d00", "#56b4e9")
DEFAULT_COLOUR = "#9aa0a6"

BAR_WIDTH = 96
TIMELINE_WIDTH = 560
TIMELINE_HEIGHT = 132
_PLOT_TOP, _PLOT_BOTTOM = 22, 92


def colours(variants: Sequence[str], default: str) -> dict[str, str]:
    others = [v for v in variants if v != default]
    out = {v: PALETTE[i % len(PALETTE)] for i, v in enumerate(others)}
    out[default] = DEFAULT_COLOUR
    return out


def bar(weights: Sequence[Sequence[Any]], palette: Mapping[str, str]) -> list[dict[str, Any]]:
    """Rectangles of a horizontal bar: one per variant with a share, in bucket order."""
    out = []
    x = 0.0
    for variant, weight in weights:
        if not weight:
            continue
        width = BAR_WIDTH * int(weight) / TOTAL
        out.append({"x": round(x, 2), "width": round(width, 2), "fill": palette[str(variant)]})
        x += width
    return out


def timeline(rollout: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """A step chart of a rollout: one column per stage, its height the stage's percent."""
    stages = rollout["stages"]
    count = len(stages)
    column = (TIMELINE_WIDTH - 20) / count
    plot = _PLOT_BOTTOM - _PLOT_TOP
    columns = []
    for stage in stages:
        number = stage["number"]
        height = max(2.0, plot * float(stage["percent"]) / 100)
        when = stage["from"]
        columns.append({
            "x": round(10 + (number - 1) * column + 4, 2),
            "width": round(column - 8, 2),
            "y": round(_PLOT_BOTTOM - height, 2),
            "height": round(height, 2),
            "percent": percent(stage["percent"]),
            "label": f"stage {number}",
            "detail": _when(when).split(" ", 1) if when else [_hold(stage["hold_seconds"])],
            "state": _stage_state(number, rollout["current"]),
            "cx": round(10 + (number - 1) * column + column / 2, 2),
        })  # fmt: skip
    return {
        "width": TIMELINE_WIDTH,
        "height": TIMELINE_HEIGHT,
        "baseline": _PLOT_BOTTOM,
        "columns": columns,
        "summary": summary(rollout, now),
    }


def summary(rollout: Mapping[str, Any], now: datetime) -> str:
    """One sentence: the text alternative of the timeline picture."""
    current = rollout["current"]
    stages = rollout["stages"]
    ramp = ", ".join(percent(s["percent"]) for s in stages)
    head = f"Rollout {rollout['plan']} of {rollout['variant']}: stages {ramp}."
    if current == 0:
        return f"{head} Not started: it starts at {_when(stages[0]['from'])}."
    at = percent(stages[current - 1]["percent"])
    return f"{head} Now at stage {current} of {len(stages)} ({at})."


def _stage_state(number: int, current: int) -> str:
    if number < current:
        return "done"
    return "current" if number == current else "next"


def _when(text: str) -> str:
    """``2026-12-02 08:30 UTC``: a stage's start as the compiled bundle states it (UTC)."""
    moment = datetime.fromisoformat(text)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _hold(seconds: int | None) -> str:
    if seconds is None:
        return "holds"
    if seconds % 86400 == 0:
        return f"hold {seconds // 86400}d"
    if seconds % 3600 == 0:
        return f"hold {seconds // 3600}h"
    if seconds % 60 == 0:
        return f"hold {seconds // 60}m"
    return f"hold {seconds}s"
