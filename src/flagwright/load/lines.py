"""Line and column of a character offset, counting lines as editors and YAML 1.2 do.

libyaml follows YAML 1.1 and also breaks lines at U+0085, U+2028 and U+2029, so every line number
it reports after one of them (inside a quoted string, say) is one too high. Positions are
therefore taken from the mark's character offset whenever the text holds one of them; only
``\\n``, ``\\r\\n`` and ``\\r`` end a line.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Any

_YAML11_BREAKS = ("\x85", "\u2028", "\u2029")
_LINE_END = re.compile(r"\r\n|\r|\n")


class Lines:
    """Maps marks and offsets of one text to 1-based (line, column)."""

    def __init__(self, text: str) -> None:
        self._starts: list[int] | None = None
        if any(char in text for char in _YAML11_BREAKS):
            self._starts = [0, *(m.end() for m in _LINE_END.finditer(text))]

    def of_mark(self, mark: Any) -> tuple[int, int]:
        if mark is None:
            return 1, 1
        if self._starts is None:  # libyaml counted lines as we do
            return mark.line + 1, mark.column + 1
        return self.of_offset(mark.index)

    def of_offset(self, index: int) -> tuple[int, int]:
        starts = self._starts
        if starts is None:
            raise ValueError(
                "of_offset needs a text with YAML 1.1 line breaks; use offset_position"
            )
        line = bisect_right(starts, index)
        return line, index - starts[line - 1] + 1


def offset_position(text: str, index: int) -> tuple[int, int]:
    """(line, column) of the character at ``index``."""
    before = text[:index]
    starts = [0, *(m.end() for m in _LINE_END.finditer(before))]
    return len(starts), index - starts[-1] + 1
