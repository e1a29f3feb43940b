"""`flagwright log FLAG [--env E]`."""

from __future__ import annotations

import json
from pathlib import Path

import click

from flagwright.audit import LogEntry, flag_log
from flagwright.diff.format import blast_text, to_data
from flagwright.diff.model import SemanticDiff


@click.command()
@click.argument("flag")
@click.option("--env", "env", help="Only this environment.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.pass_context
def log(ctx: click.Context, flag: str, env: str | None, as_json: bool) -> None:
    """The flag's audit trail: who changed what for whom, commit by commit."""
    entries = flag_log(Path(ctx.obj["root"]), flag, env)
    if as_json:
        click.echo(json.dumps([_data(e) for e in entries], indent=2, sort_keys=True))
        return
    if not entries:
        click.echo(f"no commits change {flag}" + (f" in {env}" if env else ""))
    click.echo("\n".join(_text(e) for e in entries), nl=False)


def _text(entry: LogEntry) -> str:
    c = entry.commit
    lines = [f"commit {c.sha}", f"Author: {c.author} <{c.email}>", f"Date:   {c.date}", "",
             f"    {c.subject}", ""]  # fmt: skip
    if entry.problem:
        lines.append(f"    (not compared: {entry.problem})")
    for change in entry.changes:
        lines.append(f"    {change.env}: {change.status}")
        lines.extend(f"      !! RESHUFFLE: {note}" for note in change.reshuffles)
        lines.extend(f"      {item.text}" for item in change.changes)
        lines.extend(f"      blast radius, {b.scope}: {blast_text(b)}" for b in change.blast)
    return "\n".join(lines) + "\n\n"


def _data(entry: LogEntry) -> dict[str, object]:
    c = entry.commit
    diff = SemanticDiff(c.parent or "", c.sha, list(entry.changes))
    return {
        "commit": c.sha,
        "author": c.author,
        "email": c.email,
        "date": c.date,
        "subject": c.subject,
        "problem": entry.problem,
        "changes": to_data(diff)["flags"],
    }
