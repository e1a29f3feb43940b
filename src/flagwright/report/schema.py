"""What ``flagwright schema`` prints: the schemas written, or (``--check``) the drift."""

from __future__ import annotations

from flagwright.model.schemas import SchemaRun
from flagwright.report.lines import Line, err, out, per_file


def schema_lines(run: SchemaRun) -> list[Line]:
    drift = run.drift
    if drift is None:
        return [out(f"wrote {name}\n") for name in run.written]
    lines = per_file(drift, "schemas/{path}: would be {label}\n")
    if not drift.clean:
        lines.append(err("schemas are out of date: run `flagwright schema`\n"))
    return lines
