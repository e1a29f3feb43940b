"""The export files an app's ConfigMap carries (``App.reads``), and which omissions to report.

An app's flagd and FeatureManagement files are computed from the app's own bundle (its selected
flags and their prerequisites), like its ``snapshot.json``. The environment-level exports under
``rendered/<env>/flags/`` are computed once per environment; their omissions are reported per
flag only where some app of the environment reads that export and carries the flag, and
otherwise in one summary line per export, so a repository without .NET services is not buried
in FeatureManagement warnings.
"""

from __future__ import annotations

from typing import Any

from flagwright.codes import Code
from flagwright.export.problems import Unsupported
from flagwright.render.context import Deployment, EnvContext

EXPORT_FORMATS = {"flagd.json": "flagd", "featuremanagement.json": "featuremanagement"}


def dump_export(document: dict[str, Any], target: str) -> str:
    # One flag per line: readable diffs of rendered/, and fast to write for large repositories.
    from flagwright.compile.json_out import dump_outline

    return dump_outline(document, 2 if target == "flagd.json" else 3)


def export_document(
    bundle: dict[str, Any], target: str
) -> tuple[dict[str, Any], list[Unsupported]]:
    """The export ``target`` (``flagd.json`` or ``featuremanagement.json``) of ``bundle``."""
    if target == "flagd.json":
        from flagwright.export.flagd import flagd_export

        export = flagd_export(bundle)
        return export.document, export.omitted
    from flagwright.export.featuremanagement import featuremanagement_document

    return featuremanagement_document(bundle)


def app_bundle(ctx: EnvContext, keys: list[str], digest: str) -> dict[str, Any]:
    """The app's bundle as a document (the ConfigMap's snapshot.json, parsed)."""
    flags = ctx.bundle["flags"]
    return {**ctx.bundle, "flags": {key: flags[key] for key in keys}, "digest": digest}


def app_export_text(ctx: EnvContext, keys: list[str], digest: str, target: str) -> str:
    document, _ = export_document(app_bundle(ctx, keys, digest), target)
    return dump_export(document, target)


def readers(ctx: EnvContext, target: str) -> list[Deployment]:
    """The environment's apps whose services read ``target``."""
    fmt = EXPORT_FORMATS[target]
    return [d for d in ctx.deployments if fmt in d.app.model.reads]


def report_omitted(ctx: EnvContext, target: str, omitted: list[Unsupported]) -> None:
    """Per-flag warnings for the flags reading apps carry; one summary line for the rest."""
    from flagwright.compile.select import selected_keys

    carried: dict[str, list[str]] = {}
    for deployment in readers(ctx, target):
        for key in selected_keys(ctx.bundle, list(deployment.app.model.flags)):
            carried.setdefault(key, []).append(deployment.name)
    rest = []
    for problem in omitted:
        apps = carried.get(problem.flag)
        located = ctx.index.flags.get(problem.flag)
        if located is None:  # pragma: no cover - every bundle flag comes from the index
            continue
        if not apps:
            rest.append(problem.flag)
            continue
        ctx.findings.add(
            located.source, ("environments", ctx.name), Code.EXPORT_OMITTED,
            f"left out of {ctx.base}/flags/{target} and the ConfigMap of "
            f"{', '.join(sorted(apps))} (which read{'s' if len(apps) == 1 else ''} it): "
            f"{problem.construct}: {problem.reason}",
        )  # fmt: skip
    if rest:
        ctx.findings.add(
            ctx.environment.source, ("name",), Code.EXPORT_OMITTED_UNREAD,
            f"{ctx.base}/flags/{target} leaves out {len(rest)} flag(s) no app here reads from it "
            f"({', '.join(sorted(rest))}); its $comment says why",
        )  # fmt: skip
