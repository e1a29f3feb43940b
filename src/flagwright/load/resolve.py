"""Give every finding its line and column, re-reading only the files that have findings."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from flagwright.diagnostics import Diagnostic, Finding, Source, YamlPath
from flagwright.load.allocation import cycle_collector_paused

if TYPE_CHECKING:
    from flagwright.load.positions import PositionIndex


def resolve_positions(findings: Iterable[Finding], texts: Mapping[str, str]) -> list[Diagnostic]:
    with cycle_collector_paused():
        return _resolve(findings, texts)


def _resolve(findings: Iterable[Finding], texts: Mapping[str, str]) -> list[Diagnostic]:
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_file[finding.source.path].append(finding)
    indexes: dict[str, PositionIndex] = {}

    def locate(source: Source, where: YamlPath, at: str = "value") -> tuple[int, int]:
        text = texts.get(source.path)
        if text is None:
            return 1, 1
        index = indexes.get(source.path)
        if index is None:
            from flagwright.load.positions import PositionIndex  # only when there are findings

            index = indexes[source.path] = PositionIndex(text)
        return index.locate(source.doc, where, "key" if at == "key" else "value")

    diagnostics: list[Diagnostic] = []
    for path, items in by_file.items():
        for finding in items:
            if finding.position is not None:
                line, col = finding.position
            else:
                line, col = locate(finding.source, finding.where, finding.at)
            message = finding.message
            if finding.related is not None:
                other, other_where = finding.related
                message = f"{message} {other.path}:{locate(other, other_where)[0]}"
            diagnostics.append(
                Diagnostic(path, line, col, finding.code.code, finding.severity, message)
            )
    return sorted(set(diagnostics))
