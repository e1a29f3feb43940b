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
from collections.abc import Callable, Iterator, Mapping
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
from flagwright.render.delta_exports import (
    PatchedExport,
    StaleExport,
    patch_featuremanagement,
    patch_flagd,
)


def flag_lines(text: str) -> dict[str, str]:
    """A snapshot file's flags as ``{key: compact JSON}`` (:func:`snapshot_members` without
    each member's key)."""
    return {key: line[end + 1 :] for key, end, line in _member_lines(text)}


def patch_scope(
    ctx: EnvContext,
    read: Callable[[str], str],
    compiled: Mapping[str, Any | None],
    report: set[str],
    verify: bool = True,
) -> tuple[dict[str, Artifact], list[Finding]]:
    """The files of ``ctx``'s bundle that change when ``compiled`` replaces those flags (None:
    removed); ``read(path)`` is REF's text of a rendered file. FW311 warnings are listed for the
    flags in ``report``. ``verify=False``: the files were rendered a moment ago, in memory."""
    base = ctx.base
    ref_text = read(f"{base}/flags/snapshot.json")
    wanted = {k: None if v is None else _member(k, v) for k, v in compiled.items()}
    if all(_line(ref_text, k) == member for k, member in wanted.items()):
        return {}, []  # every changed flag compiles here as REF's snapshot holds it
    members = snapshot_members(ref_text)
    changed = {k for k, member in wanted.items() if members.get(k) != member}
    ref = _verified_head(ref_text, base) if verify else _head(ref_text, base)
    ref_keys = set(members)
    for key in changed:
        value = compiled[key]
        if value is None:  # removed: nothing requires it (the caller made sure)
            del members[key]
        else:
            members[key] = wanted[key]  # type: ignore[assignment]
    members = dict(sorted(members.items()))
    flags = LazyFlags(members, {k: v for k, v in compiled.items() if v is not None})
    joined = "{" + ",".join(members.values()) + "}"
    bundle = {**ref, "flags": flags, "source_digest": _sha256(joined)}
    text = BundleText(bundle)
    text.prefill(members)
    bundle["digest"] = text.digest(members)
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
    from flagwright.export.schemas import featuremanagement_problems, flagd_problems

    exports: tuple[tuple[str, Callable[[str], PatchedExport], Callable[[Any], list[str]]], ...]
    exports = (
        ("flagd.json", lambda ref: patch_flagd(bundle, ref, again, ref_keys), flagd_problems),
        ("featuremanagement.json",
         lambda ref: patch_featuremanagement(flags, ref, again, ref_keys),
         featuremanagement_problems),
    )  # fmt: skip
    for target, patch, problems in exports:
        path = f"{base}/flags/{target}"
        done = patch(read(path))
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


def _with_dependents(flags: LazyFlags, changed: set[str]) -> set[str]:
    """``changed`` and every flag that requires one of them, directly or not. A flag that
    requires ``key`` has ``"key"`` in its line; only those lines are parsed."""
    found = set(changed)
    pending = list(changed)
    while pending:
        key = pending.pop()
        needle = compact_json(key)
        for other, member in flags.members.items():
            # Another key's own text cannot hold the quoted key: only a value can.
            if other in found or needle not in member:
                continue
            if key in flags[other]["requires"]:
                found.add(other)
                pending.append(other)
    return found


class LazyFlags(Mapping[str, Any]):
    """A bundle's flags, each parsed from its snapshot member only when asked for: a patch
    reads a few hundred of ten thousand."""

    def __init__(self, members: dict[str, str], parsed: dict[str, Any]) -> None:
        self.members = members
        self._parsed = dict(parsed)

    def __getitem__(self, key: str) -> Any:
        value = self._parsed.get(key)
        if value is None:
            member = self.members[key]
            value = self._parsed[key] = json.loads(member[len(compact_json(key)) + 1 :])
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self.members)

    def __len__(self) -> int:
        return len(self.members)

    def __contains__(self, key: object) -> bool:
        return key in self.members


def snapshot_members(text: str) -> dict[str, str]:
    """A snapshot file's flags as ``{key: '"key":compact JSON'}``, read from its one-flag-per-line
    layout (compile/json_out.py) without parsing the flags themselves."""
    return {key: line for key, _, line in _member_lines(text)}


def _member_lines(text: str) -> Iterator[tuple[str, int, str]]:
    """Each flag line of a snapshot file: its key, where the key's spelling ends, and the line
    without its comma. Raises StaleExport if the layout is not the compiler's."""
    decoder = json.JSONDecoder()
    try:
        for line in text.split("\n")[1:-2]:
            end = line.find('":') + 1
            key: Any = line[1 : end - 1]
            if end <= 0 or line[0] != '"' or "\\" in key:
                key, end = decoder.raw_decode(line)  # a key with escapes
            if not isinstance(key, str) or line[end : end + 1] != ":":
                raise StaleExport("a snapshot does not parse")
            yield key, end, line.removesuffix(",")
    except ValueError:
        raise StaleExport("a snapshot does not parse") from None


def _head(text: str, base: str) -> dict[str, Any]:
    """The snapshot's members other than ``flags``, from its first and last lines."""
    first, _, rest = text.partition("\n")
    last = rest.rstrip("\n").rpartition("\n")[2]
    try:
        head: dict[str, Any] = json.loads(first + "}" + last[1:])
    except ValueError:
        raise StaleExport(f"{base}/flags/snapshot.json does not parse") from None
    head.pop("flags", None)
    return head


def _verified_head(text: str, base: str) -> dict[str, Any]:
    """The snapshot's members other than ``flags``, once both its digests are checked: the
    canonical document is the file without its newlines and its ``digest`` member."""
    head = _head(text, base)
    digest = head.pop("digest", None)
    flat = text.rstrip("\n").replace("\n", "")
    member = f'"digest":{compact_json(digest)},'
    flags = flat[flat.index('"flags":{') + 8 : flat.rindex('},"format":') + 1]
    if (
        not isinstance(digest, str)
        or flat.count(member) != 1
        or _sha256(flat.replace(member, "", 1)) != digest
        or _sha256(flags) != head.get("source_digest")
    ):
        raise StaleExport(f"{base}/flags/snapshot.json does not verify")
    return head


def _line(text: str, key: str) -> str | None:
    """The member of ``key`` in a snapshot file's text (its line, without the comma)."""
    needle = f"\n{compact_json(key)}:"
    start = text.find(needle)
    if start < 0:
        return None
    end = text.index("\n", start + 1)
    return text[start + 1 : end].removesuffix(",")


def _member(key: str, value: Any) -> str:
    return f"{compact_json(key)}:{compact_json(value)}"


def _sha256(text: str) -> str:
    return "sha256:" + sha256(text.encode("utf-8")).hexdigest()
