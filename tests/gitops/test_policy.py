"""`validate --base REF`: each change policy stops its violation at the line in HEAD."""

from __future__ import annotations

from click.testing import CliRunner
from tests.cli_runner import run_cli

from flagwright.cli.main import cli

from .conftest import GitWork, replace

CALM = "2026-11-20T12:00:00Z"
FROZEN = "2026-12-24T12:00:00Z"
FLAG_FROZEN = (
    "only a change that reduces exposure (turning it off, a lower stage, percentage or share) "
    "or restores the state before the last change is allowed"
)
APP_FROZEN = "only restoring the state before the last change (a switch back, a revert) is allowed"


def _validate(work: GitWork, now: str = CALM, base: str = "main") -> tuple[int, list[str]]:
    result = CliRunner().invoke(
        cli,
        ["-C", str(work.root), "validate", "--base", base, "--now", now, "--today", "2026-11-20"],
        catch_exceptions=False,
    )
    lines = result.output.splitlines()
    return result.exit_code, lines[:-1] if result.exit_code else lines


def test_allowed_change_passes(config_repo: GitWork) -> None:
    replace(config_repo, "flags/new-api.yaml", "stage: 2}", "stage: 3}")
    code, lines = _validate(config_repo)
    assert code == 0
    assert lines == ["9 files, 9 documents: no problems"]


def test_rollout_step_over_max_is_fw401_at_the_stage(config_repo: GitWork) -> None:
    replace(config_repo, "flags/new-api.yaml", "stage: 2}", "stage: 4}")
    code, lines = _validate(config_repo)
    assert code == 1
    assert lines == [
        "flags/new-api.yaml:15:51: error[FW401] new-api in prod: the rollout of on grows from "
        "10.00% to 50.00% in one change (40.00%); prod's max_rollout_step is 25.00%"
    ]


def test_promotion_required_is_fw402_at_the_fallthrough(config_repo: GitWork) -> None:
    replace(
        config_repo,
        "flags/checkout.yaml",
        "prod:\n    split: {control: 50, treatment: 50}",
        "prod:\n    split: {control: 40, treatment: 60}",
    )
    code, lines = _validate(config_repo)
    assert code == 1
    assert lines == [
        "flags/checkout.yaml:14:5: error[FW402] checkout in prod would serve treatment to "
        "60.00% of users, but staging (which prod promotes from) serves it to 50.00%; promote "
        "it to staging first"
    ]


def test_promotion_checks_rule_variants(config_repo: GitWork) -> None:
    replace(
        config_repo,
        "flags/checkout.yaml",
        "  staging:\n    split: {control: 50, treatment: 50}",
        "  staging:\n    serve: control",
    )
    config_repo.commit("staging back to control")
    replace(
        config_repo,
        "flags/checkout.yaml",
        "  prod:\n",
        "  prod:\n    rules:\n      - {name: vip, when: {attr: plan, op: eq, value: vip}, "
        "serve: treatment}\n",
    )
    code, lines = _validate(config_repo, base="HEAD")
    assert code == 1
    assert lines == [
        "flags/checkout.yaml:15:9: error[FW402] checkout in prod: rule vip serves treatment, "
        "which staging (which prod promotes from) does not serve; promote it to staging first"
    ]


def test_freeze_blocks_changes_but_not_turning_off(config_repo: GitWork) -> None:
    replace(config_repo, "flags/new-api.yaml", "stage: 2}", "stage: 3}")
    replace(config_repo, "environments/prod.yaml", "replicaCount: 3", "replicaCount: 4")
    code, lines = _validate(config_repo, now=FROZEN)
    assert code == 1
    window = "2026-12-20T00:00:00+00:00 to 2027-01-03T00:00:00+00:00 (holidays)"
    assert lines == [
        f"environments/prod.yaml:11:3: error[FW403] Helm values of web in prod change while "
        f"prod is frozen from {window}; {APP_FROZEN}",
        "environments/prod.yaml:12:28: error[FW406] web in prod: replicaCount becomes 4, which "
        "staging (which prod promotes from) does not have yet (it has 2); deploy it to staging "
        "first, or acknowledge it with the commit trailer `Flagwright-Allow: FW406 "
        "prod/web/replicaCount`",
        f"flags/new-api.yaml:10:3: error[FW403] new-api: prod is frozen from {window}; "
        f"{FLAG_FROZEN}",
    ]
    assert [line.split(" ")[1] for line in _validate(config_repo, now=CALM)[1]] == ["error[FW406]"]


