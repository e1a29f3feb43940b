"""`flagwright schema [--check]`."""

from __future__ import annotations

from pathlib import Path

import click

from flagwright.model.schemas import schema_drift, write_schemas


@click.command()
@click.option("--check", is_flag=True, help="Only report drift from the committed schemas.")
@click.pass_context
def schema(ctx: click.Context, check: bool) -> None:
    """Write a JSON Schema per document kind into schemas/ (or check them)."""
    root = Path(ctx.obj["root"])
    if check:
        drift = schema_drift(root)
        for label, names in (("added", drift.added), ("changed", drift.changed),
                             ("removed", drift.removed)):  # fmt: skip
            for name in names:
                click.echo(f"schemas/{name}: would be {label}")
        if not drift.clean:
            click.echo("schemas are out of date: run `flagwright schema`", err=True)
        ctx.exit(0 if drift.clean else 1)
    for name in write_schemas(root):
        click.echo(f"wrote {name}")
