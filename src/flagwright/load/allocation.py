"""Pausing Python's cycle collector around bulk work that allocates and makes no cycles."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cycle_collector_paused() -> Iterator[None]:
    """Loading, positioning and rendering allocate many containers and make no reference cycles,
    so the cycle collector only rescans the growing heap again and again: about a quarter of the
    load time and most of the position look-ups on a large repository. Reference counting still
    frees everything; the collector is restored (and catches up) afterwards.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
