"""Edits keep the file as written: only the edited node's lines change, byte for byte."""

from __future__ import annotations

import pytest
from click.testing import CliRunner, Result

from flagwright.cli.main import cli
from flagwright.edit import EditError

from .conftest import GitWork

COMMENTED = """\
# yaml-language-server: $schema=../schemas/flag.schema.json
# A file full of comments, odd quoting and a 4-space indent.
kind: Flag   # the kind
key: 'new-api'
description: "New API, with quotes"
owner: team-a # trailing
environments:
    # dev comes first
    dev:
        serve: "on"     # always on in dev

    staging:
        # half of staging
        rollout: {plan: canary, variant: "on", stage: 4}   # keep in step with prod
    prod:
        rules:
          -   name: beta
              when: {segment: beta}   # beta testers
              serve: 'on'
        # Stage 2 = 10%.
        rollout: {plan: canary, variant: "on", stage: 2}
        # trailing comment of prod
# end of file comment
"""


def _run(work: GitWork, *args: str) -> Result:
    return CliRunner().invoke(cli, ["-C", str(work.root), *args])


@pytest.fixture
def commented(config_repo: GitWork) -> GitWork:
    (config_repo.root / "flags/new-api.yaml").write_text(COMMENTED, encoding="utf-8")
    config_repo.commit("comments")
    return config_repo


def _after(work: GitWork) -> str:
    return work.read("flags/new-api.yaml")


def test_advance_changes_only_the_rollout_line(commented: GitWork) -> None:
    result = _run(commented, "advance", "new-api", "--env", "prod")
    assert result.exit_code == 0, result.output
    assert _after(commented) == COMMENTED.replace(
        'variant: "on", stage: 2}', 'variant: "on", stage: 3}'
    )
    assert result.output.splitlines()[0] == "wrote flags/new-api.yaml: prod: stage 3 of 5 (25%)"
    assert (
        "      blast radius, fallthrough: 15.00% of users no rule matches change variant: "
        "off → on 15.00%"
    ) in result.output.splitlines()


def test_advance_refuses_past_the_last_stage(commented: GitWork) -> None:
    path = commented.root / "flags/new-api.yaml"
    path.write_text(COMMENTED.replace("stage: 2}", "stage: 5}"), encoding="utf-8")
    before = path.read_bytes()
    result = _run(commented, "advance", "new-api", "--env", "prod")
    assert result.exit_code == 1
    assert isinstance(result.exception, EditError)
    assert str(result.exception) == (
        "new-api in prod is already at the last stage (5 of 5, 100%) of plan canary"
    )
    assert path.read_bytes() == before


def test_set_serve_replaces_the_fallthrough_in_place(commented: GitWork) -> None:
    result = _run(commented, "set", "new-api", "--env", "staging", "--serve", "off")
    assert result.exit_code == 0, result.output
    assert _after(commented) == COMMENTED.replace(
        '        rollout: {plan: canary, variant: "on", stage: 4}   # keep in step with prod\n',
        # ruamel keeps an end-of-line comment at its old column
        '        serve: "off"' + " " * 39 + "# keep in step with prod\n",
    )


def test_set_split_writes_a_flow_mapping(commented: GitWork) -> None:
    result = _run(commented, "set", "new-api", "--env", "dev", "--split", "on=30,off=70")
    assert result.exit_code == 0, result.output
    assert _after(commented) == COMMENTED.replace(
        '        serve: "on"     # always on in dev\n',
        '        split: {"on": 30, "off": 70} # always on in dev\n',
    )
    assert "blast radius, fallthrough: 70.00% of all users change variant: on → off 70.00%" in (
        result.output
    )


