"""`flagwright log NAME [--env E]`: a flag's audit trail, or an app's deploy history."""

from __future__ import annotations

import json
from pathlib import Path

import click

from flagwright.audit.apps import DeployEntry, deploy_log, is_app
from flagwright.audit.flags import LogEntry, flag_log
from flagwright.diff.model import SemanticDiff
from flagwright.gitio.repo import CommitInfo
from flagwright.report.diff import blast_text, to_data, value_line


@click.command()
@click.argument("name", metavar="FLAG|APP")
@click.option("--env", "env", help="Only this environment.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.pass_context
def log(ctx: click.Context, name: str, env: str | None, as_json: bool) -> None:
    """Who changed what, commit by commit: a flag's audit trail, or for an app its deploy
    history (Helm values such as the image tag, chart and Application changes)."""
    root = Path(ctx.obj["root"])
    if is_app(root, name):
        deploys = deploy_log(root, name, env)
        if as_json:
            click.echo(json.dumps([_deploy_data(e) for e in deploys], indent=2, sort_keys=True))
        elif not deploys:
            click.echo(f"no commits change the deployment of {name}" + _in(env))
        else:
            click.echo("\n".join(_deploy_text(e) for e in deploys), nl=False)
        return
    entries = flag_log(root, name, env)
    if as_json:
        click.echo(json.dumps([_data(e) for e in entries], indent=2, sort_keys=True))
        return
    if not entries:
        click.echo(f"no commits change {name}" + _in(env))
    click.echo("\n".join(_text(e) for e in entries), nl=False)


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
