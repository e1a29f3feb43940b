"""How many cores a large load, render or validate may use now, by the machine's load."""

from __future__ import annotations

import os


def idle_cores(load: float | None = None) -> int:
    """Cores this process and the idle ones give it (at least one), by the last minute's load.
    A worker forked onto a busy core saves no time, and costs its share of copying the parent's
    memory and sending its results back: on a loaded machine a render in one process is faster
    and uses about a quarter less CPU. The load counts this process too (it has been loading
    and checking the repository, up to a whole core of it), so up to one is its own."""
    cores = os.cpu_count() or 1
    if load is None:
        try:
            load = os.getloadavg()[0]
        except (AttributeError, OSError):  # not on every platform
            return cores
    others = max(0.0, load - 1.0)
    return max(1, min(cores, int(cores - others + 0.5)))
