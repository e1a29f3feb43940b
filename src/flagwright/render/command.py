"""``flagwright render``'s core: render (all of it, or what changed since REF), then compare with
the committed files (``--check``) or write them. Returns a :class:`RenderRun`; never prints
(``report/render.py`` words it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from flagwright.errors import Status
from flagwright.render.drift import Drift, check_files, check_tree
from flagwright.render.incremental import ChangedRender, render_changed_since
from flagwright.render.pipeline import ProgressBar, RenderOptions, RenderOutput, render_repository
from flagwright.render.writer import Changes, write_files, write_tree


@dataclass(frozen=True, slots=True)
class RenderRun:
    output: RenderOutput
    check: bool
    changed: ChangedRender | None = None  # with --changed-since: what was rendered again
    drift: list[Drift] = field(default_factory=list)  # with --check
    written: Changes | None = None  # without --check, when the output was valid

    @property
    def status(self) -> Status:
        return Status.of(self.output.ok and not self.drift)


def run_render(
    root: Path,
    today: date,
    options: RenderOptions,
    check: bool = False,
    changed_since: str | None = None,
    progress: ProgressBar | None = None,
) -> RenderRun:
    """Nothing is written when the configuration or the rendered output has errors."""
    changed = None
    if changed_since is not None:
        changed = render_changed_since(root, changed_since, today, options)
        output = changed.output
    else:
        output = render_repository(root, today, options, progress)
    if not output.ok:
        return RenderRun(output, check, changed)
    texts = {path: artifact.text for path, artifact in output.files.items()}
    partial = changed is not None and changed.partial  # only the files a Flag change touches
    if check:
        drift = check_files(root, texts) if partial else check_tree(root, texts, output.scope)
        return RenderRun(output, check, changed, drift=drift)
    written = write_files(root, texts) if partial else write_tree(root, texts, output.scope)
    return RenderRun(output, check, changed, written=written)
