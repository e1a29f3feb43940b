"""An environment switching flagd-v2 → flagd-v3: `diff` measures the reshuffle, and
`validate --base` refuses it until HEAD acknowledges the rule it leaves (`bucketing_from`)."""

from __future__ import annotations

from flagwright.diff.model import Move
from flagwright.diff.run import run_diff
from flagwright.report.diff import as_text
from flagwright.runtime.bucketing import bucket

from .conftest import GitWork, replace
from .test_policy import _validate

SWITCH = ("promotes_from: staging\n", "promotes_from: staging\nbucketing: flagd-v3\n")


def test_diff_reports_every_percentage_flag_as_a_reshuffle(config_repo: GitWork) -> None:
    replace(config_repo, "environments/prod.yaml", *SWITCH)
    diff = run_diff(config_repo.root, "main", None)
    prod = {f.flag: f for f in diff.flags if f.env == "prod"}
    assert [f.env for f in diff.flags] == ["prod", "prod"]
    checkout = prod["checkout"]
    assert [c.text for c in checkout.changes] == ["bucketing flagd-v2 → flagd-v3"]
    assert checkout.reshuffles == (
        "environment bucketing changed flagd-v2 → flagd-v3: every user's bucket is recomputed "
        "with the new rule, so percentage-based assignments are reshuffled",
    )
    (blast,) = checkout.blast
    assert not blast.exact
    # 50/50 under two independent hashes: a quarter of the users go each way.
    assert blast.moves == (Move("control", "treatment", 2500), Move("treatment", "control", 2500))
    # The rollout at 10% (stage 2) and its beta rule (a serve: nobody bucketed there).
    (api,) = prod["new-api"].blast
    assert api.moves == (Move("off", "on", 900), Move("on", "off", 900))
    assert "BUCKET RESHUFFLE" in as_text(diff)


def test_measured_moves_match_the_reported_share() -> None:
    """The share diff reports is what real users do: 10,000 users through both rules."""
    moved = sum(
        bucket("checkout", f"user-{n}", [5000, 5000])
        != bucket("checkout", f"user-{n}", [5000, 5000], "flagd-v3")
        for n in range(10_000)
    )
    assert abs(moved / 10_000 - 0.5) < 0.02


def test_validate_base_requires_an_acknowledgement(config_repo: GitWork) -> None:
    replace(config_repo, "environments/prod.yaml", *SWITCH)
    code, lines = _validate(config_repo)
    assert code == 1
    assert lines == [
        "environments/prod.yaml:4:12: error[FW420] prod: bucketing changes flagd-v2 → flagd-v3, "
        "which recomputes every user's bucket: 2 flag(s) with percentages are reshuffled "
        "(checkout ~50.00%, new-api ~18.00%). Add `bucketing_from: flagd-v2` to acknowledge "
        "the reshuffle"
    ]


def test_acknowledged_switch_passes(config_repo: GitWork) -> None:
    replace(
        config_repo, "environments/prod.yaml", SWITCH[0], SWITCH[1] + "bucketing_from: flagd-v2\n"
    )
    code, lines = _validate(config_repo)
    assert (code, lines) == (0, ["9 files, 9 documents: no problems"])
    config_repo.commit("prod on flagd-v3")
    # Later changes of the same environment need nothing more. (Not a Helm value: prod's values
    # follow require_promotion, FW406.)
    replace(config_repo, "environments/prod.yaml", "namespace: shop-prod", "namespace: shop-p2")
    assert _validate(config_repo)[0] == 0


def test_an_environment_without_live_splits_moves_nobody(config_repo: GitWork) -> None:
    # dev serves fixed variants only: the rule changes nothing anyone is served.
    replace(config_repo, "environments/dev.yaml", "name: dev\n", "name: dev\nbucketing: flagd-v3\n")
    assert run_diff(config_repo.root, "main", None).flags == []
    code, lines = _validate(config_repo)
    assert code == 1
    assert lines == [
        "environments/dev.yaml:3:12: error[FW420] dev: bucketing changes flagd-v2 → flagd-v3, "
        "which recomputes every user's bucket: no flag buckets anyone here today. Add "
        "`bucketing_from: flagd-v2` to acknowledge the reshuffle"
    ]
