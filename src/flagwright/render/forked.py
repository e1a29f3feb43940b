"""Environments compile and render independently, so a large repository runs them in forked
workers, one per environment up to the number of idle cores.

Fork, not spawn: the child inherits the loaded and checked index instead of loading the
repository again, and the task reaches it through this module's copy, not through pickling.
Only the results are pickled back, in the order of the environments given.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

from flagwright.cores import idle_cores

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
