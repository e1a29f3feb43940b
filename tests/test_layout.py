"""Where things live (docs/ARCHITECTURE.md): no loose modules at the package root, exit codes
mapped only by the entry point, and the CLI modules only parse, call and print."""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "flagwright"
ROOT_MODULES = {"__init__.py", "codes.py", "diagnostics.py", "errors.py"}
EXITS = re.compile(r"sys\.exit|SystemExit|ctx\.exit|exit_code")


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_the_package_root_holds_only_the_shared_modules() -> None:
    loose = {p.name for p in PACKAGE.glob("*.py")} - ROOT_MODULES
    assert loose == set()


def test_only_the_entry_point_turns_outcomes_into_exit_codes() -> None:
    exiting = [
        str(p.relative_to(PACKAGE))
        for p in _modules()
        if EXITS.search(p.read_text(encoding="utf-8"))
    ]
    assert exiting == ["cli/main.py"]


def test_commands_print_through_formatters() -> None:
    """A command module formats nothing itself: no f-string reaches click.echo directly."""
    echoing_fstrings = [
        f"{p.name}:{n}"
        for p in sorted((PACKAGE / "cli").glob("*_cmd.py"))
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"click\.echo\(f[\"']", line)
    ]
    assert echoing_fstrings == []


def test_modules_stay_small() -> None:
    large = [
        str(p.relative_to(PACKAGE))
        for p in _modules()
        if len(p.read_text(encoding="utf-8").splitlines()) >= 400
    ]
    assert large == []
