"""What every renderer of one environment gets: the index, the environment and shared results."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from flagwright.diagnostics import Findings
from flagwright.load.index import ConfigIndex
from flagwright.load.repository import Located
from flagwright.model import App, ChartRepo, Environment, Repository
from flagwright.model.environment import EnvApp
from flagwright.render.names import configmap_name
from flagwright.render.templating import ValueTemplates

RENDERED = "rendered"


if TYPE_CHECKING:
    from flagwright.compile.json_out import BundleText


@dataclass(frozen=True, slots=True)
class Deployment:
    """An app as deployed in one environment."""

    app: Located[App]
    env_app: EnvApp

    @property
    def name(self) -> str:
        return self.app.model.name


@dataclass
class EnvContext:
    """One environment's render. Renderers read it; ``findings`` and ``memo`` are shared so one
    renderer can reuse another's work (the Applications need the ConfigMaps' sizes)."""

    index: ConfigIndex
    environment: Located[Environment]
    repository: Repository
    templates: ValueTemplates
    findings: Findings
    memo: dict[str, Any] = field(default_factory=dict)
    # App flag selections by pattern list, shared by all environments of a render: every
    # environment's bundle holds the same flags with the same prerequisites.
    selections: dict[tuple[str, ...], list[str]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.environment.model.name

    @property
    def base(self) -> str:
        """The environment's folder, repository-relative."""
        return f"{RENDERED}/{self.name}"

    @cached_property
    def deployments(self) -> list[Deployment]:
        """The apps the environment lists under ``apps:``, by name."""
        env = self.environment.model
        return [
            Deployment(self.index.apps[name], env.apps[name])
            for name in sorted(env.apps)
            if name in self.index.apps
        ]

    @cached_property
    def bundle(self) -> dict[str, Any]:
        """The environment's full snapshot bundle, compiled once per index."""
        from flagwright.compile.snapshot import compile_snapshot_members

        bundle = self.index.bundles.get(self.name)
        if bundle is None:
            bundle, members = compile_snapshot_members(self.index, self.name)
            self.index.bundles[self.name] = bundle
            self.memo["bundle members"] = members  # serialised for the digest: bundle_text's
        return bundle

    @cached_property
    def bundle_text(self) -> BundleText:
        """Serialises each flag of ``bundle`` once, for the snapshot and every app's ConfigMap."""
        from flagwright.compile.json_out import BundleText

        text = BundleText(self.bundle)
        text.prefill(self.memo.pop("bundle members", {}))
        return text

    def template_names(self, app: App) -> dict[str, str]:
        return template_names(app, self.environment.model, self.repository)


def template_names(app: App, environment: Environment, repository: Repository) -> dict[str, str]:
    """What ``{{ name }}`` stands for in ``app``'s values in ``environment``."""
    argocd = environment.argocd
    chart = app.chart
    if isinstance(chart, ChartRepo):
        chart_name, chart_version = chart.name, chart.version
    else:
        chart_name, chart_version = chart.path, chart.ref
    return {
        "app": app.name,
        "chart": chart_name,
        "chart_version": chart_version,
        "configmap": configmap_name(app.name),
        "env": environment.name,
        "namespace": argocd.namespace,
        "project": argocd.project,
        "repo_url": repository.url,
        "revision": repository.revision,
    }
