"""`flagwright promote FLAG --to E`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from flagwright.cli.edit_output import echo_outcome, edit_instant, now_option
from flagwright.edit import apply_edit
from flagwright.edit.ops import promote as promote_edit


@click.command()
@click.argument("flag")
@click.option("--to", "target", required=True, help="The environment to promote into.")
@now_option
@click.pass_context
def promote(ctx: click.Context, flag: str, target: str, now: str | None) -> None:
    """Copy a flag's entry from the environment TARGET promotes from."""
    outcome = apply_edit(
        Path(ctx.obj["root"]),
        flag,
        lambda index, model, raw: promote_edit(index, model, raw, target),
        date.today(),
        now=edit_instant(now),
    )
    echo_outcome(outcome)
