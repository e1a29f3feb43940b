"""`flagwright render --changed-since REF`: render only what a change of Flag documents touches.

The committed ``rendered/`` of REF is the cache: its snapshot bundles hold every flag compiled
for each environment, one flag per line, and its exports and ConfigMaps are what those bundles
render to. When every config file changed since REF is a Flag document (nothing in
``flags/segments/``, ``flags/plans/`` or ``environments/`` changed) and ``rendered/`` is exactly
REF's (no edited, missing or extra file), only the changed flags are loaded, checked and
compiled; the environments and apps, segments and plans are loaded and checked too (a few
hundred small files). Every bundle (an environment's, and each cluster's with overrides) where a
changed flag compiles differently is patched (:mod:`flagwright.render.delta`): its snapshot, the
ConfigMaps of the apps whose selection holds a changed flag, and its exports. Nothing else is
read or written; the writer carries every other file over untouched.

That is exact when REF's ``rendered/`` is what REF's sources render, which ``render --check`` in
CI guarantees on the branch a change is based on (and each patched snapshot's digest is verified
before it is used). Anything the shortcut cannot vouch for falls back to a full render, with the
reason: other kinds of files changed, ``rendered/`` differs from REF's, a changed file does not
validate, a flag is defined twice, a removed flag is still required or overridden, a
prerequisite cycle, REF has no rendered bundle for an environment, an export file REF rendered
is not laid out as expected, or a ConfigMap crosses the server-side-apply size. Diagnostics are
those of the changed files; `flagwright validate` still lists everything.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from flagwright.check import CheckOptions
from flagwright.check.graphs import find_cycles
from flagwright.check.repository import check_loaded, validate_repository
from flagwright.codes import Severity
from flagwright.compile.clusters import cluster_flags
from flagwright.compile.snapshot import compile_flags
from flagwright.diagnostics import Findings
from flagwright.gitio.repo import GitRepo
from flagwright.load.allocation import cycle_collector_paused
from flagwright.load.index import ConfigIndex
from flagwright.load.repository import LoadedRepo, config_files, load_files, load_repository
from flagwright.load.resolve import resolve_positions
from flagwright.model import Environment, Flag
from flagwright.render.artifact import Artifact
from flagwright.render.context import RENDERED, EnvContext
from flagwright.render.delta import flag_lines, patch_scope
from flagwright.render.delta_exports import StaleExport
from flagwright.render.fleet import ClusterContext
from flagwright.render.kube_validate import ManifestValidator
from flagwright.render.pipeline import (
    RenderOptions,
    RenderOutput,
    render_validated,
    validate_artifacts,
)
from flagwright.render.templating import ValueTemplates


@dataclass(frozen=True, slots=True)
class ChangedRender:
    """``output.files`` holds only the files that change when ``fallback`` is None (``partial``):
    every other file under ``rendered/`` stays as it is."""

    output: RenderOutput
    rendered: list[str]  # the environments rendered again
    fallback: str | None  # why everything was rendered, if it was

    @property
    def partial(self) -> bool:
        return self.fallback is None


def render_changed_since(
    root: Path, ref: str, today: date, options: RenderOptions
) -> ChangedRender:
    with cycle_collector_paused():
        return _changed_since(root, ref, today, options)


def _changed_since(root: Path, ref: str, today: date, options: RenderOptions) -> ChangedRender:
    git = GitRepo(root)
    commit = git.resolve(ref)
    # Whether rendered/ is REF's is asked first and answered last: Git may have to hash the
    # whole tree (files it has not seen since they were written), meanwhile this process plans.
    stale = git.changed_files_soon(commit, RENDERED)
    try:
        plan = _plan(root, git, commit, today)
        done = plan if isinstance(plan, str) else _render(root, plan, options)
    except Exception:
        # Reading a rendered/ that is not REF's may fail in any way at all: that is the reason.
        if not stale():
            raise
        done = ""
    if paths := stale():
        done = f"{paths[0]} differs from {commit[:12]}'s rendered/"
    if not isinstance(done, str):
        return done
    plan = done
    validated = validate_repository(root, today, sizes=False)  # render sizes its ConfigMaps
    if not validated.ok:
        return ChangedRender(RenderOutput({}, validated.diagnostics, RENDERED, False), [], plan)
    output = render_validated(validated, options)
    return ChangedRender(output, sorted(validated.index.environments), plan)


@dataclass(slots=True)
class _Plan:
    repo: LoadedRepo
    index: ConfigIndex
    findings: Findings
    compiled: dict[
        str, dict[str, Any | None]
    ]  # environment -> changed flag -> compiled (None: removed)
    changed: set[str]  # keys of the changed flags


def _plan(root: Path, git: GitRepo, commit: str, today: date) -> _Plan | str:
    changed = sorted(git.changed_config_files(commit))
    ref_config = git.list_config_files(commit, only=changed)
    old_blobs = git.read_blobs(ref_config[p] for p in changed if p in ref_config)
    before = load_files(root, {p: old_blobs[ref_config[p]] for p in changed if p in ref_config})
    present = [p for p in changed if (root / p).is_file()]
    others = [p for p in config_files(root) if not _flag_file(p)]
    overridden: set[str] = set()
    repo = load_repository(root, sorted({*present, *others}))
    for located in repo.documents:
        if located.source.path in others and isinstance(located.model, Flag):
            return f"{located.source.path} holds a Flag outside flags/"
        for cluster in getattr(located.model, "clusters", None) or []:
            overridden.update(cluster.flags)
    for part in (before, repo):
        for located in part.documents:
            if located.source.path in changed and not isinstance(located.model, Flag):
                return f"{located.source.path} changed and is not a Flag document"
    if any(f.source.path in changed for f in repo.findings.items):
        return "a changed file does not load"
    old_keys = {d.model.key for d in before.documents}
    new_keys = {d.model.key for d in repo.documents if isinstance(d.model, Flag)}
    envs = sorted(d.model.name for d in repo.documents if isinstance(d.model, Environment))
    snapshot_paths = {env: root / RENDERED / env / "flags" / "snapshot.json" for env in envs}
    if not envs or not all(p.is_file() for p in snapshot_paths.values()):
        return f"{commit[:12]} has no rendered snapshot for every environment"
    texts = {env: p.read_text(encoding="utf-8") for env, p in snapshot_paths.items()}
    try:
        first = flag_lines(texts[envs[0]])
    except StaleExport:
        return f"rendered/{envs[0]}/flags/snapshot.json does not parse"
    all_before = set(first)
    if (new_keys - old_keys) & all_before:
        return "a changed file defines a flag another file defines too"
    all_after = (all_before - old_keys) | new_keys
    models = {d.model.key: d.model for d in repo.documents if isinstance(d.model, Flag)}
    gone = old_keys - new_keys
    if gone & overridden or any(_required_elsewhere(texts[envs[0]], first, key) for key in gone):
        return "a removed flag is still required by another flag or overridden in a cluster"
    if _cycle(models, first):
        return "prerequisites form a cycle"
    # Unchanged flags overridden in a cluster are needed to check that cluster's overrides.
    extra = sorted(f"flags/{k}.yaml" for k in overridden & all_after - new_keys)
    if extra:
        if not all((root / p).is_file() for p in extra):
            return "a flag overridden in a cluster is not in flags/<key>.yaml"
        part = load_repository(root, extra)
        repo.texts.update(part.texts)
        repo.documents.extend(part.documents)
    # Flags that are not loaded exist all the same: references to them are not unknown.
    checked = check_loaded(
        repo, CheckOptions(today=today), locate=False, known_flags=frozenset(all_after)
    )
    index, findings = checked.index, checked.findings
    if not overridden & all_after <= set(index.flags):
        return "a flag overridden in a cluster is not in flags/<key>.yaml"
    kept = Findings([f for f in findings.items if f.source.path in changed])
    if any(f.severity == Severity.ERROR for f in kept.items):
        return "a changed file has errors"
    # An error elsewhere is one the change caused (an app naming a removed flag) or one of the
    # partial load's making: either way only the full validation can tell.
    if any(f.severity == Severity.ERROR for f in findings.items):
        return "the change makes a check fail in a file it did not touch"
    changed_index = dataclasses.replace(index, flags={k: index.flags[k] for k in new_keys})
    compiled: dict[str, dict[str, Any | None]] = {}
    for env in envs:
        flags: dict[str, Any | None] = dict.fromkeys(gone)
        flags.update(compile_flags(changed_index, env) if new_keys else {})
        compiled[env] = flags
    return _Plan(repo, index, kept, compiled, old_keys | new_keys)


def _required_elsewhere(text: str, lines: Mapping[str, str], key: str) -> bool:
    """Does any flag of REF's snapshot other than ``key`` list it in ``requires``?"""
    needle = json.dumps(key, ensure_ascii=False)
    if text.count(needle) <= 1:
        return False
    return any(
        key in json.loads(value)["requires"]
        for other, value in lines.items()
        if other != key and needle in value
    )


