"""`flagwright advance FLAG --env E`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from flagwright.cli.edit_output import echo_outcome, edit_instant, now_option
from flagwright.edit import apply_edit
from flagwright.edit.ops import advance as advance_edit


@click.command()
@click.argument("flag")
@click.option("--env", "env", required=True, help="The environment whose rollout advances.")
@now_option
@click.pass_context
def advance(ctx: click.Context, flag: str, env: str, now: str | None) -> None:
    """Move a manual rollout to its plan's next stage (refuses past the last one)."""
    outcome = apply_edit(
        Path(ctx.obj["root"]),
        flag,
        lambda index, model, raw: advance_edit(index, model, env, raw),
        date.today(),
        now=edit_instant(now),
    )
    echo_outcome(outcome)
