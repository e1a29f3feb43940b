"""Constants shared by the runtime and the rest are defined once (in the runtime) and imported."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

from flagwright.model.conditions import Day
from flagwright.runtime.bucketing import TOTAL
from flagwright.runtime.conditions import DAYS

SRC = Path(__file__).resolve().parents[1] / "src" / "flagwright"


def test_day_names_are_the_runtimes() -> None:
    assert get_args(Day) == DAYS


def test_bucket_total_is_defined_once() -> None:
    assert TOTAL == 10000
    spelled = re.compile(r"^\s*_?[A-Z_]*\s*=\s*10_?000\b", re.MULTILINE)
    defining = sorted(
        str(path.relative_to(SRC)) for path in SRC.rglob("*.py") if spelled.search(path.read_text())
    )
    assert defining == ["runtime/bucketing.py"]
