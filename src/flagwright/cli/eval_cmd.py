"""`flagwright eval`: the value a flag serves to a context, from the working tree."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from flagwright.cli.options import instant
from flagwright.evaluate.target import Question, evaluate_flag, parse_context
from flagwright.report.eval import evaluation_json, evaluation_text

CONTEXT_HELP = (
    "A context attribute as key=value; repeatable. The value is read as JSON when it parses "
    "(-c age=42 is the number 42, -c beta=true a boolean, -c 'tags=[\"a\"]' a list) and as a "
    "string otherwise (-c email=a@b.c). Quote to force a string: -c 'id=\"42\"'. "
    "-c key=null is the same as leaving the attribute out."
)


def _context(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> Any:
    try:
        return parse_context(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx, param) from None


def target_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """FLAG, --env, --cluster, -c and --at, shared by `eval` and `explain`: the command gets
    them as one ``Question`` after the click context."""

    @functools.wraps(command)
    def asked(
        *args: Any, flag: str, env: str, context: dict[str, Any], at: datetime | None,
        cluster: str | None, **kwargs: Any,
    ) -> Any:  # fmt: skip
        return command(*args, Question(flag, env, context, at, cluster), **kwargs)

    decorators = [
        click.argument("flag"),
        click.option("--env", "-e", "env", required=True, help="The environment to evaluate in."),
        click.option(
            "--cluster", "cluster", metavar="NAME",
            help="One of the environment's clusters: evaluate as it serves the flag (with its "
            "flag overrides). Default: the environment's entry, which the clusters without an "
            "override serve; the answer names those that override it.",
        ),
        click.option(
            "-c", "--context", "context", multiple=True, metavar="KEY=VALUE",
            callback=_context, help=CONTEXT_HELP,
        ),
        click.option(
            "--at", "at", metavar="TIME", callback=instant,
            help="Evaluate at this instant, RFC 3339 with an offset (2026-11-20T10:00:00Z); "
            "decides scheduled rollouts and time conditions. Default: now.",
        ),
    ]  # fmt: skip
    wrapped: Callable[..., Any] = asked
    for decorator in reversed(decorators):
        wrapped = decorator(wrapped)
    return wrapped


@click.command("eval")
@target_options
@click.option("--json", "as_json", is_flag=True, help="Print the result as a JSON object.")
@click.pass_context
def eval_(ctx: click.Context, question: Question, as_json: bool) -> None:
    """Evaluate FLAG in an environment for a context, as the runtime would serve it.

    The configuration in the working tree is validated and compiled in memory (rendered/ is not
    read), then evaluated by flagwright.runtime, the same code services run.
    """
    found = evaluate_flag(Path(ctx.obj["root"]), question, date.today())
    click.echo(evaluation_json(found) if as_json else evaluation_text(found), nl=False)
