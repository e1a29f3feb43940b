"""What ``progress`` prints: a report, a commit message and a pull-request body, or JSON."""

from __future__ import annotations

import json
import math
from typing import Any

from flagwright.progress.decision import OFF, Decision, Step
from flagwright.progress.measure import GateReading
from flagwright.progress.run import ProgressResult
from flagwright.report.diagnostics import as_text as diagnostics_text
from flagwright.report.lines import Line

_VERB = {"advance": "advance", "rollback": "roll back", "hold": "hold"}


def step_text(step: Step) -> str:
    return (
        "off (enabled: false)" if step.stage == OFF else f"stage {step.stage} ({step.percent:g}%)"
    )


def change_text(d: Decision) -> str:
    if d.target is None:
        return step_text(d.current)
    return f"{step_text(d.current)} → {step_text(d.target)}"


def value_text(value: float | None) -> str:
    return "no data" if value is None else f"{value:.6g}"


def gate_line(reading: GateReading) -> str:
    shown = _latest(reading)
    return f"{reading.gate.key}: {shown} vs {reading.gate.describe()}: {_verdict(reading)}"


def _latest(reading: GateReading) -> str:
    latest = reading.latest
    return value_text(latest.value) if latest.error is None else "unreadable"


def _verdict(reading: GateReading) -> str:
    """The gate's verdict; with several measurements, how many failed against the limit."""
    count = len(reading.measurements)
    if count == 1:
        return reading.verdict.value
    return (
        f"{reading.verdict.value} ({reading.failures} of {count} measurements fail, "
        f"limit {reading.failure_limit})"
    )


def commit_message(result: ProgressResult) -> str:
    changes = result.changes
    if not changes:
        return ""
    if len(changes) == 1:
        d = changes[0]
        subject = f"progress: {_VERB[d.action]} {d.flag} in {d.env} to {step_text(d.target)}"  # type: ignore[arg-type]
    else:
        counts = {a: sum(d.action == a for d in changes) for a in ("rollback", "advance")}
        parts = [f"{_VERB[a]} {n}" for a, n in counts.items() if n]
        subject = f"progress: {', '.join(parts)} of {len(changes)} rollouts"
    lines = [subject, ""]
    for d in changes:
        lines.append(f"{d.env}/{d.flag}: {change_text(d)}: {d.reason}")
        lines.extend(f"  {gate_line(g)}" for g in d.gates)
    lines.append("")
    lines.append(f"Decided by flagwright progress at {result.at.isoformat()}.")
    return "\n".join(lines) + "\n"


def pr_title(result: ProgressResult) -> str:
    message = commit_message(result)
    return message.split("\n", 1)[0]


def as_markdown(result: ProgressResult) -> str:
    out = [f"## flagwright progress at {result.at.isoformat()}", ""]
    if not result.decisions:
        out.append("No gated manual rollouts.")
        return "\n".join(out) + "\n"
    out.append("| Environment | Flag | Decision | Stage | Why |")
    out.append("|---|---|---|---|---|")
    out.extend(
        f"| {d.env} | `{d.flag}` | **{_VERB[d.action]}** | {_md(change_text(d))} | "
        f"{_md(d.error or d.reason)} |"
        for d in result.decisions
    )
    for d in result.decisions:
        out += ["", f"### {d.env} / `{d.flag}`: {_VERB[d.action]}", ""]
        out.append(_entered(d) + ".")
        out += ["", "| Gate | Value | Threshold | Verdict |", "|---|---|---|---|"]
        out.extend(_gate_row(g) for g in d.gates)
        errors = [e for g in d.gates for e in g.errors]
        out.extend(f"\n> Prometheus: {_md(e)}" for e in dict.fromkeys(errors))
        out.extend(f"\n> Policy: {_md(p)}" for p in d.policy)
        if d.blast:
            out += ["", "Blast radius:"]
            out.extend(f"- {_md(b)}" for b in d.blast)
        if d.error:
            out += ["", f"> Not written: {_md(d.error)}"]
    return "\n".join(out) + "\n"


