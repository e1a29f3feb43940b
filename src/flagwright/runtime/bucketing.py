"""Bucketing rules by name: ``flagd-v2`` (design.md §6) and ``flagd-v3`` (CBOR bucket keys).

Both are flagd's ``fractional`` with integer arithmetic: ``h`` is murmur3 x86 32-bit (seed 0,
unsigned) of the rule's *bucket input*, ``bucket = (h * total) >> 32``, and the variant is the
first whose running sum of weights exceeds the bucket. The rules differ only in the input:

* ``flagd-v2``: the UTF-8 text ``flag_key + key_text(value)`` (what flagd, the JS flagd core 4.x
  and the Python flagd core 1.x hash).
* ``flagd-v3``: deterministic CBOR (:mod:`.cbor`). For ``bucket_by: targeting_key`` it is the
  array ``[flag_key, targeting_key]`` (fractional's shorthand form in openfeature-flagd-core
  2.x), and the targeting key must be a non-empty string. For any other attribute it is the CBOR
  text ``flag_key + key_text(value)`` (the export's ``cat`` of the flag key and the value, which
  keeps flags decorrelated).

:data:`RULES` maps each name to its input function ``(flag_key, attribute, value)``; None means
the value has no bucket and the default is served.
"""

from __future__ import annotations

from mmh3 import hash as _murmur3

from .cbor import encode_pair, encode_text

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import TypeAlias

    BucketInput: TypeAlias = Callable[[str, str, object], "str | bytes | None"]

BUCKETING = "flagd-v2"  # the default rule, and the one of bundles that do not name another
FLAGD_V3 = "flagd-v3"
TOTAL = 10000
SHORTHAND_ATTRIBUTE = "targeting_key"


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


def v2_input(flag_key: str, attribute: str, value: object) -> str | None:
    """``flagd-v2``: the text ``flag_key + key_text(value)`` (hashed as UTF-8)."""
    text = key_text(value)
    return None if text is None else flag_key + text


def v3_input(flag_key: str, attribute: str, value: object) -> bytes | None:
    """``flagd-v3``: CBOR ``[flag_key, targeting_key]``, or CBOR text ``flag_key + key_text``."""
    if attribute == SHORTHAND_ATTRIBUTE:
        if type(value) is str and value:
            return encode_pair(flag_key, value)
        return None
    text = key_text(value)
    return None if text is None else encode_text(flag_key + text)


RULES: dict[str, BucketInput] = {BUCKETING: v2_input, FLAGD_V3: v3_input}


def shown_key(flag_key: str, attribute: str, value: object) -> object:
    """The ``flagd-v3`` bucket key as JSON, for ``explain``: the array or the text it encodes."""
    if attribute == SHORTHAND_ATTRIBUTE:
        return [flag_key, value]
    return flag_key + (key_text(value) or "")


def hash_key(key: str | bytes) -> int:
    """Unsigned murmur3 x86 32-bit hash (seed 0) of ``key`` (text is hashed as UTF-8)."""
    data = key.encode("utf-8") if isinstance(key, str) else key
    return int(_murmur3(data, 0, False))


def bucket_value(
    flag_key: str,
    value: object,
    total: int = TOTAL,
    rule: str = BUCKETING,
    attribute: str = SHORTHAND_ATTRIBUTE,
) -> int | None:
    """The bucket in ``[0, total)`` of ``value`` for ``flag_key``; None when it has no bucket."""
    data = RULES[rule](flag_key, attribute, value)
    if data is None or total <= 0:
        return None
    return (hash_key(data) * total) >> 32


def pick(bucket: int, weights: Sequence[int]) -> int:
    """Index of the first weight whose running sum exceeds ``bucket`` (flagd's selection)."""
    running = 0
    for index, weight in enumerate(weights):
        running += weight
        if bucket < running:
            return index
    raise ValueError(f"bucket {bucket} is outside the weights' total {running}")


def bucket(
    flag_key: str,
    value: object,
    weights: Sequence[int],
    rule: str = BUCKETING,
    attribute: str = SHORTHAND_ATTRIBUTE,
) -> int | None:
    """Index of the variant ``value`` falls into for integer ``weights`` in declared order.

    The total is the sum of the weights (10000 in snapshots). None when the value has no bucket
    (missing, empty or non-scalar) or the weights are all zero.
    """
    if any(w < 0 for w in weights):
        raise ValueError("weights must not be negative")
    found = bucket_value(flag_key, value, sum(weights), rule, attribute)
    return None if found is None else pick(found, weights)