def _cycle(models: Mapping[str, Flag], lines: Mapping[str, str]) -> bool:
    """A prerequisite cycle through a changed flag (REF's graph had none)."""
    cache: dict[str, list[str]] = {}

    def requires(key: str) -> list[str]:
        if key in models:
            return list(models[key].requires)
        if key not in cache:
            cache[key] = list(json.loads(lines[key])["requires"]) if key in lines else []
        return cache[key]

    return bool(find_cycles(sorted(models), requires))


def _flag_file(path: str) -> bool:
    """A file Flag documents live in by convention (flags/<key>.yaml)."""
    return path.startswith("flags/") and path.count("/") == 1


def _render(root: Path, plan: _Plan, options: RenderOptions) -> ChangedRender | str:
    index = plan.index
    repository = index.repository
    files: dict[str, Artifact] = {}
    findings = Findings(list(plan.findings.items))
    touched: list[str] = []
    if repository is None:
        return "the repository has no Repository document"

    def read(path: str) -> str:
        try:
            return (root / path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            raise StaleExport(f"{path} cannot be read") from None

    templates, selections = ValueTemplates(), {}  # type: ignore[var-annotated]
    for env in sorted(plan.compiled):
        compiled = plan.compiled[env]
        ctx = EnvContext(index, index.environments[env], repository, templates, Findings(),
                         selections=selections)  # fmt: skip
        scopes: list[tuple[EnvContext, Mapping[str, Any | None], set[str]]] = [
            (ctx, compiled, plan.changed)
        ]
        for cluster in ctx.environment.model.clusters or []:
            if not cluster.flags:
                continue
            own = cluster_flags(index, env, cluster, set(compiled) & set(cluster.flags))
            scopes.append((ClusterContext(ctx, cluster), {**compiled, **own},
                           plan.changed & set(cluster.flags)))  # fmt: skip
        env_files: dict[str, Artifact] = {}
        try:
            for scope, flags, report in scopes:
                out, found = patch_scope(scope, read, flags, report)
                scope_name = (
                    f"{env}/{scope.cluster.name}" if isinstance(scope, ClusterContext) else ""
                )
                env_files.update(
                    (p, dataclasses.replace(a, scope=scope_name)) for p, a in out.items()
                )
                findings.extend(found)
        except StaleExport as exc:
            return str(exc)
        if env_files:
            touched.append(env)
            files.update(env_files)
    validator = ManifestValidator(options.kubernetes_version)
    findings.extend(validate_artifacts(files, validator))
    texts: Mapping[str, str] = {**plan.repo.texts, **{p: files[p].text for p in files}}
    diagnostics = sorted(set(resolve_positions(findings.items, texts)))
    output = RenderOutput(dict(sorted(files.items())), diagnostics, RENDERED)
    return ChangedRender(output, touched, None)
