"""The loader's fast paths give exactly what the general ones give (see bench/bench_validate.py)."""

from __future__ import annotations

import gc
import os
import time
from pathlib import Path
from typing import Any

import pytest

from flagwright.codes import Code
from flagwright.load import yamlio
from flagwright.load.repository import config_files, load_repository
from flagwright.load.yamlio import YamlError, load_documents


def full_constructor(text: str) -> list[Any]:
    """PyYAML's own constructor on the same parser and resolver: the reference."""
    loader = yamlio._Loader(text)
    try:
        docs = []
        while loader.check_node():
            docs.append(loader.construct_document(loader.get_node()))
        return docs
    finally:
        loader.dispose()


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\nb: [1, 2.5, -3, 0o17, 0x1F, 1e3, +1, 010, 1_000]\n",
        "on: off\nyes: no\nt: true\nf: False\nT: TRUE\nn: ~\nnn: null\ne:\nq: 'true'\n",
        "d: 2026-01-01\nt: 2026-01-01T00:00:00Z\nclock: 18:00\nv: 1.2.3\n",
        "1: a\nfalse: b\n2.5: c\nnull: d\n",
        "a: !!str 12\nb: !!int '7'\nc: !!float 1\nd: !!null x\ne: !!bool true\n",
        "---\na: 1\n---\n- x\n- {y: [z]}\n---\n",
        "a:\n  b:\n    c: [1, {d: [2, {e: f}]}]\n",
        "a: " + "[" * 63 + "]" * 63 + "\n",
        "just a string\n",
        "",
    ],
)
def test_values_match_pyyaml_constructor(text: str) -> None:
    # repr tells True from 1 and 1.0 from 1, which == does not
    assert repr(load_documents(text)) == repr(full_constructor(text))


@pytest.mark.parametrize(
    ("text", "code", "line", "col"),
    [
        ("kind: Flag\na: 1\na: 2\n", Code.DUPLICATE_KEY, 3, 1),
        ("kind: Flag\nb: {x: 1, x: 2}\n", Code.DUPLICATE_KEY, 2, 11),
        ("kind: Flag\na: !!python/object:os.system x\n", Code.UNSUPPORTED_TAG, 2, 4),
        ("kind: Flag\na: !!timestamp 2026-01-01\n", Code.UNSUPPORTED_TAG, 2, 4),
        ("kind: Flag\n? [a]\n: 1\n", Code.YAML_SYNTAX, 2, 3),
        ("kind: Flag\nkey: " + "[" * 70 + "]" * 70 + "\n", Code.TOO_DEEP, 2, 69),
    ],
)
def test_documents_the_fast_path_declines_keep_their_exact_errors(
    text: str, code: Code, line: int, col: int
) -> None:
    with pytest.raises(YamlError) as caught:
        load_documents(text)
    assert (caught.value.code, caught.value.line, caught.value.col) == (code, line, col)


@pytest.mark.parametrize("text", ["a: &x [*x]\n", "a: &x {b: [1, {c: *x}]}\n"])
def test_a_recursive_alias_fails_fast(text: str) -> None:
    started = time.perf_counter()
    with pytest.raises(YamlError) as caught:
        load_documents(text)
    assert time.perf_counter() - started < 1
    assert (caught.value.code, caught.value.line, caught.value.col) == (Code.ALIAS_LIMIT, 1, 4)
    assert "expand forever" in caught.value.message


def test_config_files_follow_rglob_rules(tmp_path: Path) -> None:
    for rel in ["flags/a.yaml", "flags/b.yml", "flags/.hidden.yaml", "flags/.yaml",
                "flags/c.YAML", "flags/d.yaml.bak", "flags/sub/deep/e.yml",
                "flags/dir.yaml/f.yaml", "environments/apps/g.yaml", "other/o.yaml",
                "rendered/r.yaml"]:  # fmt: skip
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("kind: Flag\n", encoding="utf-8")
    os.symlink(tmp_path / "other", tmp_path / "flags" / "linked-dir")
    os.symlink(tmp_path / "other" / "o.yaml", tmp_path / "flags" / "linked.yaml")
    os.symlink(tmp_path / "nowhere", tmp_path / "flags" / "broken.yaml")
    expected = sorted(
        p.relative_to(tmp_path).as_posix()
        for folder in ("flags", "environments")
        for p in (tmp_path / folder).rglob("*")
        if p.suffix in (".yaml", ".yml") and p.is_file()
    )
    assert config_files(tmp_path) == expected
    assert "flags/linked.yaml" in expected
    assert "flags/dir.yaml/f.yaml" in expected
    assert not any(rel.startswith("flags/linked-dir/") for rel in expected)


@pytest.mark.parametrize("enabled", [True, False])
def test_loading_leaves_the_cycle_collector_as_it_was(tmp_path: Path, enabled: bool) -> None:
    (tmp_path / "flags").mkdir()
    (tmp_path / "flags" / "x.yaml").write_text("kind: Flag\n", encoding="utf-8")
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        load_repository(tmp_path)
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()
