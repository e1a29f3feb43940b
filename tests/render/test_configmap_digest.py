"""Each app's flag ConfigMap names only what it holds: another app's flag change leaves it alone."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import yaml

from flagwright.runtime import compute_digest

from .conftest import render
from .fixture_repo import FILES

_CHANGED_WORKER = FILES["flags/worker-batching.yaml"].replace(
    "prod: {serve: large}", "prod: {serve: small}"
)


def test_a_flag_change_in_one_app_leaves_other_configmaps_byte_identical(
    make_config: Callable[[dict[str, str]], Path],
) -> None:
    before = render(make_config({})).files
    after = render(make_config({"flags/worker-batching.yaml": _CHANGED_WORKER})).files
    assert before.keys() == after.keys()
    changed = sorted(path for path in before if before[path].text != after[path].text)
    # The worker's ConfigMap and the environment's full bundles change; web's ConfigMap, its
    # values and both Applications stay as they were.
    assert changed == [
        "rendered/prod/flags/featuremanagement.json",
        "rendered/prod/flags/flagd.json",
        "rendered/prod/flags/snapshot.json",
        "rendered/prod/manifests/worker-flags.yaml",
    ]


def test_configmap_digests_cover_the_flags_it_holds(config: Path) -> None:
    files = render(config).files
    full = json.loads(files["rendered/prod/flags/snapshot.json"].text)
    manifest = yaml.safe_load(files["rendered/prod/manifests/web-flags.yaml"].text)
    bundle = json.loads(manifest["data"]["snapshot.json"])
    assert sorted(bundle["flags"]) == ["shared-api", "web-banner"]
    assert bundle["digest"] == compute_digest(bundle)
    assert manifest["metadata"]["annotations"]["flagwright.dev/digest"] == bundle["digest"]
    flags_json = json.dumps(bundle["flags"], sort_keys=True, separators=(",", ":"))
    assert bundle["source_digest"] == compute_source(flags_json)
    assert bundle["source_digest"] != full["source_digest"]
    assert full["source_digest"] == compute_source(
        json.dumps(full["flags"], sort_keys=True, separators=(",", ":"))
    )


def compute_source(flags_json: str) -> str:
    import hashlib

    return "sha256:" + hashlib.sha256(flags_json.encode()).hexdigest()
