"""A freeze blocks growth only: reductions and reverts pass, in `validate --base` and in edits."""

from __future__ import annotations

from tests.cli_runner import run_cli

from .conftest import GitWork, replace
from .test_policy import CALM, FLAG_FROZEN, FROZEN, _validate

WINDOW = "2026-12-20T00:00:00+00:00 to 2027-01-03T00:00:00+00:00 (holidays)"
PROD_ROLLOUT = 'rollout: {plan: canary, variant: "on", stage: 2}'


def _ok(work: GitWork, base: str = "main") -> None:
    code, lines = _validate(work, now=FROZEN, base=base)
    assert (code, lines[-1:]) == (0, [lines[-1]]), lines
    assert lines[-1].endswith("no problems")


def test_lowering_a_stage_passes_a_freeze(config_repo: GitWork) -> None:
    replace(config_repo, "flags/new-api.yaml", "stage: 2}", "stage: 1}")
    _ok(config_repo)


def test_lowering_the_non_default_share_passes_a_freeze(config_repo: GitWork) -> None:
    replace(config_repo, "flags/checkout.yaml", "prod:\n    split: {control: 50, treatment: 50}",
            "prod:\n    split: {control: 80, treatment: 20}")  # fmt: skip
    _ok(config_repo)


def test_raising_the_non_default_share_is_held(config_repo: GitWork) -> None:
    replace(config_repo, "flags/checkout.yaml", "prod:\n    split: {control: 50, treatment: 50}",
            "prod:\n    split: {control: 40, treatment: 60}")  # fmt: skip
    code, lines = _validate(config_repo, now=FROZEN)
    assert code == 1
    assert f"flags/checkout.yaml:13:3: error[FW403] checkout: prod is frozen from {WINDOW}; " \
        f"{FLAG_FROZEN}" in lines  # fmt: skip


def test_reordering_a_split_is_held(config_repo: GitWork) -> None:
    """Same shares, other users: the buckets that move to treatment are new exposure."""
    replace(config_repo, "flags/checkout.yaml", "prod:\n    split: {control: 50, treatment: 50}",
            "prod:\n    split: {treatment: 50, control: 50}")  # fmt: skip
    code, lines = _validate(config_repo, now=FROZEN)
    assert code == 1
    assert [line.split(" ")[:2] for line in lines] == [
        ["flags/checkout.yaml:13:3:", "error[FW403]"]
    ]


def test_dropping_a_rule_that_served_the_variant_passes(config_repo: GitWork) -> None:
    text = config_repo.read("flags/new-api.yaml")
    start = text.index("    rules:\n", text.index("  prod:"))
    end = text.index("    rollout:", start)
    (config_repo.root / "flags/new-api.yaml").write_text(text[:start] + text[end:])
    _ok(config_repo)


def test_a_new_rule_is_held(config_repo: GitWork) -> None:
    replace(config_repo, "flags/new-api.yaml", "      - name: beta\n",
            "      - {name: vip, when: {attr: plan, op: eq, value: vip}, serve: \"on\"}\n"
            "      - name: beta\n")  # fmt: skip
    code, lines = _validate(config_repo, now=FROZEN)
    assert code == 1
    assert [line.split(" ")[:2] for line in lines] == [["flags/new-api.yaml:10:3:", "error[FW403]"]]


def test_reverting_the_last_change_passes_a_freeze(config_repo: GitWork) -> None:
    replace(config_repo, "flags/new-api.yaml", "stage: 2}", "stage: 3}")
    config_repo.commit("prod to 25%")
    replace(config_repo, "flags/new-api.yaml", "stage: 3}", "stage: 2}")
    config_repo.commit("prod back to 10% (incident)")
    replace(config_repo, "flags/new-api.yaml", "stage: 2}", "stage: 3}")  # the revert
    _ok(config_repo, base="HEAD")
    # the same growth without that history is held
    replace(config_repo, "flags/new-api.yaml", "stage: 3}", "stage: 4}")
    assert _validate(config_repo, now=FROZEN, base="HEAD")[0] == 1


def test_kill_switch_then_rollback_during_a_freeze(config_repo: GitWork) -> None:
    """`set --disabled` and then `rollback` both pass, though re-enabling grows 0% → 10%."""
    done = run_cli("-C", str(config_repo.root), "set", "new-api", "--env", "prod", "--disabled",
                   "--now", FROZEN)  # fmt: skip
    assert done.exit_code == 0, done.stderr
    config_repo.commit("kill new-api in prod")
    done = run_cli("-C", str(config_repo.root), "rollback", "new-api", "--env", "prod",
                   "--now", FROZEN)  # fmt: skip
    assert done.exit_code == 0, done.stderr
    assert PROD_ROLLOUT in config_repo.read("flags/new-api.yaml")
    assert "enabled: false" not in config_repo.read("flags/new-api.yaml")


def test_advance_is_held_and_rollback_is_not(config_repo: GitWork) -> None:
    root = str(config_repo.root)
    held = run_cli("-C", root, "advance", "new-api", "--env", "prod", "--now", FROZEN)
    assert held.exit_code == 1
    assert f"error[FW403] new-api: prod is frozen from {WINDOW}" in held.stderr
    assert run_cli("-C", root, "advance", "new-api", "--env", "prod", "--now", CALM).exit_code == 0
    config_repo.commit("prod to 25%")
    back = run_cli("-C", root, "rollback", "new-api", "--env", "prod", "--now", FROZEN)
    assert back.exit_code == 0, back.stderr
    assert PROD_ROLLOUT in config_repo.read("flags/new-api.yaml")


def _blue_green(work: GitWork) -> None:
    """prod's web on blue-green; 1.0.0 live, then 1.1.0 deployed (Git declares the version)."""
    web = "values: {replicaCount: 3, image: {tag: 1.0.0}}"
    replace(work, "environments/prod.yaml", web, f"{web}\n    deploy: {{strategy: blue-green}}")
    work.commit("prod web on blue-green")
    replace(work, "environments/prod.yaml", "tag: 1.0.0}", "tag: 1.1.0}")
    work.commit("web 1.1.0 to prod\n\nFlagwright-Allow: FW406 prod/web/image.tag\n")


def test_blue_green_switch_back_passes_a_freeze(config_repo: GitWork) -> None:
    """Switching back to the previous version (a revert of the tag) needs no promotion either."""
    _blue_green(config_repo)
    replace(config_repo, "environments/prod.yaml", "tag: 1.1.0}", "tag: 1.0.0}")
    _ok(config_repo, base="HEAD")


def test_blue_green_switch_forward_is_held(config_repo: GitWork) -> None:
    _blue_green(config_repo)
    replace(config_repo, "environments/prod.yaml", "tag: 1.1.0}", "tag: 1.2.0}")
    code, lines = _validate(config_repo, now=FROZEN, base="HEAD")
    assert code == 1
    assert lines[0] == (
        f"environments/prod.yaml:11:3: error[FW403] Helm values of web in prod change while "
        f"prod is frozen from {WINDOW}; only restoring the state before the last change (a "
        "switch back, a revert) is allowed"
    )
    assert [line.split(" ")[:2] for line in lines[1:]] == [
        ["environments/prod.yaml:12:44:", "error[FW406]"]
    ]
