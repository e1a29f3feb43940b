"""An independent pure-Python murmur3 x86 32-bit, to cross-check mmh3 in tests."""

from __future__ import annotations


def murmur3_32(data: bytes, seed: int = 0) -> int:
    c1, c2, mask = 0xCC9E2D51, 0x1B873593, 0xFFFFFFFF
    h = seed & mask
    rounded = len(data) - len(data) % 4
    for i in range(0, rounded, 4):
        k = int.from_bytes(data[i : i + 4], "little")
        k = (k * c1) & mask
        k = ((k << 15) | (k >> 17)) & mask
        k = (k * c2) & mask
        h ^= k
        h = ((h << 13) | (h >> 19)) & mask
        h = (h * 5 + 0xE6546B64) & mask
    tail = data[rounded:]
    k = 0
    if len(tail) >= 3:
        k ^= tail[2] << 16
    if len(tail) >= 2:
        k ^= tail[1] << 8
    if tail:
        k ^= tail[0]
        k = (k * c1) & mask
        k = ((k << 15) | (k >> 17)) & mask
        k = (k * c2) & mask
        h ^= k
    h ^= len(data)
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & mask
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & mask
    h ^= h >> 16
    return h


def reference_bucket(key: str, weights: list[int]) -> int:
    """The flagd-v2 rule by hand: bucket = (h * total) >> 32, first running sum above it."""
    total = sum(weights)
    bucket = (murmur3_32(key.encode("utf-8")) * total) >> 32
    running = 0
    for index, weight in enumerate(weights):
        running += weight
        if bucket < running:
            return index
    raise AssertionError("unreachable")
