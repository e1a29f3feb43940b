"""Turn the runtime's evaluation trace into the lines ``flagwright explain`` prints.

The trace comes from the runtime's own evaluator (``Client.explain``); this module only words it,
using the compiled bundle for what the trace leaves implicit (stage counts, served variants).
Arrows are ASCII so a legacy Windows console cannot fail to encode the output.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flagwright.report.eval import overrides_line

if TYPE_CHECKING:  # the runtime loads explain lazily; annotations only need the name
    from flagwright.evaluate.target import Explained
    from flagwright.runtime import Explanation


Flags = Mapping[str, Mapping[str, Any]]
_INDENT = "  "


def explain_text(found: Explained, context: Mapping[str, Any]) -> str:
    """What ``flagwright explain`` prints."""
    lines = explain_lines(found.explanation, found.flags, context)
    if found.where.cluster is not None:
        lines[0] += f", cluster {found.where.cluster}"
    note = overrides_line(found.where)
    if note is not None:
        lines.insert(1, note)
    return "".join(f"{line}\n" for line in lines)


def explain_lines(
    explanation: Explanation,
    flags: Flags,
    context: Mapping[str, Any],
) -> list[str]:
    """Header, the path taken (prerequisites nested under the flag that needs them), result."""
    writer = _Writer(flags, context, explanation.environment or "?")
    writer.lines.append(f"flag {explanation.flag} in environment {writer.env}")
    writer.lines.append(f"context: {_json(dict(sorted(context.items())))}")
    if explanation.now is not None:
        writer.lines.append(f"at: {explanation.now}")
    writer.flag(explanation.flag, explanation.steps, depth=0)
    ev = explanation.evaluation
    rule = f", rule {ev.rule}" if ev.rule is not None else ""
    writer.lines.append(
        f"result: {_json(ev.value)} (variant {ev.variant}, reason {ev.reason}{rule})"
    )
    return writer.lines


class _Writer:
    def __init__(self, flags: Flags, context: Mapping[str, Any], env: str) -> None:
        self.flags = flags
        self.context = context
        self.env = env
        self.lines: list[str] = []

    def add(self, depth: int, text: str) -> None:
        self.lines.append(_INDENT * depth + text)

    def flag(self, key: str, steps: list[dict[str, Any]], depth: int) -> None:
        doc = self.flags.get(key, {})
        if doc:
            self.add(depth, _listing(doc, self.env))
        for step in steps:
            kind = step.get("step")
            if kind == "prerequisite":
                self.prerequisite(step, depth)
            elif kind == "rule":
                self.rule(step, len(doc.get("rules", [])), depth)
            elif kind == "fallthrough" and step.get("kind") == "rollout":
                for line in _rollout(step, doc):
                    self.add(depth, line)
            elif kind == "fallthrough":
                self.add(depth, _fallthrough(step, doc))
            elif kind == "bucket":
                for line in _bucket(step):
                    self.add(depth, line)
            elif kind == "error":
                self.add(depth, f"error: {step.get('message')}")

    def prerequisite(self, step: Mapping[str, Any], depth: int) -> None:
        verdict = "satisfied" if step["satisfied"] else "not satisfied: serve the default"
        self.add(
            depth,
            f"prerequisite {step['flag']}: serves {step['variant']} "
            f"(its default is {step['default']}) -> {verdict}",
        )
        self.flag(step["flag"], step.get("steps") or [], depth + 1)

    def rule(self, step: Mapping[str, Any], count: int, depth: int) -> None:
        verdict = "matched" if step["matched"] else "no match"
        self.add(
            depth,
            f"rule {step['index']}/{count} {step['name']}: {summarize(step['when'])} -> {verdict}",
        )
        trace = step.get("trace") or []
        prefix = f"rule {step['name']!r}: "
        for entry in trace:
            path = str(entry.get("path", "")).removeprefix(prefix)
            seen = ""
            if "value" in entry:
                seen = f" ({entry['condition']['attr']} = {_value(entry)})"
            result = "true" if entry.get("result") else "false"
            self.add(depth + 1, f"{path}: {summarize(entry['condition'])}{seen} -> {result}")
        if not trace:
            for attr in sorted(attributes(step["when"])):
                shown = _json(self.context[attr]) if attr in self.context else "missing"
                self.add(depth + 1, f"{attr} = {shown}")


def _listing(doc: Mapping[str, Any], env: str) -> str:
    if not doc.get("listed", True):
        return f"environment {env}: not listed for this flag -> serve the default"
    if not doc.get("enabled", True):
        return f"environment {env}: listed, disabled (kill switch) -> serve the default"
    return f"environment {env}: listed, enabled"


def _fallthrough(step: Mapping[str, Any], doc: Mapping[str, Any]) -> str:
    lead = "no rule matched: fallthrough" if doc.get("rules") else "fallthrough"
    fall = doc.get("fallthrough") or {}
    if step.get("kind") == "serve":
        return f"{lead} serves {fall.get('serve')}"
    return f"{lead} splits by {doc.get('bucket_by', 'targeting_key')}"


def _rollout(step: Mapping[str, Any], doc: Mapping[str, Any]) -> list[str]:
    lead = "no rule matched: fallthrough" if doc.get("rules") else "fallthrough"
    rollout = (doc.get("fallthrough") or {}).get("rollout") or {}
    stages = len(rollout.get("stages", []))
    variant, default = rollout.get("variant"), rollout.get("default")
    head = (
        f"{lead} is a rollout of {variant} by plan {step.get('plan')} "
        f"(everyone else gets {default})"
    )
    stage, percent = step["stage"], _percent(step["percent"])
    if step["mode"] == "manual":
        why = f"manual stage {stage} of {stages} ({percent}), set by 'stage: {stage}' in the flag"
    elif stage == 0:
        why = (
            f"scheduled, not started: the first stage begins at {rollout.get('start')}, "
            f"so 0% until then"
        )
    elif step.get("next_stage_at") is None:
        why = (
            f"scheduled stage {stage} of {stages} ({percent}) since {step['since']}: the last "
            "stage holds for good"
        )
    else:
        why = (
            f"scheduled stage {stage} of {stages} ({percent}) since {step['since']}; next stage "
            f"at {step['next_stage_at']}"
        )
    return [head, _INDENT + why]


def _bucket(step: Mapping[str, Any]) -> list[str]:
    attr = step["attribute"]
    if step.get("bucket") is None:
        shown = "missing" if step.get("value") is None else f"{_json(step['value'])}, unusable"
        return [f"bucket: {attr} is {shown}: no bucket -> serve the default {step['variant']}"]
    bucket = step["bucket"]
    lines = [
        f"bucket: {attr} = {_json(step['value'])}, key {_json(step['key'])} -> bucket "
        f"{bucket} of {step['total']} (0-{step['total'] - 1})"
    ]
    low = 0
    for variant, weight in step["weights"]:
        high = low + weight
        mark = "  <- here" if low <= bucket < high else ""
        lines.append(f"{_INDENT}{variant}: [{low}, {high}){mark}")
        low = high
    return lines


def summarize(cond: Mapping[str, Any]) -> str:
    """One line for a compiled condition: ``email ends_with "@company.com"``."""
    if "attr" in cond:
        operand = cond["values"] if "values" in cond else cond.get("value")
        return f"{cond['attr']} {cond['op']} {_json(operand)}"
    if "segment" in cond:
        return f"segment {cond['segment']}"
    for group in ("all", "any"):
        if group in cond:
            if not cond[group]:
                return "always" if group == "all" else "never"
            return f"{group}({', '.join(summarize(c) for c in cond[group])})"
    if "not" in cond:
        return f"not({summarize(cond['not'])})"
    if "time" in cond:
        window = cond["time"]
        bounds = [f"{k} {window[k]}" for k in ("after", "before") if k in window]
        return "time " + " and ".join(bounds)
    if "schedule" in cond:
        sched = cond["schedule"]
        days = ",".join(sched["days"]) if "days" in sched else "every day"
        return f"schedule {days} {sched['from']}-{sched['to']} {sched['tz']}"
    return _json(cond)


def attributes(cond: Mapping[str, Any]) -> set[str]:
    """Context attributes a compiled condition reads (through inlined segments too)."""
    if "attr" in cond:
        return {cond["attr"]}
    if "segment" in cond:
        return attributes(cond["when"])
    found: set[str] = set()
    for child in [*cond.get("all", []), *cond.get("any", [])]:
        found |= attributes(child)
    if "not" in cond:
        found |= attributes(cond["not"])
    return found


def _value(entry: Mapping[str, Any]) -> str:
    return "missing" if entry.get("value") is None else _json(entry["value"])


def _percent(value: float) -> str:
    return f"{value:g}%"


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
