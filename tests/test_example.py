"""The example configuration (flags/, environments/): valid, and a tour of every construct.

The example is the project's documentation by demonstration and the input of the render
snapshots, so the coverage test below fails if an edit drops a construct the reference describes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from tests.cli_runner import Ran, run_cli

from flagwright.check.repository import validate_repository
from flagwright.load.index import ConfigIndex
from flagwright.model import (
    AllCondition,
    AnyCondition,
    AttrCondition,
    Condition,
    EnvEntry,
    Flag,
    NotCondition,
    ScheduleCondition,
    SegmentCondition,
    TimeCondition,
)
from flagwright.model.environment import BlueGreen, Canary

# Pinned so the test does not start failing on the day a flag expires; the real date is checked by
# `flagwright validate` in CI and pre-commit, where a stale flag is a warning the owner must act on.
EXAMPLE_DAY = date(2026, 11, 23)


def run_validate(root: Path, *args: str) -> Ran:
    result = run_cli("-C", str(root), "validate", "--today", EXAMPLE_DAY.isoformat(), *args)
    assert result.stderr == ""
    return result


def test_validate_passes_with_no_diagnostics(repo_root: Path) -> None:
    result = run_validate(repo_root)
    assert result.exit_code == 0, result.stdout
    assert re.fullmatch(r"\d+ files, \d+ documents: no problems\n", result.stdout)


@pytest.mark.parametrize("args", [("--strict",), ("--format", "json")])
def test_validate_is_clean_in_strict_and_json_modes(repo_root: Path, args: tuple[str, ...]) -> None:
    result = run_validate(repo_root, *args)
    assert result.exit_code == 0, result.stdout
    if "json" in args:
        assert json.loads(result.stdout) == []


@pytest.fixture(scope="module")
def index() -> ConfigIndex:
    validated = validate_repository(Path(__file__).resolve().parent.parent, today=EXAMPLE_DAY)
    assert validated.diagnostics == []
    return validated.index


def walk(cond: Condition | None) -> Iterator[Condition]:
    if cond is None:
        return
    yield cond
    if isinstance(cond, AllCondition):
        for sub in cond.all:
            yield from walk(sub)
    elif isinstance(cond, AnyCondition):
        for sub in cond.any:
            yield from walk(sub)
    elif isinstance(cond, NotCondition):
        yield from walk(cond.not_)


def entries(index: ConfigIndex) -> Iterator[tuple[Flag, str, EnvEntry]]:
    for located in index.flags.values():
        for env, entry in located.model.environments.items():
            yield located.model, env, entry


def rule_conditions(index: ConfigIndex) -> list[Condition]:
    return [c for _, _, e in entries(index) for rule in e.rules for c in walk(rule.when)]


def all_conditions(index: ConfigIndex) -> list[Condition]:
    from_segments = [c for s in index.segments.values() for c in walk(s.model.when)]
    return rule_conditions(index) + from_segments


def strings_in(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


def segments_used_by(index: ConfigIndex, name: str) -> set[str]:
    """Segments a segment refers to, directly or through other segments, itself included."""
    seen: set[str] = set()
    todo = [name]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        conditions = walk(index.segments[current].model.when)
        todo.extend(c.segment for c in conditions if isinstance(c, SegmentCondition))
    return seen


def test_the_matrix_is_three_environments_and_at_least_three_apps(index: ConfigIndex) -> None:
    assert set(index.environments) == {"dev", "staging", "prod"}
    assert len(index.apps) >= 3
    assert index.repository is not None
    for env in index.environments.values():
        assert set(env.model.apps) == set(index.apps)


def test_a_kill_switch_is_off(index: ConfigIndex) -> None:
    assert any(not entry.enabled for _, _, entry in entries(index))


def test_percentages_differ_per_environment(index: ConfigIndex) -> None:
    def share(entry: EnvEntry, variant: str) -> float | None:
        return None if entry.split is None else entry.split.get(variant)

    assert any(
        [share(f.environments[e], "on") for e in ("dev", "staging", "prod")] == [100, 50, 0]
        for f in (located.model for located in index.flags.values())
        if {"dev", "staging", "prod"} <= set(f.environments)
    )


def test_canary_plan_with_holds_and_gates_drives_manual_and_scheduled_rollouts(
    index: ConfigIndex,
) -> None:
    rollouts = [e.rollout for _, _, e in entries(index) if e.rollout is not None]
    manual = [r for r in rollouts if r.stage is not None]
    scheduled = [r for r in rollouts if r.start is not None]
    assert manual
    assert scheduled
    for rollout in manual + scheduled:
        plan = index.plans[rollout.plan].model
        assert [s.percent for s in plan.stages] == [1, 10, 25, 50, 100]
        assert all(s.hold is not None for s in plan.stages[:-1])
        assert plan.gates is not None
        assert plan.gates.thresholds["max_variant_error_rate"] == 0.05
        assert plan.gates.thresholds["max_variant_p99_ms"] is not None


def test_an_ab_experiment_splits_50_50_and_carries_its_metadata(index: ConfigIndex) -> None:
    experiments = {
        flag.key: flag.experiment
        for flag, _, entry in entries(index)
        if flag.experiment is not None
        and entry.split is not None
        and sorted(entry.split.values()) == [50, 50]
    }
    assert experiments
    for experiment in experiments.values():
        assert experiment is not None
        assert experiment.hypothesis
        assert experiment.primary_metric
        assert experiment.sample_size > 0
        assert experiment.significance == 0.05


def test_a_numeric_setting_is_5_in_prod_and_different_elsewhere(index: ConfigIndex) -> None:
    def served(flag: Flag, env: str) -> Any:
        serve = flag.environments[env].serve
        return None if serve is None else flag.resolved_variants[serve]

    numbers = [f.model for f in index.flags.values() if f.model.type == "number"]
    assert any(
        served(f, "prod") == 5 and served(f, "dev") not in (None, 5)
        for f in numbers
        if {"dev", "prod"} <= set(f.environments)
    )


def test_flags_of_every_type(index: ConfigIndex) -> None:
    assert {f.model.type for f in index.flags.values()} == {"boolean", "string", "number", "object"}


def test_a_daily_evening_window_and_a_dated_window(index: ConfigIndex) -> None:
    conditions = rule_conditions(index)
    schedules = [c.schedule for c in conditions if isinstance(c, ScheduleCondition)]
    assert any(
        (s.from_, s.to, s.tz) == ("18:00", "22:00", "Europe/Berlin") and s.days is None
        for s in schedules
    )
    windows = [c.time for c in conditions if isinstance(c, TimeCondition)]
    assert any(w.after is not None and w.before is not None for w in windows)


def test_account_and_beta_targeting_through_segments(index: ConfigIndex) -> None:
    used = {c.segment for c in rule_conditions(index) if isinstance(c, SegmentCondition)}
    reached = set().union(*(segments_used_by(index, name) for name in used))
    by_account = {
        name
        for name, seg in index.segments.items()
        if any(
            isinstance(c, AttrCondition) and c.attr == "account_id" and c.op == "in"
            for c in walk(seg.model.when)
        )
    }
    assert by_account & used
    assert "beta-users" in reached


def test_prerequisites_and_a_custom_bucketing_attribute(index: ConfigIndex) -> None:
    flags = [located.model for located in index.flags.values()]
    assert any(f.requires for f in flags)
    assert any(f.bucket_by == "account_id" for f in flags)


def test_rules_use_several_operators_and_combinators(index: ConfigIndex) -> None:
    conditions = all_conditions(index)
    ops = {c.op for c in conditions if isinstance(c, AttrCondition)}
    assert {"ends_with", "in", "semver_ge", "matches"} <= ops
    kinds = {type(c).__name__ for c in conditions}
    assert {"AllCondition", "AnyCondition", "NotCondition", "SegmentCondition"} <= kinds


def test_deploy_strategies_charts_and_interpolated_values(index: ConfigIndex) -> None:
    deploys = [a.deploy for e in index.environments.values() for a in e.model.apps.values()]
    assert any(isinstance(d, BlueGreen) for d in deploys)
    canaries = [d for d in deploys if isinstance(d, Canary)]
    assert canaries
    assert all(d.plan in index.plans for d in canaries)
    charts = {type(app.model.chart).__name__ for app in index.apps.values()}
    assert charts == {"ChartRepo", "ChartGit"}
    strings = [s for app in index.apps.values() for s in strings_in(app.model.values)]
    assert any("{{ app }}" in s for s in strings)
    assert any("{{ env }}" in s for s in strings)


def test_prod_is_guarded_and_the_promotion_chain_is_dev_staging_prod(index: ConfigIndex) -> None:
    envs = {name: located.model for name, located in index.environments.items()}
    prod = envs["prod"]
    assert prod.argocd.sync == "manual"
    assert prod.policy.freeze
    assert prod.policy.max_rollout_step == 25
    assert prod.policy.require_promotion is True
    assert (envs["dev"].argocd.sync, envs["staging"].argocd.sync) == ("auto", "auto")
    assert [envs[name].promotes_from for name in ("prod", "staging", "dev")] == [
        "staging",
        "dev",
        None,
    ]
    destinations = [e.argocd.destination for e in envs.values() if e.argocd.destination]
    destinations += [c.destination for e in envs.values() for c in e.clusters or []]
    assert any(d.name is not None for d in destinations)
    assert any(d.server is not None for d in destinations)


def test_prod_runs_in_two_clusters_the_canary_first(index: ConfigIndex) -> None:
    prod = index.environments["prod"].model
    assert prod.argocd.destination is None
    clusters = {c.name: c for c in prod.clusters or []}
    assert set(clusters) == {"prod-eu-1", "prod-us-1"}
    assert clusters["prod-eu-1"].wave < clusters["prod-us-1"].wave
    assert {c.labels["region"] for c in clusters.values()} == {"eu-central", "us-east"}
    assert clusters["prod-us-1"].flags and clusters["prod-us-1"].apps
    assert set(clusters["prod-us-1"].flags) <= set(index.flags)


def test_every_flag_is_described_and_owned_and_some_expire_later(index: ConfigIndex) -> None:
    flags = [located.model for located in index.flags.values()]
    assert all(f.owner.startswith("team-") and f.tags for f in flags)
    expiring = [f.expires for f in flags if f.expires is not None]
    assert expiring
    assert min(expiring) >= date(2027, 1, 1)
