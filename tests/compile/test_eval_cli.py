"""`flagwright eval` and `flagwright explain` against the fixture configuration.

Expected buckets are computed here with mmh3 from the flagd-v2 rule (FORMAT.md), independently
of the runtime, so these tests fail if the CLI stops agreeing with the documented bucketing rule.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import mmh3
import pytest
from syrupy.assertion import SnapshotAssertion

from cli_runner import Ran, run_cli

from .fixture_config import write_config


def bucket(key: str) -> int:
    return (mmh3.hash(key.encode("utf-8"), 0, signed=False) * 10000) >> 32


def first_value(flag: str, prefix: str, low: int, high: int) -> str:
    """The first ``prefix<N>`` whose bucket for ``flag`` lies in ``[low, high)``."""
    found = next(
        f"{prefix}{n}" for n in range(100_000) if low <= bucket(f"{flag}{prefix}{n}") < high
    )
    return found


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield str(write_config(tmp_path_factory.mktemp("repo")))


def flagwright(root: str, *args: str) -> Ran:
    return run_cli("-C", root, *args)


def ok(ran: Ran) -> str:
    assert (ran.exit_code, ran.stderr) == (0, ""), ran
    return ran.stdout


def evaluated(root: str, *args: str) -> dict[str, object]:
    result: dict[str, object] = json.loads(ok(flagwright(root, "eval", *args, "--json")))
    return result


class TestKillSwitch:
    def test_eval(self, root: str, snapshot: SnapshotAssertion) -> None:
        assert ok(flagwright(root, "eval", "kill-switch", "--env", "prod")) == snapshot

    def test_explain(self, root: str, snapshot: SnapshotAssertion) -> None:
        out = ok(flagwright(root, "explain", "kill-switch", "--env", "prod", "-c", "user=1"))
        assert "listed, disabled (kill switch)" in out
        assert out == snapshot

    def test_same_flag_enabled_in_dev(self, root: str) -> None:
        result = evaluated(root, "kill-switch", "--env", "dev")
        assert (result["value"], result["reason"]) == (True, "STATIC")


class TestRuleMatch:
    ARGS = ("checkout-redesign", "--env", "prod", "-c", "country=DE", "-c", "email=a@company.com")

    def test_eval(self, root: str, snapshot: SnapshotAssertion) -> None:
        assert ok(flagwright(root, "eval", *self.ARGS, "-c", "targeting_key=u1")) == snapshot

    def test_eval_json(self, root: str, snapshot: SnapshotAssertion) -> None:
        out = ok(flagwright(root, "eval", *self.ARGS, "-c", "targeting_key=u1", "--json"))
        assert json.loads(out) == {
            "environment": "prod",
            "flag": "checkout-redesign",
            "reason": "TARGETING_MATCH",
            "rule": "staff",
            "value": "v2",
            "variant": "treatment",
        }
        assert out == snapshot

    def test_explain(self, root: str, snapshot: SnapshotAssertion) -> None:
        assert ok(flagwright(root, "explain", *self.ARGS)) == snapshot

    def test_rule_with_a_nested_segment_and_a_split(
        self, root: str, snapshot: SnapshotAssertion
    ) -> None:
        key = first_value("checkout-redesign", "user-", 0, 1250)  # control is [0, 1250)
        args = ["checkout-redesign", "--env", "prod", "-c", "country=DE"]
        args += ["-c", "email=qa@test.com", "-c", f"targeting_key={key}"]
        result = evaluated(root, *args)
        assert (result["variant"], result["reason"], result["rule"]) == (
            "control",
            "SPLIT",
            "rule-2",
        )
        assert ok(flagwright(root, "explain", *args)) == snapshot


class TestSplit:
    """flagd's own vectors: ``fractional`` + ``-flagjack`` hashes "fractional-flagjack"."""

    @pytest.mark.parametrize(
        ("value", "h", "variant"),
        [("-flagjack", 2682799072, "hearts"), ("-flagqueen", 4278517551, "spades")],
    )
    def test_flagd_vectors(self, root: str, value: str, h: int, variant: str) -> None:
        key = f"fractional{value}"
        assert mmh3.hash(key.encode(), 0, signed=False) == h
        assert (h * 100) >> 32 == {"hearts": 62, "spades": 99}[variant]  # flagd's own total
        names = ["clubs", "diamonds", "hearts", "spades"]
        assert names[bucket(key) // 2500] == variant
        result = evaluated(root, "fractional", "--env", "prod", "-c", f"targeting_key={value}")
        assert (result["variant"], result["reason"]) == (variant, "SPLIT")

    def test_explain(self, root: str, snapshot: SnapshotAssertion) -> None:
        args = ("fractional", "--env", "prod", "-c", "targeting_key=-flagjack")
        out = ok(flagwright(root, "explain", *args))
        assert f"-> bucket {bucket('fractional-flagjack')} of 10000" in out
        assert "  hearts: [5000, 7500)  <- here\n" in out
        assert out == snapshot

    def test_missing_bucket_attribute_serves_default(
        self, root: str, snapshot: SnapshotAssertion
    ) -> None:
        result = evaluated(root, "fractional", "--env", "prod")
        assert (result["variant"], result["reason"]) == ("clubs", "DEFAULT")
        assert ok(flagwright(root, "explain", "fractional", "--env", "prod")) == snapshot


class TestRollouts:
    def test_manual_stage(self, root: str, snapshot: SnapshotAssertion) -> None:
        key = first_value("checkout-redesign", "user-", 0, 1250)  # stage 2 is 12.5%
        args = ("checkout-redesign", "--env", "prod", "-c", "country=DE")
        result = evaluated(root, *args, "-c", f"targeting_key={key}")
        assert (result["variant"], result["reason"], result["rule"]) == ("treatment", "SPLIT", None)
        out = ok(flagwright(root, "explain", *args, "-c", f"targeting_key={key}"))
        assert "manual stage 2 of 4 (12.5%)" in out
        assert out == snapshot

    def test_schedule_on_both_sides_of_a_stage_boundary(
        self, root: str, snapshot: SnapshotAssertion
    ) -> None:
        # Stage 1 (1%) runs 10:00-10:30Z, stage 2 (12.5%) from 10:30Z: a session bucketed in
        # [100, 1250) gets `big` only from the boundary on.
        session = first_value("banner", "s-", 100, 1250)
        args = ["banner", "--env", "prod", "-c", f"session={session}", "-c", "app_version=2.4.0"]
        before = evaluated(root, *args, "--at", "2026-11-20T11:29:59+01:00")
        after = evaluated(root, *args, "--at", "2026-11-20T10:30:00Z")
        assert (before["variant"], before["value"], before["reason"]) == ("small", 1, "SPLIT")
        assert (after["variant"], after["value"], after["reason"]) == ("big", 2.5, "SPLIT")
        explained = [
            ok(flagwright(root, "explain", *args, "--at", at))
            for at in ("2026-11-20T10:29:59Z", "2026-11-20T10:30:00Z")
        ]
        assert (
            "scheduled stage 1 of 4 (1%) since 2026-11-20T10:00:00Z; next stage at "
            in (explained[0])
        )
        assert "scheduled stage 2 of 4 (12.5%) since 2026-11-20T10:30:00Z" in explained[1]
        assert explained == snapshot

    def test_schedule_before_start_and_after_the_last_stage(
        self, root: str, snapshot: SnapshotAssertion
    ) -> None:
        args = ["banner", "--env", "prod", "-c", "session=s-1", "-c", "app_version=3.0.0"]
        early = ok(flagwright(root, "explain", *args, "--at", "2026-11-19T00:00:00Z"))
        late = ok(flagwright(root, "explain", *args, "--at", "2026-11-25T09:00:00Z"))
        assert "not started" in early and "result: 1 (variant small, reason SPLIT)" in early
        assert "the last stage holds for good" in late
        assert "result: 2.5 (variant big, reason SPLIT)" in late
        assert [early, late] == snapshot


class TestPrerequisites:
    def test_failing_prerequisite(self, root: str, snapshot: SnapshotAssertion) -> None:
        args = ("checkout-redesign", "--env", "prod", "-c", "email=a@company.com")
        result = evaluated(root, *args)
        assert (result["variant"], result["reason"], result["rule"]) == ("control", "DEFAULT", None)
        out = ok(flagwright(root, "explain", *args))
        assert "prerequisite new-checkout-api: serves off (its default is off) -> not" in out
        assert out == snapshot

    def test_chain_of_prerequisites(self, root: str, snapshot: SnapshotAssertion) -> None:
        args = ("express-pay", "--env", "prod", "-c", "country=DE", "-c", "email=x@company.com")
        assert evaluated(root, *args)["value"] is True
        assert ok(flagwright(root, "explain", *args)) == snapshot


class TestOtherPaths:
    def test_unlisted_flag(self, root: str, snapshot: SnapshotAssertion) -> None:
        result = evaluated(root, "settings", "--env", "prod")
        assert result == {
            "environment": "prod",
            "flag": "settings",
            "reason": "DEFAULT",
            "rule": None,
            "value": {"dense": True, "labels": ["ä", "b"], "rows": 10},
            "variant": "compact",
        }
        assert ok(flagwright(root, "explain", "settings", "--env", "prod")) == snapshot

    def test_typed_context_values(self, root: str, snapshot: SnapshotAssertion) -> None:
        # age=18 is the number 18 (ge needs a number); age="18" a string, so rule-1 fails.
        number = evaluated(root, "settings", "--env", "dev", "-c", "age=18", "-c", "name=Ann")
        assert number["rule"] == "rule-1"
        string = evaluated(root, "settings", "--env", "dev", "-c", 'age="18"', "-c", "name=Ann")
        assert string["rule"] == "rule-2"
        args = ("settings", "--env", "dev", "-c", 'age="18"', "-c", "name=Ann")
        assert ok(flagwright(root, "explain", *args)) == snapshot

    def test_time_rule(self, root: str) -> None:
        args = ("banner", "--env", "prod", "-c", "session=s", "--at", "2026-12-05T12:00:00Z")
        result = evaluated(root, *args, "-c", "app_version=2.3.0")
        assert (result["variant"], result["rule"]) == ("big", "holidays")
        old = evaluated(root, "banner", "--env", "prod", "-c", "app_version=2.2.9", "--at",
                        "2026-11-20T10:00:00Z")  # fmt: skip
        assert (old["variant"], old["reason"], old["rule"]) == (
            "small",
            "TARGETING_MATCH",
            "old-apps",
        )


class TestErrors:
    def test_unknown_flag(self, root: str) -> None:
        ran = flagwright(root, "eval", "chekout-redesign", "--env", "prod")
        assert (ran.exit_code, ran.stdout) == (1, "")
        assert (
            ran.stderr
            == "error: unknown flag 'chekout-redesign'; did you mean 'checkout-redesign'?\n"
        )

    def test_unknown_flag_without_a_near_match_lists_the_flags(self, root: str) -> None:
        ran = flagwright(root, "explain", "zzz", "--env", "prod")
        assert ran.exit_code == 1
        assert ran.stderr == (
            "error: unknown flag 'zzz'; known: banner, checkout-redesign, express-pay, "
            "fractional, kill-switch, new-checkout-api, settings\n"
        )

    def test_unknown_environment(self, root: str) -> None:
        ran = flagwright(root, "explain", "banner", "--env", "prd")
        assert (ran.exit_code, ran.stderr) == (
            1,
            "error: unknown environment 'prd'; did you mean 'prod'?\n",
        )

    @pytest.mark.parametrize(
        "at", ["2026-11-20", "2026-11-20T10:00:00", "20261120T100000Z", "2026-11-20T25:00:00Z"]
    )
    def test_bad_at_is_a_usage_error(self, root: str, at: str) -> None:
        ran = flagwright(root, "eval", "banner", "--env", "prod", "--at", at)
        assert ran.exit_code == 2
        assert ran.stderr.endswith(
            f"Error: Invalid value for '--at': {at!r} is not an RFC 3339 time with an offset, "
            "e.g. 2026-11-20T10:00:00Z\n"
        )

    @pytest.mark.parametrize("pair", ["country", "=DE"])
    def test_bad_context_pair_is_a_usage_error(self, root: str, pair: str) -> None:
        ran = flagwright(root, "explain", "banner", "--env", "prod", "-c", pair)
        assert ran.exit_code == 2
        assert ran.stderr.endswith(
            f"Error: Invalid value for '-c' / '--context': {pair!r} is not key=value\n"
        )

    def test_missing_env_is_a_usage_error(self, root: str) -> None:
        ran = flagwright(root, "eval", "banner")
        assert ran.exit_code == 2
        assert "Missing option '--env'" in ran.stderr

    def test_invalid_configuration_prints_diagnostics(self, tmp_path: Path) -> None:
        repo = write_config(tmp_path)
        broken = repo / "flags" / "kill-switch.yaml"
        broken.write_text(
            broken.read_text(encoding="utf-8").replace('serve: "on"}', 'serve: "onn"}', 1),
            encoding="utf-8",
        )
        ran = run_cli("-C", str(repo), "eval", "banner", "--env", "prod")
        assert (ran.exit_code, ran.stdout) == (1, "")
        assert ran.stderr == (
            "flags/kill-switch.yaml:6:16: error[FW204] unknown variant 'onn'; did you mean "
            "'on'?\n"
            "1 error, 0 warnings\n"
            "error: the configuration has 1 error(s); nothing was evaluated\n"
        )
