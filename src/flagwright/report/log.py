"""What ``flagwright log`` prints: commits in ``git log``'s layout, each with what it changed
for the flag (or the app's deployment), or the same as JSON."""

from __future__ import annotations

import json

from flagwright.audit import Log
from flagwright.audit.apps import DeployEntry
from flagwright.audit.flags import LogEntry
from flagwright.diff.model import SemanticDiff
from flagwright.gitio.repo import CommitInfo
from flagwright.report.diff import blast_text, to_data, value_line


def log_text(log: Log) -> str:
    if log.deploys is not None:
        if not log.deploys:
            return f"no commits change the deployment of {log.name}{_in(log.env)}\n"
        return "\n".join(_deploy_text(e) for e in log.deploys)
    entries = log.flag or []
    empty = f"no commits change {log.name}{_in(log.env)}\n" if not entries else ""
    return empty + "\n".join(_text(e) for e in entries)


def log_json(log: Log) -> str:
    if log.deploys is not None:
        records = [_deploy_data(e) for e in log.deploys]
    else:
        records = [_data(e) for e in log.flag or []]
    return json.dumps(records, indent=2, sort_keys=True) + "\n"


def _in(env: str | None) -> str:
    return f" in {env}" if env else ""


def _header(c: CommitInfo) -> list[str]:
    return [f"commit {c.sha}", f"Author: {c.author} <{c.email}>", f"Date:   {c.date}", "",
            f"    {c.subject}", ""]  # fmt: skip


def _text(entry: LogEntry) -> str:
    lines = _header(entry.commit)
    if entry.problem:
        lines.append(f"    (not compared: {entry.problem})")
    for change in entry.changes:
        lines.append(f"    {change.env}: {change.status}")
        lines.extend(f"      !! RESHUFFLE: {note}" for note in change.reshuffles)
        lines.extend(f"      {item.text}" for item in change.changes)
        lines.extend(f"      blast radius, {b.scope}: {blast_text(b)}" for b in change.blast)
    return "\n".join(lines) + "\n\n"


def _deploy_text(entry: DeployEntry) -> str:
    lines = _header(entry.commit)
    lines.extend(f"    {env}: deployed (a new Argo CD Application)" for env in entry.deployed)
    lines.extend(
        f"    {env}: removed (its Argo CD Application is deleted)" for env in entry.removed
    )
    for title, changes in (("values", entry.values), ("application", entry.application)):
        for env in sorted({c.env for c in changes}):
            lines.append(f"    {env} {title}:")
            lines.extend(f"      {value_line(c)}" for c in changes if c.env == env)
    return "\n".join(lines) + "\n\n"


def _commit_data(c: CommitInfo) -> dict[str, object]:
    return {"commit": c.sha, "author": c.author, "email": c.email, "date": c.date,
            "subject": c.subject}  # fmt: skip


def _data(entry: LogEntry) -> dict[str, object]:
    c = entry.commit
    diff = SemanticDiff(c.parent or "", c.sha, list(entry.changes))
    return {**_commit_data(c), "problem": entry.problem, "changes": to_data(diff)["flags"]}


def _deploy_data(entry: DeployEntry) -> dict[str, object]:
    diff = SemanticDiff("", "", values=list(entry.values), applications=list(entry.application))
    data = to_data(diff)
    return {
        **_commit_data(entry.commit),
        "deployed": list(entry.deployed),
        "removed": list(entry.removed),
        "values": data["values"],
        "application": data["applications"],
    }
