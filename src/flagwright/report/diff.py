"""A semantic diff as text (terminal), markdown (pull-request comment) or JSON (tools)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from itertools import groupby
from typing import Any

from flagwright.diff.describe import value_text
from flagwright.diff.model import AppDeleted, Blast, SemanticDiff, ValueChange, percent_text

_MARK = {"added": "+", "removed": "-", "changed": "~", "renamed": ">"}


def blast_text(blast: Blast) -> str:
    """``15.00% of users no rule matches: off → on 15.00%`` (or ``~`` when expected)."""
    approx = "" if blast.exact else "~"
    moves = ", ".join(f"{m.before} → {m.after} {approx}{percent_text(m.weight)}"
                      for m in blast.moves)  # fmt: skip
    segments = f" (segments: {', '.join(blast.segments)})" if blast.segments else ""
    share = f"{approx}{percent_text(blast.weight)} of {blast.population}{segments}"
    return f"{share} change variant: {moves}"


def summary_line(diff: SemanticDiff) -> str:
    envs = len({f.env for f in diff.flags})
    reshuffles = sum(len(f.reshuffles) for f in diff.flags)
    parts = [f"{_n(len(diff.flags), 'flag change')} in {_n(envs, 'environment')}"]
    parts.append(f"{_n(len(diff.values), 'Helm value change')}")
    if diff.applications:
        parts.append(f"{_n(len(diff.applications), 'Argo CD Application change')}")
    if diff.deploys:
        parts.append(f"{_n(len(diff.deploys), 'deploy')}")
    if diff.deleted:
        parts.append(f"{_n(len(diff.deleted), 'Argo CD Application')} deleted")
    if reshuffles:
        parts.append(f"{_n(reshuffles, 'BUCKET RESHUFFLE')}")
    return ", ".join(parts)


def as_text(diff: SemanticDiff) -> str:
    lines = [f"flagwright diff {diff.base} → {diff.head}"]
    if diff.empty:
        lines.append("no semantic changes")
        return "\n".join(lines) + "\n"
    lines.append(summary_line(diff))
    for env, group in groupby(diff.flags, key=lambda f: f.env):
        lines.append("")
        lines.append(f"{env}:")
        for flag in group:
            title = flag.flag if flag.renamed_from is None else f"{flag.renamed_from} → {flag.flag}"
            lines.append(f"  {_MARK[flag.status]} {title} ({flag.status})")
            lines.extend(f"      !! RESHUFFLE: {note}" for note in flag.reshuffles)
            lines.extend(f"      {c.text}{_segments(c.segments)}" for c in flag.changes)
            lines.extend(f"      blast radius, {b.scope}: {blast_text(b)}" for b in flag.blast)
    if diff.deploys:
        lines.extend(["", "Deploys:", *(f"  {d.text}" for d in diff.deploys)])
    lines.extend(_path_section("Helm values", diff.values))
    lines.extend(_path_section("Argo CD Applications", diff.applications))
    if diff.deleted:
        lines.extend(["", "Deleted:"])
        lines.extend(f"  - {deleted_text(d)}" for d in diff.deleted)
    return "\n".join(lines) + "\n"


def deleted_text(d: AppDeleted) -> str:
    return (
        f"Application {d.application} will be deleted ({d.app} leaves {d.env}; Argo CD prunes "
        "everything it deployed)"
    )


def _path_section(title: str, changes: Sequence[ValueChange]) -> list[str]:
    """Dotted-path changes per environment and app, as text."""
    if not changes:
        return []
    lines = ["", f"{title}:"]
    for (env, app), group in groupby(changes, key=lambda v: (v.env, v.app)):
        lines.append(f"  {env}/{app}:")
        lines.extend(f"      {_value_line(v)}" for v in group)
    return lines


def _segments(segments: tuple[str, ...]) -> str:
    return f" [segments: {', '.join(segments)}]" if segments else ""


def value_line(v: ValueChange) -> str:
    """``~ image.tag: 1.0.0 → 1.1.0`` (``+`` added, ``-`` removed)."""
    return _value_line(v)


def _value_line(v: ValueChange) -> str:
    if v.status == "added":
        return f"+ {v.path}: {value_text(v.after)}"
    if v.status == "removed":
        return f"- {v.path} (was {value_text(v.before)})"
    return f"~ {v.path}: {value_text(v.before)} → {value_text(v.after)}"


def as_markdown(diff: SemanticDiff) -> str:
    """The pull-request comment (:mod:`flagwright.report.diff_comment`)."""
    from flagwright.report.diff_comment import as_comment

    return as_comment(diff)


def to_data(diff: SemanticDiff) -> dict[str, Any]:
    return {
        "base": diff.base,
        "head": diff.head,
        "flags": [
            {
                "environment": f.env,
                "flag": f.flag,
                "status": f.status,
                "renamed_from": f.renamed_from,
                "changes": [
                    {"what": c.what, "text": c.text, "before": c.before, "after": c.after,
                     "segments": list(c.segments)}
                    for c in f.changes
                ],
                "blast_radius": [
                    {
                        "scope": b.scope,
                        "population": b.population,
                        "exact": b.exact,
                        "segments": list(b.segments),
                        "weight": b.weight,
                        "percent": percent_text(b.weight),
                        "moves": [
                            {"from": m.before, "to": m.after, "weight": m.weight,
                             "percent": percent_text(m.weight)}
                            for m in b.moves
                        ],
                    }
                    for b in f.blast
                ],
                "reshuffles": list(f.reshuffles),
            }
            for f in diff.flags
        ],
        "values": [
            {"environment": v.env, "app": v.app, "path": v.path, "status": v.status,
             "before": v.before, "after": v.after}
            for v in diff.values
        ],
        "applications": [
            {"environment": a.env, "app": a.app, "path": a.path, "status": a.status,
             "before": a.before, "after": a.after}
            for a in diff.applications
        ],
        "deploys": [
            {"environment": d.env, "app": d.app, "text": d.text,
             "strategy_before": d.strategy_before, "strategy_after": d.strategy_after}
            for d in diff.deploys
        ],
        "deleted": [
            {"environment": d.env, "app": d.app, "application": d.application}
            for d in diff.deleted
        ],
        **({} if diff.policies is None else {"policies": [
            {"environment": p.env, "path": p.diagnostic.path, "line": p.diagnostic.line,
             "col": p.diagnostic.col, "code": p.diagnostic.code,
             "severity": str(p.diagnostic.severity), "message": p.diagnostic.message}
            for p in diff.policies
        ]}),
    }  # fmt: skip


def as_json(diff: SemanticDiff) -> str:
    return json.dumps(to_data(diff), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


FORMATTERS: dict[str, Callable[[SemanticDiff], str]] = {
    "text": as_text,
    "markdown": as_markdown,
    "json": as_json,
}


def _n(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")
