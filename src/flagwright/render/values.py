"""Helm values for one app in one environment: a deep merge with Helm's rules, then generated keys.

Merge rules (as Helm coalesces values files): mappings merge key by key; lists and scalars
replace; a mapping replaces a scalar and the other way round; ``null`` overrides anything. A
``null`` is kept in the rendered values rather than dropped, because that is how a values file
tells Helm to remove a key: Helm then deletes it from the chart's own defaults too, which dropping
it here could not do.

Generated keys live under one top-level ``flagwright`` key so they never collide with a chart's
own values; they are merged last and win.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from flagwright.diagnostics import Findings
from flagwright.load.repository import Located
from flagwright.model import App, Environment, RolloutPlan
from flagwright.model.environment import BlueGreen, Canary, EnvApp
from flagwright.render.artifact import Artifact
from flagwright.render.names import FORMAT_FILES, SNAPSHOT_KEY, configmap_name
from flagwright.render.templating import Budget, ValueTemplates
from flagwright.render.yamlout import dump_yaml

if TYPE_CHECKING:
    from flagwright.render.context import EnvContext

GENERATED_KEY = "flagwright"


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``override`` merged over ``base``; neither is modified and no subtree is shared."""
    merged: dict[str, Any] = {key: _copy(value) for key, value in base.items()}
    for key, value in override.items():
        current = merged.get(key)
        if isinstance(value, Mapping) and isinstance(current, Mapping):
            merged[key] = deep_merge(current, value)
        else:
            merged[key] = _copy(value)
    return merged


def _copy(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value


def generated_values(
    app: str,
    env: str,
    env_app: EnvApp,
    plans: Mapping[str, RolloutPlan],
    reads: Sequence[str] = ("snapshot",),
) -> dict[str, Any]:
    """The keys flagwright adds: where the flags are mounted from, and the deploy strategy.

    ``flags.key`` is the file of the first format the app reads; ``flags.files`` lists every
    file of its ConfigMap when it reads more than the snapshot.
    """
    files = [FORMAT_FILES[fmt] for fmt in dict.fromkeys(reads)]
    flags: dict[str, Any] = {"configMap": configmap_name(app), "key": files[0]}
    if files != [SNAPSHOT_KEY]:
        flags["files"] = files
    generated: dict[str, Any] = {"app": app, "environment": env, "flags": flags}
    deploy = env_app.deploy
    if isinstance(deploy, BlueGreen):
        # Argo Rollouts runs the strategy (rendered/<env>/manifests/<app>-rollout.yaml); `rollout`
        # names its Rollout, e.g. for a chart's HorizontalPodAutoscaler to scale.
        generated["deploy"] = {"strategy": "blue-green", "rollout": app}
        if deploy.active is not None:  # obsolete (FW266), still passed on for old charts
            preview = "green" if deploy.active == "blue" else "blue"
            generated["deploy"]["blueGreen"] = {"activeSlot": deploy.active, "previewSlot": preview}
    elif isinstance(deploy, Canary):
        generated["deploy"] = {
            "strategy": "canary",
            "rollout": app,
            "canary": _canary(plans[deploy.plan]),
        }
    elif deploy is not None:
        generated["deploy"] = {"strategy": deploy.strategy}
    return {GENERATED_KEY: generated}


def _canary(plan: RolloutPlan) -> dict[str, Any]:
    """The plan as Argo Rollouts-style steps: a weight per stage, a pause per hold."""
    steps: list[dict[str, Any]] = []
    for stage in plan.stages:
        steps.append({"setWeight": _number(stage.percent)})
        if stage.hold_seconds is not None:
            # Seconds with a unit: Argo Rollouts does not read day units such as the plan's "1d".
            steps.append({"pause": {"duration": f"{stage.hold_seconds}s"}})
    canary: dict[str, Any] = {"plan": plan.name, "steps": steps}
    if plan.gates is not None:
        analysis = {_camel(key): _number(value) for key, value in plan.gates.thresholds.items()}
        if analysis:
            canary["analysis"] = analysis
    return canary


def _camel(key: str) -> str:
    first, *rest = key.split("_")
    return first + "".join(part.capitalize() for part in rest)


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def helm_values(
    app_values: Mapping[str, Any],
    env_values: Mapping[str, Any],
    generated: Mapping[str, Any],
) -> dict[str, Any]:
    return deep_merge(deep_merge(app_values, env_values), generated)


def render_app_values(
    templates: ValueTemplates,
    names: Mapping[str, str],
    app: Located[App],
    environment: Located[Environment],
    findings: Findings,
) -> tuple[Any, Any]:
    """The app's and the environment's values for the app, templates rendered (one budget: both
    end up in one file). ``validate`` runs this too, so it reports what ``render`` would."""
    budget = Budget()
    app_values = templates.render_tree(
        app.model.values, names, app.source, ("values",), findings, budget
    )
    env_values = templates.render_tree(
        environment.model.apps[app.model.name].values, names, environment.source,
        ("apps", app.model.name, "values"), findings, budget,
    )  # fmt: skip
    return app_values, env_values


def render_values(ctx: EnvContext) -> dict[str, Artifact]:
    """``rendered/<env>/values/<app>.yaml`` for every app the environment deploys."""
    plans = {name: located.model for name, located in ctx.index.plans.items()}
    env_doc = ctx.environment
    out: dict[str, Artifact] = {}
    for deployment in ctx.deployments:
        app = deployment.app.model
        names = ctx.template_names(app)
        app_values, env_values = render_app_values(
            ctx.templates, names, deployment.app, env_doc, ctx.findings
        )
        generated = generated_values(app.name, ctx.name, deployment.env_app, plans, app.reads)
        values = helm_values(app_values, env_values, generated)
        out[f"{ctx.base}/values/{app.name}.yaml"] = Artifact(
            dump_yaml(values), origin=deployment.app.source.path
        )
    return out
