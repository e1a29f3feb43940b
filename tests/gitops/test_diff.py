"""Semantic diff between two revisions of a real Git repository."""

from __future__ import annotations

import json

import pytest
from syrupy.assertion import SnapshotAssertion

from flagwright.diff.model import FlagChange, Move, SemanticDiff
from flagwright.diff.run import run_diff
from flagwright.report.diff import FORMATTERS, as_text

from .conftest import GitWork, replace


def _diff(work: GitWork, base: str = "main", head: str | None = None) -> SemanticDiff:
    return run_diff(work.root, base, head)


def _only(diff: SemanticDiff, env: str, flag: str) -> FlagChange:
    found = [f for f in diff.flags if f.env == env and f.flag == flag]
    assert len(found) == 1, as_text(diff)
    return found[0]


def _texts(change: FlagChange) -> list[str]:
    return [c.text for c in change.changes]


def test_no_change_is_an_empty_diff(config_repo: GitWork) -> None:
    diff = _diff(config_repo)
    assert diff.empty
    assert as_text(diff) == "flagwright diff main → work tree\nno semantic changes\n"


def test_prod_rollout_10_to_25_moves_exactly_15_percent_off_to_on(config_repo: GitWork) -> None:
    replace(config_repo, "flags/new-api.yaml", "stage: 2}", "stage: 3}")
    diff = _diff(config_repo)
    change = _only(diff, "prod", "new-api")
    assert [f.env for f in diff.flags] == ["prod"]
    assert _texts(change) == ["rollout canary (on): stage 2 (10%) → stage 3 (25%)"]
    (blast,) = change.blast
    assert (blast.scope, blast.population, blast.exact) == (
        "fallthrough",
        "users no rule matches",
        True,
    )
    assert blast.moves == (Move("off", "on", 1500),)


def test_committed_revisions_compare_without_checkout(config_repo: GitWork) -> None:
    replace(config_repo, "flags/new-api.yaml", "stage: 2}", "stage: 4}")
    config_repo.commit("prod to 50%")
    config_repo.git("checkout", "-q", "HEAD~1")  # the work tree is the old revision again
    change = _only(_diff(config_repo, "main~1", "main"), "prod", "new-api")
    assert change.blast[0].moves == (Move("off", "on", 4000),)


def test_split_weights_move_only_the_difference(config_repo: GitWork) -> None:
    replace(
        config_repo,
        "flags/checkout.yaml",
        "prod:\n    split: {control: 50, treatment: 50}",
        "prod:\n    split: {control: 40, treatment: 60}",
    )
    change = _only(_diff(config_repo), "prod", "checkout")
    assert _texts(change) == [
        "fallthrough: split control 50%, treatment 50% → split control 40%, treatment 60%"
    ]
    assert change.blast[0].moves == (Move("control", "treatment", 1000),)
    assert change.blast[0].population == "all users"
    assert change.reshuffles == ()


def test_split_order_change_is_a_loud_reshuffle(config_repo: GitWork) -> None:
    replace(
        config_repo,
        "flags/checkout.yaml",
        "prod:\n    split: {control: 50, treatment: 50}",
        "prod:\n    split: {treatment: 50, control: 50}",
    )
    change = _only(_diff(config_repo), "prod", "checkout")
    assert change.blast[0].moves == (
        Move("control", "treatment", 5000),
        Move("treatment", "control", 5000),
    )
    assert change.reshuffles == (
        "fallthrough: split variant order changed (control, treatment → treatment, control): "
        "bucket ranges move, 100.00% of these users change variant",
    )


def test_split_variant_rename_is_a_loud_reshuffle(config_repo: GitWork) -> None:
    text = config_repo.read("flags/checkout.yaml").replace("control", "baseline")
    (config_repo.root / "flags/checkout.yaml").write_text(text)
    change = _only(_diff(config_repo), "prod", "checkout")
    assert change.reshuffles == (
        "fallthrough: split variants renamed or replaced (control → baseline): their users "
        "are reassigned",
    )
    assert "variant baseline added: v1" in _texts(change)
    assert "variant control removed" in _texts(change)
    assert "default control → baseline" in _texts(change)


def test_bucket_by_change_reshuffles_everyone(config_repo: GitWork) -> None:
    replace(
        config_repo,
        "flags/checkout.yaml",
        "default: control\n",
        "default: control\nbucket_by: account_id\n",
    )
    change = _only(_diff(config_repo), "prod", "checkout")
    assert _texts(change) == ["bucket_by targeting_key → account_id"]
    assert change.reshuffles[0].startswith("bucket_by changed targeting_key → account_id")
    (blast,) = change.blast
    assert not blast.exact
    assert blast.moves == (Move("control", "treatment", 2500), Move("treatment", "control", 2500))


