"""A progress bar on a terminal for long renders; nothing at all when stderr is not one.

The only user-interface code under ``render/``; the CLI calls it, the pipeline only sees the
``advance(steps)`` callback it returns.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO


@contextmanager
def progress_bar(
    total: int, label: str, stream: TextIO | None = None
) -> Iterator[Callable[[int], None] | None]:
    """Yields ``advance`` for a bar drawn on ``stream`` (stderr), or None when not a terminal."""
    out = sys.stderr if stream is None else stream
    if total <= 0 or not out.isatty():
        yield None
        return
    import click

    with click.progressbar(length=total, label=label, file=out) as bar:
        yield bar.update
