"""`flagwright site [--out DIR] [--at TIME] [--full-days N]`."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from flagwright.cli.options import instant


@click.command()
@click.option("--out", "out", default="site", show_default=True, metavar="DIR",
              help="Folder to write the site into, relative to the current directory (replaced "
              "as a whole).")  # fmt: skip
@click.option("--at", "at", metavar="TIME", callback=instant,
              help="The instant 'now' means for scheduled rollouts and staleness, RFC 3339 "
              "(default: the current time).")  # fmt: skip
@click.option(
    "--full-days",
    "full_days",
    type=click.IntRange(min=0),
    default=30,
    show_default=True,
    help="A flag at 100% everywhere for longer than this many days is stale.",
)
@click.option("--history-limit", type=click.IntRange(min=1), metavar="N",
              help="Read only the newest N commits of history (default: all).")  # fmt: skip
@click.pass_context
def site(
    ctx: click.Context, out: str, at: datetime | None, full_days: int, history_limit: int | None
) -> None:
    """A static dashboard: every flag in every environment, a page per flag with its rules, rollout
    timeline and history, the stale flags, and index.json for other tools."""
    from flagwright.report.site import site_text
    from flagwright.site import SiteOptions, build_site

    root = Path(ctx.obj["root"])
    options = SiteOptions(at or datetime.now(UTC), full_days, history_limit)
    result = build_site(root, Path(out), options)
    click.echo(site_text(result), nl=False)
