"""Option callbacks shared by several commands."""

from __future__ import annotations

from datetime import datetime

import click

from flagwright.evaluate import parse_instant


def instant(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    """An RFC 3339 instant with an offset (``--at``), or a usage error naming the option."""
    if value is None:
        return None
    try:
        return parse_instant(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx, param) from None
