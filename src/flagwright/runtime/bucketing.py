"""Bucketing rule ``flagd-v2`` (design.md §6): flagd's ``fractional`` with integer arithmetic."""

from __future__ import annotations

from mmh3 import hash as _murmur3

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

BUCKETING = "flagd-v2"
TOTAL = 10000


def key_text(value: object) -> str | None:
    """The text appended to the flag key, or None when the value cannot be bucketed.

    Strings (the normal case) are used as they are. Other scalars are rendered the way flagd's
    ``cat`` renders JSON values, so the flagd export agrees: ``true``/``false``, integers in
    decimal, integral floats without ``.0``. Missing, empty and non-scalar values have no bucket.
    """
    if isinstance(value, str):
        return value or None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        return str(int(value)) if value.is_integer() else repr(value)
    return None


def hash_key(key: str) -> int:
    """Unsigned murmur3 x86 32-bit hash (seed 0) of the UTF-8 encoding of ``key``."""
    return int(_murmur3(key.encode("utf-8"), 0, False))


def bucket_value(flag_key: str, value: object, total: int = TOTAL) -> int | None:
    """The bucket in ``[0, total)`` of ``value`` for ``flag_key``; None when it has no bucket."""
    text = key_text(value)
    if text is None or total <= 0:
        return None
    return (hash_key(flag_key + text) * total) >> 32


def pick(bucket: int, weights: Sequence[int]) -> int:
    """Index of the first weight whose running sum exceeds ``bucket`` (flagd's selection)."""
    running = 0
    for index, weight in enumerate(weights):
        running += weight
        if bucket < running:
            return index
    raise ValueError(f"bucket {bucket} is outside the weights' total {running}")


def bucket(flag_key: str, value: object, weights: Sequence[int]) -> int | None:
    """Index of the variant ``value`` falls into for integer ``weights`` in declared order.

    The total is the sum of the weights (10000 in snapshots). None when the value has no bucket
    (missing, empty or non-scalar) or the weights are all zero.
    """
    if any(w < 0 for w in weights):
        raise ValueError("weights must not be negative")
    found = bucket_value(flag_key, value, sum(weights))
    return None if found is None else pick(found, weights)
