"""`flagwright validate`: load → model → check (and what render would refuse), then positions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flagwright.check import CheckOptions, run_checks
from flagwright.diagnostics import Diagnostic, Findings
from flagwright.load.index import ConfigIndex, build_index
from flagwright.load.repository import LoadedRepo, load_repository
from flagwright.load.resolve import resolve_positions
from flagwright.render.preflight import preflight


@dataclass(frozen=True, slots=True)
class Validated:
    repo: LoadedRepo
    index: ConfigIndex
    diagnostics: list[Diagnostic]

    @property
    def ok(self) -> bool:
        return not any(d.severity == "error" for d in self.diagnostics)


def validate_repository(root: Path, today: date, strict: bool = False) -> Validated:
    repo = load_repository(root)
    findings = Findings(list(repo.findings.items))
    index = build_index(repo, findings)
    run_checks(index, findings, CheckOptions(today=today, strict=strict))
    preflight(index, findings)
    return Validated(repo, index, resolve_positions(findings.items, repo.texts))
