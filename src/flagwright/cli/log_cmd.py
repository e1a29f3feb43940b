"""`flagwright log NAME [--env E]`: a flag's audit trail, or an app's deploy history."""

from __future__ import annotations

from pathlib import Path

import click

from flagwright.audit import read_log
from flagwright.report.log import log_json, log_text


@click.command()
@click.argument("name", metavar="FLAG|APP")
@click.option("--env", "env", help="Only this environment.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.pass_context
def log(ctx: click.Context, name: str, env: str | None, as_json: bool) -> None:
    """Who changed what, commit by commit: a flag's audit trail, or for an app its deploy
    history (Helm values such as the image tag, chart and Application changes)."""
    found = read_log(Path(ctx.obj["root"]), name, env)
    click.echo(log_json(found) if as_json else log_text(found), nl=False)
