"""`flagwright schema [--check]`."""

from __future__ import annotations

from pathlib import Path

import click

from flagwright.cli.echo import echo
from flagwright.errors import Status
from flagwright.model.schemas import run_schema
from flagwright.report.schema import schema_lines


@click.command()
@click.option("--check", is_flag=True, help="Only report drift from the committed schemas.")
@click.pass_context
def schema(ctx: click.Context, check: bool) -> Status:
    """Write a JSON Schema per document kind into schemas/ (or check them)."""
    run = run_schema(Path(ctx.obj["root"]), check)
    echo(schema_lines(run))
    return run.status