def test_renamed_flag_key_is_a_loud_reshuffle(config_repo: GitWork) -> None:
    replace(config_repo, "flags/checkout.yaml", "key: checkout", "key: checkout-v2")
    diff = _diff(config_repo)
    change = _only(diff, "prod", "checkout-v2")
    assert (change.status, change.renamed_from) == ("renamed", "checkout")
    assert change.reshuffles[0].startswith("flag key renamed checkout → checkout-v2")
    assert change.blast[0].exact is False
    assert sum(m.weight for m in change.blast[0].moves) == 5000
    assert not [f for f in diff.flags if f.flag == "checkout"]


def test_kill_switch_moves_rule_and_fallthrough_users_to_default(config_repo: GitWork) -> None:
    replace(config_repo, "flags/new-api.yaml", "  prod:\n", "  prod:\n    enabled: false\n")
    change = _only(_diff(config_repo), "prod", "new-api")
    assert _texts(change) == ["enabled true → false"]
    assert [(b.scope, b.moves) for b in change.blast] == [
        ("rule beta", (Move("on", "off", 10000),)),
        ("fallthrough", (Move("on", "off", 1000),)),
    ]
    assert change.blast[0].segments == ("beta",)


def test_rule_changes_name_the_rule_and_segment(config_repo: GitWork) -> None:
    replace(
        config_repo,
        "flags/new-api.yaml",
        "      - name: beta\n",
        "      - name: staff\n        when: {attr: email, op: ends_with, value: '@acme.com'}\n"
        '        serve: "on"\n      - name: beta\n',
    )
    replace(config_repo, "flags/segments/beta.yaml", "[beta@test.com]", "[beta@test.com, qa@x]")
    change = _only(_diff(config_repo), "prod", "new-api")
    assert _texts(change) == [
        "rule staff added: when email ends_with @acme.com → serve on",
        "rule beta: condition segment beta → segment beta",
    ]
    assert change.changes[1].segments == ("beta",)
    staff = change.blast[0]
    assert (staff.scope, staff.population) == ("rule staff", "users rule staff now matches")
    assert staff.moves == (Move("off", "on", 9000),)


def test_rule_removed_and_reordered(config_repo: GitWork) -> None:
    replace(
        config_repo,
        "flags/checkout.yaml",
        "  prod:\n",
        "  prod:\n    rules:\n"
        "      - {name: a, when: {attr: x, op: eq, value: 1}, serve: treatment}\n"
        "      - {name: b, when: {attr: y, op: eq, value: 2}, serve: control}\n"
        "      - {name: c, when: {segment: beta}, serve: control}\n",
    )
    config_repo.commit("rules")
    text = config_repo.read("flags/checkout.yaml")
    a = "      - {name: a, when: {attr: x, op: eq, value: 1}, serve: treatment}\n"
    b = "      - {name: b, when: {attr: y, op: eq, value: 2}, serve: control}\n"
    c = "      - {name: c, when: {segment: beta}, serve: control}\n"
    (config_repo.root / "flags/checkout.yaml").write_text(text.replace(a + b + c, b + a))
    change = _only(_diff(config_repo, "HEAD"), "prod", "checkout")
    assert _texts(change) == ["rule c removed", "rules reordered: a, b → b, a"]
    assert change.changes[0].segments == ("beta",)
    assert change.blast[0].scope == "rule c"
    assert change.blast[0].moves == (Move("control", "treatment", 5000),)


def test_plan_schedule_default_variants_requires_and_entries(config_repo: GitWork) -> None:
    replace(
        config_repo,
        "flags/plans/canary.yaml",
        "{percent: 10, hold: 30m}",
        "{percent: 5, hold: 30m}",
    )
    replace(
        config_repo,
        "flags/new-api.yaml",
        '    rollout: {plan: canary, variant: "on", stage: 4}\n',
        '    rollout: {plan: canary, variant: "on", start: 2026-12-01T00:00:00Z}\n',
    )
    replace(config_repo, "flags/checkout.yaml", "treatment: v2}", "treatment: v3}")
    replace(
        config_repo,
        "flags/checkout.yaml",
        "owner: team-b\n",
        "owner: team-b\nrequires: [new-api]\n",
    )
    replace(config_repo, "flags/checkout.yaml", "  dev:\n    serve: treatment\n", "")
    diff = _diff(config_repo)
    assert _texts(_only(diff, "prod", "new-api")) == [
        "plan canary stages 1%/10%/25%/50%/100% → 1%/5%/25%/50%/100% (stage 2)"
    ]
    assert _only(diff, "prod", "new-api").blast[0].moves == (Move("on", "off", 500),)
    assert _texts(_only(diff, "staging", "new-api")) == [
        "fallthrough: rollout canary (on) stage 4 of 5 (50%) → rollout canary (on) scheduled "
        "from 2026-12-01T00:00:00Z"
    ]
    assert _texts(_only(diff, "dev", "checkout")) == [
        "variant treatment: v2 → v3",
        'requires [] → ["new-api"]',
        "entry removed: serves default control",
    ]


