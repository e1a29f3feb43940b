"""`render --check`: what rendering would add, change or remove, each with a short diff."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from flagwright.render.writer import compare, existing_files, read_regular

MAX_DIFF_LINES = 12


@dataclass(frozen=True, slots=True)
class Drift:
    """``added``: rendering would create the file; ``removed``: it would delete it."""

    path: str
    status: Literal["added", "changed", "removed"]
    diff: str


def check_tree(root: Path, texts: Mapping[str, str], scope: str) -> list[Drift]:
    files = {path: text.encode("utf-8") for path, text in texts.items()}
    changes = compare(root, files, scope)
    current = existing_files(root, scope)
    drift = [Drift(p, "added", _diff(p, None, texts[p])) for p in changes.added]
    drift += [Drift(p, "changed", _diff(p, _text(current[p]), texts[p])) for p in changes.changed]
    drift += [Drift(p, "removed", _diff(p, _text(current[p]), None)) for p in changes.removed]
    return sorted(drift, key=lambda d: d.path)


def check_files(root: Path, texts: Mapping[str, str]) -> list[Drift]:
    """Drift of just these files (a render of part of the tree, ``render --changed-since``)."""
    drift = []
    for path, text in sorted(texts.items()):
        old = _text(root / path) if (root / path).exists() else None
        if old != text:
            drift.append(Drift(path, "added" if old is None else "changed", _diff(path, old, text)))
    return drift


def _text(path: Path) -> str | None:
    data = read_regular(path)
    try:
        return None if data is None else data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _diff(path: str, old: str | None, new: str | None) -> str:
    before = (old or "").splitlines(keepends=True)
    after = (new or "").splitlines(keepends=True)
    lines = list(
        difflib.unified_diff(
            before, after,
            fromfile="/dev/null" if old is None else f"a/{path}",
            tofile="/dev/null" if new is None else f"b/{path}",
            n=1,
        )
    )  # fmt: skip
    lines = [line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
             for line in lines]  # fmt: skip
    if len(lines) > MAX_DIFF_LINES:
        more = len(lines) - MAX_DIFF_LINES
        lines = [*lines[:MAX_DIFF_LINES], f"... {more} more diff lines\n"]
    return "".join(lines)
