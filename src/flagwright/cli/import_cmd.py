"""`flagwright import FILE --from flagd|featuremanagement [--env E] [--force] [--out DIR]`."""

from __future__ import annotations

from pathlib import Path

import click

from flagwright.cli.echo import echo
from flagwright.errors import Status
from flagwright.importer import FORMATS, SourceFormat, import_file
from flagwright.report.imports import import_lines


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--from", "fmt", type=click.Choice(FORMATS), required=True, help="The format of FILE."
)
@click.option(
    "--env",
    metavar="E",
    help="Environment the imported targeting is written under (default: the repository's only "
    "environment).",
)
@click.option("--force", is_flag=True, help="Overwrite flag and segment files that exist.")
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the flag files (default: flags/ of the repository); segments go to its "
    "segments/ subfolder.",
)
@click.pass_context
def import_(
    ctx: click.Context,
    file: Path,
    fmt: SourceFormat,
    env: str | None,
    force: bool,
    out: Path | None,
) -> Status:
    """Write one flag YAML file per flag of a flagd or FeatureManagement file.

    Whatever has no exact flagwright equivalent is reported at its file:line:col and that flag is
    not written; the exit code is then 1.
    """
    run = import_file(Path(ctx.obj["root"]), file, fmt, env, force, out)
    echo(import_lines(run))
    return run.status
