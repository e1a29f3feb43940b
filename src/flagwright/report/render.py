"""What ``flagwright render`` prints: the problems, the drift (``--check``) or the files written.

``--check`` runs in CI and pre-commit on every change: it shows errors and drift, and only counts
the warnings that ``flagwright render`` lists when the author renders.
"""

from __future__ import annotations

from flagwright.render.command import RenderRun
from flagwright.report.diagnostics import as_text
from flagwright.report.lines import Line, err, out, per_file


def render_lines(run: RenderRun) -> list[Line]:
    output = run.output
    if not output.rendered:
        return [
            err(as_text(output.diagnostics)),
            err("not rendering: the configuration has errors\n"),
        ]
    lines = []
    if run.changed is not None:
        fallback, again = run.changed.fallback, run.changed.rendered
        why = f"everything ({fallback})" if fallback else (", ".join(again) or "no environment")
        lines.append(err(f"rendered again: {why}\n"))
    shown = [d for d in output.diagnostics if not run.check or d.severity == "error"]
    if shown:
        lines.append(err(as_text(shown)))
    if hidden := len(output.diagnostics) - len(shown):
        lines.append(err(f"{hidden} warnings not shown; `flagwright render` lists them\n"))
    if not output.ok:
        lines.append(err(f"not writing {output.scope}/: the rendered output is invalid\n"))
    elif run.check:
        lines.extend(_drift(run))
    elif run.written is not None:
        lines.extend(_written(run))
    return lines


def _drift(run: RenderRun) -> list[Line]:
    lines = []
    for item in run.drift:
        lines += [out(f"{item.path}: would be {item.status}\n"), out(item.diff)]
    if run.drift:
        scope, count = run.output.scope, len(run.drift)
        lines.append(err(f"{scope}/ is out of date ({count} files): run `flagwright render`\n"))
    return lines


def _written(run: RenderRun) -> list[Line]:
    changes = run.written
    assert changes is not None
    lines = per_file(changes, "{path}: {label}\n")
    if any(path.endswith("/flags/featuremanagement.json") for path in run.output.files):
        from flagwright.render.exports import FEATUREMANAGEMENT_NOTE

        lines.append(out(FEATUREMANAGEMENT_NOTE + "\n"))
    lines.append(
        out(
            f"{run.output.scope}/: {len(changes.added)} added, {len(changes.changed)} changed, "
            f"{len(changes.removed)} removed, {changes.unchanged} unchanged\n"
        )
    )
    return lines
