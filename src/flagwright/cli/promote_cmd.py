"""`flagwright promote FLAG --to E`."""

from __future__ import annotations

import click

from flagwright.cli.options import edit_flag, now_option
from flagwright.edit.ops import promote as promote_edit
from flagwright.report.edit import outcome_text


@click.command()
@click.argument("flag")
@click.option("--to", "target", required=True, help="The environment to promote into.")
@now_option
@click.pass_context
def promote(ctx: click.Context, flag: str, target: str, now: str | None) -> None:
    """Copy a flag's entry from the environment TARGET promotes from."""
    outcome = edit_flag(
        ctx, flag, lambda index, model, raw: promote_edit(index, model, raw, target), now
    )
    click.echo(outcome_text(outcome), nl=False)
