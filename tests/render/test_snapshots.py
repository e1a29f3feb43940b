"""The whole rendered tree, of the fixture config and of the project's own example."""

from __future__ import annotations

from pathlib import Path

from syrupy.assertion import SnapshotAssertion

from .conftest import render


def test_fixture_config_rendered_tree(config: Path, snapshot: SnapshotAssertion) -> None:
    output = render(config)
    assert output.ok and not output.diagnostics
    assert {path: artifact.text for path, artifact in output.files.items()} == snapshot


def test_example_rendered_tree(repo_root: Path, snapshot: SnapshotAssertion) -> None:
    output = render(repo_root)
    assert output.ok, output.diagnostics
    tree = {path: artifact.text for path, artifact in output.files.items()}
    assert tree == snapshot
    # and the committed rendered/ is exactly that tree (render --check would pass)
    committed = {
        p.relative_to(repo_root).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted((repo_root / "rendered").rglob("*"))
        if p.is_file()
    }
    assert committed == tree