def test_set_disabled_adds_one_line(commented: GitWork) -> None:
    result = _run(commented, "set", "new-api", "--env", "prod", "--disabled")
    assert result.exit_code == 0, result.output
    assert _after(commented) == COMMENTED.replace(
        "    prod:\n        rules:", "    prod:\n        enabled: false\n        rules:"
    )
    result = _run(commented, "set", "new-api", "--env", "prod", "--enabled")
    assert result.exit_code == 0, result.output
    assert _after(commented) == COMMENTED.replace(
        "    prod:\n        rules:", "    prod:\n        enabled: true\n        rules:"
    )


def test_invalid_edit_leaves_the_file_untouched(commented: GitWork) -> None:
    path = commented.root / "flags/new-api.yaml"
    before = path.read_bytes()
    result = _run(commented, "set", "new-api", "--env", "prod", "--serve", "maybe")
    assert result.exit_code == 1
    assert str(result.exception) == (
        "not written: the edit would make the configuration invalid:\n"
        "  flags/new-api.yaml:21:16: error[FW204] unknown variant 'maybe'; variants: on, off"
    )
    assert path.read_bytes() == before


def test_set_needs_exactly_one_change(commented: GitWork) -> None:
    result = _run(commented, "set", "new-api", "--env", "prod", "--serve", "on", "--disabled")
    assert result.exit_code == 2
    assert "give exactly one of --serve, --split, --enabled/--disabled" in result.output


def test_promote_copies_from_the_previous_environment(commented: GitWork) -> None:
    result = _run(commented, "promote", "new-api", "--to", "staging")
    assert result.exit_code == 0, result.output
    assert _after(commented) == COMMENTED.replace(
        '        rollout: {plan: canary, variant: "on", stage: 4}   # keep in step with prod\n',
        '        serve: "on"\n',
    )


def test_promote_into_a_new_entry(config_repo: GitWork) -> None:
    result = _run(config_repo, "promote", "checkout", "--to", "staging")
    assert result.exit_code == 0, result.output
    text = config_repo.read("flags/checkout.yaml")
    assert text.endswith(
        "  staging:\n    serve: treatment\n  prod:\n    split: {control: 50, treatment: 50}\n"
    )


def test_rollback_restores_the_last_different_entry(commented: GitWork) -> None:
    for stage in (3, 4):
        path = commented.root / "flags/new-api.yaml"
        path.write_text(COMMENTED.replace("stage: 2}", f"stage: {stage}}}"), encoding="utf-8")
        commented.commit(f"prod to stage {stage}")
    result = _run(commented, "rollback", "new-api", "--env", "prod")
    assert result.exit_code == 0, result.output
    assert _after(commented) == COMMENTED.replace("stage: 2}", "stage: 3}")
    assert "rollout canary (on): stage 4 (50%) → stage 3 (25%)" in result.output


def test_rollback_to_a_ref(commented: GitWork) -> None:
    first = commented.git("rev-parse", "HEAD")
    path = commented.root / "flags/new-api.yaml"
    path.write_text(COMMENTED.replace("stage: 2}", "stage: 4}"), encoding="utf-8")
    commented.commit("prod to stage 4")
    result = _run(commented, "rollback", "new-api", "--env", "prod", "--to", first[:10])
    assert result.exit_code == 0, result.output
    assert _after(commented) == COMMENTED
    result = _run(commented, "rollback", "new-api", "--env", "prod", "--to", "--exec=x")
    assert result.exit_code == 1
    assert "starts with '-'" in str(result.exception)


def test_set_split_keeps_the_existing_variant_order(config_repo: GitWork) -> None:
    from flagwright.diff.model import Move
    from flagwright.diff.run import run_diff

    result = _run(
        config_repo, "set", "checkout", "--env", "staging", "--split", "treatment=70,control=30"
    )
    assert result.exit_code == 0, result.output
    assert "  staging:\n    split: {control: 30, treatment: 70}\n" in config_repo.read(
        "flags/checkout.yaml"
    )
    (change,) = [f for f in run_diff(config_repo.root, "main").flags if f.env == "staging"]
    assert change.blast[0].moves == (Move("control", "treatment", 2000),)
    assert change.reshuffles == ()
