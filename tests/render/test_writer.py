"""Writing rendered/: one swap, unchanged files untouched, stale files gone, failures harmless."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from flagwright.errors import RenderError
from flagwright.render import pipeline, writer
from flagwright.render.writer import write_tree

from .conftest import render


def _texts(root: Path, env: str | None = None) -> dict[str, str]:
    output = render(root, env)
    assert output.ok, output.diagnostics
    return {path: artifact.text for path, artifact in output.files.items()}


def _tree(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under rendered/ with its bytes and mtime in nanoseconds."""
    return {
        p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted((root / "rendered").rglob("*"))
        if p.is_file()
    }


def _age(root: Path) -> None:
    """Give every rendered file an old mtime, so a rewrite would show."""
    for p in (root / "rendered").rglob("*"):
        if p.is_file():
            os.utime(p, ns=(1_000_000_000, 1_000_000_000))


def test_first_write_creates_the_tree(config: Path) -> None:
    texts = _texts(config)
    changes = write_tree(config, texts)
    assert sorted(changes.added) == sorted(texts) and not changes.changed
    assert {p: b.decode() for p, (b, _) in _tree(config).items()} == texts
    assert [p.name for p in config.iterdir() if p.name.startswith(".rendered")] == []


def test_unchanged_files_are_not_rewritten_and_stale_ones_removed(config: Path) -> None:
    texts = _texts(config)
    write_tree(config, texts)
    stale = config / "rendered/dev/values/gone.yaml"
    stale.write_text("old\n")
    _age(config)
    before = _tree(config)
    edited = dict(texts)
    edited["rendered/dev/values/web.yaml"] += "# changed\n"
    changes = write_tree(config, edited)
    assert changes.changed == ["rendered/dev/values/web.yaml"]
    assert changes.removed == ["rendered/dev/values/gone.yaml"]
    after = _tree(config)
    assert "rendered/dev/values/gone.yaml" not in after
    for path, (data, mtime) in after.items():
        if path != "rendered/dev/values/web.yaml":
            assert (data, mtime) == before[path], path
    assert after["rendered/dev/values/web.yaml"][1] != 1_000_000_000


def test_a_clean_tree_is_left_completely_alone(config: Path) -> None:
    write_tree(config, _texts(config))
    _age(config)
    before = _tree(config)
    inode = (config / "rendered").stat().st_ino
    assert write_tree(config, _texts(config)).clean
    assert _tree(config) == before
    assert (config / "rendered").stat().st_ino == inode


def test_one_environment_leaves_the_others_alone(config: Path) -> None:
    write_tree(config, _texts(config))
    extra = config / "rendered/prod/notes.txt"
    extra.write_text("kept\n")
    (config / "rendered/dev/values/web.yaml").write_text("edited\n")
    _age(config)
    before = _tree(config)
    changes = write_tree(config, _texts(config, "dev"), "rendered/dev")
    assert changes.changed == ["rendered/dev/values/web.yaml"] and not changes.removed
    after = _tree(config)
    assert extra.read_text() == "kept\n"
    assert {p: v for p, v in after.items() if p.startswith("rendered/prod/")} == {
        p: v for p, v in before.items() if p.startswith("rendered/prod/")
    }


def test_paths_outside_the_scope_are_refused(config: Path) -> None:
    from flagwright.errors import RenderError

    with pytest.raises(RenderError, match="outside rendered/dev/"):
        write_tree(config, {"rendered/prod/x.yaml": "x\n"}, "rendered/dev")
    with pytest.raises(RenderError, match="outside rendered/"):
        write_tree(config, {"flags/x.yaml": "x\n"})


def test_a_failure_while_writing_leaves_the_old_tree(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(config, _texts(config))
    _age(config)
    before = _tree(config)
    edited = {path: text + "# new\n" for path, text in _texts(config).items()}
    calls = []
    real = writer._write_file

    def fail_half_way(dest: Path, data: bytes) -> None:
        calls.append(dest)
        if len(calls) == len(edited) // 2:
            raise OSError(28, "No space left on device")
        real(dest, data)

    monkeypatch.setattr(writer, "_write_file", fail_half_way)
    with pytest.raises(RenderError, match="No space left on device; rendered/ was left as it was"):
        write_tree(config, edited)
    assert _tree(config) == before
    assert [p.name for p in config.iterdir() if p.name.startswith(".rendered")] == []


def test_a_renderer_that_fails_half_way_leaves_rendered_as_it_was(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.cli_runner import run_cli

    write_tree(config, _texts(config))
    (config / "environments/dev.yaml").write_text(
        (config / "environments/dev.yaml").read_text().replace("replicaCount: 1", "replicaCount: 2")
    )
    _age(config)
    before = _tree(config)
    calls = []

    def boom(ctx: object) -> dict[str, object]:
        calls.append(ctx)
        if len(calls) == 2:  # the second environment
            raise RuntimeError("renderer crashed")
        return {}

    monkeypatch.setattr(pipeline, "RENDERERS", [*pipeline.RENDERERS[:2], ("boom", boom)])
    result = run_cli("-C", str(config), "render", "--today", "2026-11-23")
    assert result.exit_code == 3
    assert result.stderr.startswith("internal error: RuntimeError: renderer crashed")
    assert len(calls) == 2
    assert _tree(config) == before


def test_without_an_atomic_exchange_two_renames_do_the_swap(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = _texts(config)
    write_tree(config, texts)
    monkeypatch.setattr(writer, "_exchange", lambda first, second: False)
    edited = {**texts, "rendered/dev/values/web.yaml": "edited\n"}
    assert write_tree(config, edited).changed == ["rendered/dev/values/web.yaml"]
    assert {p: b.decode() for p, (b, _) in _tree(config).items()} == edited
    assert [p.name for p in config.iterdir() if p.name.startswith(".rendered")] == []


def test_write_files_changes_only_the_given_files_and_keeps_the_rest(config: Path) -> None:
    """`render --changed-since` writes a few files: the others stay, bytes and mtimes, unread."""
    texts = _texts(config)
    write_tree(config, texts)
    extra = config / "rendered/dev/values/kept.yaml"
    extra.write_text("kept\n")
    _age(config)
    before = _tree(config)
    path = "rendered/dev/values/web.yaml"
    changes = writer.write_files(config, {path: texts[path] + "# changed\n",
                                          "rendered/dev/new.txt": "new\n"})  # fmt: skip
    assert (changes.changed, changes.added, changes.removed) == (
        [path],
        ["rendered/dev/new.txt"],
        [],
    )
    after = _tree(config)
    assert after[path][0] == (texts[path] + "# changed\n").encode()
    assert after["rendered/dev/new.txt"][0] == b"new\n"
    assert {p: v for p, v in after.items() if p not in (path, "rendered/dev/new.txt")} == {
        p: v for p, v in before.items() if p != path
    }
    assert [p.name for p in config.iterdir() if p.name.startswith(".rendered")] == []
    with pytest.raises(RenderError, match="outside rendered/"):
        writer.write_files(config, {"flags/x.yaml": "no\n"})
