"""The pull-request comment: one comment a bot keeps up to date, summary first.

The first line is a hidden marker, so a bot finds its own comment and edits it instead of adding
one per push. A table per environment comes first (flags changed, users who change variant,
deployment changes, policy violations); bucket reshuffles and policy violations stay visible;
everything else is folded into ``<details>``. A change that touches no flag and no deployment
gives no comment at all: the empty string.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby

from flagwright.diff.describe import value_text
from flagwright.diff.model import FlagChange, PolicyNote, SemanticDiff, ValueChange, percent_text
from flagwright.report.diff import blast_text, deleted_text, summary_line

MARKER = "<!-- flagwright-diff -->"


def as_comment(diff: SemanticDiff) -> str:
    if diff.empty:
        return ""
    out = [MARKER, f"### flagwright: {summary_line(diff)}", ""]
    out.append(f"`{diff.base}` → `{diff.head}`")
    out.append("")
    out.extend(_summary_table(diff))
    out.extend(_reshuffles(diff))
    out.extend(_violations(diff.policies))
    if diff.deleted:  # never folded: Argo CD prunes everything the app deployed
        out.extend(["> [!CAUTION]", *(f"> **{_md(deleted_text(d))}**" for d in diff.deleted), ""])
    out.extend(_flag_details(diff.flags))
    if diff.deploys:
        out.extend([f"<details><summary>Deploys ({len(diff.deploys)})</summary>", ""])
        out.extend([*(f"- {_md(d.text)}" for d in diff.deploys), "", "</details>", ""])
    out.extend(_path_details("Helm values", diff.values))
    out.extend(_path_details("Argo CD Applications", diff.applications))
    return "\n".join(out)


def _summary_table(diff: SemanticDiff) -> list[str]:
    envs = sorted(
        {f.env for f in diff.flags}
        | {v.env for v in [*diff.values, *diff.applications]}
        | {d.env for d in diff.deleted}
    )
    out = [
        "| Environment | Flags changed | Users who change variant | Deploy changes | Policies |",
        "|---|---|---|---|---|",
    ]
    for env in envs:
        flags = [f for f in diff.flags if f.env == env]
        values = sum(v.env == env for v in diff.values)
        apps = sum(a.env == env for a in diff.applications)
        rollouts = sum(d.env == env for d in diff.deploys)
        deploy = [f"{rollouts} deploy{_s(rollouts)}"] if rollouts else []
        deploy += [f"{values} Helm value{_s(values)}"] if values else []
        deploy += [f"{apps} Argo CD field{_s(apps)}"] if apps else []
        users = ", ".join(f"`{f.flag}` {_users(f)}" for f in flags) or "none"
        out.append(
            f"| {env} | {len(flags)} | {users} | {', '.join(deploy) or 'none'} | "
            f"{_policy_cell(diff.policies, env)} |"
        )
    unplaced = [p for p in diff.policies or [] if p.env is None]
    if unplaced:
        out.append(f"| (all) | | | | {_policy_cell(unplaced, None)} |")
    out.append("")
    return out


def _users(flag: FlagChange) -> str:
    """The largest share of one population that changes variant (every part is in details)."""
    if not flag.blast:
        return "none" if flag.status == "changed" else f"n/a ({flag.status})"
    top = max(flag.blast, key=lambda b: b.weight)
    approx = "" if top.exact else "~"
    more = f" (+{len(flag.blast) - 1} more)" if len(flag.blast) > 1 else ""
    return f"**{approx}{percent_text(top.weight)}** of {top.population}{more}"


def _policy_cell(policies: Sequence[PolicyNote] | None, env: str | None) -> str:
    if policies is None:
        return "not checked"
    errors = [p for p in policies if p.env == env and p.diagnostic.severity == "error"]
    warnings = [p for p in policies if p.env == env and p.diagnostic.severity != "error"]
    parts = [f"❌ {len(errors)} violation{_s(len(errors))}"] if errors else []
    parts += [f"⚠️ {len(warnings)} warning{_s(len(warnings))}"] if warnings else []
    return ", ".join(parts) or "✅ ok"


def _reshuffles(diff: SemanticDiff) -> list[str]:
    found = [(f, n) for f in diff.flags for n in f.reshuffles]
    if not found:
        return []
    out = ["> [!WARNING]", "> **Bucket reshuffle**: these changes move users who did not opt in."]
    out.extend(f"> - `{f.env}` / `{f.flag}`: {_md(n)}" for f, n in found)
    out.append("")
    return out


def _violations(policies: Sequence[PolicyNote] | None) -> list[str]:
    if not policies:
        return []
    out = ["> [!CAUTION]", "> **Change policies** (`flagwright validate --base`):"]
    for note in policies:
        d = note.diagnostic
        out.append(f"> - `{d.path}:{d.line}:{d.col}` {d.severity}[{d.code}] {_md(d.message)}")
    out.append("")
    return out


def _flag_details(flags: Sequence[FlagChange]) -> list[str]:
    if not flags:
        return []
    out = [
        f"<details><summary>Flag changes ({len(flags)})</summary>",
        "",
        "| Environment | Flag | Change | Users who change variant |",
        "|---|---|---|---|",
    ]
    for f in flags:
        name = f"`{f.flag}`" if f.renamed_from is None else f"`{f.renamed_from}` → `{f.flag}`"
        out.append(f"| {f.env} | {name} | {f.status} | {_users_cell(f)} |")
    out.append("")
    for env, group in groupby(flags, key=lambda f: f.env):
        out.append(f"#### {env}")
        out.append("")
        for flag in group:
            out.append(f"**`{flag.flag}`** ({flag.status})")
            out.append("")
            out.extend(f"- {_md(c.text)}" for c in flag.changes)
            out.extend(f"- blast radius, {b.scope}: {_md(blast_text(b))}" for b in flag.blast)
            out.append("")
    out.extend(["</details>", ""])
    return out


def _users_cell(flag: FlagChange) -> str:
    if not flag.blast:
        return "none" if flag.status == "changed" else "n/a"
    return "<br>".join(
        f"**{'~' if not b.exact else ''}{percent_text(b.weight)}** of {b.population} "
        f"({', '.join(f'{m.before} → {m.after}' for m in b.moves)})"
        for b in flag.blast
    )


def _path_details(title: str, changes: Sequence[ValueChange]) -> list[str]:
    if not changes:
        return []
    out = [
        f"<details><summary>{title} ({len(changes)})</summary>",
        "",
        "| Environment | App | Path | Before | After |",
        "|---|---|---|---|---|",
    ]
    for v in changes:
        before = "" if v.status == "added" else f"`{_md(value_text(v.before))}`"
        after = "" if v.status == "removed" else f"`{_md(value_text(v.after))}`"
        out.append(f"| {v.env} | {v.app} | `{v.path}` | {before} | {after} |")
    out.extend(["", "</details>", ""])
    return out


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _s(count: int) -> str:
    return "" if count == 1 else "s"
