"""One bundle's flag files (an environment's, or a cluster's with overrides), patched from REF.

``render --changed-since`` knows the files REF rendered for the bundle (``snapshot.json``, the
exports, one ConfigMap per app) and the changed flags compiled anew. Exact by construction:

* the snapshot keeps REF's serialisation of every other flag (its one-flag-per-line layout) and
  its digests are computed from those bytes the way :class:`BundleText` computes them in a full
  render; REF's own digest is checked the same way first, so a snapshot that does not verify is
  never patched;
* a flag's compiled form is the same in every bundle it is in, and an app's ConfigMap depends
  only on the flags it selects: it changes only if its selection holds a changed flag, which is
  the case exactly when its patterns match a changed flag or a flag that requires one
  (transitively). Those ConfigMaps are built by the full render's own ``flag_configmap``; the
  others are REF's, untouched;
* the exports are patched by :mod:`flagwright.render.delta_exports`.

A ConfigMap crossing the server-side-apply size changes the Argo CD files too: the caller renders
the environment in full then (:class:`StaleExport`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from fnmatch import translate
from hashlib import sha256
from typing import Any

from flagwright.codes import Code
from flagwright.compile.json_out import BundleText, compact_json
from flagwright.diagnostics import Finding
from flagwright.export.problems import Unsupported
from flagwright.render.app_exports import readers
from flagwright.render.artifact import Artifact
from flagwright.render.bundle import render_snapshot
from flagwright.render.configmap import configmap_path, flag_configmap, needs_server_side_apply
from flagwright.render.context import EnvContext
from flagwright.render.delta_exports import StaleExport, patch_featuremanagement, patch_flagd


def flag_lines(text: str) -> dict[str, str]:
    """A snapshot file's flags as ``{key: compact JSON}``, read from its one-flag-per-line
    layout (compile/json_out.py) without parsing the flags themselves."""
    decoder = json.JSONDecoder()
    out: dict[str, str] = {}
    for line in text.split("\n")[1:-2]:
        key, end = decoder.raw_decode(line)
        out[key] = line[end + 1 : -1 if line.endswith(",") else None]
    return out


def patch_scope(
    ctx: EnvContext,
    read: Callable[[str], str],
    compiled: Mapping[str, Any | None],
    report: set[str],
) -> tuple[dict[str, Artifact], list[Finding]]:
    """The files of ``ctx``'s bundle that change when ``compiled`` replaces those flags (None:
    removed); ``read(path)`` is REF's text of a rendered file. FW311 warnings are listed for the
    flags in ``report``."""
    base = ctx.base
    ref_text = read(f"{base}/flags/snapshot.json")
    try:
        ref = json.loads(ref_text)
        lines = flag_lines(ref_text)
    except (json.JSONDecodeError, ValueError):
        raise StaleExport(f"{base}/flags/snapshot.json does not parse") from None
    members = {key: f"{compact_json(key)}:{value}" for key, value in lines.items()}
    if set(members) != set(ref["flags"]) or _digest(ref, members) != ref["digest"]:
        raise StaleExport(f"{base}/flags/snapshot.json does not verify")
    changed = {
        k for k, v in compiled.items()
        if lines.get(k) != (None if v is None else compact_json(v))
    }  # fmt: skip
    if not changed:
        return {}, []
    flags = dict(ref["flags"])
    for key in changed:
        value = compiled[key]
        if value is None:  # removed: nothing requires it (the caller made sure)
            del flags[key], members[key]
        else:
            flags[key] = value
            members[key] = f"{compact_json(key)}:{compact_json(value)}"
    flags = dict(sorted(flags.items()))
    joined = "{" + ",".join(members[k] for k in flags) + "}"
    bundle = {**ref, "flags": flags, "source_digest": _sha256(joined)}
    text = BundleText(bundle)
    text.prefill(members)
    bundle["digest"] = text.digest(flags)
    ctx.__dict__["bundle"] = bundle  # the cached_properties' slots
    ctx.__dict__["bundle_text"] = text
    again = _with_dependents(flags, changed)
    out = dict(render_snapshot(ctx))
    affected = []
    for deployment in ctx.deployments:
        patterns = deployment.app.model.flags
        selects = re.compile("|".join(translate(p) for p in patterns)).match if patterns else None
        if selects is None or not any(selects(key) for key in again):
            continue  # its selection holds no changed flag: REF's ConfigMap is this one
        affected.append(deployment)
        path = configmap_path(ctx, deployment.name)
        artifact = flag_configmap(ctx, deployment)
        if needs_server_side_apply(artifact) != needs_server_side_apply(Artifact(read(path))):
            raise StaleExport(f"{path} crosses the server-side-apply size")
        out[path] = artifact
    for target, patch in (("flagd.json", patch_flagd), ("featuremanagement.json", None)):
        path = f"{base}/flags/{target}"
        if patch is None:
            done = patch_featuremanagement(flags, read(path), again)
            from flagwright.export.schemas import featuremanagement_problems as problems
        else:
            done = patch(bundle, read(path), again)
            from flagwright.export.schemas import flagd_problems as problems
        if problems(done.document):
            raise StaleExport(f"{path} fails its schema")
        out[path] = Artifact(done.text)
        _report(ctx, target, done.omitted, report & changed, affected)
    return out, ctx.findings.items


def _report(
    ctx: EnvContext, target: str, omitted: list[Unsupported], keys: set[str], affected: list[Any]
) -> None:
    """FW311 for the changed flags an export leaves out, as the full render words it. Only the
    affected apps can carry a changed flag."""
    reading = {d.name for d in readers(ctx, target)}
    for problem in omitted:
        if problem.flag not in keys or problem.flag not in ctx.index.flags:
            continue
        apps = sorted(
            d.name
            for d in affected
            if d.name in reading
            and problem.flag in ctx.selections.get(tuple(d.app.model.flags), [])
        )
        if not apps:
            continue  # the full render counts it in the FW320 summary, which is not redone
        ctx.findings.add(
            ctx.index.flags[problem.flag].source, ("environments", ctx.name), Code.EXPORT_OMITTED,
            f"left out of {ctx.base}/flags/{target} and the ConfigMap of {', '.join(apps)} "
            f"(which read{'s' if len(apps) == 1 else ''} it): "
            f"{problem.construct}: {problem.reason}",
        )  # fmt: skip


def _with_dependents(flags: Mapping[str, Any], changed: set[str]) -> set[str]:
    """``changed`` and every flag that requires one of them, directly or not."""
    dependents: dict[str, list[str]] = {}
    for key, flag in flags.items():
        for name in flag["requires"]:
            dependents.setdefault(name, []).append(key)
    found = set(changed)
    pending = list(changed)
    while pending:
        for other in dependents.get(pending.pop(), []):
            if other not in found:
                found.add(other)
                pending.append(other)
    return found


def _digest(bundle: Mapping[str, Any], members: Mapping[str, str]) -> str:
    text = BundleText(bundle)
    text.prefill(members)
    return text.digest(members)


def _sha256(text: str) -> str:
    return "sha256:" + sha256(text.encode("utf-8")).hexdigest()
