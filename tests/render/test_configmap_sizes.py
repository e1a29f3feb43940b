"""validate's bound on a ConfigMap file's YAML is never below what the writer spells.

``validate`` spells a ConfigMap exactly only when :func:`spelled_bound` says it may be over
1 MiB, so a bound below the real size would let an oversized ConfigMap through to render.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flagwright.check.repository import validate_repository
from flagwright.render import forked
from flagwright.render.configmap_sizes import DATA_INDENT, spelled_bound
from flagwright.render.pipeline import RenderOptions, render_repository
from flagwright.render.yamlout import dump_yaml
from flagwright.render.yamlstrings import scalar_lines

PROJECT = Path(__file__).resolve().parents[2]
OVER_1MIB = PROJECT / "tests/corpus/configmap-over-1mib"
TODAY = date(2026, 11, 23)
HEAD = "  snapshot.json:"
# Characters each style treats specially: quotes, escapes, spaces, breaks, C1 controls, DEL,
# YAML 1.1 line breaks, a BOM, wide characters.
_SPECIAL = st.sampled_from(
    ['"', "\\", " ", "  ", "\n", "\n\n\n", "\t", "\x7f", "\x85", "\u2028", "\ufeff", "é", "😀", "{"]
)
_WORDS = st.text(alphabet=st.characters(codec="utf-8"), max_size=90)
_TEXTS = st.lists(st.one_of(_SPECIAL, _WORDS), min_size=1, max_size=40).map("".join)


def _spelled_bytes(text: str) -> int:
    lines = scalar_lines(text, HEAD, DATA_INDENT)
    return len(("\n".join(lines) + "\n").encode("utf-8"))


@settings(max_examples=50, deadline=None)
@given(_TEXTS)
def test_bound_is_at_least_the_spelled_size(text: str) -> None:
    bound = spelled_bound(text, len(HEAD), DATA_INDENT)
    if "\n" not in text:
        assert bound is None
        return
    assert bound is not None
    assert bound >= _spelled_bytes(text)


def test_bound_covers_each_style() -> None:
    texts = {
        "literal": '{"a":1}\n{"b":2}\n',
        "folded": "{" + " ".join(["word"] * 60) + "}\n}\n",
        "quoted": '{"a":"\x7f\x85' + "x" * 300 + '"}\n' + "\u2028 \n" * 20,
    }
    for style, text in texts.items():
        bound = spelled_bound(text, len(HEAD), DATA_INDENT)
        assert bound is not None and bound >= _spelled_bytes(text), style


def test_bound_is_at_least_every_rendered_configmap_of_the_example() -> None:
    output = render_repository(PROJECT, date(2026, 11, 23), RenderOptions())
    configmaps = {
        p: a
        for p, a in output.files.items()
        if a.manifest is not None and a.manifest.get("kind") == "ConfigMap" and "/manifests/" in p
    }
    assert configmaps
    for path, artifact in configmaps.items():
        manifest = artifact.manifest
        assert manifest is not None
        data: dict[str, str] = manifest["data"]
        skeleton = len(dump_yaml({**manifest, "data": dict.fromkeys(data, "")}).encode())
        heads = {name: len(f"  {name}:") for name in data}
        bounds = [spelled_bound(text, heads[name], DATA_INDENT) for name, text in data.items()]
        assert all(b is not None for b in bounds)
        total = skeleton + sum(b for b in bounds if b is not None)
        # Sound, and close enough that real ConfigMaps are not all spelled twice.
        assert artifact.size <= total <= 2 * artifact.size, path


def test_forked_environments_report_what_one_process_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large repository sizes its environments' ConfigMaps in forked workers (as render
    renders them); the findings that come back are the ones checked in one process."""
    root = tmp_path / "repo"
    shutil.copytree(OVER_1MIB, root)
    prod = (root / "environments/prod.yaml").read_text(encoding="utf-8")
    staging = prod.replace("name: prod", "name: staging").replace("shop-prod", "shop-staging")
    prod = prod.replace("name: prod\n", "name: prod\npromotes_from: staging\n")
    (root / "environments/prod.yaml").write_text(prod, encoding="utf-8")
    (root / "environments/staging.yaml").write_text(staging, encoding="utf-8")
    flag = root / "flags/checkout-beta.yaml"
    head, entry = flag.read_text(encoding="utf-8").split("  prod:\n", 1)
    flag.write_text(f"{head}  prod:\n{entry}  staging:\n{entry}", encoding="utf-8")

    in_process = validate_repository(root, TODAY)
    monkeypatch.setattr(forked, "PARALLEL_MIN_FLAGS", 1)  # a two-flag repository is "large"
    monkeypatch.setattr(forked, "idle_cores", lambda: 2)  # however busy the machine is now
    in_workers = validate_repository(root, TODAY)

    sized = [d for d in in_workers.diagnostics if d.code == "FW307"]
    assert [(d.path, d.line, d.col, d.message.split()[0]) for d in sized] == [
        ("environments/apps/checkout.yaml", 5, 1, "rendered/prod/manifests/checkout-flags.yaml"),
        ("environments/apps/checkout.yaml", 5, 1, "rendered/staging/manifests/checkout-flags.yaml"),
    ]
    assert in_workers.diagnostics == in_process.diagnostics
    assert sorted(in_process.index.bundles) == ["prod", "staging"]
    # The last environment is compiled in this process while a worker compiles the other.
    assert sorted(in_workers.index.bundles) == ["staging"]