def test_schedule_start_change(config_repo: GitWork) -> None:
    replace(config_repo, "flags/new-api.yaml", "stage: 2}", "start: 2026-12-01T00:00:00Z}")
    config_repo.commit("schedule")
    replace(config_repo, "flags/new-api.yaml", "2026-12-01T00", "2026-12-08T00")
    change = _only(_diff(config_repo, "HEAD"), "prod", "new-api")
    assert _texts(change) == [
        "schedule of rollout canary (on): start 2026-12-01T00:00:00Z → 2026-12-08T00:00:00Z"
    ]
    assert change.blast == ()


def test_added_and_removed_flags(config_repo: GitWork) -> None:
    config_repo.remove("flags/checkout.yaml")
    config_repo.write(
        "flags/dark.yaml",
        """
        kind: Flag
        key: dark
        description: Dark mode
        owner: team-c
        environments:
          dev: {serve: "on"}
    """,
    )
    diff = _diff(config_repo)
    assert [(f.env, f.flag, f.status) for f in diff.flags] == [
        ("dev", "checkout", "removed"),
        ("dev", "dark", "added"),
        ("prod", "checkout", "removed"),
        ("prod", "dark", "added"),
        ("staging", "checkout", "removed"),
        ("staging", "dark", "added"),
    ]
    assert _texts(_only(diff, "dev", "dark")) == ["new flag; serves serve on"]
    assert _texts(_only(diff, "prod", "dark")) == ["new flag; not listed here, serves default off"]


def test_helm_values_changes_as_dotted_paths(config_repo: GitWork) -> None:
    replace(
        config_repo,
        "environments/prod.yaml",
        "{replicaCount: 3, image: {tag: 1.0.0}}",
        "{replicaCount: 5, image: {tag: 1.1.0}, ingress: {host: x.example}}",
    )
    replace(
        config_repo,
        "environments/apps/web.yaml",
        "values: {image: {repository: ghcr.io/acme/web}}",
        "values: {}",
    )
    diff = _diff(config_repo)
    assert diff.flags == []
    got = [(v.env, v.app, v.path, v.status, v.before, v.after) for v in diff.values]
    assert got == [
        ("dev", "web", "image.repository", "removed", "ghcr.io/acme/web", None),
        ("prod", "web", "image.repository", "removed", "ghcr.io/acme/web", None),
        ("prod", "web", "image.tag", "changed", "1.0.0", "1.1.0"),
        ("prod", "web", "ingress.host", "added", None, "x.example"),
        ("prod", "web", "replicaCount", "changed", 3, 5),
        ("staging", "web", "image.repository", "removed", "ghcr.io/acme/web", None),
    ]


def test_a_broken_revision_is_reported_not_diffed(config_repo: GitWork) -> None:
    from flagwright.diff.revisions import DiffError

    config_repo.write("flags/broken.yaml", "kind: Flag\nkey: [unclosed\n")
    with pytest.raises(DiffError, match=r"^work tree: 1 configuration error\(s\) prevent a diff"):
        _diff(config_repo)


def _composite(work: GitWork) -> None:
    replace(work, "flags/new-api.yaml", "stage: 2}", "stage: 3}")
    replace(
        work,
        "flags/checkout.yaml",
        "prod:\n    split: {control: 50, treatment: 50}",
        "prod:\n    split: {treatment: 60, control: 40}",
    )
    replace(work, "environments/prod.yaml", "replicaCount: 3", "replicaCount: 4")


def test_text_output_snapshot(config_repo: GitWork, snapshot: SnapshotAssertion) -> None:
    _composite(config_repo)
    assert FORMATTERS["text"](_diff(config_repo)) == snapshot


def test_json_output_carries_exact_weights(config_repo: GitWork) -> None:
    _composite(config_repo)
    data = json.loads(FORMATTERS["json"](_diff(config_repo)))
    api = next(f for f in data["flags"] if f["flag"] == "new-api")
    assert api["blast_radius"][0]["moves"] == [
        {"from": "off", "to": "on", "weight": 1500, "percent": "15.00%"}
    ]


