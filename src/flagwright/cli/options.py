"""Option callbacks shared by several commands."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from flagwright.evaluate.target import parse_instant

if TYPE_CHECKING:  # the edit machinery (ruamel, diff) is imported only by the editing commands
    from flagwright.edit import EditOutcome
    from flagwright.edit.apply import MakeEdit

F = TypeVar("F", bound=Callable[..., Any])


def instant(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    """An RFC 3339 instant with an offset (``--at``), or a usage error naming the option."""
    if value is None:
        return None
    try:
        return parse_instant(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx, param) from None


def now_option(command: F) -> F:
    """``--now`` (or ``FLAGWRIGHT_NOW``): the instant the environment's policies (freeze
    windows, schedules) are checked at; hidden, for tests and for replaying a decision."""
    option = click.option(
        "--now", "now", envvar="FLAGWRIGHT_NOW", hidden=True, help="RFC 3339 instant."
    )
    return option(command)


def edit_flag(ctx: click.Context, flag: str, make: MakeEdit, now: str | None) -> EditOutcome:
    """What every editing command does: apply ``make`` to ``flag`` in ``-C``'s repository today,
    judged at ``--now``."""
    from flagwright.edit import apply_edit
    from flagwright.policy import parse_now

    return apply_edit(Path(ctx.obj["root"]), flag, make, date.today(), now=parse_now(now))
