"""Equality and membership as conditions compare values: no bool/number confusion."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TypeGuard


def is_number(value: object) -> TypeGuard[float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def strict_equal(left: object, right: object) -> bool:
    """``==`` without bool/number confusion (``True != 1``), recursively for lists and maps."""
    if isinstance(left, bool) or isinstance(right, bool):
        return left is right
    if is_number(left) or is_number(right):
        return is_number(left) and is_number(right) and left == right
    if isinstance(left, str) or isinstance(right, str):
        return isinstance(left, str) and isinstance(right, str) and left == right
    if isinstance(left, (list, tuple)) and isinstance(right, (list, tuple)):
        return len(left) == len(right) and all(map(strict_equal, left, right))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(strict_equal(left[k], right[k]) for k in left)
    return left is None and right is None


class Membership:
    """``values`` split by kind so set lookups cannot confuse ``True`` with ``1``."""

    __slots__ = ("bools", "numbers", "others", "strings")

    def __init__(self, values: list[Any]) -> None:
        self.strings = frozenset(v for v in values if isinstance(v, str))
        self.bools = frozenset(v for v in values if isinstance(v, bool))
        self.numbers = frozenset(v for v in values if is_number(v))
        self.others = tuple(v for v in values if isinstance(v, (list, dict)))

    def __contains__(self, value: object) -> bool:
        if isinstance(value, str):
            return value in self.strings
        if isinstance(value, bool):
            return value in self.bools
        if is_number(value):
            return value in self.numbers
        return any(strict_equal(value, other) for other in self.others)
