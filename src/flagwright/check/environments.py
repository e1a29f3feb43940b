"""Checks of Environments, Apps and the Repository document."""

from __future__ import annotations

from flagwright.check.suggest import did_you_mean
from flagwright.codes import Code
from flagwright.diagnostics import Findings
from flagwright.load.index import ConfigIndex
from flagwright.model.environment import Canary


def check_environments(index: ConfigIndex, findings: Findings) -> None:
    for name, located in index.environments.items():
        env = located.model
        if env.promotes_from is not None and index.is_unknown("Environment", env.promotes_from):
            findings.add(
                located.source, ("promotes_from",), Code.UNKNOWN_ENVIRONMENT,
                f"unknown environment {env.promotes_from!r}"
                + did_you_mean(env.promotes_from, index.environments, "environments"),
            )  # fmt: skip
        if env.promotes_from == name:
            findings.add(
                located.source, ("promotes_from",), Code.PROMOTION_CYCLE,
                f"environment {name!r} promotes from itself",
            )  # fmt: skip
        for app_name, app in env.apps.items():
            if index.is_unknown("App", app_name):
                findings.add(
                    located.source, ("apps", app_name), Code.UNKNOWN_APP,
                    f"unknown app {app_name!r}" + did_you_mean(app_name, index.apps, "apps"),
                    at="key",
                )  # fmt: skip
            if isinstance(app.deploy, Canary) and index.is_unknown("RolloutPlan", app.deploy.plan):
                findings.add(
                    located.source, ("apps", app_name, "deploy", "plan"), Code.UNKNOWN_PLAN,
                    f"unknown rollout plan {app.deploy.plan!r}"
                    + did_you_mean(app.deploy.plan, index.plans, "plans"),
                )  # fmt: skip
    for extra in index.repositories[1:]:
        first = index.repositories[0].source
        findings.add(
            extra.source, ("kind",), Code.REPOSITORY_COUNT,
            "a second Repository document; there must be exactly one, and the first is at",
            related=(first, ("kind",)),
        )  # fmt: skip
    if not index.repositories and index.environments:
        first_env = min(index.environments.values(), key=lambda e: e.source.path)
        findings.add(
            first_env.source, ("kind",), Code.REPOSITORY_COUNT,
            "no Repository document: add environments/repository.yaml with the config repo's "
            "url and revision, so Argo CD Applications can point at it",
        )  # fmt: skip
