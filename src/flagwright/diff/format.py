"""A semantic diff as text (terminal), markdown (pull-request comment) or JSON (tools)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from itertools import groupby
from typing import Any

from flagwright.diff.describe import value_text
from flagwright.diff.model import Blast, FlagChange, SemanticDiff, ValueChange, percent_text

_MARK = {"added": "+", "removed": "-", "changed": "~", "renamed": ">"}


def blast_text(blast: Blast) -> str:
    """``15.00% of users no rule matches: off → on 15.00%`` (or ``~`` when expected)."""
    approx = "" if blast.exact else "~"
    moves = ", ".join(f"{m.before} → {m.after} {approx}{percent_text(m.weight)}"
                      for m in blast.moves)  # fmt: skip
    segments = f" (segments: {', '.join(blast.segments)})" if blast.segments else ""
    share = f"{approx}{percent_text(blast.weight)} of {blast.population}{segments}"
    return f"{share} change variant: {moves}"


def _summary_line(diff: SemanticDiff) -> str:
    envs = len({f.env for f in diff.flags})
    reshuffles = sum(len(f.reshuffles) for f in diff.flags)
    parts = [f"{_n(len(diff.flags), 'flag change')} in {_n(envs, 'environment')}"]
    parts.append(f"{_n(len(diff.values), 'Helm value change')}")
    if diff.applications:
        parts.append(f"{_n(len(diff.applications), 'Argo CD Application change')}")
    if diff.deploys:
        parts.append(f"{_n(len(diff.deploys), 'deploy')}")
    if reshuffles:
        parts.append(f"{_n(reshuffles, 'BUCKET RESHUFFLE')}")
    return ", ".join(parts)


def as_text(diff: SemanticDiff) -> str:
    lines = [f"flagwright diff {diff.base} → {diff.head}"]
    if diff.empty:
        lines.append("no semantic changes")
        return "\n".join(lines) + "\n"
    lines.append(_summary_line(diff))
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
    return "\n".join(lines) + "\n"


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


def _value_line(v: ValueChange) -> str:
    if v.status == "added":
        return f"+ {v.path}: {value_text(v.after)}"
    if v.status == "removed":
        return f"- {v.path} (was {value_text(v.before)})"
    return f"~ {v.path}: {value_text(v.before)} → {value_text(v.after)}"


def _users_cell(flag: FlagChange) -> str:
    if not flag.blast:
        return "none" if flag.status == "changed" else "n/a"
    return "<br>".join(
        f"**{'~' if not b.exact else ''}{percent_text(b.weight)}** of {b.population} "
        f"({', '.join(f'{m.before} → {m.after}' for m in b.moves)})"
        for b in flag.blast
    )


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def as_markdown(diff: SemanticDiff) -> str:
    out = [f"## flagwright diff `{diff.base}` → `{diff.head}`", ""]
    if diff.empty:
        out.append("No semantic changes.")
        return "\n".join(out) + "\n"
    out.append(_summary_line(diff) + ".")
    out.append("")
    reshuffles = [(f, n) for f in diff.flags for n in f.reshuffles]
    if reshuffles:
        out.append("> [!WARNING]")
        out.append("> **Bucket reshuffle**: these changes move users who did not opt in.")
        out.extend(f"> - `{f.env}` / `{f.flag}`: {_md(n)}" for f, n in reshuffles)
        out.append("")
    if diff.flags:
        out.append("| Environment | Flag | Change | Users who change variant |")
        out.append("|---|---|---|---|")
        for f in diff.flags:
            name = f"`{f.flag}`" if f.renamed_from is None else f"`{f.renamed_from}` → `{f.flag}`"
            out.append(f"| {f.env} | {name} | {f.status} | {_users_cell(f)} |")
        out.append("")
    for env, group in groupby(diff.flags, key=lambda f: f.env):
        out.append(f"### {env}")
        out.append("")
        for flag in group:
            out.append(f"**`{flag.flag}`** ({flag.status})")
            out.append("")
            out.extend(f"- {_md(c.text)}" for c in flag.changes)
            out.extend(f"- blast radius, {b.scope}: {_md(blast_text(b))}" for b in flag.blast)
            out.append("")
    if diff.deploys:
        out.extend(["### Deploys", "", *(f"- {_md(d.text)}" for d in diff.deploys), ""])
    out.extend(_path_table("Helm values", diff.values))
    out.extend(_path_table("Argo CD Applications", diff.applications))
    return "\n".join(out)


def _path_table(title: str, changes: Sequence[ValueChange]) -> list[str]:
    """Dotted-path changes as a markdown table."""
    if not changes:
        return []
    out = [
        f"### {title}",
        "",
        "| Environment | App | Path | Before | After |",
        "|---|---|---|---|---|",
    ]
    for v in changes:
        before = "" if v.status == "added" else f"`{_md(value_text(v.before))}`"
        after = "" if v.status == "removed" else f"`{_md(value_text(v.after))}`"
        out.append(f"| {v.env} | {v.app} | `{v.path}` | {before} | {after} |")
    out.append("")
    return out


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
