"""Positions of document paths, as diagnostics use them (1-based line and column)."""

from __future__ import annotations

import pytest

from flagwright.load.positions import PositionIndex

TEXT = """\
kind: Flag
key: a
description:
environments:
  prod:
    rules:
      - name: staff
        when: {attr: email, op: ends_with, value: "@x.io"}
    split: {on: 50, off: 50}
weights:
  1: one
  true: yes
---
kind: Segment
name: s
"""


@pytest.mark.parametrize(
    ("doc", "where", "at", "expected"),
    [
        (0, ("key",), "value", (2, 6)),
        (0, ("key",), "key", (2, 1)),
        (0, ("description",), "value", (3, 1)),  # empty value: at its key
        (0, ("environments", "prod"), "value", (5, 3)),  # a mapping: at its key
        (0, ("environments", "prod", "rules", 0), "value", (7, 9)),
        (0, ("environments", "prod", "rules", 0, "when", "value"), "value", (8, 51)),
        (0, ("environments", "prod", "split", "off"), "key", (9, 21)),
        (0, ("environments", "prod", "nope", "deeper"), "value", (5, 3)),  # nearest ancestor
        (0, ("environments", "prod", "rules", 5), "value", (6, 5)),
        (0, ("weights", 1), "value", (11, 6)),  # keys the loader read as numbers or booleans
        (0, ("weights", True), "value", (12, 9)),
        (1, ("name",), "value", (15, 7)),
        (1, (), "value", (14, 1)),
        (2, ("name",), "value", (1, 1)),  # no such document
    ],
)
def test_locate(doc: int, where: tuple[str | int, ...], at: str, expected: tuple[int, int]) -> None:
    assert PositionIndex(TEXT).locate(doc, where, at) == expected  # type: ignore[arg-type]
