"""How many forked workers a large render or validate starts, by the machine's load."""

from __future__ import annotations

import os

import pytest

from flagwright.cores import idle_cores
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
