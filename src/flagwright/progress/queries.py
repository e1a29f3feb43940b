"""A gate's PromQL: the environment's query template with the flag's names filled in.

This is the one place ``progress`` renders a query template. It goes through the same sandbox
as Helm value strings (bare names only, ``StrictUndefined``), so a template can neither run code
nor build a huge string; a problem is a finding at the query's line in the environment file.
"""

from __future__ import annotations

from collections.abc import Mapping

from flagwright.diagnostics import Findings, Source
from flagwright.render.templating import ValueTemplates

_TEMPLATES = ValueTemplates()


def render_query(
    template: str, names: Mapping[str, str], source: Source, query: str, findings: Findings
) -> str | None:
    """The rendered PromQL, or None (with a finding) when the template cannot render."""
    before = len(findings.items)
    text = _TEMPLATES.render_tree(template, names, source, ("metrics", "queries", query), findings)
    if len(findings.items) > before or not isinstance(text, str):
        return None
    return text
