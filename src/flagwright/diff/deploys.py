"""Deploys in review: an app's version change in an environment, told with how it will roll out.

``checkout prod: image 4.8.2 → 4.9.0, blue-green, manual promotion, analysis before:
error_rate ≤ 0.02``. The version is the image tag of the app's Helm values (``image.tag``, or
``image`` when it is a plain string) and the chart's version; the strategy is the one the HEAD
revision deploys with (:mod:`flagwright.rollouts.deploys`), so a reviewer sees whether a
person promotes, which gates decide, and whether anything moves gradually at all.
"""

from __future__ import annotations

from typing import Any

from flagwright.diff.model import DeployChange
from flagwright.diff.values import app_values
from flagwright.load.index import ConfigIndex
from flagwright.model import ChartRepo
from flagwright.rollouts.deploys import resolve_deploy


def _image(values: dict[str, Any] | None) -> str | None:
    image = (values or {}).get("image")
    if isinstance(image, str):
        return image
    tag = image.get("tag") if isinstance(image, dict) else None
    return None if tag is None else str(tag)


def _chart(index: ConfigIndex, app: str) -> str | None:
    located = index.apps.get(app)
    if located is None:
        return None
    chart = located.model.chart
    return chart.version if isinstance(chart, ChartRepo) else chart.ref


def strategy_text(index: ConfigIndex, env: str, app: str) -> str:
    """How ``app`` deploys in ``env``: the Argo Rollouts strategy, or rolling."""
    environment = index.environments.get(env)
    if environment is None or app not in environment.model.apps:
        return "not deployed"
    env_app = environment.model.apps[app]
    located = index.apps.get(app)
    values = located.model.values if located is not None else {}
    rollout = resolve_deploy(app, env_app, index.plans, values)
    if rollout is not None:
        return rollout.describe()
    if env_app.deploy is None:
        return "the chart's own update strategy"
    return "rolling update"


def diff_deploys(before: ConfigIndex, after: ConfigIndex) -> list[DeployChange]:
    out: list[DeployChange] = []
    for env in sorted(set(before.environments) & set(after.environments)):
        old_apps = before.environments[env].model.apps
        new_apps = after.environments[env].model.apps
        for app in sorted(set(old_apps) & set(new_apps)):
            parts: list[str] = []
            for what, old, new in (
                (
                    "image",
                    _image(app_values(before, env, app)),
                    _image(app_values(after, env, app)),
                ),
                ("chart", _chart(before, app), _chart(after, app)),
            ):
                if old != new:
                    parts.append(f"{what} {old or '(none)'} → {new or '(none)'}")
            old_strategy = strategy_text(before, env, app)
            new_strategy = strategy_text(after, env, app)
            if not parts and old_strategy == new_strategy:
                continue
            if not parts:
                parts.append("deploy settings change")
            text = f"{app} {env}: {', '.join(parts)}, {new_strategy}"
            if old_strategy != new_strategy:
                text += f" (was: {old_strategy})"
            out.append(DeployChange(env, app, text, old_strategy, new_strategy))
    return out
