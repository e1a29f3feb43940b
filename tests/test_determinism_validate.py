"""Diagnostics are sorted and identical whatever order the file system lists files in."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import flagwright.load.repository as repository
from corpus_helpers import CORPUS, TODAY, corpus_cases
from flagwright.check.repository import validate_repository
from flagwright.load.repository import config_files

# Cases whose names collide once merged (several 'dev' environments, Repository documents,
# flags named 'a'), so which document counts as "first" depends on the order files are read.
MERGED = [
    "duplicate-name",
    "many-problems",
    "multi-document",
    "promotion-cycle",
    "requires-cycle",
    "two-repositories",
    "unknown-segment",
    "yaml-bad-indentation",
    "not-utf8",
]


@pytest.fixture(scope="module")
def merged_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("merged")
    for case in MERGED:
        for top in ("flags", "environments"):
            if (CORPUS / case / top).is_dir():
                shutil.copytree(CORPUS / case / top, root / top / case)
    return root


def _lines(root: Path) -> list[str]:
    return [str(d) for d in validate_repository(root, today=TODAY).diagnostics]


def test_merged_cases_exist() -> None:
    assert set(MERGED) <= {case.name for case in corpus_cases()}


def test_diagnostics_are_sorted(merged_repo: Path) -> None:
    diagnostics = validate_repository(merged_repo, today=TODAY).diagnostics
    assert len(diagnostics) >= 20
    assert diagnostics == sorted(diagnostics)
    keys = [(d.path, d.line, d.col, d.code) for d in diagnostics]
    assert keys == sorted(keys)


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_file_order_does_not_matter(
    merged_repo: Path, data: st.DataObject, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = config_files(merged_repo)
    expected = _lines(merged_repo)
    shuffled = data.draw(st.permutations(files))
    with monkeypatch.context() as patch:
        patch.setattr(repository, "config_files", lambda root: list(shuffled))
        assert _lines(merged_repo) == expected


_ENTRY = "import sys; from flagwright.cli.main import main; sys.exit(main())"


def test_output_is_byte_identical_across_hash_seeds(merged_repo: Path) -> None:
    outputs = set()
    for seed in ("1", "2"):
        run = subprocess.run(
            [sys.executable, "-c", _ENTRY, "-C", str(merged_repo), "validate",
             "--today", TODAY.isoformat(), "--format", "json"],
            capture_output=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            check=False,
        )  # fmt: skip
        assert run.returncode == 1, run.stderr
        outputs.add(run.stdout)
    assert len(outputs) == 1
