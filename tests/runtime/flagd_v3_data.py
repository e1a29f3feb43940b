"""The vendored flagd-v3 data: vectors and the testbed's @fractional-v3 example rows."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

VENDOR = Path(__file__).resolve().parents[1] / "data/vendor"
V3 = VENDOR / "flagd-v3"
TESTBED_FLAGS = ("custom-ops.json", "edge-case-flags.json")

_CONVERT: dict[str, Any] = {
    "Integer": int,
    "Float": float,
    "Boolean": lambda text: text == "true",
    "Object": json.loads,  # duplicate keys: last wins, as the expectations assume
    "String": lambda text: text,
}
_STEP = re.compile(r"^(Given|And|When|Then|But) (.*)$")


@dataclass(frozen=True)
class Row:
    flag: str
    targeting_key: str | None
    attributes: dict[str, Any]
    expected: str
    line: int


def vectors() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((V3 / "vectors-v3.json").read_text(encoding="utf-8"))
    return data


def testbed_flags() -> dict[str, Any]:
    flags: dict[str, Any] = {}
    for name in TESTBED_FLAGS:
        path = VENDOR / "flagd-testbed/flags" / name
        flags.update(json.loads(path.read_text(encoding="utf-8"))["flags"])
    return flags


def _row(steps: list[str], cells: dict[str, str], line: int) -> Row:
    flag = expected = None
    targeting_key: str | None = None
    attributes: dict[str, Any] = {}
    for step in steps:
        text = re.sub(r"<([^>]+)>", lambda m: cells[m.group(1)], step)
        if found := re.search(r'-flag with key "([^"]*)"', text):
            flag = found[1]
        elif found := re.search(
            r'outer key "([^"]*)" and inner key "([^"]*)", with value "(.*)"$', text
        ):
            attributes.setdefault(found[1], {})[found[2]] = found[3]
        elif found := re.search(r'a targeting key with value "(.*)"$', text):
            targeting_key = found[1]
        elif found := re.search(
            r'a key "([^"]*)", with type "([^"]*)" and with value "(.*)"$', text
        ):
            attributes[found[1]] = _CONVERT[found[2]](found[3])
        elif found := re.search(r'resolved details value should be "(.*)"$', text):
            expected = found[1]
    assert flag is not None and expected is not None, (line, steps)
    if "targetingKey" in attributes:
        targeting_key = attributes.pop("targetingKey")
    return Row(flag, targeting_key, attributes, expected, line)


def testbed_rows() -> list[Row]:
    """Every example row tagged @fractional-v3 (on its Scenario Outline or its Examples)."""
    text = (V3 / "gherkin/targeting.feature").read_text(encoding="utf-8")
    rows: list[Row] = []
    tags: list[str] = []
    outline_tags: list[str] = []
    example_tags: list[str] = []
    steps: list[str] = []
    header: list[str] | None = None
    in_examples = False
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line.startswith("@"):
            tags = line.split()
        elif line.startswith("Scenario"):
            outline_tags, tags, steps, header, in_examples = tags, [], [], None, False
        elif line.startswith("Examples"):
            example_tags, tags, header, in_examples = tags, [], None, True
        elif not in_examples and (found := _STEP.match(line)):
            steps.append(found[0])
        elif in_examples and line.startswith("|"):
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            if header is None:
                header = cells
            elif "@fractional-v3" in outline_tags + example_tags:
                rows.append(_row(steps, dict(zip(header, cells, strict=True)), number))
    return rows
