"""How many forked workers a large render or validate starts, by the machine's load."""

from __future__ import annotations

import os

import pytest

from flagwright.load.cores import idle_cores
from flagwright.render.forked import PARALLEL_MIN_FLAGS, worker_count


@pytest.fixture
def cores(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    return 4


def test_this_process_own_load_does_not_count_against_it(cores: int) -> None:
    # Loading and checking the repository keeps this process runnable: a load of 1 is itself.
    assert [idle_cores(load) for load in (0.0, 0.6, 1.0, 1.4)] == [cores] * 4


def test_each_other_busy_core_is_one_worker_fewer(cores: int) -> None:
    assert [idle_cores(load) for load in (2.0, 3.0, 4.0, 5.0, 9.0)] == [3, 2, 1, 1, 1]


def test_small_repositories_and_single_environments_stay_in_one_process(cores: int) -> None:
    assert worker_count(3, PARALLEL_MIN_FLAGS - 1) == 1
    assert worker_count(1, PARALLEL_MIN_FLAGS) == 1
    assert worker_count(3, 10, requested=2) == 2  # --workers-style requests are honoured
    assert worker_count(3, 10, requested=9) == 3  # but never more than one per environment


def test_one_process_more_than_idle_cores_and_one_environment_each(
    cores: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flagwright.render import forked

    monkeypatch.setattr(forked, "idle_cores", lambda: 2)
    # Three environments on two idle cores: three processes, which the system shares out.
    assert worker_count(3, PARALLEL_MIN_FLAGS) == 3
    assert worker_count(2, PARALLEL_MIN_FLAGS) == 2
    monkeypatch.setattr(forked, "idle_cores", lambda: 1)
    assert worker_count(3, PARALLEL_MIN_FLAGS) == 1  # a worker on a busy core saves nothing


def test_the_last_environment_runs_in_this_process() -> None:
    from flagwright.render.forked import map_forked

    here = os.getpid()
    pids = dict(zip("abc", map_forked(lambda env: os.getpid(), ["a", "b", "c"], 3), strict=True))
    assert pids["c"] == here
    assert here not in (pids["a"], pids["b"])
    assert list(map_forked(str.upper, ["a", "b"], 1)) == ["A", "B"]  # one process: no fork


def test_what_other_processes_use_is_measured_since_the_last_look(
    cores: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """/proc/stat's busy time of all cores, less this process's own, over the time between two
    looks; a look too soon after the last one repeats it."""
    from flagwright.load import cores as measured

    samples = iter([(10.5, 4.0, 100.0), (10.6, 4.1, 100.4), (11.0, 4.5, 100.9)])
    monkeypatch.setattr(measured, "_last", (10.0, 3.5, 98.0))  # (now, own CPU, all busy)
    monkeypatch.setattr(measured, "_measured", [])
    monkeypatch.setattr(measured, "_sample", lambda: next(samples))
    # 0.5 s: all cores busy 2.0 s, this process 0.5 s of it: 3 other cores busy, 1 idle + own.
    assert measured.others_busy() == pytest.approx(3.0)
    assert measured.idle_cores() == 1  # 0.1 s later: too soon to tell, the same answer
    # From the look at 10.5: 0.9 s busy, 0.5 s of it own, in 0.5 s: 0.8 of a core others'.
    assert measured.idle_cores() == 3
