"""How many cores a large load, render or validate may use now, by the machine's load.

What other processes keep busy is measured, where Linux tells (``/proc/stat``): every core's busy
time since the last look (at most once every fifth of a second; the first look is when the CLI
starts) less this process's own and its finished workers'. The one-minute load average is the
fallback: it lags a minute behind, so right after a large render it still counts that render's
workers as other processes, and right after another program stops it still counts that one.
"""

from __future__ import annotations

import os
import resource
import time

_WINDOW = 0.2  # seconds; /proc/stat counts in hundredths of a second


def _sample() -> tuple[float, float, float] | None:
    """(now, CPU seconds of this process and its reaped children, busy seconds of all cores)."""
    try:
        with open("/proc/stat", "rb") as handle:
            fields = handle.readline().split()
        ticks = [int(value) for value in fields[1:9]]  # user nice system idle iowait irq ...
        per_second = os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError):
        return None
    if fields[:1] != [b"cpu"] or len(ticks) < 8 or per_second <= 0:
        return None
    mine = resource.getrusage(resource.RUSAGE_SELF)
    reaped = resource.getrusage(resource.RUSAGE_CHILDREN)
    own = mine.ru_utime + mine.ru_stime + reaped.ru_utime + reaped.ru_stime
    busy = (sum(ticks) - ticks[3] - ticks[4]) / per_second
    return time.monotonic(), own, busy


_last = _sample()
_measured: list[float] = []  # the last measurement, for a look too soon after it


def others_busy() -> float | None:
    """Cores other processes kept busy on average since the last look; None when unknown (no
    /proc/stat, or the first look was too recent to tell)."""
    global _last
    now = _sample()
    if now is None or _last is None:
        return None
    if now[0] - _last[0] < _WINDOW:
        return _measured[0] if _measured else None
    before, _last = _last, now
    _measured[:] = [max(0.0, ((now[2] - before[2]) - (now[1] - before[1])) / (now[0] - before[0]))]
    return _measured[0]


def idle_cores(load: float | None = None) -> int:
    """Cores this process and the idle ones give it (at least one). A worker forked onto a busy
    core saves no time, and costs its share of copying the parent's memory and sending its
    results back: on a loaded machine a render in one process is faster and uses about a quarter
    less CPU. ``load`` (default: the last minute's load average, when what other processes use
    now cannot be measured) counts this process too, up to one core of it."""
    cores = os.cpu_count() or 1
    others = others_busy() if load is None else None
    if others is None:
        if load is None:
            try:
                load = os.getloadavg()[0]
            except (AttributeError, OSError):  # not on every platform
                return cores
        others = max(0.0, load - 1.0)
    return max(1, min(cores, int(cores - others + 0.5)))
