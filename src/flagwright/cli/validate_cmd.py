"""`flagwright validate`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from flagwright.check.repository import validate_repository
from flagwright.diagnostics import has_errors
from flagwright.report.diagnostics import FORMATTERS


@click.command()
@click.option("--strict", is_flag=True, help="Treat stale flags (past 'expires') as errors.")
@click.option(
    "--format", "fmt", type=click.Choice(sorted(FORMATTERS)), default="text", show_default=True
)
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), hidden=True)
@click.option("--base", metavar="REF", help="Also check the change from REF against policies.")
@click.option(
    "--now",
    envvar="FLAGWRIGHT_NOW",
    hidden=True,
    help="The instant freeze windows are checked at (RFC 3339).",
)
@click.option(
    "--pre-push",
    is_flag=True,
    help="Check the commit being pushed (PRE_COMMIT_TO_REF, set by pre-commit) and its change "
    "against the branch it will be merged into.",
)
@click.pass_context
def validate(
    ctx: click.Context,
    strict: bool,
    fmt: str,
    today: object,
    base: str | None,
    now: str | None,
    pre_push: bool,
) -> None:
    """Check every flag, segment, plan, environment and app; report problems at file:line:col."""
    day = today.date() if hasattr(today, "date") else date.today()
    if pre_push:
        _pre_push(ctx, fmt, day, strict, now)
        return
    result = validate_repository(Path(ctx.obj["root"]), today=day, strict=strict)
    diagnostics = result.diagnostics
    if base is not None and result.ok:
        from flagwright.policy import parse_now, policy_diagnostics

        found = policy_diagnostics(
            Path(ctx.obj["root"]), base, result.repo, result.index, parse_now(now)
        )
        diagnostics = sorted(set(diagnostics) | set(found))
    click.echo(FORMATTERS[fmt](diagnostics), nl=False)
    if fmt == "text" and not diagnostics:
        documents = len(result.repo.documents)
        click.echo(f"{len(result.repo.texts)} files, {documents} documents: no problems")
    ctx.exit(0 if not has_errors(diagnostics) else 1)


def _pre_push(ctx: click.Context, fmt: str, day: date, strict: bool, now: str | None) -> None:
    from flagwright.policy import parse_now
    from flagwright.policy.pushed import pushed_refs, validate_push

    source, target = pushed_refs()
    found = validate_push(Path(ctx.obj["root"]), source, target, day, parse_now(now), strict)
    click.echo(FORMATTERS[fmt](found.diagnostics), nl=False)
    if fmt == "text" and not found.diagnostics:
        against = f" against {found.base[:12]}" if found.base else " (nothing to compare with)"
        click.echo(
            f"{found.head[:12]}{against}: {found.files} files, {found.documents} documents: "
            "no problems"
        )
    ctx.exit(0 if not has_errors(found.diagnostics) else 1)
