"""Identical input renders to identical bytes: across PYTHONHASHSEED and file-system order."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import render
from .fixture_repo import FILES, write_repo

_DIGEST_TREE = """
import hashlib, sys
from datetime import date
from pathlib import Path
from flagwright.render.pipeline import RenderOptions, render_repository
out = render_repository(Path(sys.argv[1]), date(2026, 11, 23), RenderOptions())
assert out.ok, out.diagnostics
for path, artifact in out.files.items():
    print(path, hashlib.sha256(artifact.text.encode()).hexdigest())
"""


def _tree_digests(root: Path, seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run(
        [sys.executable, "-c", _DIGEST_TREE, str(root)],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout


def test_same_bytes_for_any_hash_seed(config: Path) -> None:
    runs = {_tree_digests(config, seed) for seed in ("0", "1", "12345")}
    assert len(runs) == 1
    assert len(runs.pop().splitlines()) == 24


def test_same_bytes_whatever_order_the_file_system_lists(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Written in reverse order into one folder, and listed in reverse by a patched rglob:
    # neither may change a byte.
    forward = write_repo(tmp_path / "a")
    backward = tmp_path / "b"
    for rel in reversed(list(FILES)):
        (backward / rel).parent.mkdir(parents=True, exist_ok=True)
        (backward / rel).write_text(FILES[rel], encoding="utf-8")
    expected = {p: a.text for p, a in render(forward).files.items()}

    real_rglob = Path.rglob

    def reversed_rglob(self: Path, pattern: str) -> Iterator[Path]:
        return iter(sorted(real_rglob(self, pattern), reverse=True))

    monkeypatch.setattr(Path, "rglob", reversed_rglob)
    got = {p: a.text for p, a in render(backward).files.items()}
    assert got == expected


def test_environments_rendered_in_worker_processes_give_the_same_output(config: Path) -> None:
    from datetime import date

    from flagwright.render.pipeline import RenderOptions, render_repository

    day = date(2026, 11, 23)
    serial = render_repository(config, day, RenderOptions(workers=1))
    forked = render_repository(config, day, RenderOptions(workers=3))
    assert serial.ok and forked.ok
    assert {p: a.text for p, a in forked.files.items()} == {
        p: a.text for p, a in serial.files.items()
    }
    assert forked.diagnostics == serial.diagnostics
    assert len(serial.files) == 24
