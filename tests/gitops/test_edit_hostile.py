"""Edits on files written in unusual but valid ways: aliases, CR line ends, tabs, NaN."""

from __future__ import annotations

from tests.cli_runner import run_cli

from .conftest import GitWork

CALM = "2026-11-20T12:00:00Z"
ALIASED = """\
kind: Flag
key: aliased
description: Two environments share one entry through an anchor
owner: team-a
environments:
  dev: &e
    serve: "on"
  staging: *e
  prod:
    serve: "off"
"""


def _set(work: GitWork, *args: str) -> tuple[int, str, str]:
    result = run_cli("-C", str(work.root), "set", *args, "--now", CALM)
    return result.exit_code, result.stdout, result.stderr


def test_set_on_an_alias_expands_it_and_says_so(config_repo: GitWork) -> None:
    config_repo.write("flags/aliased.yaml", ALIASED)
    code, out, err = _set(config_repo, "aliased", "--env", "staging", "--serve", "off")
    assert code == 0, err
    assert out.splitlines()[0] == (
        "wrote flags/aliased.yaml: staging: serve off; environments.staging was the alias *e; it "
        "is now a copy of its own, and the other entries that use &e are unchanged"
    )
    assert config_repo.read("flags/aliased.yaml") == ALIASED.replace(
        "  staging: *e\n", '  staging:\n    serve: "off"\n'
    )


def test_set_on_the_anchor_is_refused(config_repo: GitWork) -> None:
    config_repo.write("flags/aliased.yaml", ALIASED)
    code, _, err = _set(config_repo, "aliased", "--env", "dev", "--serve", "off")
    assert code == 1
    assert err == (
        "error: environments.dev is the anchor &e, which other entries reuse through an alias; "
        "changing it would change them too. Expand those aliases first, or edit by hand\n"
    )
    assert config_repo.read("flags/aliased.yaml") == ALIASED


def test_cr_only_line_ends_stay_cr_only(config_repo: GitWork) -> None:
    text = 'kind: Flag\rkey: cr\rdescription: Old Mac\rowner: team-a\renvironments:\r  dev:\r' \
        '    serve: "on"   # always\r'  # fmt: skip
    (config_repo.root / "flags/cr.yaml").write_bytes(text.encode())
    code, _, err = _set(config_repo, "cr", "--env", "dev", "--serve", "off")
    assert code == 0, err
    after = (config_repo.root / "flags/cr.yaml").read_bytes()
    assert after == text.replace('serve: "on"   #', 'serve: "off"  #').encode()
    assert b"\n" not in after


def test_a_tab_before_a_trailing_comment_does_not_block_set(config_repo: GitWork) -> None:
    text = (
        "kind: Flag\nkey: tabbed\ndescription: Tabs\nowner: team-a\nenvironments:\n"
        '  dev:\t# the dev entry\n    serve: "on"\t# on\n  prod:\n    serve: "off"\t#\toff\n'
    )
    (config_repo.root / "flags/tabbed.yaml").write_text(text, encoding="utf-8")
    assert run_cli("-C", str(config_repo.root), "validate").exit_code == 0
    code, _, err = _set(config_repo, "tabbed", "--env", "dev", "--serve", "off")
    assert code == 0, err
    # lines outside the edited entry keep their tabs; the entry keeps its comments
    assert config_repo.read("flags/tabbed.yaml") == text.replace(
        '  dev:\t# the dev entry\n    serve: "on"\t# on\n',
        '  dev: # the dev entry\n    serve: "off" # on\n',
    )


def test_nan_in_split_is_named(config_repo: GitWork) -> None:
    code, _, err = _set(config_repo, "checkout", "--env", "dev", "--split",
                        "control=nan,treatment=100")  # fmt: skip
    assert code == 2
    assert err.splitlines()[-1] == (
        "Error: Invalid value for --split: 'control=nan': the weight is NaN (not a number); "
        "give a percentage from 0 to 100"
    )
    code, _, err = _set(config_repo, "checkout", "--env", "dev", "--split", "control=inf")
    assert (code, "the weight is infinite" in err) == (2, True)


def test_advance_on_an_aliased_rollout_expands_it(config_repo: GitWork) -> None:
    text = """\
kind: Flag
key: shared-rollout
description: Two environments share one rollout through an anchor
owner: team-a
environments:
  dev:
    rollout: &r {plan: canary, variant: "on", stage: 1}
  staging:
    rollout: *r
"""
    config_repo.write("flags/shared-rollout.yaml", text)
    result = run_cli("-C", str(config_repo.root), "advance", "shared-rollout", "--env",
                     "staging", "--now", CALM)  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "environments.staging.rollout was an alias" in result.stdout.splitlines()[0]
    assert config_repo.read("flags/shared-rollout.yaml") == text.replace(
        "    rollout: *r\n", '    rollout: {plan: canary, variant: "on", stage: 2}\n'
    )
