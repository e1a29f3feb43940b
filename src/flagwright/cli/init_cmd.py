"""`flagwright init DIR`."""

from __future__ import annotations

from pathlib import Path

import click

from flagwright.cli.echo import echo
from flagwright.init.scaffold import init_repository
from flagwright.report.init import init_lines


@click.command()
@click.argument("directory", type=click.Path(path_type=Path))
def init(directory: Path) -> None:
    """Write a minimal config repository into DIRECTORY (new or empty)."""
    echo(init_lines(directory, init_repository(directory)))
