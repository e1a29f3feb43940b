"""`flagwright diff [BASE [HEAD]]`."""

from __future__ import annotations

from pathlib import Path

import click

from flagwright.diff.run import run_diff
from flagwright.report.diff import FORMATTERS


@click.command()
@click.argument("base", required=False)
@click.argument("head", required=False)
@click.option(
    "--format", "fmt", type=click.Choice(sorted(FORMATTERS)), default="text", show_default=True
)
@click.option("--now", hidden=True, help="The instant policies are checked at (RFC 3339).")
@click.pass_context
def diff(ctx: click.Context, base: str | None, head: str | None, fmt: str, now: str | None) -> None:
    """What changes for users between BASE (default: the merge base with the default branch)
    and HEAD (default: the work tree), per environment and flag, with the blast radius.

    The markdown format is a pull-request comment a bot updates in place (it starts with a
    hidden marker); it also checks the change policies, and is empty when no flag or
    deployment changes."""
    from flagwright.policy import parse_now

    checked = parse_now(now) if fmt == "markdown" else None
    result = run_diff(Path(ctx.obj["root"]), base, head, checked)
    click.echo(FORMATTERS[fmt](result), nl=False)