def test_freeze_allows_a_kill_switch(config_repo: GitWork) -> None:
    replace(config_repo, "flags/new-api.yaml", "  prod:\n", "  prod:\n    enabled: false\n")
    assert _validate(config_repo, now=FROZEN) == (0, ["9 files, 9 documents: no problems"])


def test_freeze_cannot_be_lifted_in_the_same_change(config_repo: GitWork) -> None:
    text = config_repo.read("environments/prod.yaml")
    start = text.index("  freeze:")
    end = text.index("apps:")
    (config_repo.root / "environments/prod.yaml").write_text(text[:start] + text[end:])
    replace(config_repo, "flags/new-api.yaml", "stage: 2}", "stage: 3}")
    code, lines = _validate(config_repo, now=FROZEN)
    assert code == 1
    assert [line.split(" ")[0:2] for line in lines] == [
        ["flags/new-api.yaml:10:3:", "error[FW403]"]
    ]


def test_type_change_is_fw404_at_type(config_repo: GitWork) -> None:
    replace(
        config_repo,
        "flags/new-api.yaml",
        "owner: team-a\n",
        'owner: team-a\ntype: string\nvariants: {"on": "yes", "off": "no"}\ndefault: "off"\n',
    )
    code, lines = _validate(config_repo)
    assert code == 1
    assert lines == [
        "flags/new-api.yaml:5:7: error[FW404] new-api: type changed from boolean to string; "
        "running code reads the old type. Add a new flag instead"
    ]


def test_removing_a_served_flag_is_fw405(config_repo: GitWork) -> None:
    config_repo.remove("flags/checkout.yaml")
    code, lines = _validate(config_repo)
    assert code == 1
    assert lines == [
        "flags/checkout.yaml:1:1: error[FW405] checkout was removed but is still served in dev, "
        "prod, staging; first make it serve its default everywhere (or turn it off), then "
        "remove it"
    ]


def test_removing_a_flag_that_serves_only_its_default_is_fine(config_repo: GitWork) -> None:
    config_repo.write(
        "flags/old.yaml",
        """
        kind: Flag
        key: old
        description: Retired
        owner: team-a
        environments:
          prod: {serve: "off"}
    """,
    )
    config_repo.commit("old flag, serving its default")
    config_repo.remove("flags/old.yaml")
    assert _validate(config_repo, base="HEAD")[0] == 0


PROD_ROLLOUT = 'rollout: {plan: canary, variant: "on", stage: 2}'


def _cli(work: GitWork, *args: str) -> None:
    result = CliRunner().invoke(cli, ["-C", str(work.root), *args])
    assert result.exit_code == 0, result.output


def test_rollout_step_covers_a_serve_replacing_a_rollout(config_repo: GitWork) -> None:
    replace(config_repo, "flags/new-api.yaml", PROD_ROLLOUT, 'serve: "on"')
    code, lines = _validate(config_repo)
    assert code == 1
    assert lines == [
        "flags/new-api.yaml:15:12: error[FW401] new-api in prod: the share of users served on "
        "grows from 10.00% to 100.00% in one change (90.00%); prod's max_rollout_step is 25.00%",
        "flags/new-api.yaml:15:12: error[FW402] new-api in prod would serve on to 100.00% of "
        "users, but staging (which prod promotes from) serves it to 50.00%; promote it to "
        "staging first",
    ]


