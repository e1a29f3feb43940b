"""Flags that no longer decide anything, or were meant to be gone by now.

Four reasons, each with the evidence the page shows: past ``expires``; at 100% everywhere (every
environment gives everyone a non-default variant) for more than N days, measured from the last
commit that changed the flag or the moment its schedule reached the last stage, whichever is
later; at 0% everywhere (everyone gets the default); and selected by no app (no service's
snapshot carries it, so no code can be reading it).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from flagwright.diff.model import TOTAL
from flagwright.site.cells import everywhere


def stale_reasons(
    flag: Mapping[str, Any], now: datetime, full_days: int, last_change: str | None
) -> list[dict[str, Any]]:
    """``[{"reason", "text"}]`` for one flag's site record (see :mod:`flagwright.site.data`)."""
    out: list[dict[str, Any]] = []
    cells = flag["environments"]
    expires = flag["expires"]
    if expires is not None and date.fromisoformat(expires) < now.date():
        out.append({"reason": "expired", "text": f"expired on {expires}"})
    if everywhere(cells, flag["default"], TOTAL):
        since = _full_since(cells, last_change)
        if since is None:
            out.append({"reason": "full", "text": "at 100% everywhere (since: no Git history)"})
        elif now - since > timedelta(days=full_days):
            days = (now - since).days
            out.append({
                "reason": "full",
                "text": f"at 100% everywhere for {days} days (since {since.date().isoformat()})",
            })  # fmt: skip
    elif everywhere(cells, flag["default"], 0):
        out.append({"reason": "zero", "text": f"at 0% everywhere: everyone gets {flag['default']}"})
    if not flag["apps"]:
        out.append({"reason": "unused", "text": "selected by no app: no snapshot carries it"})
    return out


def _full_since(cells: Mapping[str, Mapping[str, Any]], last_change: str | None) -> datetime | None:
    if last_change is None:
        return None
    moments = [datetime.fromisoformat(last_change)]
    for c in cells.values():
        rollout = c["rollout"]
        if rollout is not None and rollout["mode"] == "schedule":
            moments.append(datetime.fromisoformat(rollout["stages"][-1]["from"]))
    return max(moments)
