"""`flagwright set FLAG --env E (--serve V | --split V=W,... | --enabled/--disabled)`."""

from __future__ import annotations

import math

import click

from flagwright.cli.options import edit_flag, now_option
from flagwright.edit.ops import Edit, set_enabled, set_serve, set_split
from flagwright.report.edit import outcome_text


def parse_split(text: str) -> dict[str, float]:
    weights: dict[str, float] = {}
    for part in text.split(","):
        variant, sep, weight = part.partition("=")
        try:
            number = float(weight)
        except ValueError:
            number = -1.0
        if not math.isfinite(number):
            what = "NaN (not a number)" if math.isnan(number) else "infinite"
            raise click.BadParameter(
                f"{part!r}: the weight is {what}; give a percentage from 0 to 100",
                param_hint="--split",
            )
        if not sep or not variant.strip() or number < 0:
            raise click.BadParameter(f"{part!r} is not VARIANT=PERCENT", param_hint="--split")
        weights[variant.strip()] = number
    return weights


@click.command(name="set")
@click.argument("flag")
@click.option("--env", "env", required=True, help="The environment entry to edit.")
@click.option("--serve", metavar="VARIANT", help="Serve one variant to everyone not matched.")
@click.option("--split", metavar="V=W,...", help="Split the fallthrough, weights sum to 100.")
@click.option("--enabled/--disabled", default=None, help="Turn the flag on or off (kill switch).")
@now_option
@click.pass_context
def set_(
    ctx: click.Context,
    flag: str,
    env: str,
    serve: str | None,
    split: str | None,
    enabled: bool | None,
    now: str | None,
) -> None:
    """Change a flag's entry for one environment, keeping the file's comments and layout."""
    if sum(value is not None for value in (serve, split, enabled)) != 1:
        raise click.UsageError("give exactly one of --serve, --split, --enabled/--disabled")
    if serve is not None:
        edit: Edit = set_serve(env, serve)
    elif split is not None:
        edit = set_split(env, parse_split(split))
    else:
        assert enabled is not None
        edit = set_enabled(env, enabled)
    outcome = edit_flag(ctx, flag, lambda *_: edit, now)
    click.echo(outcome_text(outcome), nl=False)
