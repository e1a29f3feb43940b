"""Run the real entry point (``flagwright.cli.main.main``) under click's CliRunner.

Going through ``main`` rather than the ``cli`` group means user errors are printed and mapped to
exit codes exactly as a user sees them.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import click
from click.testing import CliRunner

from flagwright.cli.main import main


@click.command(
    context_settings={"ignore_unknown_options": True, "help_option_names": []},
)
@click.argument("argv", nargs=-1, type=click.UNPROCESSED)
def _entry(argv: tuple[str, ...]) -> None:
    # As the console script does: ctx.exit(n) under standalone_mode=False is main's return value.
    sys.exit(main(list(argv)))


@dataclass(frozen=True)
class Ran:
    exit_code: int
    stdout: str
    stderr: str


def run_cli(*args: str) -> Ran:
    result = CliRunner().invoke(_entry, list(args), catch_exceptions=False)
    return Ran(result.exit_code, result.stdout, result.stderr)
