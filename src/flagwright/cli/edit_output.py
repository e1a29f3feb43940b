"""What every editing command prints: the file it wrote and the semantic diff of the edit."""

from __future__ import annotations

import click

from flagwright.diff.format import as_text
from flagwright.edit import EditOutcome


def echo_outcome(outcome: EditOutcome) -> None:
    if outcome.written:
        click.echo(f"wrote {outcome.path}: {outcome.summary}")
    else:
        click.echo(f"{outcome.path}: already as requested, nothing written")
    click.echo(as_text(outcome.diff), nl=False)
