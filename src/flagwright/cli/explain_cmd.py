"""`flagwright explain`: the path an evaluation took, step by step."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from flagwright.cli.eval_cmd import target_options
from flagwright.evaluate.target import Question, explain_flag
from flagwright.report.explain import explain_text


@click.command("explain")
@target_options
@click.pass_context
def explain(ctx: click.Context, question: Question) -> None:
    """Show how FLAG evaluates in an environment for a context, and why.

    Prints whether the environment is listed and enabled, each prerequisite, each rule tried
    and whether it matched, the rollout stage in force, the bucket (0-9999) and the variant
    range it fell in, and the result. Same evaluator as `eval` and the runtime.
    """
    found = explain_flag(Path(ctx.obj["root"]), question, date.today())
    click.echo(explain_text(found, question.context), nl=False)
