"""The result of a semantic diff: frozen records, formatted by :mod:`flagwright.report.diff`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from flagwright.diagnostics import Diagnostic
from flagwright.runtime.bucketing import TOTAL as TOTAL  # re-exported: weights are out of it

FlagStatus = Literal["added", "removed", "changed", "renamed"]
ValueStatus = Literal["added", "removed", "changed"]


def percent_text(weight: int) -> str:
    """A weight out of 10000 as an exact percentage: 1500 → "15.00%"."""
    return f"{weight // 100}.{weight % 100:02d}%"


@dataclass(frozen=True, slots=True)
class Move:
    """``weight`` buckets (out of 10000) of a population go from one variant to another."""

    before: str
    after: str
    weight: int


@dataclass(frozen=True, slots=True)
class Blast:
    """Who is served a different variant within one part of a flag (a rule or the fallthrough).

    ``exact`` is False when buckets were recomputed (a reshuffle): the moves are then the share
    expected from independent buckets, not a count of buckets.
    """

    scope: str  # "fallthrough" or "rule <name>"
    population: str  # who the percentages are of, in words
    moves: tuple[Move, ...]
    exact: bool = True
    segments: tuple[str, ...] = ()

    @property
    def weight(self) -> int:
        return sum(m.weight for m in self.moves)


@dataclass(frozen=True, slots=True)
class Change:
    """One semantic change of a flag in an environment, with its own one-line description."""

    what: (
        str  # enabled, default, type, variants, requires, bucket_by, bucketing, experiment, entry,
    )
    #            rule, rules-order, fallthrough, rollout, schedule
    text: str
    before: Any = None
    after: Any = None
    segments: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FlagChange:
    env: str
    flag: str
    status: FlagStatus
    changes: tuple[Change, ...] = ()
    blast: tuple[Blast, ...] = ()
    reshuffles: tuple[str, ...] = ()  # loud warnings: users moved who did not opt in
    renamed_from: str | None = None

    @property
    def fallthrough_weight(self) -> int | None:
        for blast in self.blast:
            if blast.scope == "fallthrough":
                return blast.weight
        return None


@dataclass(frozen=True, slots=True)
class ValueChange:
    env: str
    app: str
    path: str  # dotted path into the app's Helm values (or its Application's fields)
    status: ValueStatus
    before: Any = None
    after: Any = None


@dataclass(frozen=True, slots=True)
class PolicyNote:
    """A change-policy violation (``validate --base``), with the environment it concerns."""

    env: str | None  # None: not about one environment (a removed flag, a type change)
    diagnostic: Diagnostic


@dataclass(frozen=True, slots=True)
class AppDeleted:
    """An app that leaves an environment: Argo CD deletes its Application (and what it runs)."""

    env: str
    app: str
    application: str  # the Argo CD Application's name


@dataclass(frozen=True, slots=True)
class DeployChange:
    """An app's new version (or deploy settings) in an environment, with how it rolls out."""

    env: str
    app: str
    text: str
    strategy_before: str
    strategy_after: str


@dataclass(slots=True)
class SemanticDiff:
    base: str
    head: str
    flags: list[FlagChange] = field(default_factory=list)
    values: list[ValueChange] = field(default_factory=list)
    applications: list[ValueChange] = field(default_factory=list)  # Argo CD fields, not values
    policies: list[PolicyNote] | None = None  # None: not checked
    deploys: list[DeployChange] = field(default_factory=list)
    deleted: list[AppDeleted] = field(default_factory=list)  # instead of their values' removal

    @property
    def empty(self) -> bool:
        return not (self.flags or self.values or self.applications or self.deploys or self.deleted)
