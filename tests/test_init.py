"""`flagwright init DIR`: a starter repository that validates, renders and lints as written."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from yamllint import linter
from yamllint.config import YamlLintConfig

from cli_runner import run_cli
from flagwright.model.schemas import generate_schemas

EXPECTED = [
    ".pre-commit-config.yaml",
    "README.md",
    "environments/apps/web.yaml",
    "environments/dev.yaml",
    "environments/prod.yaml",
    "environments/repository.yaml",
    "environments/staging.yaml",
    "flags/web-new-homepage.yaml",
    *sorted(f"schemas/{name}" for name in generate_schemas()),
]


def _files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_init_writes_a_repository_that_validates_and_renders(tmp_path: Path) -> None:
    root = tmp_path / "config"
    ran = run_cli("init", str(root))
    assert ran.exit_code == 0, ran.stderr
    assert ran.stdout.splitlines() == [f"{root / rel}: written" for rel in EXPECTED]
    assert _files(root) == EXPECTED
    validated = run_cli("-C", str(root), "validate")
    assert (validated.exit_code, validated.stdout) == (0, "6 files, 6 documents: no problems\n")
    rendered = run_cli("-C", str(root), "render")
    assert rendered.exit_code == 0, rendered.stderr
    assert run_cli("-C", str(root), "render", "--check").exit_code == 0
    assert run_cli("-C", str(root), "schema", "--check").exit_code == 0
    snapshot = json.loads((root / "rendered/prod/flags/snapshot.json").read_text())
    assert list(snapshot["flags"]) == ["web-new-homepage"]
    config = YamlLintConfig("extends: default")
    for path in sorted([*root.rglob("*.yaml"), root / ".pre-commit-config.yaml"]):
        problems = list(linter.run(path.read_text(encoding="utf-8"), config))
        assert problems == [], (path, [str(p) for p in problems])


def test_init_into_a_git_repository_then_a_promotion_policy_check(tmp_path: Path) -> None:
    root = tmp_path / "config"
    root.mkdir()
    assert run_cli("init", str(root)).exit_code == 0
    env = {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}
    for args in (
        ["init", "-q", "-b", "main"],
        ["add", "-A"],
        ["-c", "user.name=a", "-c", "user.email=a@b.c", "commit", "-qm", "init"],
    ):
        subprocess.run(["git", *args], cwd=root, check=True, env=env)  # fmt: skip
    ran = run_cli("-C", str(root), "validate", "--base", "main")
    assert ran.exit_code == 0, ran.stdout + ran.stderr


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine\n")
    ran = run_cli("init", str(tmp_path))
    assert ran.exit_code == 1
    assert ran.stderr == (
        f"error: {tmp_path} is not empty: init writes only into a new or empty folder\n"
    )
    assert _files(tmp_path) == ["notes.txt"]


def test_init_into_an_empty_folder_and_onto_a_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run_cli("init", str(empty)).exit_code == 0
    assert _files(empty) == EXPECTED
    (tmp_path / "file").write_text("x")
    ran = run_cli("init", str(tmp_path / "file"))
    assert (ran.exit_code, ran.stderr) == (
        1,
        f"error: {tmp_path / 'file'} exists and is not a folder\n",
    )
