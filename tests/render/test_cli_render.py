"""`flagwright render` and `render --check` through the real entry point."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from flagwright.cli.main import main

from .fixture_repo import FILES


def run(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> tuple[int, str, str]:
    # main() returns click's exit code (the console script exits with it) or raises SystemExit
    try:
        code = main(["-C", str(root), "render", "--today", "2026-11-23", *args])
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return int(code or 0), out, err


def test_render_then_check_is_clean(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, config)
    assert code == 0
    assert out.splitlines()[-1] == "rendered/: 24 added, 0 changed, 0 removed, 0 unchanged"
    assert run(capsys, config, "--check") == (0, "", "")
    code, out, _ = run(capsys, config)
    assert out.splitlines()[-1] == "rendered/: 0 added, 0 changed, 0 removed, 24 unchanged"


def test_check_reports_edited_added_deleted_and_untracked_files(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, config)
    rendered = config / "rendered"
    edited = rendered / "prod/values/web.yaml"
    edited.write_text(edited.read_text().replace("replicaCount: 3", "replicaCount: 4"))
    (rendered / "dev/argocd/worker.yaml").unlink()  # deleted: render would add it back
    (rendered / "dev/manifests/extra.yaml").write_text("kind: ConfigMap\n")  # untracked extra
    code, out, err = run(capsys, config, "--check")
    assert code == 1
    assert [line for line in out.splitlines() if ": would be" in line] == [
        "rendered/dev/argocd/worker.yaml: would be added",
        "rendered/dev/manifests/extra.yaml: would be removed",
        "rendered/prod/values/web.yaml: would be changed",
    ]
    assert "-replicaCount: 4\n+replicaCount: 3\n" in out
    assert "+++ b/rendered/dev/argocd/worker.yaml" in out
    assert "--- a/rendered/dev/manifests/extra.yaml\n+++ /dev/null\n" in out
    assert err == "rendered/ is out of date (3 files): run `flagwright render`\n"
    # --check wrote nothing
    assert not (rendered / "dev/argocd/worker.yaml").exists()


def test_check_of_one_environment_ignores_the_others(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, config)
    (config / "rendered/prod/values/web.yaml").write_text("edited\n")
    assert run(capsys, config, "--check", "--env", "dev")[0] == 0
    assert run(capsys, config, "--check", "--env", "prod")[0] == 1


def test_invalid_configuration_is_not_rendered(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, config)
    before = {p: p.read_bytes() for p in (config / "rendered").rglob("*") if p.is_file()}
    (config / "environments/apps/web.yaml").write_text(
        FILES["environments/apps/web.yaml"].replace("flags: [web-*]", "flags: [web-*]\nbogus: 1")
    )
    code, out, err = run(capsys, config)
    assert code == 1 and out == ""
    assert err.splitlines()[0].startswith("environments/apps/web.yaml:12:1: error[FW101]")
    assert err.splitlines()[-1] == "not rendering: the configuration has errors"
    after = {p: p.read_bytes() for p in (config / "rendered").rglob("*") if p.is_file()}
    assert after == before


def test_unknown_environment(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, config, "--env", "prd")
    assert code == 1
    assert err == "error: unknown environment 'prd'; did you mean 'prod'?\n"


def test_check_of_the_example_counts_warnings_instead_of_listing_them(
    repo_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The committed example renders with warnings (flags left out of exports its apps read, one
    # summary line per export no app reads); --check runs
    # on every commit, so it shows only errors and drift.
    code, out, err = run(capsys, repo_root, "--check")
    assert (code, out) == (0, "")
    assert err == "6 warnings not shown; `flagwright render` lists them\n"
    code, out, err = run(capsys, repo_root, "--check", "--env", "prod")
    assert (code, out) == (0, "")
    assert err == "5 warnings not shown; `flagwright render` lists them\n"


def test_symlinks_and_fifos_under_rendered_are_drift_and_removed_without_following(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, config)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.yaml").write_text("kind: ConfigMap\n")
    rendered = config / "rendered"
    (rendered / "prod/extra").symlink_to(outside)  # a symlinked folder: os.walk skipped it
    (rendered / "dev/link.yaml").symlink_to(outside / "keep.yaml")
    os.mkfifo(rendered / "dev/pipe")  # reading it would block
    # an expected file replaced by a symlink to identical bytes is still drift
    values = rendered / "prod/values/web.yaml"
    (outside / "web.yaml").write_bytes(values.read_bytes())
    values.unlink()
    values.symlink_to(outside / "web.yaml")
    code, out, err = run(capsys, config, "--check")
    assert code == 1
    assert [line for line in out.splitlines() if ": would be" in line] == [
        "rendered/dev/link.yaml: would be removed",
        "rendered/dev/pipe: would be removed",
        "rendered/prod/extra: would be removed",
        "rendered/prod/values/web.yaml: would be changed",
    ]
    assert "kind: ConfigMap" not in out  # the targets outside rendered/ were never read
    assert err == "rendered/ is out of date (4 files): run `flagwright render`\n"
    code, out, _ = run(capsys, config)
    assert code == 0
    assert out.splitlines()[-1] == "rendered/: 0 added, 1 changed, 3 removed, 23 unchanged"
    assert not os.path.lexists(rendered / "prod/extra")
    assert not os.path.lexists(rendered / "dev/link.yaml")
    assert not os.path.lexists(rendered / "dev/pipe")
    assert not values.is_symlink() and values.read_bytes() == (outside / "web.yaml").read_bytes()
    assert sorted(p.name for p in outside.iterdir()) == ["keep.yaml", "web.yaml"]
    assert run(capsys, config, "--check") == (0, "", "")


def test_a_symlinked_environment_folder_is_replaced_not_written_through(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, config)
    outside = tmp_path / "outside"
    (config / "rendered/prod").rename(outside)
    (config / "rendered/prod").symlink_to(outside)
    before = sorted(p.relative_to(outside).as_posix() for p in outside.rglob("*"))
    code, out, _ = run(capsys, config, "--check", "--env", "prod")
    assert code == 1
    assert "rendered/prod: would be removed" in out.splitlines()
    code, out, _ = run(capsys, config, "--env", "prod")
    assert code == 0
    assert out.splitlines()[-1] == "rendered/prod/: 13 added, 0 changed, 1 removed, 0 unchanged"
    assert not (config / "rendered/prod").is_symlink()
    assert sorted(p.relative_to(outside).as_posix() for p in outside.rglob("*")) == before
    assert run(capsys, config, "--check") == (0, "", "")
