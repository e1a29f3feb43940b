"""``rendered/<env>/flags/flagd.json`` and ``featuremanagement.json``: flags for other runtimes.

Both are computed from the environment's compiled bundle (the one ``snapshot.json`` holds). A
flag an export cannot express exactly is left out of that export and reported
(:func:`flagwright.render.app_exports.report_omitted`); an export that fails its upstream schema
is an error.
"""

from __future__ import annotations

from flagwright.codes import Code
from flagwright.diagnostics import Source
from flagwright.render.app_exports import dump_export, report_omitted
from flagwright.render.artifact import Artifact
from flagwright.render.context import EnvContext

FEATUREMANAGEMENT_NOTE = (
    "note: featuremanagement.json percentages are bucketed by Microsoft.FeatureManagement's own "
    "hash, not flagd's: the same share of users gets a variant, but not the same users"
)


def _schema_errors(ctx: EnvContext, path: str, problems: list[str]) -> None:
    for message in problems:
        ctx.findings.add(Source(path), (), Code.EXPORT_SCHEMA, message)


def render_flagd(ctx: EnvContext) -> dict[str, Artifact]:
    from flagwright.export.flagd import flagd_export
    from flagwright.export.schemas import flagd_problems

    export = flagd_export(ctx.bundle)
    path = f"{ctx.base}/flags/flagd.json"
    report_omitted(ctx, "flagd.json", export.omitted)
    _schema_errors(ctx, path, flagd_problems(export.document))
    return {path: Artifact(dump_export(export.document, "flagd.json"))}


def render_featuremanagement(ctx: EnvContext) -> dict[str, Artifact]:
    from flagwright.export.featuremanagement import featuremanagement_document
    from flagwright.export.schemas import featuremanagement_problems

    document, omitted = featuremanagement_document(ctx.bundle)
    path = f"{ctx.base}/flags/featuremanagement.json"
    report_omitted(ctx, "featuremanagement.json", omitted)
    _schema_errors(ctx, path, featuremanagement_problems(document))
    return {path: Artifact(dump_export(document, "featuremanagement.json"))}
