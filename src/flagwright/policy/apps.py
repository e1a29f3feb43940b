"""Change policies for deployments: values reach an environment through its promotion chain,
and an app leaves an environment (Argo CD prunes its Application) only on purpose.

Both rules accept an explicit acknowledgement, a commit trailer in the change
(``Flagwright-Allow: FW406 prod/web/image.tag``, ``Flagwright-Allow: FW407 staging/identity``),
because both have legitimate exceptions that only a person can judge: a hotfix that goes
straight to prod, an app retired from an environment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from flagwright.codes import Code
from flagwright.diagnostics import Finding, Findings, Source, YamlPath
from flagwright.gitio.revision import Revision
from flagwright.load.index import ConfigIndex
from flagwright.policy.history import ALLOW_TRAILER, Allowances
from flagwright.render.names import application_name

_ABSENT = object()


def declared_values(index: ConfigIndex, env: str, app: str) -> dict[str, Any] | None:
    """The values a person wrote for ``app`` in ``env`` (App values under the environment's),
    without the keys flagwright generates; None when the environment does not deploy it."""
    from flagwright.render.values import deep_merge

    environment = index.environments.get(env)
    located = index.apps.get(app)
    if environment is None or located is None or app not in environment.model.apps:
        return None
    return deep_merge(located.model.values, environment.model.apps[app].values)


def _chart(index: ConfigIndex, app: str) -> dict[str, Any]:
    located = index.apps.get(app)
    return {} if located is None else located.model.chart.model_dump(exclude_none=True)


KeyPath = tuple[str, ...]


def leaves(values: Mapping[str, Any], prefix: KeyPath = ()) -> Iterator[tuple[KeyPath, Any]]:
    """Leaves by key path; lists are leaves because Helm replaces them whole."""
    for key, value in values.items():
        path = (*prefix, str(key))
        if isinstance(value, Mapping) and value:
            yield from leaves(value, path)
        else:
            yield path, value


def dotted(path: tuple[str, ...]) -> str:
    return ".".join(f'["{p}"]' if "." in p else p for p in path)


def check_value_promotion(
    findings: Findings,
    base: Revision,
    head: Revision,
    allowed: Allowances,
    reverted: Callable[[str, str], bool] = lambda env, app: False,
) -> None:
    """Each value that changes in an environment with ``require_promotion`` must already be
    what the environment it promotes from has (in BASE: before this change) at the same path.
    A rollback to the app's state before its last change (``reverted``) brings back what was
    deployed there already, so it passes."""
    for env, located in sorted(head.index.environments.items()):
        model = located.model
        source_env = model.promotes_from
        if not model.policy.require_promotion or source_env is None:
            continue
        earlier = base if source_env in base.index.environments else head
        for app in sorted(model.apps):
            if app not in head.index.apps:
                continue  # an unknown app is a validation error
            found = Findings()
            _app_values(found, base, head, earlier.index, env, source_env, app, allowed)
            if found.items and not reverted(env, app):
                findings.extend(found.items)


def _app_values(
    findings: Findings,
    base: Revision,
    head: Revision,
    earlier: ConfigIndex,
    env: str,
    source_env: str,
    app: str,
    allowed: Allowances,
) -> None:
    old = dict(leaves(declared_values(base.index, env, app) or {}))
    new = dict(leaves(declared_values(head.index, env, app) or {}))
    had = declared_values(earlier, source_env, app)
    upstream = dict(leaves(had or {}))
    changed = [(("values", *p), v, upstream.get(p, _ABSENT)) for p, v in sorted(new.items())
               if old.get(p, _ABSENT) != v]  # fmt: skip
    old_chart, new_chart = _chart(base.index, app), _chart(head.index, app)
    if base.index.environments.get(env) and app not in base.index.environments[env].model.apps:
        old_chart = {}  # the app is new here: its chart arrives with it
    up_chart = _chart(earlier, app) if had is not None else {}
    changed += [(("chart", k), v, up_chart.get(k, _ABSENT)) for k, v in sorted(new_chart.items())
                if old_chart.get(k, _ABSENT) != v]  # fmt: skip
    for path, value, there in changed:
        if there == value:
            continue
        name = dotted(path[1:]) if path[0] == "values" else dotted(path)
        if allowed.allows(Code.VALUE_NOT_PROMOTED, f"{env}/{app}/{name}"):
            continue
        has = (
            f"{app} is not deployed there"
            if had is None
            else "it has no value there"
            if there is _ABSENT
            else f"it has {there!r}"
        )
        source, where = _origin(head, env, app, path)
        findings.add(
            source, where, Code.VALUE_NOT_PROMOTED,
            f"{app} in {env}: {name} becomes {value!r}, which {source_env} (which {env} promotes "
            f"from) does not have yet ({has}); deploy it to {source_env} first, or acknowledge "
            f"it with the commit trailer `{ALLOW_TRAILER}: {Code.VALUE_NOT_PROMOTED} "
            f"{env}/{app}/{name}`",
        )  # fmt: skip


def _origin(head: Revision, env: str, app: str, path: tuple[str, ...]) -> tuple[Source, YamlPath]:
    """Where the value is written: the environment's entry for the app when it sets the path,
    else the App document."""
    environment = head.index.environments[env]
    if path[0] == "values":
        node: Any = environment.model.apps[app].values
        for part in path[1:]:
            if not isinstance(node, Mapping) or part not in node:
                break
            node = node[part]
        else:
            return environment.source, ("apps", app, *path)
    return head.index.apps[app].source, path


def check_app_removals(
    findings: Findings, base: Revision, head: Revision, allowed: Allowances
) -> None:
    """An app that leaves an environment is an Application Argo CD deletes (with everything it
    deployed): refused unless the change acknowledges it."""
    for env, located in sorted(base.index.environments.items()):
        now = head.index.environments.get(env)
        for app in sorted(located.model.apps):
            if now is not None and app in now.model.apps:
                continue
            if allowed.allows(Code.APP_REMOVED, f"{env}/{app}"):
                continue
            message = (
                f"Application {application_name(app, env)} will be deleted: {app} is no longer "
                f"deployed to {env}, and Argo CD prunes the Application and everything it "
                f"deployed; if that is intended, acknowledge it with the commit trailer "
                f"`{ALLOW_TRAILER}: {Code.APP_REMOVED} {env}/{app}`"
            )
            if now is None:
                findings.items.append(
                    Finding(Source(located.source.path), (), Code.APP_REMOVED, message,
                            position=(1, 1))
                )  # fmt: skip
            else:
                where: YamlPath = ("apps",) if now.model.apps else ("name",)
                findings.add(now.source, where, Code.APP_REMOVED, message)
