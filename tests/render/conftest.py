"""Fixtures for render tests: a small config repository in a temporary folder."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from flagwright.render.pipeline import RenderOptions, RenderOutput, render_repository

from .fixture_repo import write_repo

TODAY = date(2026, 11, 23)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return write_repo(tmp_path / "repo")


@pytest.fixture
def make_config(tmp_path: Path) -> Callable[[dict[str, str]], Path]:
    """The fixture repository with some files replaced (``""`` deletes a file)."""

    def make(files: dict[str, str]) -> Path:
        return write_repo(tmp_path / "repo", files)

    return make


def render(root: Path, env: str | None = None) -> RenderOutput:
    return render_repository(root, TODAY, RenderOptions(env=env))