def _refused(work: GitWork, *args: str) -> list[str]:
    """The diagnostics an editing command refuses with; the file is left as it was."""
    before = {p: p.read_bytes() for p in (work.root / "flags").rglob("*.yaml")}
    result = run_cli("-C", str(work.root), *args)
    assert result.exit_code == 1, result.stdout
    assert {p: p.read_bytes() for p in (work.root / "flags").rglob("*.yaml")} == before
    head, *lines = result.stderr.splitlines()
    assert head == (
        "error: not written: the edit breaks a change policy (lines as they would be after it):"
    )
    return [line.strip() for line in lines]


def test_set_split_is_refused_when_it_breaks_the_policy(config_repo: GitWork) -> None:
    assert _refused(config_repo, "set", "new-api", "--env", "prod", "--split", "on=100,off=0") == [
        "flags/new-api.yaml:15:5: error[FW401] new-api in prod: the share of users served on "
        "grows from 10.00% to 100.00% in one change (90.00%); prod's max_rollout_step is 25.00%",
        "flags/new-api.yaml:15:5: error[FW402] new-api in prod would serve on to 100.00% of "
        "users, but staging (which prod promotes from) serves it to 50.00%; promote it to "
        "staging first",
    ]


def test_promote_is_refused_beyond_max_rollout_step(config_repo: GitWork) -> None:
    _staging_fully_on(config_repo)
    assert _refused(config_repo, "promote", "new-api", "--to", "prod") == [
        "flags/new-api.yaml:11:12: error[FW401] new-api in prod: the share of users served on "
        "grows from 10.00% to 100.00% in one change (90.00%); prod's max_rollout_step is 25.00%"
    ]


def test_advance_twice_on_a_branch_stops_at_max_rollout_step(config_repo: GitWork) -> None:
    """Edits are judged from the merge base, as the pull request's `validate --base` is."""
    config_repo.git("checkout", "-q", "-b", "rollout")
    _cli(config_repo, "advance", "new-api", "--env", "prod", "--now", CALM)  # 10% -> 25%
    config_repo.commit("prod to 25%")
    assert _refused(config_repo, "advance", "new-api", "--env", "prod", "--now", CALM) == [
        "flags/new-api.yaml:15:51: error[FW401] new-api in prod: the rollout of on grows from "
        "10.00% to 50.00% in one change (40.00%); prod's max_rollout_step is 25.00%"
    ]
    assert _validate(config_repo)[0] == 0


def test_set_serve_is_refused_during_a_freeze(config_repo: GitWork) -> None:
    window = "2026-12-20T00:00:00+00:00 to 2027-01-03T00:00:00+00:00 (holidays)"
    assert _refused(
        config_repo, "set", "new-api", "--env", "prod", "--serve", "on", "--now", FROZEN
    )[0] == (
        f"flags/new-api.yaml:10:3: error[FW403] new-api: prod is frozen from {window}; "
        f"{FLAG_FROZEN}"
    )


def _staging_fully_on(work: GitWork) -> None:
    replace(work, "flags/new-api.yaml", 'rollout: {plan: canary, variant: "on", stage: 4}',
            'serve: "on"')  # fmt: skip
    work.commit("staging fully on")


GENTLE = """
    kind: RolloutPlan
    name: gentle
    stages:
      - {percent: 5, hold: 1h}
      - {percent: 25, hold: 1h}
      - {percent: 50, hold: 1h}
      - {percent: 75, hold: 1h}
      - {percent: 100}
"""


def test_rollout_step_measures_a_schedule_at_now(config_repo: GitWork) -> None:
    config_repo.write("flags/plans/gentle.yaml", GENTLE)
    replace(config_repo, "flags/new-api.yaml", PROD_ROLLOUT,
            'rollout: {plan: gentle, variant: "on", start: "2026-12-01T00:00:00Z"}')  # fmt: skip
    config_repo.commit("prod on a schedule, starting in December")
    replace(config_repo, "flags/new-api.yaml", "2026-12-01T00:00:00Z", "2026-12-05T00:00:00Z")
    assert _validate(config_repo, base="HEAD")[0] == 0  # still 0% at now: nothing grows
    replace(config_repo, "flags/new-api.yaml", "2026-12-05T00:00:00Z", "2026-11-01T00:00:00Z")
    code, lines = _validate(config_repo, base="HEAD")
    assert code == 1
    assert lines == [
        "flags/new-api.yaml:15:5: error[FW401] new-api in prod: the rollout of on grows from "
        "0.00% to 100.00% in one change (100.00%); prod's max_rollout_step is 25.00%"
    ]


