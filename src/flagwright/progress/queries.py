"""A gate's PromQL: the environment's query template with the flag's names filled in.

Rendering is :func:`flagwright.rollouts.gates.render_query`, the one sandbox for metric queries
(bare names only), shared with the Argo Rollouts analysis. ``validate`` already reports a
template it refuses (``FW261``-``FW263``); should one still fail here, it is a finding at the
query's line, never a traceback.
"""

from __future__ import annotations

from collections.abc import Mapping

from flagwright.diagnostics import Findings, Source
from flagwright.render.templating import TemplateProblem
from flagwright.rollouts.gates import render_query as render


def render_query(
    template: str, names: Mapping[str, str], source: Source, query: str, findings: Findings
) -> str | None:
    """The rendered PromQL, or None (with a finding) when the template cannot render."""
    try:
        return render(template, names)
    except TemplateProblem as problem:
        findings.add(source, ("metrics", "queries", query), problem.code, problem.message)
        return None
