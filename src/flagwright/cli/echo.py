"""Printing what a formatter (``report/``) returned, each piece to its stream."""

from __future__ import annotations

from collections.abc import Iterable

import click

from flagwright.report.lines import Line


def echo(lines: Iterable[Line]) -> None:
    for line in lines:
        click.echo(line.text, err=line.err, nl=False)
