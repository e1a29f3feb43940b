"""What every editing command prints: the file it wrote and the semantic diff of the edit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from flagwright.diff.format import as_text
from flagwright.edit import EditOutcome, apply_edit
from flagwright.edit.apply import MakeEdit


def echo_outcome(outcome: EditOutcome) -> None:
    if outcome.written:
        click.echo(f"wrote {outcome.path}: {outcome.summary}")
    else:
        click.echo(f"{outcome.path}: already as requested, nothing written")
    click.echo(as_text(outcome.diff), nl=False)


F = TypeVar("F", bound=Callable[..., Any])


def now_option(command: F) -> F:
    """``--now`` (or ``FLAGWRIGHT_NOW``): the instant the environment's policies (freeze
    windows, schedules) are checked at; hidden, for tests and for replaying a decision."""
    option = click.option(
        "--now", "now", envvar="FLAGWRIGHT_NOW", hidden=True, help="RFC 3339 instant."
    )
    return option(command)


def edit_instant(now: str | None) -> datetime:
    from flagwright.policy import parse_now

    return parse_now(now)


def edit_flag(ctx: click.Context, flag: str, make: MakeEdit, now: str | None) -> EditOutcome:
    """What every editing command does: apply ``make`` to ``flag`` in ``-C``'s repository today,
    judged at ``--now``."""
    return apply_edit(Path(ctx.obj["root"]), flag, make, date.today(), now=edit_instant(now))
