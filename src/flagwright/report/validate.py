"""What ``flagwright validate`` prints: the diagnostics in the chosen format, and a line saying
what was checked when there is nothing to report (text format only)."""

from __future__ import annotations

from flagwright.check.repository import Validation
from flagwright.report.diagnostics import FORMATTERS


def validation_text(found: Validation, fmt: str) -> str:
    text = FORMATTERS[fmt](found.diagnostics)
    if fmt != "text" or found.diagnostics:
        return text
    what = f"{found.files} files, {found.documents} documents: no problems\n"
    if found.pushed is None:
        return what
    head, base = found.pushed.head, found.pushed.base
    against = f" against {base[:12]}" if base else " (nothing to compare with)"
    return f"{head[:12]}{against}: {what}"
