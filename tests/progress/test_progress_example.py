"""`flagwright progress` on the project's own example configuration."""

from __future__ import annotations

from pathlib import Path

from cli_runner import run_cli


def test_an_environment_without_metrics_has_nothing_to_progress(repo_root: Path) -> None:
    ran = run_cli("-C", str(repo_root), "progress", "--env", "dev", "--dry-run")
    assert (ran.exit_code, ran.stdout, ran.stderr) == (
        0,
        "no gated manual rollouts to progress\n",
        "",
    )


def test_an_unknown_environment_is_an_error(repo_root: Path) -> None:
    ran = run_cli("-C", str(repo_root), "progress", "--env", "qa", "--dry-run")
    assert (ran.exit_code, ran.stderr) == (1, "error: unknown environment 'qa'\n")


def test_help_documents_the_exit_codes() -> None:
    ran = run_cli("progress", "--help")
    assert ran.exit_code == 0
    text = " ".join(ran.stdout.split())
    assert "Exit status: 0 the run completed" in text
    assert "1 the configuration is invalid (nothing written)" in text
