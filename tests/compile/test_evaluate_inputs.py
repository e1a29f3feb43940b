"""Parsing of `-c key=value` and `--at`, and the condition summaries `explain` prints."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from flagwright.evaluate.target import parse_context, parse_instant
from flagwright.report.explain import attributes, summarize


@pytest.mark.parametrize(
    ("pair", "key", "value"),
    [
        ("age=42", "age", 42),
        ("ratio=0.5", "ratio", 0.5),
        ('id="42"', "id", "42"),
        ("beta=true", "beta", True),
        ("email=a@b.c", "email", "a@b.c"),
        ("name=", "name", ""),
        ("expr=a=b", "expr", "a=b"),
        ('tags=["a", 1]', "tags", ["a", 1]),
        ("gone=null", "gone", None),
        ("n=NaN", "n", "NaN"),
        ("n=Infinity", "n", "Infinity"),
        ("v=2.3.0", "v", "2.3.0"),
    ],
)
def test_context_values_are_json_when_they_parse(pair: str, key: str, value: Any) -> None:
    parsed = parse_context([pair])
    assert parsed == {key: value}
    assert type(parsed[key]) is type(value)


def test_later_pairs_win() -> None:
    assert parse_context(["a=1", "b=x", "a=2"]) == {"a": 2, "b": "x"}


@pytest.mark.parametrize("pair", ["country", "=DE", ""])
def test_malformed_pairs(pair: str) -> None:
    with pytest.raises(ValueError, match=r"is not key=value$"):
        parse_context([pair])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-20T10:00:00Z", datetime(2026, 11, 20, 10, tzinfo=UTC)),
        ("2026-11-20t10:00:00z", datetime(2026, 11, 20, 10, tzinfo=UTC)),
        ("2026-11-20 10:00:00.5+00:00", datetime(2026, 11, 20, 10, 0, 0, 500000, tzinfo=UTC)),
        (
            "2026-11-20T11:00:00+01:00",
            datetime(2026, 11, 20, 11, tzinfo=timezone(timedelta(hours=1))),
        ),
    ],
)
def test_instants(text: str, expected: datetime) -> None:
    assert parse_instant(text) == expected


@pytest.mark.parametrize(
    "text", ["2026-11-20", "2026-11-20T10:00:00", "2026-11-20T10:00Z", "2026-13-01T00:00:00Z", ""]
)
def test_rejected_instants(text: str) -> None:
    with pytest.raises(ValueError, match="is not an RFC 3339 time with an offset"):
        parse_instant(text)


def test_summaries_and_attributes() -> None:
    cond = {
        "any": [
            {"attr": "country", "op": "in", "values": ["DE", "FR"]},
            {
                "not": {
                    "segment": "staff",
                    "when": {"attr": "email", "op": "ends_with", "value": "@x"},
                }
            },
            {"time": {"before": "2026-12-24T00:00:00Z"}},
            {"schedule": {"days": ["sat"], "from": "18:00", "to": "02:00", "tz": "UTC"}},
            {"all": []},
            {"any": []},
        ]
    }
    assert summarize(cond) == (
        'any(country in ["DE", "FR"], not(segment staff), time before 2026-12-24T00:00:00Z, '
        "schedule sat 18:00-02:00 UTC, always, never)"
    )
    assert attributes(cond) == {"country", "email"}
