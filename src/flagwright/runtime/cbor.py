"""Deterministic CBOR (RFC 8949 §4.2.1) for the JSON values the ``flagd-v3`` rule hashes.

The v3 bucketing rule hashes the canonical CBOR encoding of a bucket key. Services embed the
runtime, so it carries this small encoder instead of a CBOR library: JSON values only (null,
booleans, 64-bit integers, floats, text, arrays, maps with text keys), which is all a JSON
context or a flag key can hold.

* Integers: major type 0 (>= 0) or 1 (< 0), shortest argument; outside 64 bits is an error
  (CBOR would need a bignum tag, which the rule leaves undefined).
* Floats: first normalised (:func:`normalize`), then the shortest of half, single and double
  precision that holds the value exactly. NaN and infinities are errors.
* Text: major type 3, length then UTF-8. Arrays: major type 4. Maps: major type 5 with the
  entries sorted bytewise by their encoded keys (so shorter keys come first).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

_INT_MIN = -(2**63)
_UINT_MAX = 2**64 - 1


def _head(major: int, argument: int) -> bytes:
    if argument < 24:
        return bytes((major << 5 | argument,))
    if argument < 0x100:
        return bytes((major << 5 | 24, argument))
    if argument < 0x10000:
        return bytes((major << 5 | 25,)) + argument.to_bytes(2, "big")
    if argument < 0x100000000:
        return bytes((major << 5 | 26,)) + argument.to_bytes(4, "big")
    if argument <= _UINT_MAX:
        return bytes((major << 5 | 27,)) + argument.to_bytes(8, "big")
    raise ValueError("integer outside the 64-bit range CBOR encodes without a bignum tag")


def normalize(value: object) -> object:
    """Integral floats in ``[-2**63, 2**64-1]`` become integers, recursively (``-0.0`` -> 0)."""
    if type(value) is float:
        if value.is_integer() and _INT_MIN <= value <= _UINT_MAX:
            return int(value)
        return value
    if isinstance(value, dict):
        return {key: normalize(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [normalize(item) for item in value]
    return value


def _float(value: float) -> bytes:
    # Imported here: most bucket keys are text, and services import the runtime at start-up.
    from struct import error as _StructError
    from struct import pack, unpack

    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError("NaN and infinities have no bucket")
    for marker, layout in ((b"\xf9", ">e"), (b"\xfa", ">f")):
        try:
            packed = pack(layout, value)
        except (OverflowError, _StructError):
            continue
        if unpack(layout, packed)[0] == value:
            return marker + packed
    return b"\xfb" + pack(">d", value)


def _encode(value: object, out: list[bytes]) -> None:
    if value is None:
        out.append(b"\xf6")
    elif value is True:
        out.append(b"\xf5")
    elif value is False:
        out.append(b"\xf4")
    elif isinstance(value, int):
        out.append(_head(0, value) if value >= 0 else _head(1, -1 - value))
    elif isinstance(value, float):
        out.append(_float(value))
    elif isinstance(value, str):
        data = value.encode("utf-8")
        out.append(_head(3, len(data)))
        out.append(data)
    elif isinstance(value, (list, tuple)):
        out.append(_head(4, len(value)))
        for item in value:
            _encode(item, out)
    elif isinstance(value, dict):
        out.append(_map(value))
    else:
        raise TypeError(f"{type(value).__name__} is not a JSON value")


def _map(value: Mapping[object, object]) -> bytes:
    entries = []
    for key, item in value.items():
        if not isinstance(key, str):
            raise TypeError("map keys must be text")
        entries.append((encode(key), encode(item)))
    entries.sort()
    return _head(5, len(entries)) + b"".join(k + v for k, v in entries)


def encode(value: object) -> bytes:
    """The deterministic CBOR encoding of a JSON value (floats are normalised first)."""
    out: list[bytes] = []
    _encode(normalize(value), out)
    return b"".join(out)


def encode_pair(first: str, second: str) -> bytes:
    """``encode([first, second])`` for two strings, the shape the shorthand form hashes."""
    a, b = first.encode("utf-8"), second.encode("utf-8")
    return b"\x82" + _head(3, len(a)) + a + _head(3, len(b)) + b


def encode_text(text: str) -> bytes:
    """``encode(text)`` for one string."""
    data = text.encode("utf-8")
    return _head(3, len(data)) + data
