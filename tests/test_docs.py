"""docs/reference.md lists every command and every diagnostic code exactly as the code has them.

The two sections between ``<!-- commands -->`` / ``<!-- codes -->`` markers are generated from
the click commands and from ``flagwright.codes``; after a change, refresh them with
``FLAGWRIGHT_UPDATE_EXPECTED=1 python -m pytest tests/test_docs.py`` and read the diff.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import click

from flagwright.cli.main import cli
from flagwright.codes import Code

REFERENCE = Path(__file__).resolve().parents[1] / "docs" / "reference.md"
_RANGES = {
    "0": "Reading files",
    "1": "One document's structure",
    "2": "Meaning across documents",
    "3": "Rendering",
    "4": "Change policies (`validate --base`, edits, `progress`)",
    "5": "Importing (`flagwright import`)",
}


def codes_section() -> str:
    out: list[str] = []
    for digit, title in _RANGES.items():
        out += [f"### FW{digit}xx: {title}", "", "| Code | Severity | Meaning |", "|---|---|---|"]
        for code in sorted(Code, key=lambda c: c.value[0]):
            number, severity, meaning = code.value
            if number[2] == digit:
                out.append(f"| `{number}` | {severity.value} | {meaning} |")
        out.append("")
    return "\n".join(out)


def commands_section() -> str:
    out: list[str] = []
    # The group's own context settings (help option names), as `flagwright CMD --help` has them.
    group_ctx = click.Context(
        cli,
        info_name="flagwright",
        terminal_width=100,
        max_content_width=100,
        **cli.context_settings,
    )
    for name in cli.list_commands(group_ctx):
        command = cli.get_command(group_ctx, name)
        assert command is not None
        # click caches a command's help option from the first context that asked; a test that
        # invoked the command on its own (without the group's `-h`) must not change the page.
        command._help_option = None
        ctx = click.Context(
            command, info_name=name, parent=group_ctx, terminal_width=100, max_content_width=100
        )
        out += [f"### `flagwright {name}`", "", "```", command.get_help(ctx).rstrip(), "```", ""]
    return "\n".join(out)


def _section(text: str, marker: str) -> re.Match[str]:
    found = re.search(rf"<!-- {marker} -->\n(.*?)<!-- /{marker} -->", text, re.S)
    assert found, f"docs/reference.md has no <!-- {marker} --> ... <!-- /{marker} --> section"
    return found


def _check(marker: str, generated: str) -> None:
    text = REFERENCE.read_text(encoding="utf-8")
    if os.environ.get("FLAGWRIGHT_UPDATE_EXPECTED") == "1":
        found = _section(text, marker)
        text = text[: found.start(1)] + generated + "\n" + text[found.end(1) :]
        REFERENCE.write_text(text, encoding="utf-8", newline="\n")
    assert _section(text, marker).group(1) == generated + "\n"


def test_every_diagnostic_code_is_in_the_reference() -> None:
    _check("codes", codes_section())


def test_every_command_is_in_the_reference() -> None:
    _check("commands", commands_section())


def test_code_numbers_are_unique() -> None:
    numbers = [code.value[0] for code in Code]
    assert len(numbers) == len(set(numbers))
