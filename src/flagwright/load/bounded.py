"""Read a file only when it is within a size limit: stat first, then at most limit + 1 bytes.

Reading first and checking after would pull a 3 GB (possibly sparse) file into memory before
refusing it; the stat can be wrong for special files and files still being written, so the read
itself stops one byte past the limit too.
"""

from __future__ import annotations

import os


class TooLarge(Exception):
    """The file is over the limit; ``size`` is what was seen (at least limit + 1)."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"file is {size} bytes; the limit is {limit} bytes")
        self.size = size
        self.limit = limit


def read_bounded(path: str | os.PathLike[str], limit: int) -> bytes:
    """The file's bytes; raises TooLarge over ``limit`` and OSError when it cannot be read."""
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > limit:
            raise TooLarge(size, limit)
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(len(data), limit)
    return data