def _gate_row(g: GateReading) -> str:
    return f"| `{g.gate.key}` | {_latest(g)} | {_md(g.gate.describe())} | {_verdict(g)} |"


def as_text(result: ProgressResult) -> str:
    if not result.decisions:
        return "no gated manual rollouts to progress\n"
    lines = []
    for d in result.decisions:
        lines.append(f"{d.env}/{d.flag}: {_VERB[d.action]}: {change_text(d)}: {d.reason}")
        lines.append(f"    {_entered(d)}")
        lines.extend(f"    {gate_line(g)}" for g in d.gates)
        lines.extend(f"    prometheus: {e}" for e in d.unreadable)
        lines.extend(f"    policy: {p}" for p in d.policy)
        lines.extend(f"    blast radius, {b}" for b in d.blast)
        if d.error:
            lines.append(f"    not written: {d.error}")
        elif d.target is not None:
            lines.append(f"    {'wrote' if d.written else 'would write'} {d.path}")
    message = commit_message(result)
    if message:
        lines += ["", "commit message:", *(f"  {m}" if m else "" for m in message.splitlines())]
    return "\n".join(lines) + "\n"


def as_json(result: ProgressResult) -> str:
    data = {
        "at": result.at.isoformat(),
        "dry_run": result.dry_run,
        "changed": bool(result.changes),
        "decisions": [_decision_json(d) for d in result.decisions],
        "commit_message": commit_message(result),
        "pull_request": {"title": pr_title(result), "body": as_markdown(result)},
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _decision_json(d: Decision) -> dict[str, Any]:
    def step(s: Step | None) -> dict[str, Any] | None:
        return None if s is None else {"stage": s.stage, "percent": s.percent}

    return {
        "env": d.env, "flag": d.flag, "file": d.path, "plan": d.plan, "variant": d.variant,
        "action": d.action, "reason": d.reason, "from": step(d.current), "to": step(d.target),
        "stage_entered": None if d.entered is None else d.entered.isoformat(),
        "commit": d.commit,
        "hold_until": None if d.hold_until is None else d.hold_until.isoformat(),
        "gates": [_gate_json(g) for g in d.gates],
        "policy": list(d.policy), "blast_radius": list(d.blast), "written": d.written,
        "error": d.error, "unreadable": list(d.unreadable),
    }  # fmt: skip


def _gate_json(g: GateReading) -> dict[str, Any]:
    return {
        "gate": g.gate.key, "query": g.gate.query, "bound": g.gate.bound,
        "threshold": g.gate.threshold, "verdict": g.verdict.value,
        "value": _json_number(g.latest.value),
        "promql": list(g.queries),
        "measurements": [
            {"at": m.at.isoformat(), "value": _json_number(m.value), "verdict": m.verdict.value,
             "error": m.error}
            for m in g.measurements
        ],
    }  # fmt: skip


def _json_number(value: float | None) -> float | str | None:
    """JSON has no infinities: Prometheus' +Inf (a broken histogram) is written as "+Inf"."""
    if value is None or math.isfinite(value):
        return value
    return "+Inf" if value > 0 else "-Inf"


def _entered(d: Decision) -> str:
    if d.entered is None:
        return f"{step_text(d.current)} is not committed yet"
    commit = f" in {d.commit[:12]}" if d.commit else ""
    until = (
        f"; its hold ends {d.hold_until.isoformat()}"
        if d.hold_until and d.hold_until != d.entered
        else ""
    )
    return f"{step_text(d.current)} entered {d.entered.isoformat()}{commit}{until}"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def progress_lines(result: ProgressResult, fmt: str) -> list[Line]:
    """What ``flagwright progress`` prints: the report in ``fmt`` (text, json, markdown), or the
    configuration's errors when nothing was decided."""
    if result.invalid:
        return [Line(diagnostics_text(result.diagnostics), err=True)]
    formatter = {"text": as_text, "json": as_json, "markdown": as_markdown}[fmt]
    return [Line(formatter(result))]
