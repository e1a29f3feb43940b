"""The decision rule and the reading of Prometheus answers, on plain values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from flagwright.progress.decision import Facts, Step, rule
from flagwright.progress.measure import GateReading, Measurement
from flagwright.progress.prometheus import Reading, parse_answer
from flagwright.rollouts.gates import Gate, Verdict

AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
GATE = Gate("max_error_rate", "error_rate", "max", 0.05)
PERCENTS = [1.0, 10.0, 25.0, 100.0]


def reading(verdict: Verdict, error: str | None = None) -> GateReading:
    value = {Verdict.PASS: 0.01, Verdict.FAIL: 0.5, Verdict.INCONCLUSIVE: None}[verdict]
    return GateReading(GATE, ("q",), (Measurement(AT, value, error, verdict),), 0, verdict)


def facts(stage: int, verdict: Verdict, hold_until: datetime | None = AT, **kw: object) -> Facts:
    on_failure = kw.get("on_failure", "rollback")
    return Facts(stage, PERCENTS, on_failure, (reading(verdict),), hold_until, AT)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (facts(2, Verdict.PASS), ("advance", Step(3, 25.0))),
        (facts(2, Verdict.PASS, AT + timedelta(seconds=1)), ("hold", None)),
        (facts(2, Verdict.PASS, None), ("hold", None)),
        (facts(4, Verdict.PASS), ("hold", None)),  # the last stage
        (facts(2, Verdict.INCONCLUSIVE), ("hold", None)),
        (facts(2, Verdict.FAIL, AT + timedelta(hours=1)), ("rollback", Step(0, 0.0))),
        (facts(4, Verdict.FAIL), ("rollback", Step(0, 0.0))),
        (facts(3, Verdict.FAIL, on_failure="step-back"), ("rollback", Step(2, 10.0))),
        (facts(1, Verdict.FAIL, on_failure="step-back"), ("rollback", Step(0, 0.0))),
    ],
)
def test_rule(given: Facts, expected: tuple[str, Step | None]) -> None:
    action, target, _ = rule(given)
    assert (action, target) == expected


def test_a_failing_gate_wins_over_an_inconclusive_one() -> None:
    both = Facts(2, PERCENTS, "rollback", (reading(Verdict.INCONCLUSIVE), reading(Verdict.FAIL)),
                 AT, AT)  # fmt: skip
    assert rule(both)[0] == "rollback"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"status":"success","data":{"resultType":"vector","result":[]}}', Reading(())),
        (
            b'{"status":"success","data":{"resultType":"vector","result":'
            b'[{"metric":{},"value":[1,"0.5"]},{"metric":{"a":"b"},"value":[1,"+Inf"]}]}}',
            Reading((0.5, float("inf"))),
        ),
        (b'{"status":"success","data":{"resultType":"scalar","result":[1,"2"]}}', Reading((2.0,))),
        (b"<html>", Reading(error="http://p did not answer with JSON")),
        (
            b'{"status":"error","errorType":"bad_data","error":"parse error"}',
            Reading(error="http://p: bad_data: parse error"),
        ),
        (
            b'{"status":"success","data":{"resultType":"matrix","result":[]}}',
            Reading(error="the query returns a matrix; a gate needs an instant vector or a scalar"),
        ),
        (
            b'{"status":"success","data":{"resultType":"vector","result":[{"value":[1,2]}]}}',
            Reading(error="http://p answered with a malformed vector"),
        ),
    ],
)
def test_parse_answer(body: bytes, expected: Reading) -> None:
    assert parse_answer(body, "http://p") == expected
