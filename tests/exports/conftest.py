"""Fixtures shared by the export tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> type[datetime]:
    """Microsoft's time-window filter reads the wall clock; pin it to the tests' instant."""
    import featuremanagement._defaultfilters as filters

    class Clock(datetime):
        at = datetime(2026, 11, 23, tzinfo=UTC)

        @classmethod
        def now(cls, tz: Any = None) -> Any:
            return cls.at

    monkeypatch.setattr(filters, "datetime", Clock)
    return Clock
