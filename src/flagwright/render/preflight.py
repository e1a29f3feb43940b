"""What ``render`` would reject, found by ``validate`` from the documents alone.

A pull request check that runs ``validate`` must not pass a change that CI's render then fails,
so everything render refuses about its inputs is checked here, at the source position: value
templates (the same code as render, so the same verdict), the names flagwright derives for
Kubernetes objects and labels, two derived objects that would share a name, and flag ConfigMaps
over Kubernetes' 1 MiB (FW307: the flags are compiled for that, with render's own functions, see
:mod:`flagwright.render.configmap_sizes`).

The value templates are rendered only when some value holds a ``{``: most commits never pay for
it. (jinja2 itself is imported with the render modules the ConfigMap size check uses.)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flagwright.codes import Code
from flagwright.diagnostics import Findings, Source, YamlPath
from flagwright.load.index import ConfigIndex
from flagwright.model import Repository
from flagwright.render.configmap_sizes import check_configmap_sizes
from flagwright.render.names import (
    ARGOCD_NAMESPACE,
    LABEL_VALUE,
    MAX_LABEL,
    MAX_SUBDOMAIN,
    SUBDOMAIN,
    application_name,
    configmap_name,
    root_application_name,
)

# Stands in for the Repository document when it is missing (itself an error, FW228).
_NO_REPOSITORY = Repository.model_construct(kind="Repository", url="", revision="")


def preflight(index: ConfigIndex, findings: Findings, *, sizes: bool = True) -> None:
    _derived_names(index, findings)
    _shared_names(index, findings)
    _templates(index, findings)
    if sizes:
        check_configmap_sizes(index, findings)  # last: it compiles, so only an error-free config


def _derived_names(index: ConfigIndex, findings: Findings) -> None:
    for app in index.apps.values():
        name = app.model.name
        problem = _name_problem(name, [configmap_name(name), application_name(name, "ENV")])
        if problem:
            findings.add(
                app.source, ("name",), Code.K8S_NAME,
                f"app name {name!r} names Kubernetes objects ({configmap_name(name)}, "
                f"{application_name(name, '<env>')}) and labels: {problem}",
            )  # fmt: skip
    for env in index.environments.values():
        name = env.model.name
        problem = _name_problem(name, [root_application_name(name)])
        if problem:
            findings.add(
                env.source, ("name",), Code.K8S_NAME,
                f"environment name {name!r} names Argo CD Applications "
                f"({root_application_name(name)}, <app>-{name}) and labels: {problem}",
            )  # fmt: skip
        project = env.model.argocd.project
        if not _label_value(project):
            findings.add(
                env.source, ("argocd", "project"), Code.K8S_NAME,
                f"project {project!r} is a label value (app.kubernetes.io/part-of): at most "
                f"{MAX_LABEL} characters",
            )  # fmt: skip


def _name_problem(name: str, objects: list[str]) -> str | None:
    if not _label_value(name):
        return f"a label value has at most {MAX_LABEL} characters"
    for obj in objects:
        if len(obj) > MAX_SUBDOMAIN or not SUBDOMAIN.match(obj.replace("ENV", "env")):
            return (
                "Kubernetes object names allow lowercase letters, digits, '-' and '.' only "
                "(no '_', and no '-' next to a '.')"
            )
    return None


def _label_value(value: str) -> bool:
    return len(value) <= MAX_LABEL and LABEL_VALUE.match(value) is not None


def _shared_names(index: ConfigIndex, findings: Findings) -> None:
    """Two rendered objects of one kind, name and namespace: the second would overwrite."""
    seen: dict[tuple[str, str, str], tuple[Source, YamlPath]] = {}
    for env_name in sorted(index.environments):
        env = index.environments[env_name]
        objects: list[tuple[str, str, str, YamlPath]] = [
            ("Application", ARGOCD_NAMESPACE, root_application_name(env_name), ("name",))
        ]
        for app in sorted(env.model.apps):
            where: YamlPath = ("apps", app)
            namespace = env.model.argocd.namespace
            application = application_name(app, env_name)
            objects.append(("Application", ARGOCD_NAMESPACE, application, where))
            objects.append(("ConfigMap", namespace, configmap_name(app), where))
        for kind, namespace, name, at in objects:
            first = seen.setdefault((kind, namespace, name), (env.source, at))
            if first != (env.source, at):
                findings.add(
                    env.source, at, Code.DUPLICATE_RESOURCE,
                    f"{kind} {name!r} in namespace {namespace!r} would be rendered twice; the "
                    "other comes from",
                    at="key", related=first,
                )  # fmt: skip


def _templates(index: ConfigIndex, findings: Findings) -> None:
    deployments = [
        (index.apps[name], env)
        for env in index.environments.values()
        for name in sorted(env.model.apps)
        if name in index.apps
    ]
    templated = [
        (app, env)
        for app, env in deployments
        if _has_brace(app.model.values) or _has_brace(env.model.apps[app.model.name].values)
    ]
    if not templated:
        return
    from flagwright.render.context import template_names
    from flagwright.render.templating import ValueTemplates
    from flagwright.render.values import render_app_values

    templates = ValueTemplates()
    repository = index.repository or _NO_REPOSITORY
    for app, env in templated:
        names = template_names(app.model, env.model, repository)
        render_app_values(templates, names, app, env, findings)


def _has_brace(value: Any) -> bool:
    return any("{" in text for text in _strings(value))


def _strings(value: Any) -> Iterator[str]:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
