"""A session-wide real Prometheus loaded with synthetic traffic for the example's apps and a
``gate_probe`` gauge for threshold tests."""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest

from render.conftest import config, make_config

from .prometheus import Prometheus, Traffic, openmetrics, start_prometheus

__all__ = ["config", "make_config", "prometheus"]  # the render tests' repositories, shared

# Per 15 s: checkout 1% errors, p99 500 ms; storefront 3% errors, p99 1800 ms; payments none.
TRAFFIC = [
    Traffic("shop-prod", "checkout", 100, 1,
            (("0.1", 50), ("0.25", 90), ("0.5", 99), ("1", 100), ("+Inf", 100))),
    Traffic("shop-prod", "storefront", 100, 3,
            (("0.5", 80), ("1", 95), ("2", 100), ("+Inf", 100))),
]  # fmt: skip
PROBES = {"below": 0.04, "at": 0.05, "above": 0.06, "nan": math.nan}


@pytest.fixture(scope="session")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Prometheus]:
    yield from start_prometheus(tmp_path_factory.mktemp("prometheus"), openmetrics(TRAFFIC, PROBES))
