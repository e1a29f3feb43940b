"""Render a validated repository into files, in memory, and validate every manifest rendered.

Renderers are registered in :data:`RENDERERS`: each takes one environment's context and returns
``{repository-relative path: Artifact}``. A new output format is one more entry there.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from flagwright.check.repository import Validated, validate_repository
from flagwright.check.suggest import did_you_mean
from flagwright.codes import Code
from flagwright.diagnostics import Diagnostic, Finding, Findings, Source, has_errors
from flagwright.errors import RenderError
from flagwright.load.allocation import cycle_collector_paused
from flagwright.load.index import ConfigIndex
from flagwright.load.resolve import resolve_positions
from flagwright.model import Repository
from flagwright.render.argocd import render_applications
from flagwright.render.artifact import Artifact
from flagwright.render.bundle import render_snapshot
from flagwright.render.configmap import render_configmaps
from flagwright.render.context import RENDERED, EnvContext
from flagwright.render.exports import render_featuremanagement, render_flagd
from flagwright.render.fleet import REPLACED as FLEET_REPLACED
from flagwright.render.fleet import finish_environment
from flagwright.render.forked import map_forked, worker_count
from flagwright.render.kube_validate import ManifestValidator
from flagwright.render.rollout import render_rollouts
from flagwright.render.templating import ValueTemplates
from flagwright.render.values import render_values

RenderFn = Callable[[EnvContext], dict[str, Artifact]]
Progress = Callable[[int], None]
# Given the number of steps, a context that yields the ``advance`` callback (or None).
ProgressBar = Callable[[int], AbstractContextManager[Progress | None]]

RENDERERS: list[tuple[str, RenderFn]] = [
    ("values", render_values),
    ("snapshot", render_snapshot),
    ("configmaps", render_configmaps),
    ("rollouts", render_rollouts),
    ("argocd", render_applications),
    ("flagd", render_flagd),
    ("featuremanagement", render_featuremanagement),
]


@dataclass(frozen=True, slots=True)
class RenderOptions:
    env: str | None = None
    kubernetes_version: str | None = None
    workers: int | None = None  # None: automatic (render/forked.py); 1: all in this process


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
    root: Path,
    today: date,
    options: RenderOptions,
    progress: ProgressBar | None = None,
) -> RenderOutput:
    """Validate, then render; with validation errors nothing is rendered. ``progress`` makes a
    progress bar for the number of steps (:func:`step_count`) once validation has passed."""
    validated = validate_repository(root, today, sizes=False)
    scope = RENDERED if options.env is None else f"{RENDERED}/{options.env}"
    if not validated.ok:
        return RenderOutput({}, validated.diagnostics, scope, rendered=False)
    if progress is None:
        return render_validated(validated, options)
    with progress(step_count(validated, options)) as advance:
        return render_validated(validated, options, advance)


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
    findings = Findings()
    files: dict[str, Artifact] = {}
    repository = index.repository
    if envs and repository is not None:
        job = _Job(index, repository, ManifestValidator(options.kubernetes_version))
        workers = _workers(options, index, envs)
        if workers > 1:
            results = _render_forked(job, envs, workers, progress)
        else:
            results = [job.render(env, progress) for env in envs]
        for env_files, env_findings in results:  # in environment order, however rendered
            files.update(env_files)
            findings.extend(env_findings)
    findings.extend(_duplicates(files))
    texts = dict(validated.repo.texts)
    flagged = {f.source.path for f in findings.items}
    texts.update((path, files[path].text) for path in flagged if path in files)
    diagnostics = sorted(set(validated.diagnostics) | set(resolve_positions(findings.items, texts)))
    return RenderOutput(dict(sorted(files.items())), diagnostics, scope)


@dataclass(slots=True)
class _Job:
    """What rendering one environment needs; shared by all environments of a render."""

    index: ConfigIndex
    repository: Repository
    validator: ManifestValidator
    templates: ValueTemplates = field(default_factory=ValueTemplates)
    selections: dict[tuple[str, ...], list[str]] = field(default_factory=dict)
    # Bundles compiled elsewhere (render --changed-since), used instead of compiling the index.
    bundles: dict[str, dict[str, Any]] = field(default_factory=dict)

    def render(
        self, env: str, progress: Progress | None = None
    ) -> tuple[dict[str, Artifact], list[Finding]]:
        findings = Findings()
        ctx = EnvContext(
            self.index, self.index.environments[env], self.repository, self.templates, findings,
            selections=self.selections,
        )  # fmt: skip
        if env in self.bundles:
            ctx.__dict__["bundle"] = self.bundles[env]  # the cached_property's slot
        env_files: dict[str, Artifact] = {}
        fleet = ctx.environment.model.clusters is not None
        for name, renderer in RENDERERS:
            if not (fleet and name in FLEET_REPLACED):
                env_files.update(renderer(ctx))
            if progress is not None:
                progress(1)
        env_files = finish_environment(ctx, env_files, RENDERERS)
        findings.extend(validate_artifacts(env_files, self.validator))
        if progress is not None:
            progress(1)
        return env_files, findings.items


def _workers(options: RenderOptions, index: ConfigIndex, envs: list[str]) -> int:
    return worker_count(len(envs), len(index.flags), options.workers)


def _render_forked(
    job: _Job, envs: list[str], workers: int, progress: Progress | None
) -> list[tuple[dict[str, Artifact], list[Finding]]]:
    results = []
    for result in map_forked(job.render, envs, workers):  # in the order of envs
        results.append(result)
        if progress is not None:
            progress(len(RENDERERS) + 1)
    return results


def validate_artifacts(files: dict[str, Artifact], validator: ManifestValidator) -> list[Finding]:
    found: list[Finding] = []
    # A cluster's copies of its environment's manifests are the same objects: checked once.
    seen: dict[int, list[Any]] = {}
    for path, artifact in files.items():
        suffix = f" (generated from {artifact.origin})" if artifact.origin else ""
        for doc, manifest in enumerate(artifact.documents):
            problems = seen.get(id(manifest))
            if problems is None:
                problems = seen[id(manifest)] = validator.problems(manifest)
            for where, code, message in problems:
                found.append(
                    Finding(Source(path, doc), where, code, message + suffix, code.severity)
                )
    return found


def _duplicates(files: dict[str, Artifact]) -> list[Finding]:
    """Two rendered objects of one kind with the same name and namespace would overwrite."""
    seen: dict[tuple[str, str, str, str, str], str] = {}
    found: list[Finding] = []
    documents = (
        (path, doc, manifest)
        for path, artifact in sorted(files.items())
        for doc, manifest in enumerate(artifact.documents)
    )
    for path, doc, manifest in documents:
        metadata = manifest.get("metadata")
        if not isinstance(metadata, dict):
            continue
        key = (
            files[path].scope,
            str(manifest.get("apiVersion")),
            str(manifest.get("kind")),
            str(metadata.get("namespace", "")),
            str(metadata.get("name")),
        )
        if key in seen:
            message = f"{key[2]} {key[4]!r} in namespace {key[3]!r} is also rendered to {seen[key]}"
            found.append(
                Finding(Source(path, doc), ("metadata", "name"), Code.DUPLICATE_RESOURCE, message)
            )
        else:
            seen[key] = path
    return found
