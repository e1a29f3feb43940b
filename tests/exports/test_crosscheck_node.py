"""Cross-check: npm @openfeature/flagd-core 4.0.1 under Node, reading each app's flagd.json from
its rendered ConfigMap as a Node service mounts it, serves the native runtime's variant for
10,000 contexts per flag and environment (flagd-v2).

Node packages come from tests/node/package-lock.json (`npm ci`, run by .ci/setup). Missing, the
test fails: it is never skipped.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from flagwright.runtime.bucketing import hash_key

from .crosscheck import (
    CONTEXTS_PER_FLAG,
    NODE_DIR,
    cases_for,
    flagd_sources,
    mismatches,
    native_client,
    render_example,
    run_external,
)

INSTALL_HINT = "run `npm ci` in tests/node (bash .ci/setup does): @openfeature/flagd-core 4.0.1"


@pytest.fixture(scope="module")
def node() -> list[str]:
    binary = shutil.which("node")
    if binary is None:
        pytest.fail("the Node cross-check needs Node 20 on PATH")
    core = NODE_DIR / "node_modules/@openfeature/flagd-core/package.json"
    if not core.is_file():
        pytest.fail(f"tests/node/node_modules is missing: {INSTALL_HINT}")
    assert json.loads(core.read_text(encoding="utf-8"))["version"] == "4.0.1"
    return [binary, str(NODE_DIR / "evaluate.mjs")]


@pytest.fixture(scope="module")
def rendered() -> dict[str, str]:
    return render_example()


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_node_flagd_core_agrees_with_native_runtime(
    env: str, rendered: dict[str, str], node: list[str], tmp_path: Path
) -> None:
    native, bundle = native_client(rendered, env)
    assert bundle["bucketing"] == "flagd-v2"
    sources = flagd_sources(rendered, env)
    assert any("ConfigMap" in s.label for s in sources)
    checked = 0
    for number, source in enumerate(sources):
        cases = cases_for(bundle, source.flags, CONTEXTS_PER_FLAG)
        work = tmp_path / str(number)
        work.mkdir()
        results = run_external(node, source.text, cases, work, cwd=NODE_DIR)
        bad = mismatches(native, cases, results)
        assert not bad, f"{source.label}: {len(bad)} of {len(cases)} differ, e.g. {bad[:3]}"
        checked += len(cases)
    exported = set(json.loads(rendered[f"rendered/{env}/flags/flagd.json"])["flags"])
    assert set().union(*(s.flags for s in sources)) == exported
    assert checked >= CONTEXTS_PER_FLAG * len(exported)


def _split_document() -> dict[str, Any]:
    return {
        "flags": {
            "new-checkout": {
                "state": "ENABLED", "defaultVariant": "off",
                "variants": {"on": True, "off": False},
                "targeting": {"fractional": [["on", 5000], ["off", 5000]]},
            }
        }
    }  # fmt: skip


def test_node_v2_core_hashes_utf16_so_non_ascii_keys_bucket_differently(
    node: list[str], tmp_path: Path
) -> None:
    """The JS v2 core hashes UTF-16 code units (imurmurhash), flagd/Go/Python and flagwright the
    UTF-8 bytes: ASCII keys agree, and most non-ASCII keys land elsewhere. The README says so."""
    keys = [f"user-{n}" for n in range(2000)] + [f"josé-{n}@example.com" for n in range(2000)]
    cases = [
        {"flag": "new-checkout", "type": "boolean", "targetingKey": key, "attributes": {},
         "timestamp": 0, "context": {"targeting_key": key}}
        for key in keys
    ]  # fmt: skip
    results = run_external(node, json.dumps(_split_document()), cases, tmp_path, cwd=NODE_DIR)
    native = [(hash_key("new-checkout" + key) * 10000) >> 32 < 5000 for key in keys]
    served = [row["value"] for row in results]
    assert served[:2000] == native[:2000]
    differ = sum(a != b for a, b in zip(served[2000:], native[2000:], strict=True))
    assert 800 < differ < 1200  # independent hashes: about half of the users move
    # The vendored reference value: UTF-8 murmur3 of "new-checkoutjosé@example.com".
    assert hash_key("new-checkoutjosé@example.com") == 3853243112
