"""`flagwright advance FLAG --env E`."""

from __future__ import annotations

import click

from flagwright.cli.options import edit_flag, now_option
from flagwright.edit.ops import advance as advance_edit
from flagwright.report.edit import outcome_text


@click.command()
@click.argument("flag")
@click.option("--env", "env", required=True, help="The environment whose rollout advances.")
@now_option
@click.pass_context
def advance(ctx: click.Context, flag: str, env: str, now: str | None) -> None:
    """Move a manual rollout to its plan's next stage (refuses past the last one)."""
    outcome = edit_flag(
        ctx, flag, lambda index, model, raw: advance_edit(index, model, env, raw), now
    )
    click.echo(outcome_text(outcome), nl=False)
