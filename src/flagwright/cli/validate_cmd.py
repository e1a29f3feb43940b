"""`flagwright validate`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from flagwright.check.repository import validate_work_tree
from flagwright.errors import Status
from flagwright.report.diagnostics import FORMATTERS
from flagwright.report.validate import validation_text


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
) -> Status:
    """Check every flag, segment, plan, environment and app; report problems at file:line:col."""
    root = Path(ctx.obj["root"])
    day = today.date() if hasattr(today, "date") else date.today()
    if pre_push:
        from flagwright.policy import parse_now
        from flagwright.policy.pushed import pushed_refs, validate_push

        source, target = pushed_refs()
        found = validate_push(root, source, target, day, parse_now(now), strict)
    else:
        found = validate_work_tree(root, day, strict, base, now)
    click.echo(validation_text(found, fmt), nl=False)
    return found.status
