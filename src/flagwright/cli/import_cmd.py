"""`flagwright import FILE --from flagd|featuremanagement [--env E] [--force] [--out DIR]`."""

from __future__ import annotations

from pathlib import Path

import click

from flagwright.importer import (
    FORMATS,
    SourceFormat,
    choose_environment,
    plan_import,
    read_source,
    write_import,
)
from flagwright.report.diagnostics import as_text


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
) -> None:
    """Write one flag YAML file per flag of a flagd or FeatureManagement file.

    Whatever has no exact flagwright equivalent is reported at its file:line:col and that flag is
    not written; the exit code is then 1.
    """
    root = Path(ctx.obj["root"])
    environment = choose_environment(root, env)
    out_dir = out if out is not None else root / "flags"
    plan = plan_import(read_source(file), str(file), fmt, environment, out_dir, root)
    if plan.diagnostics:
        click.echo(as_text(plan.diagnostics), nl=False)
    written, unchanged = write_import(plan, force)
    for path in written:
        click.echo(f"{path}: written")
    for note in plan.notes:
        click.echo(f"note: {note}", err=True)
    skipped = "" if plan.complete else "; see the problems above: those flags were not imported"
    click.echo(
        f"imported {len(plan.flags)} flag(s) into {environment!r}: {len(written)} file(s) written, "
        f"{len(unchanged)} unchanged{skipped}",
        err=True,
    )
    ctx.exit(0 if plan.complete else 1)
