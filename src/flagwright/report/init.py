"""What ``flagwright init`` prints: the files written, then what to do next."""

from __future__ import annotations

from pathlib import Path

from flagwright.report.lines import Line, err, out


def init_lines(directory: Path, written: list[str]) -> list[Line]:
    lines = [out(f"{directory / rel}: written\n") for rel in written]
    hint = f"next: cd {directory} && flagwright validate && flagwright render, then commit\n"
    return [*lines, err(hint)]
