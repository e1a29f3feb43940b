"""Environments compile and render independently, so a large repository runs them in forked
workers, one per environment up to the number of idle cores.

Fork, not spawn: the child inherits the loaded and checked index instead of loading the
repository again, and the task reaches it through this module's copy, not through pickling.
Only the results are pickled back, in the order of the environments given.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

# From this many flags on; below it, starting processes costs more than it saves.
PARALLEL_MIN_FLAGS = 2000

_TASK: dict[str, Callable[[str], Any]] = {}


def worker_count(envs: int, flags: int, requested: int | None = None) -> int:
    """How many processes ``envs`` environments of ``flags`` flags are worth; 1: this one."""
    if requested is not None:
        return max(1, min(requested, envs))
    if envs < 2 or flags < PARALLEL_MIN_FLAGS:
        return 1
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1  # spawned workers would have to load the repository again
    return max(1, min(envs, idle_cores()))


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


def _run_in_child(env: str) -> Any:
    return _TASK["task"](env)


def map_forked(task: Callable[[str], T], envs: list[str], workers: int) -> Iterator[T]:
    """``task(env)`` for each of ``envs`` in ``workers`` forked processes, in ``envs`` order."""
    _TASK["task"] = task
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            yield from pool.map(_run_in_child, envs)
    finally:
        _TASK.clear()
