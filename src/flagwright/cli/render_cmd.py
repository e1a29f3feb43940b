"""`flagwright render [--check] [--env E] [--changed-since REF]`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from flagwright.cli.echo import echo
from flagwright.errors import Status


@click.command()
@click.option("--check", is_flag=True, help="Only report drift from the committed rendered/.")
@click.option("--env", "env", metavar="E", help="Render only this environment.")
@click.option(
    "--kubernetes-version",
    metavar="X.Y",
    help="Validate Kubernetes manifests against this version (default: the newest one the "
    "installed kubernetes-validate ships).",
)
@click.option(
    "--changed-since",
    "changed_since",
    metavar="REF",
    help="Render again only the environments that Flag documents changed since REF touch; "
    "the others are REF's rendered files (anything else changed: a full render).",
)
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), hidden=True)
@click.pass_context
def render(
    ctx: click.Context, check: bool, env: str | None, kubernetes_version: str | None,
    changed_since: str | None, today: object,
) -> Status:  # fmt: skip
    """Render Helm values, Argo CD Applications and flag ConfigMaps into rendered/."""
    from functools import partial

    from flagwright.render.command import run_render
    from flagwright.render.pipeline import RenderOptions
    from flagwright.render.progress import progress_bar
    from flagwright.report.render import render_lines

    if changed_since is not None and env is not None:
        raise click.UsageError("--changed-since renders whole repositories; drop --env")
    day = today.date() if hasattr(today, "date") else date.today()
    options = RenderOptions(env=env, kubernetes_version=kubernetes_version)
    bar = partial(progress_bar, label="rendering")
    run = run_render(Path(ctx.obj["root"]), day, options, check, changed_since, bar)
    echo(render_lines(run))
    return run.status