def test_a_schedule_is_held_to_max_rollout_step_stage_by_stage(config_repo: GitWork) -> None:
    _staging_fully_on(config_repo)
    replace(config_repo, "flags/new-api.yaml", PROD_ROLLOUT,
            'rollout: {plan: canary, variant: "on", start: "2026-12-01T00:00:00Z"}')  # fmt: skip
    code, lines = _validate(config_repo)
    assert code == 1
    assert lines == [
        "flags/new-api.yaml:15:51: error[FW401] new-api in prod: the scheduled rollout of on "
        "(plan canary): its schedule (1 → 10 → 25 → 50 → 100) steps from 50.00% to 100.00% at "
        "stage 5 (50.00%); prod's max_rollout_step is 25.00%, so use a plan whose stages grow "
        "by at most that, or a manual rollout (stage: N)"
    ]
    config_repo.write("flags/plans/gentle.yaml", GENTLE)
    replace(config_repo, "flags/new-api.yaml", "plan: canary, variant: \"on\", start",
            "plan: gentle, variant: \"on\", start")  # fmt: skip
    assert _validate(config_repo) == (0, ["10 files, 10 documents: no problems"])


def test_a_scheduled_stage_inside_a_freeze_is_fw403(config_repo: GitWork) -> None:
    _staging_fully_on(config_repo)
    config_repo.write("flags/plans/gentle.yaml", GENTLE)
    replace(config_repo, "flags/new-api.yaml", PROD_ROLLOUT,
            'rollout: {plan: gentle, variant: "on", start: "2026-12-19T22:00:00Z"}')  # fmt: skip
    code, lines = _validate(config_repo)
    assert code == 1
    assert lines == [
        "flags/new-api.yaml:15:51: error[FW403] new-api in prod: stage 3 (50%) of the schedule "
        "starts at 2026-12-20T00:00:00+00:00, while prod is frozen from "
        "2026-12-20T00:00:00+00:00 to 2027-01-03T00:00:00+00:00 (holidays); a freeze holds "
        "growth, so start the schedule after it (or before, so that it ends in time)"
    ]


def test_freeze_blocks_a_chart_version_bump(config_repo: GitWork) -> None:
    replace(config_repo, "environments/apps/web.yaml", "version: 1.0.0", "version: 1.1.0")
    code, lines = _validate(config_repo, now=FROZEN)
    assert code == 1
    window = "2026-12-20T00:00:00+00:00 to 2027-01-03T00:00:00+00:00 (holidays)"
    assert lines == [
        "environments/apps/web.yaml:3:63: error[FW403] the Argo CD Application of web in prod "
        f"changes (chart.version) while prod is frozen from {window}; {APP_FROZEN}",
        "environments/apps/web.yaml:3:63: error[FW406] web in prod: chart.version becomes "
        "'1.1.0', which staging (which prod promotes from) does not have yet (it has '1.0.0'); "
        "deploy it to staging first, or acknowledge it with the commit trailer "
        "`Flagwright-Allow: FW406 prod/web/chart.version`",
    ]


def test_freeze_blocks_an_argocd_namespace_change(config_repo: GitWork) -> None:
    replace(config_repo, "environments/prod.yaml", "namespace: shop-prod", "namespace: shop-p2")
    code, lines = _validate(config_repo, now=FROZEN)
    assert code == 1
    window = "2026-12-20T00:00:00+00:00 to 2027-01-03T00:00:00+00:00 (holidays)"
    assert lines == [
        "environments/prod.yaml:4:65: error[FW403] the Argo CD Application of web in prod "
        f"changes (argocd.namespace) while prod is frozen from {window}; {APP_FROZEN}"
    ]
