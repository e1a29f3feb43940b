"""`flagwright progress [--env E] [--at TIME] [--dry-run] [--format text|json|markdown]`."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from flagwright.cli.echo import echo
from flagwright.cli.options import instant
from flagwright.errors import Status

_FORMATS = ("text", "json", "markdown")


@click.command()
@click.option("--env", "-e", "env", help="Only this environment (default: all).")
@click.option(
    "--at", "at", metavar="TIME", callback=instant,
    help="Decide as of this instant, RFC 3339 with an offset: gates are queried at it, holds "
    "and freezes measured against it. Default: now.",
)  # fmt: skip
@click.option("--dry-run", is_flag=True, help="Decide and report, but write nothing.")
@click.option(
    "--format", "fmt", type=click.Choice(_FORMATS), default="text", show_default=True,
    help="text: a report and the commit message; markdown: the pull-request body; json: "
    "decisions, evidence, commit message and pull request for bots.",
)  # fmt: skip
@click.pass_context
def progress(
    ctx: click.Context, env: str | None, at: datetime | None, dry_run: bool, fmt: str
) -> Status:
    """Advance, hold or roll back gated manual rollouts from their Prometheus gates.

    For every flag whose environment entry is a manual rollout (stage: N) on a plan with gates,
    the gates are read from the environment's Prometheus. A failing gate rolls back at once (to
    enabled: false, or one stage with on_failure: step-back), even during a freeze. The rollout
    advances one stage when every gate passes, the stage's hold has elapsed since the commit that
    entered it, and the environment's policies allow the step; otherwise it holds.

    Exit status: 0 the run completed (edits written, or none needed); 1 the configuration is
    invalid (nothing written), a gate's Prometheus could not be read (those rollouts hold; the
    other decisions are written) or an edit could not be written; 2 usage.
    """
    from flagwright.progress import run_progress
    from flagwright.report.progress import progress_lines

    result = run_progress(Path(ctx.obj["root"]), at or datetime.now(UTC), env=env, dry_run=dry_run)
    echo(progress_lines(result, fmt))
    return result.status
