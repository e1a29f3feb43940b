"""JSON from users (``import`` sources, ``eval -c`` values) read with the YAML loader's limits.

Python's decoder recurses once per nesting level, so ``[[[[…`` 100,000 deep is a RecursionError;
the depth is checked first, by a linear scan. Numbers are held to what every JSON reader in the
chain can represent, as in YAML files: finite floats (``1e400`` is not one), integers that fit in
64 bits.
"""

from __future__ import annotations

import json
import math
from typing import Any

from flagwright.load.yamlio import MAX_DEPTH


class JsonLimitError(ValueError):
    """JSON beyond a limit; ``index`` is the offset of the offending character in the text."""

    def __init__(self, message: str, index: int) -> None:
        super().__init__(message)
        self.index = index


def nesting_error(text: str, limit: int = MAX_DEPTH) -> JsonLimitError | None:
    """The first place ``text`` nests deeper than ``limit`` arrays/objects, or None."""
    depth = 0
    in_string = escaped = False
    for index, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return JsonLimitError(f"nesting is deeper than {limit} levels", index)
        elif char in "]}":
            depth -= 1
    return None


def _int(text: str) -> int:
    value = int(text) if len(text) <= 40 else None
    if value is None or not -(2**63) <= value < 2**63:
        raise ValueError(f"the number {_short(text)} does not fit a 64-bit integer")
    return value


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {_short(text)} is too large for a JSON reader (not finite)")
    return value


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."


def _constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def loads(text: str, **hooks: Any) -> Any:
    """``json.loads`` within the limits; raises ValueError (JsonLimitError for depth)."""
    error = nesting_error(text)
    if error is not None:
        raise error
    return json.loads(text, parse_int=_int, parse_float=_float, parse_constant=_constant, **hooks)