def test_example_repository_prod_rollout_in_all_formats(example_repo: GitWork) -> None:
    """The done-when scenario: raise prod's rollout on a branch, merge, diff."""
    example_repo.git("checkout", "-q", "-b", "raise-rollout")
    replace(example_repo, "flags/new-checkout-api.yaml", "stage: 2}", "stage: 3}")
    example_repo.commit("new-checkout-api: prod to 25%")
    example_repo.git("checkout", "-q", "main")
    example_repo.git("merge", "-q", "--no-ff", "-m", "Merge raise-rollout", "raise-rollout")
    diff = run_diff(example_repo.root, "main~1", "main")
    assert [(f.env, f.flag) for f in diff.flags] == [("prod", "new-checkout-api")]
    text = FORMATTERS["text"](diff)
    assert (
        "      blast radius, fallthrough: 15.00% of users no rule matches change variant: "
        "off → on 15.00%\n"
    ) in text
    markdown = FORMATTERS["markdown"](diff)
    assert (
        "| prod | `new-checkout-api` | changed | **15.00%** of users no rule matches (off → on) |"
    ) in markdown
    data = json.loads(FORMATTERS["json"](diff))
    (flag,) = data["flags"]
    assert flag["blast_radius"][0]["percent"] == "15.00%"
    assert flag["blast_radius"][0]["moves"] == [
        {"from": "off", "to": "on", "weight": 1500, "percent": "15.00%"}
    ]


def test_bucket_by_change_is_no_reshuffle_where_nothing_is_percentage_based(
    config_repo: GitWork,
) -> None:
    replace(config_repo, "flags/new-api.yaml", "owner: team-a\n", "owner: team-a\nbucket_by: org\n")
    diff = _diff(config_repo)
    dev = _only(diff, "dev", "new-api")  # serve: "on", no percentage anywhere
    assert _texts(dev) == ["bucket_by targeting_key → org"]
    assert (dev.reshuffles, dev.blast) == ((), ())
    prod = _only(diff, "prod", "new-api")  # a rollout: buckets decide who gets on
    assert prod.reshuffles[0].startswith("bucket_by changed targeting_key → org")


def test_application_changes_as_dotted_paths(config_repo: GitWork) -> None:
    replace(config_repo, "environments/apps/web.yaml", "version: 1.0.0", "version: 1.1.0")
    replace(config_repo, "environments/prod.yaml", "namespace: shop-prod", "namespace: shop-p2")
    diff = _diff(config_repo)
    assert (diff.flags, diff.values) == ([], [])
    got = [(v.env, v.app, v.path, v.status, v.before, v.after) for v in diff.applications]
    assert got == [
        ("dev", "web", "chart.version", "changed", "1.0.0", "1.1.0"),
        ("prod", "web", "argocd.namespace", "changed", "shop-prod", "shop-p2"),
        ("prod", "web", "chart.version", "changed", "1.0.0", "1.1.0"),
        ("staging", "web", "chart.version", "changed", "1.0.0", "1.1.0"),
    ]
    assert as_text(diff) == (
        "flagwright diff main → work tree\n"
        "0 flag changes in 0 environments, 0 Helm value changes, 4 Argo CD Application changes, "
        "3 deploys\n"
        "\n"
        "Deploys:\n"
        "  web dev: chart 1.0.0 → 1.1.0, the chart's own update strategy\n"
        "  web prod: chart 1.0.0 → 1.1.0, the chart's own update strategy\n"
        "  web staging: chart 1.0.0 → 1.1.0, the chart's own update strategy\n"
        "\n"
        "Argo CD Applications:\n"
        "  dev/web:\n"
        "      ~ chart.version: 1.0.0 → 1.1.0\n"
        "  prod/web:\n"
        "      ~ argocd.namespace: shop-prod → shop-p2\n"
        "      ~ chart.version: 1.0.0 → 1.1.0\n"
        "  staging/web:\n"
        "      ~ chart.version: 1.0.0 → 1.1.0\n"
    )
    assert "| prod | web | `argocd.namespace` | `shop-prod` | `shop-p2` |" in (
        FORMATTERS["markdown"](diff)
    )
    data = json.loads(FORMATTERS["json"](diff))
    assert data["applications"][0] == {
        "environment": "dev", "app": "web", "path": "chart.version", "status": "changed",
        "before": "1.0.0", "after": "1.1.0",
    }  # fmt: skip
