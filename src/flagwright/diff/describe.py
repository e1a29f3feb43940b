"""Short human descriptions of compiled flag parts (FORMAT.md), for diff lines."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from flagwright.diff.model import Change


def value_text(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(", ", ": "))


def percent(value: Any) -> str:
    number = float(value)
    return f"{int(number)}%" if number.is_integer() else f"{number:g}%"


def part_text(part: Mapping[str, Any] | None) -> str:
    """``serve X``, ``split a 50%, b 50%`` or a rollout, for a rule or a fallthrough."""
    if part is None:
        return "nothing"
    if "serve" in part:
        return f"serve {part['serve']}"
    if "split" in part:
        return "split " + ", ".join(f"{v} {percent(w / 100)}" for v, w in part["split"])
    rollout = part["rollout"]
    head = f"rollout {rollout['plan']} ({rollout['variant']})"
    if rollout["mode"] == "manual":
        stage = rollout["stage"]
        pct = percent(rollout["stages"][stage - 1]["percent"])
        return f"{head} stage {stage} of {len(rollout['stages'])} ({pct})"
    return f"{head} scheduled from {rollout['start']}"


def rollout_change(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> Change | None:
    """A specific line for a rollout that kept its plan and variant; None for anything else."""
    if old is None or new is None or "rollout" not in old or "rollout" not in new:
        return None
    a, b = old["rollout"], new["rollout"]
    if (a["plan"], a["variant"], a["mode"]) != (b["plan"], b["variant"], b["mode"]):
        return None
    if a["stages"] != b["stages"] and _plain(a) == _plain(b):
        text = f"plan {a['plan']} stages {_stages(a)} → {_stages(b)}" + (
            "" if a["mode"] != "manual" else f" (stage {b['stage']})"
        )
        return Change("plan", text, a["stages"], b["stages"])
    if a["mode"] == "manual" and a.get("stage") != b.get("stage") and a["stages"] == b["stages"]:
        before = percent(a["stages"][a["stage"] - 1]["percent"])
        after = percent(b["stages"][b["stage"] - 1]["percent"])
        text = (
            f"rollout {b['plan']} ({b['variant']}): stage {a['stage']} ({before}) → "
            f"stage {b['stage']} ({after})"
        )
        return Change("rollout", text, a["stage"], b["stage"])
    if a["mode"] == "schedule" and a["start"] != b["start"] and _same_holds(a, b):
        text = (
            f"schedule of rollout {b['plan']} ({b['variant']}): start {a['start']} → {b['start']}"
        )
        return Change("schedule", text, a["start"], b["start"])
    return None


def _plain(rollout: Mapping[str, Any]) -> Any:
    return {k: v for k, v in rollout.items() if k != "stages"}


def _same_holds(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    def strip(stages: list[dict[str, Any]]) -> list[tuple[Any, Any]]:
        return [(s["percent"], s["hold_seconds"]) for s in stages]

    return strip(a["stages"]) == strip(b["stages"])


def _stages(rollout: Mapping[str, Any]) -> str:
    return "/".join(percent(s["percent"]) for s in rollout["stages"])


def condition_text(when: Any) -> str:
    """A compact reading of a compiled condition; segments by name, not by their inlined body."""
    if not isinstance(when, Mapping):
        return value_text(when)
    if "segment" in when:
        return f"segment {when['segment']}"
    if "attr" in when:
        operand = when.get("values", when.get("value"))
        return f"{when['attr']} {when['op']} {value_text(operand)}"
    if "all" in when:
        if not when["all"]:
            return "always"
        return "(" + " and ".join(condition_text(c) for c in when["all"]) + ")"
    if "any" in when:
        return "(" + " or ".join(condition_text(c) for c in when["any"]) + ")"
    if "not" in when:
        return f"not {condition_text(when['not'])}"
    return value_text(when)


def condition_segments(when: Any) -> tuple[str, ...]:
    """Names of the segments a compiled condition refers to, sorted."""
    found: set[str] = set()
    stack = [when]
    while stack:
        node = stack.pop()
        if isinstance(node, Mapping):
            if "segment" in node:
                found.add(str(node["segment"]))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return tuple(sorted(found))
