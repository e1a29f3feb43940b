"""`flagwright init DIR`."""

from __future__ import annotations

from pathlib import Path

import click

from flagwright.init.scaffold import init_repository


@click.command()
@click.argument("directory", type=click.Path(path_type=Path))
def init(directory: Path) -> None:
    """Write a minimal config repository into DIRECTORY (new or empty)."""
    for rel in init_repository(directory):
        click.echo(f"{directory / rel}: written")
    click.echo(
        f"next: cd {directory} && flagwright validate && flagwright render, then commit", err=True
    )
