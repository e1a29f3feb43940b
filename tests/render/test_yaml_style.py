"""Rendered YAML passes yamllint's default configuration and reads back as the data written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from yamllint import linter
from yamllint.config import YamlLintConfig

from flagwright.load.yamlio import load_documents
from flagwright.render.yamlout import dump_yaml
from flagwright.runtime import Snapshot
from flagwright.runtime.snapshot import _raw_digest_matches

from .conftest import render

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT = YamlLintConfig("extends: default")


def _problems(text: str) -> list[str]:
    return [f"{p.line}:{p.column} {p.rule}: {p.desc}" for p in linter.run(text, DEFAULT)]


def test_the_committed_rendered_tree_passes_yamllint_defaults() -> None:
    files = sorted((REPO_ROOT / "rendered").rglob("*.yaml"))
    assert len(files) >= 30
    found = {f.relative_to(REPO_ROOT).as_posix(): _problems(f.read_text()) for f in files}
    assert {path: problems for path, problems in found.items() if problems} == {}


def test_every_rendered_manifest_reads_back_as_its_data(config: Path) -> None:
    output = render(config)
    assert output.ok
    manifests = {p: a for p, a in output.files.items() if p.endswith(".yaml")}
    assert len(manifests) >= 14
    for path, artifact in manifests.items():
        assert _problems(artifact.text) == [], path
        assert artifact.text.startswith("---\n")
        if artifact.manifest is not None:
            assert list(yaml.safe_load_all(artifact.text)) == list(artifact.documents), path


def test_configmap_bundles_keep_the_canonical_layout_readers_hash_directly() -> None:
    # The folded style changes the YAML, not the file Kubernetes mounts: the bundle is still
    # canonical JSON plus newlines, so readers verify it from the bytes without re-serialising.
    for path in sorted((REPO_ROOT / "rendered").glob("*/manifests/*-flags.yaml")):
        bundles = yaml.safe_load(path.read_text())["data"]
        if "snapshot.json" not in bundles:
            continue
        data = bundles["snapshot.json"].encode()
        digest = json.loads(data)["digest"]
        assert _raw_digest_matches(data, digest), path
        assert Snapshot.from_bytes(data).digest == digest


_TEXT = st.text(
    alphabet=st.sampled_from(
        [*"ab z-:#'\"\\{}[],&*!|>%@`\t\n\r", "é", "\u2028", "\x85", "\ufeff", "\x00", "😀"]
    ),
    max_size=200,
)
_WORDS = st.lists(st.text(alphabet="abcxyz", min_size=1, max_size=90), max_size=12).map(" ".join)
_INDENTED = st.lists(st.tuples(st.sampled_from(["", " ", "    "]), _WORDS), max_size=6).map(
    lambda lines: "\n".join(pad + text for pad, text in lines) + "\n"
)
_LEAF = st.one_of(
    _TEXT, _WORDS, _INDENTED, st.integers(-(2**63), 2**63 - 1), st.booleans(), st.none(),
    st.floats(allow_nan=False, allow_infinity=False),
)  # fmt: skip
_TREE = st.recursive(
    _LEAF,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.one_of(_WORDS, _TEXT), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=50, deadline=None)
@given(st.dictionaries(st.text(alphabet="abc-", min_size=1, max_size=8), _TREE, min_size=1))
def test_any_tree_is_written_lint_clean_and_reads_back(data: dict[str, Any]) -> None:
    text = dump_yaml(data)
    assert load_documents(text) == [data]
    assert yaml.safe_load(text) == data
    problems = [p for p in _problems(text) if not p.split(" ", 1)[1].startswith("truthy")]
    assert problems == []
