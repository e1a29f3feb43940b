"""What ``flagwright schema`` prints: the schemas written, or (``--check``) the drift."""

from __future__ import annotations

from flagwright.model.schemas import SchemaRun
from flagwright.report.lines import Line, err, out


def schema_lines(run: SchemaRun) -> list[Line]:
    drift = run.drift
    if drift is None:
        return [out(f"wrote {name}\n") for name in run.written]
    lines = [
        out(f"schemas/{name}: would be {label}\n")
        for label, names in (("added", drift.added), ("changed", drift.changed),
                             ("removed", drift.removed))
        for name in names
    ]  # fmt: skip
    if not drift.clean:
        lines.append(err("schemas are out of date: run `flagwright schema`\n"))
    return lines
