"""Semantic checks across documents: each appends findings with a stable code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flagwright.check.clusters import check_clusters
from flagwright.check.conditions import ConditionChecker
from flagwright.check.deploys import check_deploys
from flagwright.check.environments import check_environments
from flagwright.check.flags import check_flags
from flagwright.check.graphs import check_cycles
from flagwright.check.plans import check_plans
from flagwright.check.selection import check_selections
from flagwright.diagnostics import Findings
from flagwright.load.index import ConfigIndex


@dataclass(frozen=True, slots=True)
class CheckOptions:
    today: date
    strict: bool = False


def run_checks(index: ConfigIndex, findings: Findings, options: CheckOptions) -> None:
    conditions = ConditionChecker(index, findings)
    check_plans(index, findings)
    check_environments(index, findings)
    check_selections(index, findings)
    check_deploys(index, findings)
    check_flags(index, findings, conditions, options.today, options.strict)
    check_clusters(index, findings, conditions)
    for segment in index.segments.values():
        conditions.check(segment.model.when, segment.source, ("when",))
    check_cycles(index, findings)
