"""A large repository is read in two processes; what comes back is what one process reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from flagwright.load import forked_load
from flagwright.load.repository import config_files, load_repository

PROJECT = Path(__file__).resolve().parents[1]
MANY_PROBLEMS = PROJECT / "tests/corpus/many-problems"


@pytest.mark.parametrize("root", [PROJECT, MANY_PROBLEMS], ids=["example", "many-problems"])
def test_two_processes_read_what_one_does(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    alone = load_repository(root)
    monkeypatch.setattr(forked_load, "FORKED_MIN_FILES", 2)  # this repository is "large"
    monkeypatch.setattr(forked_load, "idle_cores", lambda: 2)  # however busy the machine is
    both = forked_load.load_forked(root, config_files(root))
    assert both is not None  # read in two processes
    assert list(both.texts.items()) == list(alone.texts.items())  # in file order
    assert both.documents == alone.documents
    assert both.findings.items == alone.findings.items
    assert both.broken == alone.broken
    assert load_repository(root) == both  # load_repository takes that way too


def test_few_files_or_a_busy_machine_read_in_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forked_load, "idle_cores", lambda: 1)
    assert forked_load.load_forked(PROJECT, ["a"] * 5000) is None
    monkeypatch.setattr(forked_load, "idle_cores", lambda: 2)
    assert forked_load.load_forked(PROJECT, ["a"] * 10) is None
