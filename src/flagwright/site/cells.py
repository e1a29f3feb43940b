"""What one flag serves in one environment, read from its compiled form (FORMAT.md).

A cell of the dashboard's matrix: the state people scan for (off, on, a split, a rollout at some
percent now, rules first) and the exact weights behind it. Weights come from the diff's own
:func:`flagwright.diff.blast.serving`, so the site and ``diff`` read a rollout the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flagwright.diff.blast import serving
from flagwright.diff.describe import condition_text, part_text, percent
from flagwright.diff.model import TOTAL
from flagwright.diff.semantic import is_active

Compiled = Mapping[str, Any]


def cell(flag: Compiled, now: datetime) -> dict[str, Any]:
    """The matrix cell of a compiled flag at ``now``; JSON-ready (it goes into index.json)."""
    default = str(flag["default"])
    rules = [rule_data(r, default) for r in flag["rules"]] if is_active(flag) else []
    weights = serving(flag["fallthrough"] if is_active(flag) else None, default, now)
    live = [(v, w) for v, w in weights if w]
    exposure = sum(w for v, w in weights if v != default)
    if not flag["listed"]:
        kind, label = "unlisted", f"not listed: {default}"
    elif not flag["enabled"]:
        kind, label = "disabled", f"disabled: {default}"
    elif "rollout" in flag["fallthrough"]:
        variant = flag["fallthrough"]["rollout"]["variant"]
        kind, label = "rollout", f"{percent(exposure / 100)} {variant}"
    elif "split" in flag["fallthrough"] and len(live) > 1:
        kind = "split"
        label = " / ".join(f"{v} {percent(w / 100)}" for v, w in live)
    else:
        kind, label = "serve", live[0][0] if live else default
    return {
        "kind": kind,
        "label": label,
        "state": _state(kind, exposure),
        "exposure": exposure,
        "weights": [[v, w] for v, w in weights],
        "rules": rules,
        "fallthrough": part_text(flag["fallthrough"]) if is_active(flag) else None,
        "rollout": rollout_data(flag["fallthrough"], now) if is_active(flag) else None,
    }


def _state(kind: str, exposure: int) -> str:
    """off / on / partial: the colour of the cell (what the fallthrough gives most users)."""
    if kind in ("unlisted", "disabled") or exposure == 0:
        return "off"
    return "on" if exposure == TOTAL else "partial"


def rule_data(rule: Compiled, default: str) -> dict[str, Any]:
    return {
        "name": rule["name"],
        "when": condition_text(rule["when"]),
        "serves": part_text(rule),
        "weights": [[v, w] for v, w in serving(rule, default)],
    }


def rollout_data(part: Compiled | None, now: datetime) -> dict[str, Any] | None:
    """Stages with their start times (scheduled) and which one serves now."""
    if part is None or "rollout" not in part:
        return None
    rollout = part["rollout"]
    stages = rollout["stages"]
    if rollout["mode"] == "manual":
        current = int(rollout["stage"])
    else:
        started = [i for i, s in enumerate(stages, 1) if datetime.fromisoformat(s["from"]) <= now]
        current = started[-1] if started else 0  # before the start: 0%, no stage yet
    return {
        "plan": rollout["plan"],
        "variant": rollout["variant"],
        "mode": rollout["mode"],
        "start": rollout.get("start"),
        "current": current,
        "stages": [
            {
                "number": i,
                "percent": s["percent"],
                "hold_seconds": s["hold_seconds"],
                "from": s.get("from"),
            }
            for i, s in enumerate(stages, 1)
        ],
    }


def everywhere(cells: Mapping[str, Mapping[str, Any]], default: str, share: int) -> bool:
    """Every environment gives everyone, rules included, a non-default variant (``share`` =
    10000) or the default (``share`` = 0), so the flag decides nothing any more."""
    for c in cells.values():
        for weights in [c["weights"], *(r["weights"] for r in c["rules"])]:
            if sum(w for v, w in weights if v != default) != share:
                return False
    return bool(cells)
