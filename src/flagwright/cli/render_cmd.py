"""`flagwright render [--check] [--env E]`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from flagwright.check.repository import validate_repository
from flagwright.report.diagnostics import as_text


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
) -> None:  # fmt: skip
    """Render Helm values, Argo CD Applications and flag ConfigMaps into rendered/."""
    from flagwright.render.pipeline import RenderOptions, render_validated, step_count
    from flagwright.render.progress import progress_bar

    root = Path(ctx.obj["root"])
    day = today.date() if hasattr(today, "date") else date.today()
    options = RenderOptions(env=env, kubernetes_version=kubernetes_version)
    if changed_since is not None:
        if env is not None:
            raise click.UsageError("--changed-since renders whole repositories; drop --env")
        from flagwright.render.incremental import render_changed_since

        changed = render_changed_since(root, changed_since, day, options)
        output = changed.output
        if not output.rendered:
            click.echo(as_text(output.diagnostics), err=True, nl=False)
            click.echo("not rendering: the configuration has errors", err=True)
            ctx.exit(1)
        why = f"everything ({changed.fallback})" if changed.fallback else (
            ", ".join(changed.rendered) or "no environment"
        )  # fmt: skip
        click.echo(f"rendered again: {why}", err=True)
    else:
        validated = validate_repository(root, today=day)
        if not validated.ok:
            click.echo(as_text(validated.diagnostics), err=True, nl=False)
            click.echo("not rendering: the configuration has errors", err=True)
            ctx.exit(1)
        with progress_bar(step_count(validated, options), "rendering") as advance:
            output = render_validated(validated, options, advance)
    # --check runs in CI and pre-commit on every change: it shows errors and drift, and only
    # counts the warnings that `flagwright render` lists when the author renders.
    shown = [d for d in output.diagnostics if not check or d.severity == "error"]
    if shown:
        click.echo(as_text(shown), err=True, nl=False)
    if hidden := len(output.diagnostics) - len(shown):
        click.echo(f"{hidden} warnings not shown; `flagwright render` lists them", err=True)
    if not output.ok:
        click.echo(f"not writing {output.scope}/: the rendered output is invalid", err=True)
        ctx.exit(1)
    texts = {path: artifact.text for path, artifact in output.files.items()}
    if check:
        from flagwright.render.drift import check_tree

        drift = check_tree(root, texts, output.scope)
        for item in drift:
            click.echo(f"{item.path}: would be {item.status}")
            click.echo(item.diff, nl=False)
        if drift:
            click.echo(
                f"{output.scope}/ is out of date ({len(drift)} files): run `flagwright render`",
                err=True,
            )
        ctx.exit(1 if drift else 0)
    from flagwright.render.writer import write_tree

    changes = write_tree(root, texts, output.scope)
    for label, paths in (("added", changes.added), ("changed", changes.changed),
                         ("removed", changes.removed)):  # fmt: skip
        for path in paths:
            click.echo(f"{path}: {label}")
    if any(path.endswith("/flags/featuremanagement.json") for path in texts):
        from flagwright.render.exports import FEATUREMANAGEMENT_NOTE

        click.echo(FEATUREMANAGEMENT_NOTE)
    click.echo(
        f"{output.scope}/: {len(changes.added)} added, {len(changes.changed)} changed, "
        f"{len(changes.removed)} removed, {changes.unchanged} unchanged"
    )
