"""`flagwright render --changed-since REF`: render only what a change of Flag documents touches.

The committed ``rendered/`` of REF is the cache: its snapshot bundles hold every flag compiled
for each environment, one flag per line. When every config file changed since REF is a Flag
document (nothing in ``flags/segments/``, ``flags/plans/`` or ``environments/`` changed), only the
changed flags are loaded, checked and compiled. An environment where they compile to REF's lines
(and no cluster overrides them) keeps REF's files, byte for byte; in the others the changed flags
replace their entries in REF's bundle, and only what flags determine is written again: the
snapshots, ConfigMaps and exports (values and Argo CD files stay REF's, unless a ConfigMap
crosses the server-side-apply size the Applications name; then the environment is rendered
whole).

That is exact when REF's ``rendered/`` is what REF's sources render, which ``render --check`` in
CI guarantees on the branch a change is based on. Anything the shortcut cannot vouch for falls
back to a full render, with the reason: other kinds of files changed, a changed file does not
validate, a flag is defined twice, a removed flag is still required or overridden, a
prerequisite cycle, or REF has no rendered bundle for an environment. Diagnostics are those of
the changed files and of what is rendered again; `flagwright validate` still lists everything.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from flagwright.check import CheckOptions, run_checks
from flagwright.check.graphs import find_cycles
from flagwright.check.repository import validate_repository
from flagwright.codes import Severity
from flagwright.compile.json_out import compact_json
from flagwright.compile.snapshot import assemble_bundle, compile_flags
from flagwright.diagnostics import Finding, Findings
from flagwright.gitio.repo import GitRepo
from flagwright.load.index import ConfigIndex, build_index
from flagwright.load.repository import LoadedRepo, config_files, load_files, load_repository
from flagwright.load.resolve import resolve_positions
from flagwright.model import Environment, Flag
from flagwright.render.artifact import Artifact
from flagwright.render.configmap import needs_server_side_apply
from flagwright.render.context import RENDERED, EnvContext
from flagwright.render.fleet import FLAG_RENDERERS, cluster_flag_files
from flagwright.render.kube_validate import ManifestValidator
from flagwright.render.pipeline import (
    RENDERERS,
    RenderOptions,
    RenderOutput,
    _duplicates,
    _Job,
    render_validated,
    validate_artifacts,
)


@dataclass(frozen=True, slots=True)
class ChangedRender:
    output: RenderOutput
    rendered: list[str]  # the environments rendered again
    fallback: str | None  # why everything was rendered, if it was


def render_changed_since(
    root: Path, ref: str, today: date, options: RenderOptions
) -> ChangedRender:
    git = GitRepo(root)
    commit = git.resolve(ref)
    plan = _plan(root, git, commit, today)
    if isinstance(plan, str):
        validated = validate_repository(root, today)
        if not validated.ok:
            return ChangedRender(RenderOutput({}, validated.diagnostics, RENDERED, False), [], plan)
        output = render_validated(validated, options)
        return ChangedRender(output, sorted(validated.index.environments), plan)
    return _render(plan, git, commit, options)


@dataclass(slots=True)
class _Plan:
    repo: LoadedRepo
    index: ConfigIndex
    findings: Findings
    bundles: dict[str, dict[str, Any]]  # environment -> new bundle
    touched: list[str]
    ref_files: dict[str, str]  # rendered/ at REF: path -> blob id


def _plan(root: Path, git: GitRepo, commit: str, today: date) -> _Plan | str:
    changed = sorted(git.changed_config_files(commit))
    ref_config = git.list_config_files(commit)
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
    ref_files = git.list_files(commit, RENDERED)
    envs = sorted(d.model.name for d in repo.documents if isinstance(d.model, Environment))
    snapshot_paths = {env: f"{RENDERED}/{env}/flags/snapshot.json" for env in envs}
    if not envs or any(p not in ref_files for p in snapshot_paths.values()):
        return f"{commit[:12]} has no rendered snapshot for every environment"
    blobs = git.read_blobs(ref_files[p] for p in snapshot_paths.values())
    texts = {env: blobs[ref_files[p]].decode("utf-8") for env, p in snapshot_paths.items()}
    lines = {env: flag_lines(text) for env, text in texts.items()}
    first = lines[envs[0]]
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
    # Unchanged flags overridden in a cluster are needed to compile that cluster's bundle.
    extra = sorted(f"flags/{k}.yaml" for k in overridden & all_after - new_keys)
    if extra:
        if not all((root / p).is_file() for p in extra):
            return "a flag overridden in a cluster is not in flags/<key>.yaml"
        part = load_repository(root, extra)
        repo.texts.update(part.texts)
        repo.documents.extend(part.documents)
    findings = Findings(list(repo.findings.items))
    index = build_index(repo, findings)
    loaded = set(index.flags)
    if not overridden & all_after <= loaded:
        return "a flag overridden in a cluster is not in flags/<key>.yaml"
    # Flags that are not loaded exist all the same: references to them are not unknown.
    index = dataclasses.replace(
        index, broken=index.broken | {("Flag", k) for k in all_after - loaded}
    )
    run_checks(index, findings, CheckOptions(today=today))
    kept = Findings([f for f in findings.items if f.source.path in changed])
    if any(f.severity == Severity.ERROR for f in kept.items):
        return "a changed file has errors"
    changed_index = dataclasses.replace(index, flags={k: index.flags[k] for k in new_keys})
    bundles: dict[str, dict[str, Any]] = {}
    for env in envs:
        compiled = compile_flags(changed_index, env) if new_keys else {}
        clusters = index.environments[env].model.clusters or []
        own = {k for c in clusters for k in c.flags}
        same = not (own & (old_keys | new_keys)) and all(
            lines[env].get(k) == (compact_json(compiled[k]) if k in compiled else None)
            for k in old_keys | new_keys
        )
        if same:
            continue  # serves what REF serves: REF's files are this environment's
        flags = {k: v for k, v in json.loads(texts[env])["flags"].items() if k not in old_keys}
        flags.update(compiled)
        rule = index.environments[env].model.bucketing
        bundles[env] = assemble_bundle(env, dict(sorted(flags.items())), rule)
    return _Plan(repo, index, kept, bundles, sorted(bundles), ref_files)


def flag_lines(text: str) -> dict[str, str]:
    """A snapshot file's flags as ``{key: compact JSON}``, read from its one-flag-per-line
    layout (compile/json_out.py) without parsing the flags themselves."""
    decoder = json.JSONDecoder()
    out: dict[str, str] = {}
    for line in text.split("\n")[1:-2]:
        key, end = decoder.raw_decode(line)
        out[key] = line[end + 1 : -1 if line.endswith(",") else None]
    return out


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


def _render(plan: _Plan, git: GitRepo, commit: str, options: RenderOptions) -> ChangedRender:
    index = plan.index
    repository = index.repository
    files: dict[str, Artifact] = {}
    findings = Findings(list(plan.findings.items))
    if plan.touched and repository is not None:
        job = _Job(index, repository, ManifestValidator(options.kubernetes_version),
                   bundles=plan.bundles)  # fmt: skip
        for env in plan.touched:
            env_files, env_findings = _flag_files(job, env, git, plan.ref_files)
            files.update(env_files)
            findings.extend(env_findings)
    kept = {p: sha for p, sha in plan.ref_files.items() if p not in files}
    blobs = git.read_blobs(kept.values())
    for path, sha in kept.items():
        files[path] = Artifact(blobs[sha].decode("utf-8"))
    findings.extend(_duplicates(files))
    texts: Mapping[str, str] = {**plan.repo.texts, **{p: files[p].text for p in files}}
    diagnostics = sorted(set(resolve_positions(findings.items, texts)))
    output = RenderOutput(dict(sorted(files.items())), diagnostics, RENDERED)
    return ChangedRender(output, plan.touched, None)


def _flag_files(
    job: _Job, env: str, git: GitRepo, ref_files: Mapping[str, str]
) -> tuple[dict[str, Artifact], list[Finding]]:
    """What a change of flags alone rewrites in ``env``: the snapshots, ConfigMaps and exports
    (the environment's and those of clusters with overrides). Values and Argo CD files stay
    REF's unless a ConfigMap crosses the server-side-apply size, which the Applications name:
    then the whole environment is rendered."""
    findings = Findings()
    ctx = EnvContext(index := job.index, index.environments[env], job.repository, job.templates,
                     findings, selections=job.selections)  # fmt: skip
    ctx.__dict__["bundle"] = job.bundles[env]
    out: dict[str, Artifact] = {}
    for name, renderer in RENDERERS:
        if name in FLAG_RENDERERS:
            out.update(renderer(ctx))
    for cluster in ctx.environment.model.clusters or []:
        if cluster.flags:
            out.update(cluster_flag_files(ctx, cluster, RENDERERS))
    maps = {p: a for p, a in out.items() if a.manifest and a.manifest.get("kind") == "ConfigMap"}
    if any(p not in ref_files for p in out):
        return job.render(env)
    sizes = git.read_blobs(ref_files[p] for p in maps)
    for path, artifact in maps.items():
        before = Artifact(sizes[ref_files[path]].decode("utf-8"))
        if needs_server_side_apply(artifact) != needs_server_side_apply(before):
            return job.render(env)
    findings.extend(validate_artifacts(out, job.validator))
    return out, findings.items
