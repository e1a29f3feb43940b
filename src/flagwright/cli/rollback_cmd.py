"""`flagwright rollback FLAG --env E [--to REF]`."""

from __future__ import annotations

from pathlib import Path

import click

from flagwright.cli.options import edit_flag, now_option
from flagwright.edit.ops import restore
from flagwright.edit.rollback import rollback_entry
from flagwright.report.edit import outcome_text


@click.command()
@click.argument("flag")
@click.option("--env", "env", required=True, help="The environment entry to restore.")
@click.option("--to", "to", metavar="REF", help="Restore the entry as it is at REF.")
@now_option
@click.pass_context
def rollback(ctx: click.Context, flag: str, env: str, to: str | None, now: str | None) -> None:
    """Restore a flag's entry from the last revision where it differed (or from REF)."""
    root = Path(ctx.obj["root"])
    node, sha = rollback_entry(root, flag, env, to)
    edit = restore(env, node)
    outcome = edit_flag(ctx, flag, lambda *_: edit, now)
    click.echo(f"restoring {env} entry of {flag} from {sha[:12]}")
    click.echo(outcome_text(outcome), nl=False)
