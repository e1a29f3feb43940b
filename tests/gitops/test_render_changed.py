"""`render --changed-since REF`: a change of Flag documents patches only the bundles it touches,
and the tree it leaves is exactly a full render's; anything else falls back, and says why."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.cli_runner import run_cli

from flagwright.render.incremental import render_changed_since
from flagwright.render.pipeline import RenderOptions, render_repository

from .conftest import REPO_ROOT, GitWork, replace

TODAY = date(2026, 11, 23)
KILL = "flags/payments-paypal-express.yaml"
NEW_FLAG = (
    "kind: Flag\nkey: brand-new\ndescription: New\nowner: team-x\ntags: [x]\n"
    "environments:\n  dev: {serve: 'on'}\n  prod:\n    rules:\n"
    "      - {name: staff, when: {segment: staff}, serve: 'on'}\n    serve: 'off'\n"
)
# One-flag edits of the example, each valid: (file, old text, new text); None deletes the file.
EDITS: list[tuple[str, str, str | None]] = [
    # a prerequisite of checkout-redesign: flagd inlines it there, so that flag changes too
    ("flags/new-checkout-api.yaml", "stage: 2}", "stage: 3}"),
    ("flags/new-checkout-api.yaml", '  dev:\n    serve: "on"',
     '  dev:\n    enabled: false\n    serve: "on"'),
    ("flags/checkout-redesign.yaml", "  dev:\n    serve: treatment", "  dev:\n    serve: control"),
    ("flags/checkout-redesign.yaml", "requires: [new-checkout-api]\n", ""),
    # overridden in the prod-us-1 cluster, which has a bundle of its own
    ("flags/storefront-express-shipping.yaml", "2026-12-02T09", "2026-12-03T09"),
    ("flags/storefront-express-shipping.yaml", "description: Show", "description: Now show"),
    ("flags/search-ranking.yaml", "split: {keyword: 90, hybrid: 10}",
     "split: {keyword: 80, hybrid: 20}"),
    ("flags/search-ranking.yaml", "(?i)(googlebot|", "(?i)(yandexbot|googlebot|"),
    ("flags/wishlist-sharing.yaml", '        serve: "on"\n    serve: "off"',
     '        serve: "on"\n    serve: "on"'),
    (KILL, "    enabled: false\n", "    enabled: true\n"),
    ("flags/brand-new.yaml", "", NEW_FLAG),
    ("flags/wishlist-sharing.yaml", "", None),
]  # fmt: skip


@pytest.fixture
def example(work: GitWork) -> GitWork:
    for folder in ("flags", "environments", "rendered"):
        shutil.copytree(REPO_ROOT / folder, work.root / folder)
    work.commit("the example, rendered")
    return work


def _tree(root: Path) -> dict[str, str]:
    base = root / "rendered"
    return {
        f"rendered/{p.relative_to(base).as_posix()}": p.read_text(encoding="utf-8")
        for p in sorted(base.rglob("*"))
        if p.is_file()
    }


def _full(root: Path) -> dict[str, str]:
    output = render_repository(root, TODAY, RenderOptions())
    assert output.ok
    return {path: artifact.text for path, artifact in output.files.items()}


def _apply(work: GitWork, edit: tuple[str, str, str | None]) -> None:
    rel, old, new = edit
    path = work.root / rel
    if new is None:
        if path.exists():
            path.unlink()
    elif not old:
        path.write_text(new, encoding="utf-8")
    elif path.exists() and old in (text := path.read_text(encoding="utf-8")):
        path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _render_changed(work: GitWork) -> tuple[int, str, str]:
    result = run_cli("-C", str(work.root), "render", "--today", TODAY.isoformat(),
                     "--changed-since", "HEAD")  # fmt: skip
    return result.exit_code, result.stdout, result.stderr


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.sampled_from(EDITS), min_size=1, max_size=3, unique=True))
def test_any_mix_of_flag_edits_leaves_the_tree_a_full_render_writes(
    example: GitWork, edits: list[tuple[str, str, str | None]]
) -> None:
    example.git("checkout", "-q", "--", ".")
    example.git("clean", "-qfd")
    for edit in edits:
        _apply(example, edit)
    expected = _full(example.root)
    code, _, stderr = _render_changed(example)
    assert code == 0, stderr
    assert "rendered again: everything" not in stderr  # the fast path, not the fallback
    assert _tree(example.root) == expected


def test_a_prod_only_change_patches_prod_and_writes_only_what_changed(example: GitWork) -> None:
    replace(example, KILL, "    enabled: false\n", "    enabled: true\n")
    changed = render_changed_since(example.root, "HEAD", TODAY, RenderOptions())
    assert (changed.fallback, changed.rendered, changed.partial) == (None, ["prod"], True)
    assert sorted(changed.output.files) == [
        "rendered/prod/clusters/prod-us-1/flags/featuremanagement.json",
        "rendered/prod/clusters/prod-us-1/flags/flagd.json",
        "rendered/prod/clusters/prod-us-1/flags/snapshot.json",
        "rendered/prod/clusters/prod-us-1/manifests/payments-flags.yaml",
        "rendered/prod/flags/featuremanagement.json",
        "rendered/prod/flags/flagd.json",
        "rendered/prod/flags/snapshot.json",
        "rendered/prod/manifests/payments-flags.yaml",
    ]
    expected = _full(example.root)
    assert {p: a.text for p, a in changed.output.files.items()} == {
        p: expected[p] for p in changed.output.files
    }


def test_a_change_that_serves_the_same_writes_nothing(example: GitWork) -> None:
    replace(example, KILL, "owner: team-payments", "owner: team-checkout")
    changed = render_changed_since(example.root, "HEAD", TODAY, RenderOptions())
    assert (changed.fallback, changed.rendered, changed.output.files) == (None, [], {})
    code, stdout, stderr = _render_changed(example)
    assert (code, "rendered again: no environment" in stderr) == (0, True)
    assert stdout.endswith("rendered/: 0 added, 0 changed, 0 removed, 63 unchanged\n")


def test_cli_writes_the_result_check_agrees_and_env_is_refused(example: GitWork) -> None:
    replace(example, KILL, "    enabled: false\n", "    enabled: true\n")
    code, stdout, stderr = _render_changed(example)
    assert code == 0
    assert "rendered again: prod" in stderr
    assert "rendered/prod/flags/snapshot.json: changed" in stdout
    args = ["-C", str(example.root), "render", "--today", TODAY.isoformat()]
    check = run_cli(*args, "--check")
    assert check.exit_code == 0, check.stderr
    assert run_cli(*args, "--check", "--changed-since", "HEAD").exit_code == 0
    usage = run_cli(*args, "--changed-since", "HEAD", "--env", "prod")
    assert (usage.exit_code, usage.stdout) == (2, "")
    assert "Error: " in usage.stderr


def test_check_with_changed_since_reports_the_patched_files_as_drift(example: GitWork) -> None:
    replace(example, KILL, "    enabled: false\n", "    enabled: true\n")
    args = ["-C", str(example.root), "render", "--today", TODAY.isoformat()]
    check = run_cli(*args, "--check", "--changed-since", "HEAD")
    assert check.exit_code == 1
    assert "rendered/prod/flags/snapshot.json: would be changed" in check.stdout
    assert "rendered/ is out of date (8 files)" in check.stderr


@pytest.mark.parametrize(
    ("rel", "old", "new", "reason"),
    [
        ("environments/prod.yaml", "replicaCount: 6", "replicaCount: 7",
         "environments/prod.yaml changed and is not a Flag document"),
        ("flags/segments/staff.yaml", "@acme-shop.com", "@acme.example",
         "flags/segments/staff.yaml changed and is not a Flag document"),
        (KILL, "    enabled: false\n", "    enabled: maybe\n", "a changed file does not load"),
        (KILL, "    serve: \"on\"\n", "    serve: \"onn\"\n", "a changed file has errors"),
    ],
)  # fmt: skip
def test_anything_else_falls_back_to_a_full_render(
    example: GitWork, rel: str, old: str, new: str, reason: str
) -> None:
    replace(example, rel, old, new)
    changed = render_changed_since(example.root, "HEAD", TODAY, RenderOptions())
    assert (changed.fallback, changed.partial) == (reason, False)
    full = render_repository(example.root, TODAY, RenderOptions())
    assert changed.output.ok == full.ok
    assert {p: a.text for p, a in changed.output.files.items()} == {
        p: a.text for p, a in full.files.items()
    }
    assert changed.output.diagnostics == full.diagnostics


def test_a_bad_edit_is_an_error_at_its_line_and_rendered_stays(example: GitWork) -> None:
    replace(example, KILL, '    serve: "on"\n', '    serve: "onn"\n')
    before = _tree(example.root)
    code, stdout, stderr = _render_changed(example)
    assert code == 1
    assert f"{KILL}:" in stderr and "error[FW" in stderr
    line = next(n for n, text in enumerate(example.read(KILL).splitlines(), 1) if "onn" in text)
    assert f"{KILL}:{line}:" in stderr
    assert stdout == ""
    assert _tree(example.root) == before


@pytest.mark.parametrize("dirt", ["edited", "extra", "missing"])
def test_a_rendered_tree_that_is_not_refs_falls_back(example: GitWork, dirt: str) -> None:
    replace(example, KILL, "    enabled: false\n", "    enabled: true\n")
    snapshot = example.root / "rendered/prod/flags/snapshot.json"
    if dirt == "edited":
        snapshot.write_text(snapshot.read_text(encoding="utf-8") + " ", encoding="utf-8")
    elif dirt == "extra":
        (example.root / "rendered/prod/notes.txt").write_text("hi\n", encoding="utf-8")
    else:
        (example.root / "rendered/dev/flags/flagd.json").unlink()
    changed = render_changed_since(example.root, "HEAD", TODAY, RenderOptions())
    assert changed.fallback is not None
    assert (
        changed.fallback.endswith("differs from HEAD's rendered/")
        or "rendered/" in changed.fallback
    )
    code, _, stderr = _render_changed(example)
    assert code == 0
    assert "rendered again: everything (rendered/" in stderr
    assert _tree(example.root) == _full(example.root)


def test_a_committed_snapshot_that_does_not_verify_falls_back(example: GitWork) -> None:
    """REF's rendered/ is trusted to be REF's render (CI's `render --check`), but a bundle that
    is patched must at least verify: a hand edit of another flag's line is caught."""
    snapshot = example.root / "rendered/prod/flags/snapshot.json"
    text = snapshot.read_text(encoding="utf-8")
    line = next(n for n in text.split("\n") if n.startswith('"search-ranking":'))
    snapshot.write_text(text.replace(line, line.replace("hybrid-v3", "hybrid-v4")), "utf-8")
    example.commit("a hand-edited snapshot")
    replace(example, KILL, "    enabled: false\n", "    enabled: true\n")
    changed = render_changed_since(example.root, "HEAD", TODAY, RenderOptions())
    assert changed.fallback == "rendered/prod/flags/snapshot.json does not verify"


def test_a_removed_flag_an_app_names_falls_back_and_is_reported(example: GitWork) -> None:
    example.remove("flags/BatchMinting.yaml")
    changed = render_changed_since(example.root, "HEAD", TODAY, RenderOptions())
    assert changed.fallback == "the change makes a check fail in a file it did not touch"
    assert not changed.output.rendered
    code, stdout, stderr = _render_changed(example)
    assert (code, stdout) == (1, "")
    assert (
        "environments/apps/payments.yaml:20:" in stderr and "unknown flag 'BatchMinting'" in stderr
    )


def test_a_removed_flag_that_another_requires_falls_back(example: GitWork) -> None:
    example.remove("flags/new-checkout-api.yaml")
    changed = render_changed_since(example.root, "HEAD", TODAY, RenderOptions())
    assert changed.fallback == (
        "a removed flag is still required by another flag or overridden in a cluster"
    )
    assert not changed.output.rendered  # the full validation reports the unknown prerequisite
