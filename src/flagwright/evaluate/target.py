"""``eval`` and ``explain``: compile one environment of the working tree in memory and ask the
runtime about a flag. The runtime is the only evaluator; this module only prepares its input.

In a fleet, a cluster may serve a flag differently (its ``flags:`` overrides). ``--cluster``
asks as that cluster serves it; without it the answer is the environment's, which is what its
other clusters serve, and the result names the clusters that override the flag so that nobody
reads it as the answer for all of them.
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
from flagwright.compile.clusters import cluster_bundle
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
class Where:
    """Which flag an answer is about, and where it holds."""

    flag: str
    environment: str
    cluster: str | None  # None: the environment's entry
    overridden_in: tuple[str, ...]  # clusters serving the flag otherwise (cluster is None)


@dataclass(frozen=True, slots=True)
class Target:
    """A flag in the compiled bundle of one environment (or one of its clusters) of the working
    tree."""

    where: Where
    bundle: dict[str, Any]
    client: Client

    def evaluate(self, context: Mapping[str, Any], at: datetime | None) -> Evaluation:
        return self.client.evaluate(self.where.flag, context, now=at)

    def explain(self, context: Mapping[str, Any], at: datetime | None) -> Explanation:
        return self.client.explain(self.where.flag, context, now=at)


@dataclass(frozen=True, slots=True)
class Question:
    """What ``eval`` and ``explain`` are asked: a flag, where, for whom and when."""

    flag: str
    env: str
    context: Mapping[str, Any]
    at: datetime | None = None
    cluster: str | None = None


def load_target(root: Path, question: Question, today: date) -> Target:
    """Validate ``root``, compile the question's environment (as its cluster serves it, if one
    is given) and check its flag exists; raises UserError."""
    flag, env, cluster = question.flag, question.env, question.cluster
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
    clusters = {c.name: c for c in index.environments[env].model.clusters or []}
    if cluster is not None and cluster not in clusters:
        known = did_you_mean(cluster, clusters) or _known(clusters)
        raise UnknownName(f"environment {env!r} has no cluster {cluster!r}" + known)
    bundle = compile_snapshot(index, env)
    if cluster is not None:
        bundle = cluster_bundle(index, env, clusters[cluster], bundle)
        overriding: tuple[str, ...] = ()
    else:
        overriding = tuple(sorted(name for name, c in clusters.items() if flag in c.flags))
    # The bundle was compiled here and is not changed later: no private copy is needed.
    return Target(Where(flag, env, cluster, overriding), bundle, Client(Snapshot(bundle)))


@dataclass(frozen=True, slots=True)
class Evaluated:
    evaluation: Evaluation
    where: Where


@dataclass(frozen=True, slots=True)
class Explained:
    explanation: Explanation
    flags: dict[str, Any]  # the environment's compiled flags, for what the trace leaves implicit
    where: Where


def evaluate_flag(root: Path, question: Question, today: date) -> Evaluated:
    """``flagwright eval``'s core: what the runtime serves the question's context at its time."""
    target = load_target(root, question, today)
    return Evaluated(target.evaluate(question.context, question.at), target.where)


def explain_flag(root: Path, question: Question, today: date) -> Explained:
    """``flagwright explain``'s core: the runtime's trace of the same evaluation."""
    target = load_target(root, question, today)
    explanation = target.explain(question.context, question.at)
    return Explained(explanation, target.bundle["flags"], target.where)


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
