"""What ``flagwright import`` prints: what could not be translated, the files written, notes,
and a summary."""

from __future__ import annotations

from flagwright.importer import ImportRun
from flagwright.report.diagnostics import as_text
from flagwright.report.lines import Line, err, out


def import_lines(run: ImportRun) -> list[Line]:
    plan = run.plan
    lines = [out(as_text(plan.diagnostics))] if plan.diagnostics else []
    lines += [out(f"{path}: written\n") for path in run.written]
    lines += [err(f"note: {note}\n") for note in plan.notes]
    skipped = "" if plan.complete else "; see the problems above: those flags were not imported"
    lines.append(
        err(
            f"imported {len(plan.flags)} flag(s) into {run.environment!r}: "
            f"{len(run.written)} file(s) written, {len(run.unchanged)} unchanged{skipped}\n"
        )
    )
    return lines
