"""``eval`` and ``explain``: compile one environment of the working tree in memory and ask the
runtime about a flag. The runtime is the only evaluator; this module only prepares its input.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flagwright.check.repository import validate_repository
from flagwright.check.suggest import did_you_mean
from flagwright.compile import compile_snapshot
from flagwright.diagnostics import Diagnostic
from flagwright.errors import UserError
from flagwright.load import jsonlimits
from flagwright.load.jsonlimits import JsonLimitError
from flagwright.runtime import Client, Evaluation, Snapshot
from flagwright.runtime.timeparse import parse_datetime

if TYPE_CHECKING:  # the runtime loads explain lazily; annotations only need the name
    from flagwright.runtime import Explanation


class InvalidConfig(UserError):
    """The configuration has errors, so there is nothing trustworthy to evaluate. ``also`` says
    what else was not done."""

    def __init__(self, diagnostics: list[Diagnostic], also: str = "") -> None:
        errors = sum(d.severity == "error" for d in diagnostics)
        more = f"; {also}" if also else ""
        super().__init__(f"the configuration has {errors} error(s); nothing was evaluated{more}")
        self.diagnostics = diagnostics


class UnknownName(UserError):
    """A flag or environment named on the command line that the configuration does not define."""


@dataclass(frozen=True, slots=True)
class Target:
    """A flag in the compiled bundle of one environment of the working tree."""

    flag: str
    environment: str
    bundle: dict[str, Any]
    client: Client

    def evaluate(self, context: Mapping[str, Any], at: datetime | None) -> Evaluation:
        return self.client.evaluate(self.flag, context, now=at)

    def explain(self, context: Mapping[str, Any], at: datetime | None) -> Explanation:
        return self.client.explain(self.flag, context, now=at)


def load_target(root: Path, flag: str, env: str, today: date) -> Target:
    """Validate ``root``, compile ``env`` and check ``flag`` exists; raises UserError."""
    validated = validate_repository(root, today=today, sizes=False)
    if not validated.ok:
        raise InvalidConfig(validated.diagnostics)
    index = validated.index
    if env not in index.environments:
        raise UnknownName(
            f"unknown environment {env!r}"
            + (did_you_mean(env, index.environments) or _known(index.environments))
        )
    if flag not in index.flags:
        raise UnknownName(
            f"unknown flag {flag!r}" + (did_you_mean(flag, index.flags) or _known(index.flags))
        )
    bundle = compile_snapshot(index, env)
    # The bundle was compiled here and is not changed later: no private copy is needed.
    return Target(flag, env, bundle, Client(Snapshot(bundle)))


@dataclass(frozen=True, slots=True)
class Explained:
    explanation: Explanation
    flags: dict[str, Any]  # the environment's compiled flags, for what the trace leaves implicit


def evaluate_flag(
    root: Path, flag: str, env: str, context: Mapping[str, Any], at: datetime | None, today: date
) -> Evaluation:
    """``flagwright eval``'s core: what the runtime serves ``context`` at ``at``."""
    return load_target(root, flag, env, today).evaluate(context, at)


def explain_flag(
    root: Path, flag: str, env: str, context: Mapping[str, Any], at: datetime | None, today: date
) -> Explained:
    """``flagwright explain``'s core: the runtime's trace of the same evaluation."""
    target = load_target(root, flag, env, today)
    return Explained(target.explain(context, at), target.bundle["flags"])


def _known(names: Iterable[str]) -> str:
    ordered = sorted(names)
    if not ordered:
        return "; none are defined"
    shown = ", ".join(ordered[:10]) + (", ..." if len(ordered) > 10 else "")
    return f"; known: {shown}"


def parse_context(pairs: Iterable[str]) -> dict[str, Any]:
    """``key=value`` pairs → a context. Values that parse as JSON are JSON, others are strings.

    So ``age=42`` is the number 42, ``beta=true`` a boolean, ``id="42"`` the string "42" and
    ``email=a@b.c`` the string "a@b.c". NaN and Infinity stay strings (they are not JSON), and
    ``null`` is the same as leaving the attribute out. Raises ValueError for a malformed pair.
    """
    context: dict[str, Any] = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep or not key:
            raise ValueError(f"{pair!r} is not key=value")
        try:
            context[key] = jsonlimits.loads(text)
        except JsonLimitError as exc:
            raise ValueError(f"-c {key}: the JSON value's {exc}") from None
        except ValueError:
            context[key] = text
    return context


def parse_instant(text: str) -> datetime:
    """``--at``: held to the same RFC 3339 rule as the configuration files."""
    return parse_datetime(text)
