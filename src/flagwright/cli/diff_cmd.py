"""`flagwright diff [BASE [HEAD]]`."""

from __future__ import annotations

from pathlib import Path

import click

from flagwright.diff.format import FORMATTERS
from flagwright.diff.run import run_diff


@click.command()
@click.argument("base", required=False)
@click.argument("head", required=False)
@click.option(
    "--format", "fmt", type=click.Choice(sorted(FORMATTERS)), default="text", show_default=True
)
@click.pass_context
def diff(ctx: click.Context, base: str | None, head: str | None, fmt: str) -> None:
    """What changes for users between BASE (default: the merge base with the default branch)
    and HEAD (default: the work tree), per environment and flag, with the blast radius."""
    result = run_diff(Path(ctx.obj["root"]), base, head)
    click.echo(FORMATTERS[fmt](result), nl=False)
