"""Cross-check flagd-v3: PyPI openfeature-flagd-core 2.0.0 (the only flagd core with the CBOR
rule), reading each app's flagd.json from its rendered ConfigMap, serves the native runtime's
variant for 10,000 contexts per flag and environment, non-ASCII targeting keys included.

The example runs flagd-v2 (its Node storefront reads flagd.json, and the JavaScript core has only
v2), so this renders a copy of the example with every environment set to ``bucketing: flagd-v3``.
2.0.0 cannot share a virtualenv with the 1.0.0 core of the `flagd` extra: it lives in
.venv-flagd-v3, made by .ci/setup from tests/flagd_v3/requirements.txt. Missing, the test fails.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .crosscheck import (
    CONTEXTS_PER_FLAG,
    V3_PYTHON,
    V3_SCRIPT,
    cases_for,
    flagd_sources,
    mismatches,
    native_client,
    render_example,
    run_external,
)

INSTALL_HINT = (
    "python3 -m venv .venv-flagd-v3 && .venv-flagd-v3/bin/pip install -r "
    "tests/flagd_v3/requirements.txt (bash .ci/setup does this)"
)


@pytest.fixture(scope="module")
def v3_core() -> list[str]:
    if not V3_PYTHON.is_file():
        pytest.fail(f".venv-flagd-v3 is missing: {INSTALL_HINT}")
    return [str(V3_PYTHON), str(V3_SCRIPT)]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return render_example(tmp_path_factory.mktemp("v3"), bucketing="flagd-v3")


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_flagd_core_2_agrees_with_native_runtime(
    env: str, rendered: dict[str, str], v3_core: list[str], tmp_path: Path
) -> None:
    native, bundle = native_client(rendered, env)
    assert bundle["bucketing"] == "flagd-v3"
    document = json.loads(rendered[f"rendered/{env}/flags/flagd.json"])
    assert document["metadata"]["bucketing"] == "flagd-v3"
    sources = flagd_sources(rendered, env)
    checked = 0
    for number, source in enumerate(sources):
        cases = cases_for(bundle, source.flags, CONTEXTS_PER_FLAG, ascii_only=False)
        work = tmp_path / str(number)
        work.mkdir()
        bad = mismatches(native, cases, run_external(v3_core, source.text, cases, work))
        assert not bad, f"{source.label}: {len(bad)} of {len(cases)} differ, e.g. {bad[:3]}"
        checked += len(cases)
    assert set().union(*(s.flags for s in sources)) == set(document["flags"])
    assert checked >= CONTEXTS_PER_FLAG * len(document["flags"])


def test_v3_and_v2_exports_differ_only_in_their_rule(rendered: dict[str, str]) -> None:
    """Same JsonLogic either way, the rule named in the metadata; except that under flagd-v3 a
    prerequisite splitting on the targeting key cannot be inlined into its dependant (no
    JsonLogic builds the [flagKey, targetingKey] array of another flag), so checkout-redesign,
    which requires new-checkout-api's rollout, is left out and says why."""
    v2 = render_example()
    for env in ("dev", "staging", "prod"):
        a = json.loads(v2[f"rendered/{env}/flags/flagd.json"])
        b = json.loads(rendered[f"rendered/{env}/flags/flagd.json"])
        assert (a["metadata"]["bucketing"], b["metadata"]["bucketing"]) == ("flagd-v2", "flagd-v3")
        lost = set(a["flags"]) - set(b["flags"])
        assert lost == ({"checkout-redesign"} if env == "prod" else set()), env
        assert {k: v for k, v in a["flags"].items() if k not in lost} == b["flags"]
        for key in lost:
            assert f"flag {key!r}: prerequisite 'new-checkout-api'" in b["$comment"]
