"""Typed, frozen models of every document kind (docs/reference.md)."""

from __future__ import annotations

from flagwright.model.app import App, ChartGit, ChartRepo, Repository
from flagwright.model.conditions import (
    AllCondition,
    AnyCondition,
    AttrCondition,
    Condition,
    NotCondition,
    ScheduleCondition,
    SegmentCondition,
    TimeCondition,
)
from flagwright.model.environment import Environment
from flagwright.model.flag import EnvEntry, Flag, Rollout, Rule
from flagwright.model.plan import RolloutPlan, Stage
from flagwright.model.segment import Segment

Document = Flag | Segment | RolloutPlan | Environment | App | Repository

KINDS: dict[str, type[Document]] = {
    "Flag": Flag,
    "Segment": Segment,
    "RolloutPlan": RolloutPlan,
    "Environment": Environment,
    "App": App,
    "Repository": Repository,
}

__all__ = [
    "KINDS",
    "AllCondition",
    "AnyCondition",
    "App",
    "AttrCondition",
    "ChartGit",
    "ChartRepo",
    "Condition",
    "Document",
    "EnvEntry",
    "Environment",
    "Flag",
    "NotCondition",
    "Repository",
    "Rollout",
    "RolloutPlan",
    "Rule",
    "ScheduleCondition",
    "Segment",
    "SegmentCondition",
    "Stage",
    "TimeCondition",
]
