"""Make ``flagwright.runtime`` importable from a source checkout that is not installed."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

if importlib.util.find_spec("flagwright") is None:  # pragma: no cover - depends on install
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))

from collections.abc import Iterator

import pytest
from tests.engines import ENGINES, engine


@pytest.fixture(scope="module", params=ENGINES, autouse=True)
def evaluator(request: pytest.FixtureRequest) -> Iterator[str]:
    """Every runtime test module runs twice: on the compiled evaluator, then on pure Python."""
    with engine(request.param):
        yield request.param
