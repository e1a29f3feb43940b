"""Helm values changes per app and environment, as dotted paths.

Values are computed with the renderer's own merge (:func:`flagwright.render.values.helm_values`)
and generated keys, so the diff shows what Argo CD will apply. String templates (``{{ env }}``)
are compared as written: a change to a template is a change, whatever it renders to.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from flagwright.diff.model import AppDeleted, ValueChange
from flagwright.load.index import ConfigIndex

_MISSING = object()


def app_values(index: ConfigIndex, env: str, app: str) -> dict[str, Any] | None:
    """The Helm values of ``app`` in ``env``, or None when the environment does not deploy it."""
    from flagwright.render.values import generated_values, helm_values

    environment = index.environments.get(env)
    located_app = index.apps.get(app)
    if environment is None or located_app is None or app not in environment.model.apps:
        return None
    env_app = environment.model.apps[app]
    plans = {name: p.model for name, p in index.plans.items()}
    if env_app.deploy is not None and getattr(env_app.deploy, "plan", None) not in (None, *plans):
        generated: dict[str, Any] = {}  # an unknown plan is a validation error, not a diff's
    else:
        generated = generated_values(app, env, env_app, plans, located_app.model.reads)
    return helm_values(located_app.model.values, env_app.values, generated)


def deleted_apps(before: ConfigIndex, after: ConfigIndex) -> list[AppDeleted]:
    """Apps BEFORE deploys to an environment and AFTER does not (or the environment is gone)."""
    from flagwright.render.names import application_name

    out: list[AppDeleted] = []
    for env, located in sorted(before.environments.items()):
        now = after.environments.get(env)
        kept = set() if now is None else set(now.model.apps)
        out.extend(
            AppDeleted(env, app, application_name(app, env))
            for app in sorted(set(located.model.apps) - kept)
        )
    return out


def diff_values(before: ConfigIndex, after: ConfigIndex) -> list[ValueChange]:
    return _diff_per_app(before, after, app_values)


def application_fields(index: ConfigIndex, env: str, app: str) -> dict[str, Any] | None:
    """What the Argo CD Application of ``app`` in ``env`` takes from the models besides values:
    the chart, the environment's ``argocd`` block and the config repository it reads."""
    environment = index.environments.get(env)
    located_app = index.apps.get(app)
    if environment is None or located_app is None or app not in environment.model.apps:
        return None
    repository = index.repository
    argocd = environment.model.argocd.model_dump(exclude_none=True)
    app_argocd = environment.model.apps[app].argocd
    if app_argocd is not None:  # the app's annotations go over the environment's
        argocd["annotations"] = {**argocd.get("annotations", {}), **app_argocd.annotations}
    return {
        "chart": located_app.model.chart.model_dump(exclude_none=True),
        "argocd": argocd,
        "repository": (
            {"url": repository.url, "revision": repository.revision} if repository else {}
        ),
    }


def diff_applications(before: ConfigIndex, after: ConfigIndex) -> list[ValueChange]:
    """Argo CD Application changes per environment and app, as dotted paths."""
    return _diff_per_app(before, after, application_fields)


def _diff_per_app(
    before: ConfigIndex,
    after: ConfigIndex,
    read: Callable[[ConfigIndex, str, str], dict[str, Any] | None],
) -> list[ValueChange]:
    out: list[ValueChange] = []
    envs = sorted(set(before.environments) | set(after.environments))
    for env in envs:
        apps: set[str] = set()
        for index in (before, after):
            if env in index.environments:
                apps.update(index.environments[env].model.apps)
        for app in sorted(apps):
            old = read(before, env, app)
            new = read(after, env, app)
            if old == new:
                continue
            flat_old = dict(flatten(old or {}))
            flat_new = dict(flatten(new or {}))
            for path in sorted(set(flat_old) | set(flat_new)):
                a = flat_old.get(path, _MISSING)
                b = flat_new.get(path, _MISSING)
                if a is _MISSING:
                    out.append(ValueChange(env, app, path, "added", None, b))
                elif b is _MISSING:
                    out.append(ValueChange(env, app, path, "removed", a, None))
                elif a != b:
                    out.append(ValueChange(env, app, path, "changed", a, b))
    return out


def flatten(values: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Leaves by dotted path; lists are leaves because Helm replaces them whole."""
    for key, value in values.items():
        part = f'["{key}"]' if "." in str(key) else str(key)
        path = f"{prefix}.{part}" if prefix and not part.startswith("[") else prefix + part
        if isinstance(value, Mapping) and value:
            yield from flatten(value, path)
        else:
            yield path, value
