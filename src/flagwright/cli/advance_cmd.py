"""`flagwright advance FLAG --env E`."""

from __future__ import annotations

import click

from flagwright.cli.edit_output import echo_outcome, edit_flag, now_option
from flagwright.edit.ops import advance as advance_edit


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
    echo_outcome(outcome)
