"""Give every finding its line and column, re-reading only the files that have findings."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from flagwright.diagnostics import Diagnostic, Finding


def resolve_positions(findings: Iterable[Finding], texts: Mapping[str, str]) -> list[Diagnostic]:
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_file[finding.source.path].append(finding)
    diagnostics: list[Diagnostic] = []
    for path, items in by_file.items():
        index = None
        for finding in items:
            if finding.position is not None:
                line, col = finding.position
            elif path in texts:
                if index is None:
                    from flagwright.load.positions import PositionIndex  # ruamel: only when needed

                    index = PositionIndex(texts[path])
                line, col = index.locate(finding.source.doc, finding.where, finding.at)
            else:
                line, col = 1, 1
            diagnostics.append(
                Diagnostic(path, line, col, finding.code.code, finding.severity, finding.message)
            )
    return sorted(set(diagnostics))
