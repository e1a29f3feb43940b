"""Bucketing rules by name: ``flagd-v2`` and ``flagd-v3`` (CBOR bucket keys). The one
implementation services run: both evaluators take the rule from ``RULES``.

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

The evaluator compares ``h`` directly with each running sum scaled into hash space
(``thresholds``), which picks the same variant without the multiplication; ``bucket`` below is
built from the same pieces, so the vectors that test it test the evaluator's arithmetic too.

:data:`RULES` maps each name to its ``BucketRule``; the evaluator looks the rule up once per
snapshot. Adding a rule is one entry there.
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
TOTAL = 10000  # split weights in snapshots are integers out of TOTAL (percent x 100)
HASH_SPACE = 1 << 32  # murmur3 x86_32 values are in [0, HASH_SPACE)
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


def shown_key(flag_key: str, attribute: str, value: object) -> object:
    """The ``flagd-v3`` bucket key as JSON, for ``explain``: the array or the text it encodes."""
    if attribute == SHORTHAND_ATTRIBUTE:
        return [flag_key, value]
    return flag_key + (key_text(value) or "")


def _v2_shown(flag_key: str, attribute: str, value: object) -> object:
    return flag_key + (key_text(value) or "")


class BucketRule:
    """One named rule.

    ``input(flag_key, attribute, value)`` is the text or bytes hashed (None: no bucket) and
    ``shown(...)`` the key as ``explain`` reports it. ``text_prefix`` promises that a non-empty
    ``str`` value's input is ``flag_key + value``, so the evaluator may hash that inline; a
    rule without the promise is always asked through ``hash``.
    """

    __slots__ = ("input", "name", "shown", "text_prefix")

    def __init__(
        self,
        name: str,
        bucket_input: BucketInput,
        shown: Callable[[str, str, object], object],
        text_prefix: bool,
    ) -> None:
        self.name = name
        self.input = bucket_input
        self.shown = shown
        self.text_prefix = text_prefix

    def hash(self, flag_key: str, attribute: str, value: object) -> int | None:
        """The unsigned 32-bit hash of the bucket input; None when the value has no bucket."""
        data = self.input(flag_key, attribute, value)
        return None if data is None else _murmur3(utf8(data), 0, False)


RULES: dict[str, BucketRule] = {
    BUCKETING: BucketRule(BUCKETING, v2_input, _v2_shown, text_prefix=True),
    FLAGD_V3: BucketRule(FLAGD_V3, v3_input, shown_key, text_prefix=False),
}


def rule(name: object) -> BucketRule | None:
    """The rule a snapshot names, or None when this runtime does not know it."""
    return RULES.get(name) if isinstance(name, str) else None


def hash_key(key: str | bytes) -> int:
    """Unsigned murmur3 x86 32-bit hash (seed 0) of ``key`` (text is hashed as UTF-8)."""
    return int(_murmur3(utf8(key), 0, False))


def utf8(data: str | bytes) -> bytes:
    """The bytes hashed: text as UTF-8 (what flagd hashes), bytes as they are.

    Text that is not valid Unicode (a lone surrogate, which Python's JSON decoder accepts) has
    no UTF-8 form and raises ``UnicodeEncodeError``, so the evaluation answers ERROR. It is never
    handed to mmh3 as a str: mmh3 5.x crashes the process on one.
    """
    return data.encode("utf-8") if isinstance(data, str) else data


def scale(hashed: int, total: int) -> int:
    """flagd's bucket of a hash: ``(h * total) >> 32``, exact integer arithmetic."""
    return (hashed * total) >> 32


def threshold(running: int, total: int) -> int:
    """The hash threshold of a running sum: ``scale(h, total) < running`` iff ``h`` is below it.

    ``floor(h * total / 2**32) < running`` holds exactly when ``h * total < running * 2**32``,
    that is when ``h < ceil(running * 2**32 / total)``.
    """
    return -(-(running * HASH_SPACE) // total)


def thresholds(weights: Sequence[int]) -> list[int]:
    """Each variant's running sum of ``weights`` as a hash threshold (total: their sum)."""
    total = sum(weights)
    running = 0
    found = []
    for weight in weights:
        running += weight
        found.append(threshold(running, total))
    return found


def pick_hash(hashed: int, limits: Sequence[int]) -> int:
    """Index of the first threshold above ``hashed``: the variant flagd's ``fractional`` picks."""
    for index, limit in enumerate(limits):
        if hashed < limit:
            return index
    raise ValueError(f"hash {hashed} is outside the thresholds {list(limits)}")


def bucket_value(
    flag_key: str,
    value: object,
    total: int = TOTAL,
    rule: str = BUCKETING,
    attribute: str = SHORTHAND_ATTRIBUTE,
) -> int | None:
    """The bucket in ``[0, total)`` of ``value`` for ``flag_key``; None when it has no bucket."""
    hashed = RULES[rule].hash(flag_key, attribute, value)
    if hashed is None or total <= 0:
        return None
    return scale(hashed, total)


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
    (missing, empty or non-scalar) or the weights are all zero. The variant is chosen the way
    the evaluator chooses it, through ``thresholds``.
    """
    if any(w < 0 for w in weights):
        raise ValueError("weights must not be negative")
    if sum(weights) <= 0:
        return None
    hashed = RULES[rule].hash(flag_key, attribute, value)
    return None if hashed is None else pick_hash(hashed, thresholds(weights))
