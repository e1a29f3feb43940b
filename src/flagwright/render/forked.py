"""Environments compile and render independently, so a large repository renders them in several
processes: this one and forked workers, one environment each, up to one more process than there
are idle cores.

One more: environments are few and of about the same size, so three of them in two processes on
two cores take two environments' time, and in three processes, which the system shares out
between the two cores, about one and a half. This process renders the last environment itself
while the workers render the others: one fork and one result's pickling fewer.

Fork, not spawn: the child inherits the loaded and checked index instead of loading the
repository again, and the task reaches it through this module's copy, not through pickling.
Only the results are pickled back, in the order of the environments given.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from flagwright.load.cores import idle_cores

T = TypeVar("T")

# From this many flags on; below it, starting processes costs more than it saves.
PARALLEL_MIN_FLAGS = 2000

_TASK: dict[str, Callable[[str], Any]] = {}


def worker_count(envs: int, flags: int, requested: int | None = None) -> int:
    """How many processes ``envs`` environments of ``flags`` flags are worth, this one included;
    1: this one alone."""
    if requested is not None:
        return max(1, min(requested, envs))
    if envs < 2 or flags < PARALLEL_MIN_FLAGS:
        return 1
    import multiprocessing  # only for a large repository: every render imports this module

    if "fork" not in multiprocessing.get_all_start_methods():
        return 1  # spawned workers would have to load the repository again
    idle = idle_cores()
    return 1 if idle < 2 else min(envs, idle + 1)


def _run_in_child(env: str) -> Any:
    return _TASK["task"](env)


def map_forked(task: Callable[[str], T], envs: list[str], workers: int) -> Iterator[T]:
    """``task(env)`` for each of ``envs`` in ``workers`` processes, in ``envs`` order: the last
    environment in this one, the others in ``workers - 1`` forked ones."""
    if workers < 2 or len(envs) < 2:
        yield from map(task, envs)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    _TASK["task"] = task
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers - 1, mp_context=context) as pool:
            forked = [pool.submit(_run_in_child, env) for env in envs[:-1]]
            last = task(envs[-1])
            for future in forked:
                yield future.result()
            yield last
    finally:
        _TASK.clear()
