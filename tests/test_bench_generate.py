"""The benchmark's repository generator: deterministic, and what it writes validates cleanly."""

from __future__ import annotations

import os
import subprocess
import sys
import typing
from datetime import date
from pathlib import Path

import pytest

from flagwright.check.repository import validate_repository
from flagwright.model.conditions import Operator

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))

from generate import generate_repo  # noqa: E402

TODAY = date(2026, 11, 23)
OPERATORS = typing.get_args(Operator)  # a new operator must show up in the generated mix


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_the_same_arguments_write_byte_identical_trees(tmp_path: Path) -> None:
    generate_repo(tmp_path / "a", flags=60, apps=5, seed=7)
    generate_repo(tmp_path / "b", flags=60, apps=5, seed=7)
    first = tree(tmp_path / "a")
    assert first == tree(tmp_path / "b")
    assert sum(1 for rel in first if rel.count("/") == 1 and rel.startswith("flags/")) == 60
    assert sum(1 for rel in first if rel.startswith("environments/apps/")) == 5
    assert {"environments/dev.yaml", "environments/staging.yaml", "environments/prod.yaml",
            "environments/repository.yaml"} <= set(first)  # fmt: skip


def test_another_seed_writes_another_repo(tmp_path: Path) -> None:
    generate_repo(tmp_path / "a", flags=30, apps=2, seed=1)
    generate_repo(tmp_path / "b", flags=30, apps=2, seed=2)
    assert tree(tmp_path / "a") != tree(tmp_path / "b")


def test_the_cli_output_does_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    for seed in ("1", "2"):
        subprocess.run(
            [sys.executable, str(BENCH / "generate.py"), str(tmp_path / seed),
             "--flags", "40", "--apps", "3"],
            check=True, capture_output=True, env={**os.environ, "PYTHONHASHSEED": seed},
        )  # fmt: skip
    assert tree(tmp_path / "1") == tree(tmp_path / "2")


@pytest.mark.parametrize(("flags", "apps", "seed"), [(60, 5, 0), (60, 5, 1), (1, 0, 0)])
def test_a_generated_repo_validates_with_no_diagnostics(
    tmp_path: Path, flags: int, apps: int, seed: int
) -> None:
    generate_repo(tmp_path, flags=flags, apps=apps, seed=seed)
    result = validate_repository(tmp_path, today=TODAY, strict=True)
    assert [str(d) for d in result.diagnostics] == []
    assert len(result.index.flags) == flags
    assert len(result.index.apps) == apps
    assert sorted(result.index.environments) == ["dev", "prod", "staging"]


def test_the_mix_uses_every_construct(tmp_path: Path) -> None:
    generate_repo(tmp_path, flags=400, apps=10, seed=0)
    text = "\n".join(t.decode() for t in tree(tmp_path).values())
    for op in OPERATORS:
        assert f"op: {op}," in text, op
    for construct in ("segment: ", "all: ", "any: ", "not: ", "time: ", "schedule: ",
                      "split: ", "stage: ", "start: ", "requires: ", "experiment:",
                      "enabled: false", "expires: ", "type: object", "type: number",
                      "type: string", "strategy: canary", "strategy: blue-green",
                      "promotes_from: staging", "freeze:", "sync: auto"):  # fmt: skip
        assert construct in text, construct


def test_refuses_to_write_into_a_config_repo(tmp_path: Path) -> None:
    (tmp_path / "flags").mkdir()
    (tmp_path / "flags" / "mine.yaml").write_text("kind: Flag\n", encoding="utf-8")
    with pytest.raises(FileExistsError):
        generate_repo(tmp_path, flags=5, apps=1)
    assert tree(tmp_path) == {"flags/mine.yaml": b"kind: Flag\n"}
