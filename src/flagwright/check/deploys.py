"""Checks of deployments and their gates: blue-green/canary settings, metric queries, gates.

A gate reads a query of the environment it runs in, so each use of a gated plan (a canary
deploy, a blue-green analysis, a flag's rollout) is checked against that environment's
``metrics.queries``; the finding is at the gate, where the fix usually is.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from flagwright.check.suggest import did_you_mean
from flagwright.codes import Code
from flagwright.diagnostics import Findings, Source, YamlPath
from flagwright.load.index import ConfigIndex
from flagwright.load.repository import Located
from flagwright.model import Environment
from flagwright.model.deploy import DeployFields
from flagwright.model.environment import BlueGreen, Canary
from flagwright.model.plan import Gates
from flagwright.rollouts.deploys import replica_count
from flagwright.rollouts.gates import (
    TemplateProblem,
    check_query_template,
    gates_of,
    query_names,
    render_query,
)
from flagwright.rollouts.promql import PromtoolMissing, syntax_errors

_SIDES = {"blue-green": ("active", "preview"), "canary": ("stable", "canary")}


@dataclass(frozen=True, slots=True)
class GateUse:
    """Gates as they apply in one environment, and where they are written."""

    gates: Gates
    source: Source
    where: YamlPath  # of the gates mapping
    used_by: str  # for messages: "canary deploy of storefront"


def check_deploys(index: ConfigIndex, findings: Findings) -> None:
    queries: list[tuple[Source, YamlPath, str]] = []
    for located in index.environments.values():
        _check_strategies(index, located, findings)
        users: dict[tuple[Source, YamlPath], list[GateUse]] = {}
        for use in gate_uses(index, located):
            users.setdefault((use.source, use.where), []).append(use)
        for uses in users.values():
            _check_gates(located, uses, findings)
        queries.extend(_check_templates(located, findings))
    _check_promql(queries, findings)


def _check_strategies(
    index: ConfigIndex, located: Located[Environment], findings: Findings
) -> None:
    for app_name, app in located.model.apps.items():
        deploy = app.deploy
        where: YamlPath = ("apps", app_name, "deploy")
        if isinstance(deploy, BlueGreen) and deploy.active is not None:
            findings.add(
                located.source, (*where, "active"), Code.DEPLOY_ACTIVE,
                "'active' is no longer used: Argo Rollouts tracks which version is live and Git "
                "declares the version (a new image tag deploys, git revert rolls back); remove "
                "it, and use auto_promote, keep_previous and analysis to control the switch",
                at="key",
            )  # fmt: skip
        if isinstance(deploy, BlueGreen) and deploy.analysis is not None:
            for side in ("before", "after"):
                plan = getattr(deploy.analysis, side)
                if isinstance(plan, str) and index.is_unknown("RolloutPlan", plan):
                    findings.add(
                        located.source, (*where, "analysis", side), Code.UNKNOWN_PLAN,
                        f"unknown rollout plan {plan!r}" + did_you_mean(plan, index.plans, "plans"),
                    )  # fmt: skip
        if isinstance(deploy, BlueGreen | Canary):
            _check_services(located, deploy, where, findings)
            chart = index.apps.get(app_name)
            values = chart.model.values if chart is not None else {}
            if replica_count(app, values) is None:
                findings.add(
                    located.source, where, Code.DEPLOY_REPLICAS,
                    "Argo Rollouts runs this app's pods, so it needs their number: set "
                    "deploy.replicas, or an integer values.replicaCount (a Rollout without one "
                    "runs a single pod)",
                    at="key",
                )  # fmt: skip


def _check_services(
    located: Located[Environment], deploy: DeployFields, where: YamlPath, findings: Findings
) -> None:
    services = deploy.services
    if services is None:
        return
    strategy = getattr(deploy, "strategy", "")
    first, second = _SIDES[strategy]
    named = {side: getattr(services, side) for side in ("active", "preview", "stable", "canary")}
    wrong = sorted(side for side, name in named.items() if name and side not in (first, second))
    if wrong:
        message = (
            f"a {strategy} deploy names its '{first}' and '{second}' Services, not '{wrong[0]}'"
        )
        findings.add(located.source, (*where, "services", wrong[0]), Code.DEPLOY_SERVICES, message,
                     at="key")  # fmt: skip
    elif named[first] is None or named[second] is None:
        message = f"name both the '{first}' and the '{second}' Service, or neither"
        findings.add(located.source, (*where, "services"), Code.DEPLOY_SERVICES, message)
    elif named[first] == named[second]:
        message = f"the '{first}' and '{second}' Services must differ (both are {named[first]!r})"
        findings.add(located.source, (*where, "services", second), Code.DEPLOY_SERVICES, message)


def gate_uses(index: ConfigIndex, located: Located[Environment]) -> Iterator[GateUse]:
    """Every set of gates that runs in this environment, with where it is written."""
    env = located.model
    for app_name, app in sorted(env.apps.items()):
        deploy = app.deploy
        if isinstance(deploy, Canary):
            plan = index.plans.get(deploy.plan)
            if plan is not None and plan.model.gates is not None:
                yield GateUse(plan.model.gates, plan.source, ("gates",),
                              f"the canary deploy of {app_name!r}")  # fmt: skip
        elif isinstance(deploy, BlueGreen) and deploy.analysis is not None:
            for side in ("before", "after"):
                what = getattr(deploy.analysis, side)
                used_by = f"the blue-green analysis '{side}' of {app_name!r}"
                if isinstance(what, Gates):
                    where = ("apps", app_name, "deploy", "analysis", side)
                    yield GateUse(what, located.source, where, used_by)
                elif isinstance(what, str) and what in index.plans:
                    plan = index.plans[what]
                    if plan.model.gates is not None:
                        yield GateUse(plan.model.gates, plan.source, ("gates",), used_by)
    for key, flag in sorted(index.flags.items()):
        entry = flag.model.environments.get(env.name)
        rollout = entry.rollout if entry is not None else None
        if rollout is None or rollout.stage is None:
            continue  # a scheduled rollout follows the clock; only manual ones read gates
        plan = index.plans.get(rollout.plan)
        if plan is not None and plan.model.gates is not None:
            yield GateUse(plan.model.gates, plan.source, ("gates",), f"the rollout of flag {key!r}")


def _check_gates(located: Located[Environment], uses: list[GateUse], findings: Findings) -> None:
    env = located.model
    use = uses[0]
    used_by = use.used_by + (f" and {len(uses) - 1} more" if len(uses) > 1 else "")
    defined = env.metrics.queries if env.metrics is not None else {}
    for gate in gates_of(use.gates):
        if gate.query in defined:
            continue
        if env.metrics is None:
            hint = "; it has no metrics: add metrics: {prometheus: URL, queries: {...}}"
        else:
            hint = did_you_mean(gate.query, defined, "queries")
        findings.add(
            use.source, (*use.where, gate.key), Code.UNKNOWN_QUERY,
            f"gate {gate.key!r} reads query {gate.query!r}, which environment {env.name!r} does "
            f"not define (used by {used_by}){hint}",
            at="key",
        )  # fmt: skip


def _check_templates(
    located: Located[Environment], findings: Findings
) -> Iterator[tuple[Source, YamlPath, str]]:
    """Template problems become findings; the rest are yielded rendered, for the PromQL check."""
    env = located.model
    if env.metrics is None:
        return
    # Placeholders that keep the query's syntax whatever the real names will be.
    names = query_names("app", env.name, env.argocd.namespace, flag="flag", variant="variant")
    for name, template in sorted(env.metrics.queries.items()):
        where: YamlPath = ("metrics", "queries", name)
        try:
            check_query_template(template)
            yield located.source, where, render_query(template, names)
        except TemplateProblem as problem:
            findings.add(located.source, where, problem.code, f"query {name!r}: {problem.message}")


def _check_promql(queries: list[tuple[Source, YamlPath, str]], findings: Findings) -> None:
    if not queries:
        return
    try:
        errors = syntax_errors([query for _, _, query in queries])
    except PromtoolMissing:
        first = min(queries, key=lambda q: (q[0].path, q[1]))
        findings.add(
            first[0], first[1][:2], Code.PROMQL_UNCHECKED,
            "promtool (Prometheus' command-line tool) is not on PATH, so no metric query was "
            "checked for PromQL syntax; install it (Debian/Ubuntu: apt-get install prometheus)",
            at="key",
        )  # fmt: skip
        return
    for (source, where, query), error in zip(queries, errors, strict=True):
        if error is not None:
            message = f"query {where[-1]!r} is not valid PromQL: {error} (in {query!r})"
            findings.add(source, where, Code.PROMQL_SYNTAX, message)
