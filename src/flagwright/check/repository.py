"""Load → index → check → locate: the one way files become a checked configuration.

``validate`` runs all of it on the work tree (and what render would refuse); the edits check the
configuration before and after an edit in memory, ``progress`` the work tree it decides on, and a
revision of the history (``diff``, ``log``, the policies' base) is only indexed. What differs
between them is a parameter here, never a copy of the sequence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flagwright.check import CheckOptions, run_checks
from flagwright.diagnostics import Diagnostic, Findings
from flagwright.load.index import ConfigIndex, build_index
from flagwright.load.repository import LoadedRepo, load_repository
from flagwright.load.resolve import resolve_positions


@dataclass(frozen=True, slots=True)
class Validated:
    repo: LoadedRepo
    index: ConfigIndex
    diagnostics: list[Diagnostic]  # the findings at line:col; empty when not located
    findings: Findings  # everything found: while loading, indexing and checking

    @property
    def ok(self) -> bool:
        return not any(d.severity == "error" for d in self.diagnostics)


def check_loaded(
    repo: LoadedRepo,
    options: CheckOptions | None = None,
    *,
    preflight: bool = False,
    locate: bool = True,
) -> Validated:
    """Index ``repo`` and run the checks (none when ``options`` is None: a revision to compare),
    plus what render would refuse when ``preflight``; ``locate`` turns the findings into
    diagnostics at line:col (a revision that is only compared never needs them)."""
    findings = Findings(list(repo.findings.items))
    index = build_index(repo, findings)
    if options is not None:
        run_checks(index, findings, options)
    if preflight:
        # Imported here: the render package is needed only by validate, not by history walks.
        from flagwright.render.preflight import preflight as render_preflight

        render_preflight(index, findings)
    diagnostics = resolve_positions(findings.items, repo.texts) if locate else []
    return Validated(repo, index, diagnostics, findings)


def validate_repository(root: Path, today: date, strict: bool = False) -> Validated:
    """``flagwright validate``'s core: the work tree, every check, and what render would refuse."""
    options = CheckOptions(today=today, strict=strict)
    return check_loaded(load_repository(root), options, preflight=True)
