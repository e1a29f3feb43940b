"""`flagwright rollback FLAG --env E [--to REF]`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from flagwright.cli.options import now_option
from flagwright.edit.rollback import rollback_flag
from flagwright.report.edit import rollback_text


@click.command()
@click.argument("flag")
@click.option("--env", "env", required=True, help="The environment entry to restore.")
@click.option("--to", "to", metavar="REF", help="Restore the entry as it is at REF.")
@now_option
@click.pass_context
def rollback(ctx: click.Context, flag: str, env: str, to: str | None, now: str | None) -> None:
    """Restore a flag's entry from the last revision where it differed (or from REF)."""
    from flagwright.policy import parse_now

    found = rollback_flag(Path(ctx.obj["root"]), flag, env, to, date.today(), parse_now(now))
    click.echo(rollback_text(found), nl=False)
