"""``rendered/<env>/flags/flagd.json`` and ``featuremanagement.json``: flags for other runtimes.

Both are computed from the environment's compiled bundle (the one ``snapshot.json`` holds). A
flag an export cannot express exactly is left out of that export and reported as a warning at
the flag's entry for the environment; an export that fails its upstream schema is an error.
"""

from __future__ import annotations

from typing import Any

from flagwright.codes import Code
from flagwright.diagnostics import Source
from flagwright.export.problems import Unsupported
from flagwright.render.artifact import Artifact
from flagwright.render.context import EnvContext

FEATUREMANAGEMENT_NOTE = (
    "note: featuremanagement.json percentages are bucketed by Microsoft.FeatureManagement's own "
    "hash, not flagd's: the same share of users gets a variant, but not the same users"
)


def _dump(document: dict[str, Any], expand: int) -> str:
    # One flag per line: readable diffs of rendered/, and fast to write for large repositories.
    from flagwright.compile.json_out import dump_outline

    return dump_outline(document, expand)


def _report(ctx: EnvContext, target: str, omitted: list[Unsupported]) -> None:
    for problem in omitted:
        located = ctx.index.flags.get(problem.flag)
        if located is None:  # pragma: no cover - every bundle flag comes from the index
            continue
        ctx.findings.add(
            located.source,
            ("environments", ctx.name),
            Code.EXPORT_OMITTED,
            f"left out of {ctx.base}/flags/{target}: {problem.construct}: {problem.reason}",
        )


def _schema_errors(ctx: EnvContext, path: str, problems: list[str]) -> None:
    for message in problems:
        ctx.findings.add(Source(path), (), Code.EXPORT_SCHEMA, message)


def render_flagd(ctx: EnvContext) -> dict[str, Artifact]:
    from flagwright.export.flagd import flagd_export
    from flagwright.export.schemas import flagd_problems

    export = flagd_export(ctx.bundle)
    path = f"{ctx.base}/flags/flagd.json"
    _report(ctx, "flagd.json", export.omitted)
    _schema_errors(ctx, path, flagd_problems(export.document))
    return {path: Artifact(_dump(export.document, expand=2))}  # $evaluators/flags → entries


def render_featuremanagement(ctx: EnvContext) -> dict[str, Artifact]:
    from flagwright.export.featuremanagement import featuremanagement_document
    from flagwright.export.schemas import featuremanagement_problems

    document, omitted = featuremanagement_document(ctx.bundle)
    path = f"{ctx.base}/flags/featuremanagement.json"
    _report(ctx, "featuremanagement.json", omitted)
    _schema_errors(ctx, path, featuremanagement_problems(document))
    return {path: Artifact(_dump(document, expand=3))}  # feature_management → feature_flags → items
