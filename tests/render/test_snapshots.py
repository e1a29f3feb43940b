"""The whole rendered tree, of the fixture config and of the project's own example.

Both are compared with committed files a reviewer reads like any other output: the example's
tree is the committed ``rendered/``, the fixture's is ``tests/render/expected/``. After an
intended change to what render writes, refresh the fixture's copy with
``FLAGWRIGHT_UPDATE_EXPECTED=1 python -m pytest tests/render/test_snapshots.py`` and read the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

from .conftest import render

EXPECTED = Path(__file__).parent / "expected"


def _tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_fixture_config_rendered_tree(config: Path) -> None:
    output = render(config)
    assert output.ok and not output.diagnostics
    tree = {path: artifact.text for path, artifact in output.files.items()}
    if os.environ.get("FLAGWRIGHT_UPDATE_EXPECTED") == "1":
        for stale in EXPECTED.rglob("*"):
            if stale.is_file():
                stale.unlink()
        for path, text in tree.items():
            target = EXPECTED / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8", newline="\n")
    assert tree == _tree(EXPECTED)


def test_example_rendered_tree(repo_root: Path) -> None:
    output = render(repo_root)
    assert output.ok, output.diagnostics
    tree = {path: artifact.text for path, artifact in output.files.items()}
    # the committed rendered/ is exactly that tree (render --check would pass)
    committed = _tree(repo_root / "rendered")
    assert {f"rendered/{path}": text for path, text in committed.items()} == tree
