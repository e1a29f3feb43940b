"""Bucketing rules by name (FORMAT.md "Bucketing"): the one implementation services run.

A rule turns ``(flag key, bucket value)`` into an unsigned 32-bit hash, or None when the value
has no bucket. Everything after the hash is common to every rule, as in flagd's ``fractional``:
the bucket is ``(h * total) >> 32`` and the variant is the first whose running sum of integer
weights exceeds it. The evaluator compares ``h`` directly with each running sum scaled into hash
space (``thresholds``), which picks the same variant without the multiplication; ``bucket`` and
``bucket_value`` below are built from the same pieces, so the vectors that test them test the
evaluator's arithmetic too.

``RULES`` maps a snapshot's ``"bucketing"`` name to its rule; the evaluator looks the rule up
once per snapshot. Adding a rule is one entry there: a ``BucketRule`` with its hash function
(``text_prefix=False`` unless non-empty strings hash as ``flag_key + value``); snapshot
verification, both evaluators and ``explain`` then follow it (``explain`` shows the hashed key
only for ``text_prefix`` rules).
"""

from __future__ import annotations

from mmh3 import hash as _murmur3

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

BUCKETING = "flagd-v2"  # the rule of bundles that do not say otherwise
TOTAL = 10000  # split weights in snapshots are integers out of TOTAL (percent x 100)
HASH_SPACE = 1 << 32  # murmur3 x86_32 values are in [0, HASH_SPACE)


class BucketRule:
    """One named rule.

    ``hash(flag_key, value)`` is the unsigned 32-bit hash of the value's bucket key, or None when
    the value cannot be bucketed. ``text_prefix`` promises that a non-empty ``str`` value hashes
    as murmur3 of ``flag_key + value`` (UTF-8), so the evaluator may do that inline; a rule that
    does not keep that promise is always asked through ``hash``.
    """

    __slots__ = ("hash", "name", "text_prefix")

    def __init__(
        self, name: str, hash: Callable[[str, object], int | None], text_prefix: bool
    ) -> None:
        self.name = name
        self.hash = hash
        self.text_prefix = text_prefix

    def bucket(self, flag_key: str, value: object, total: int = TOTAL) -> int | None:
        """The bucket in ``[0, total)`` of ``value`` for ``flag_key``; None: no bucket."""
        found = self.hash(flag_key, value)
        if found is None or total <= 0:
            return None
        return scale(found, total)


def key_text(value: object) -> str | None:
    """The text ``flagd-v2`` appends to the flag key, or None when the value has no bucket.

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
    # mmh3 hashes a str as its UTF-8 bytes, which is what flagd hashes.
    return int(_murmur3(key, 0, False))


def _hash_v2(flag_key: str, value: object) -> int | None:
    text = key_text(value)
    return None if text is None else _murmur3(flag_key + text, 0, False)


RULES: dict[str, BucketRule] = {
    "flagd-v2": BucketRule("flagd-v2", _hash_v2, text_prefix=True),
}


def rule(name: object) -> BucketRule | None:
    """The rule a snapshot names, or None when this runtime does not know it."""
    return RULES.get(name) if isinstance(name, str) else None


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


def bucket_value(flag_key: str, value: object, total: int = TOTAL) -> int | None:
    """The ``flagd-v2`` bucket in ``[0, total)`` of ``value`` for ``flag_key``; None: no bucket."""
    return RULES[BUCKETING].bucket(flag_key, value, total)


def pick(bucket: int, weights: Sequence[int]) -> int:
    """Index of the first weight whose running sum exceeds ``bucket`` (flagd's selection)."""
    running = 0
    for index, weight in enumerate(weights):
        running += weight
        if bucket < running:
            return index
    raise ValueError(f"bucket {bucket} is outside the weights' total {running}")


def bucket(
    flag_key: str, value: object, weights: Sequence[int], bucketing: str = BUCKETING
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
    hashed = RULES[bucketing].hash(flag_key, value)
    return None if hashed is None else pick_hash(hashed, thresholds(weights))
