"""Render a validated repository into files, in memory, and validate every manifest rendered.

Renderers are registered in :data:`RENDERERS`: each takes one environment's context and returns
``{repository-relative path: Artifact}``. A new output format is one more entry there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from flagwright.allocation import cycle_collector_paused
from flagwright.check.suggest import did_you_mean
from flagwright.codes import Code
from flagwright.diagnostics import Diagnostic, Finding, Findings, Source, has_errors
from flagwright.errors import RenderError
from flagwright.load.resolve import resolve_positions
from flagwright.render.argocd import render_applications
from flagwright.render.artifact import Artifact
from flagwright.render.bundle import render_snapshot
from flagwright.render.configmap import render_configmaps
from flagwright.render.context import RENDERED, EnvContext
from flagwright.render.exports import render_featuremanagement, render_flagd
from flagwright.render.kube_validate import ManifestValidator
from flagwright.render.templating import ValueTemplates
from flagwright.render.values import render_values
from flagwright.validate import Validated, validate_repository

RenderFn = Callable[[EnvContext], dict[str, Artifact]]
Progress = Callable[[int], None]

RENDERERS: list[tuple[str, RenderFn]] = [
    ("values", render_values),
    ("snapshot", render_snapshot),
    ("configmaps", render_configmaps),
    ("argocd", render_applications),
    ("flagd", render_flagd),
    ("featuremanagement", render_featuremanagement),
]


@dataclass(frozen=True, slots=True)
class RenderOptions:
    env: str | None = None
    kubernetes_version: str | None = None


@dataclass(slots=True)
class RenderOutput:
    """Everything one render produced. ``scope`` is the folder the files replace."""

    files: dict[str, Artifact]
    diagnostics: list[Diagnostic]
    scope: str
    rendered: bool = field(default=True)

    @property
    def ok(self) -> bool:
        return self.rendered and not has_errors(self.diagnostics)


def render_repository(
    root: Path, today: date, options: RenderOptions, progress: Progress | None = None
) -> RenderOutput:
    """Validate, then render; with validation errors nothing is rendered."""
    validated = validate_repository(root, today)
    scope = RENDERED if options.env is None else f"{RENDERED}/{options.env}"
    if not validated.ok:
        return RenderOutput({}, validated.diagnostics, scope, rendered=False)
    return render_validated(validated, options, progress)


def step_count(validated: Validated, options: RenderOptions) -> int:
    """How many times :func:`render_validated` calls ``progress``: for a progress bar."""
    envs = 1 if options.env is not None else len(validated.index.environments)
    return envs * (len(RENDERERS) + 1)


def render_validated(
    validated: Validated, options: RenderOptions, progress: Progress | None = None
) -> RenderOutput:
    with cycle_collector_paused():
        return _render_validated(validated, options, progress)


def _render_validated(
    validated: Validated, options: RenderOptions, progress: Progress | None = None
) -> RenderOutput:
    index = validated.index
    envs = sorted(index.environments)
    if options.env is not None:
        if options.env not in index.environments:
            raise RenderError(
                f"unknown environment {options.env!r}" + did_you_mean(options.env, envs)
            )
        envs = [options.env]
    scope = RENDERED if options.env is None else f"{RENDERED}/{options.env}"
    validator = ManifestValidator(options.kubernetes_version)
    findings = Findings()
    files: dict[str, Artifact] = {}
    repository = index.repository
    if envs and repository is not None:
        templates = ValueTemplates()
        selections: dict[tuple[str, ...], list[str]] = {}
        for env in envs:
            ctx = EnvContext(
                index, index.environments[env], repository, templates, findings,
                selections=selections,
            )  # fmt: skip
            env_files: dict[str, Artifact] = {}
            for _name, renderer in RENDERERS:
                env_files.update(renderer(ctx))
                if progress is not None:
                    progress(1)
            findings.extend(validate_artifacts(env_files, validator))
            files.update(env_files)
            if progress is not None:
                progress(1)
    findings.extend(_duplicates(files))
    texts = dict(validated.repo.texts)
    flagged = {f.source.path for f in findings.items}
    texts.update((path, files[path].text) for path in flagged if path in files)
    diagnostics = sorted(set(validated.diagnostics) | set(resolve_positions(findings.items, texts)))
    return RenderOutput(dict(sorted(files.items())), diagnostics, scope)


def validate_artifacts(files: dict[str, Artifact], validator: ManifestValidator) -> list[Finding]:
    found: list[Finding] = []
    for path, artifact in files.items():
        if artifact.manifest is None:
            continue
        suffix = f" (generated from {artifact.origin})" if artifact.origin else ""
        for where, code, message in validator.problems(artifact.manifest):
            found.append(Finding(Source(path), where, code, message + suffix, code.severity))
    return found


def _duplicates(files: dict[str, Artifact]) -> list[Finding]:
    """Two rendered objects of one kind with the same name and namespace would overwrite."""
    seen: dict[tuple[str, str, str, str], str] = {}
    found: list[Finding] = []
    for path in sorted(files):
        manifest = files[path].manifest
        if manifest is None:
            continue
        metadata = manifest.get("metadata")
        if not isinstance(metadata, dict):
            continue
        key = (
            str(manifest.get("apiVersion")),
            str(manifest.get("kind")),
            str(metadata.get("namespace", "")),
            str(metadata.get("name")),
        )
        if key in seen:
            message = f"{key[1]} {key[3]!r} in namespace {key[2]!r} is also rendered to {seen[key]}"
            found.append(
                Finding(Source(path), ("metadata", "name"), Code.DUPLICATE_RESOURCE, message)
            )
        else:
            seen[key] = path
    return found
