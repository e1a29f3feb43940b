"""`flagwright validate`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from flagwright.report import FORMATTERS
from flagwright.validate import validate_repository


@click.command()
@click.option("--strict", is_flag=True, help="Treat stale flags (past 'expires') as errors.")
@click.option(
    "--format", "fmt", type=click.Choice(sorted(FORMATTERS)), default="text", show_default=True
)
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), hidden=True)
@click.pass_context
def validate(ctx: click.Context, strict: bool, fmt: str, today: object) -> None:
    """Check every flag, segment, plan, environment and app; report problems at file:line:col."""
    day = today.date() if hasattr(today, "date") else date.today()
    result = validate_repository(Path(ctx.obj["root"]), today=day, strict=strict)
    click.echo(FORMATTERS[fmt](result.diagnostics), nl=False)
    if fmt == "text" and not result.diagnostics:
        documents = len(result.repo.documents)
        click.echo(f"{len(result.repo.texts)} files, {documents} documents: no problems")
    ctx.exit(0 if result.ok else 1)
