"""Whatever `validate` passes, `render` renders: a PR check that runs validate can trust it.

Checked on every corpus case and on generated repositories: the render fixture with hostile
values drawn by hypothesis (value templates, names Kubernetes refuses, shared namespaces, chart
sources, times near the calendar's ends), with and without ``--base``; and flag ConfigMaps just
over and just under Kubernetes' 1 MiB, which only compiling the flags can tell apart.
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus_helpers import CORPUS, TODAY, corpus_cases
from flagwright.check.repository import validate_repository
from flagwright.diagnostics import Findings
from flagwright.policy import policy_diagnostics
from flagwright.render.configmap import MAX_BYTES
from flagwright.render.pipeline import RenderOptions, render_validated
from render.fixture_repo import FILES, write_repo

CASES = corpus_cases()


def _renders_if_valid(root: Path) -> bool:
    """True when validate passed (and then render must have passed too)."""
    validated = validate_repository(root, TODAY)
    if not validated.ok:
        return False
    output = render_validated(validated, RenderOptions())
    assert output.ok, [str(d) for d in output.diagnostics if d.severity == "error"]
    return True


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_corpus_case(case: object) -> None:
    _renders_if_valid(case.root)  # type: ignore[attr-defined]


_PIECES = ["{{ app }}", "{{ env }}", "{{-env-}}", "{{ environment }}", "{{ app | upper }}",
           "{% if 1 %}x{% endif %}", "{{", "}}", "{# c #}", "plain ", "{{ repo_url }}" * 300,
           "{{ configmap }}", "{{ app.x }}", "{ {", "{{'a'}}"]  # fmt: skip
_TEMPLATES = st.lists(st.sampled_from(_PIECES), min_size=1, max_size=4).map("".join)
_APP_NAMES = st.sampled_from(["worker", "w" + "x" * 70, "work_er", "work.-er", "flagwright"])
_ENV_NAMES = st.sampled_from(["dev", "d_ev", "d" * 64, "web-dev"])
_NAMESPACES = st.sampled_from(["shop-dev", "shop-prod"])
_PATHS = st.sampled_from(["charts/worker", "../etc", "/etc", ".", "-x", "a/../../b"])
_REFS = st.sampled_from(["v3", "--output=x", "main~1", "HEAD", "a..b", "release/1.0"])
_STARTS = st.sampled_from(
    ["2026-11-20T10:00:00Z", "9999-12-30T00:00:00Z", "0001-01-01T00:00:00+01:00",
     "9999-12-31T23:00:00-01:00"]
)  # fmt: skip


@st.composite
def _repos(draw: st.DrawFn) -> dict[str, str]:
    app, env = draw(_APP_NAMES), draw(_ENV_NAMES)
    worker = (
        FILES["environments/apps/worker.yaml"]
        .replace("name: worker", f"name: {app}")
        .replace("charts/worker", draw(_PATHS))
        .replace("ref: v3", f"ref: {draw(_REFS)!r}")
        .replace('"{{ namespace }}/{{ project }}/{{ chart }}@{{ chart_version }}"',
                 repr(draw(_TEMPLATES)))
    )  # fmt: skip
    dev = (
        FILES["environments/dev.yaml"]
        .replace("name: dev", f"name: {env}")
        .replace("  worker:", f"  {app}:")
        .replace("namespace: shop-dev", f"namespace: {draw(_NAMESPACES)}")
        .replace("replicaCount: 1", f"replicaCount: 1\n      note: {draw(_TEMPLATES)!r}")
    )
    prod = FILES["environments/prod.yaml"].replace("promotes_from: dev", f"promotes_from: {env}")
    prod = prod.replace("  worker:", f"  {app}:")
    banner = FILES["flags/web-banner.yaml"].replace(
        '  dev: {serve: "on"}',
        f'  {env}:\n    rollout: {{plan: standard, variant: "on", start: {draw(_STARTS)}}}',
    )
    return {
        "environments/apps/worker.yaml": worker,
        "environments/dev.yaml": dev,
        "environments/prod.yaml": prod,
        "flags/web-banner.yaml": banner,
        "flags/worker-batching.yaml": FILES["flags/worker-batching.yaml"],
    }


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_repos())
def test_generated_repository(files: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        _renders_if_valid(write_repo(Path(tmp), files))


def test_generated_repositories_include_valid_ones() -> None:
    # The property above means something only if some drawn repositories do validate.
    with tempfile.TemporaryDirectory() as tmp:
        assert _renders_if_valid(write_repo(Path(tmp)))


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=a", "-c", "user.email=a@b.c", *args],
        cwd=root, check=True, capture_output=True,
        env={"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "PATH": "/usr/bin:/bin"},
    )  # fmt: skip


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_repos())
def test_validate_with_base_passing_implies_render_passing(files: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = write_repo(Path(tmp))
        _git(root, "init", "-q", "-b", "main")
        _git(root, "add", "-A")
        _git(root, "commit", "-qm", "base")
        for rel in FILES:
            (root / rel).unlink()
        shutil.rmtree(root / "flags")
        root = write_repo(root, files)
        validated = validate_repository(root, TODAY)
        if not validated.ok:
            return
        now = datetime(2026, 11, 23, tzinfo=UTC)
        found = policy_diagnostics(root, "main", validated.repo, validated.index, now)
        if any(d.severity == "error" for d in found):
            return
        assert render_validated(validated, RenderOptions()).ok


# A segment of 2,020 user ids inlined into 38 rules: the app's ConfigMap is 1024.3 KiB.
OVER_1MIB = CORPUS / "configmap-over-1mib"
CONFIGMAP = "rendered/prod/manifests/checkout-flags.yaml"


def test_configmap_just_over_1mib_is_reported_by_validate_as_render_reports_it() -> None:
    validated = validate_repository(OVER_1MIB, TODAY)
    found = [d for d in validated.diagnostics if d.code == "FW307"]
    assert [(d.path, d.line, d.col) for d in found] == [("environments/apps/checkout.yaml", 5, 1)]
    assert [d.code for d in validated.diagnostics] == ["FW307"]
    # Without validate's finding in the way, render refuses the same ConfigMap, word for word.
    rest = dataclasses.replace(validated, diagnostics=[], findings=Findings([]))
    output = render_validated(rest, RenderOptions())
    assert [str(d) for d in output.diagnostics if d.code == "FW307"] == [str(d) for d in found]


def test_configmap_just_under_1mib_validates_and_renders(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(OVER_1MIB, root)
    segment = root / "flags/segments/beta-users.yaml"
    text = segment.read_text(encoding="utf-8")
    dropped = ", ".join(f"user-{i:05d}" for i in range(2015, 2020))
    assert dropped in text
    segment.write_text(text.replace(", " + dropped, ""), encoding="utf-8")
    validated = validate_repository(root, TODAY)
    assert validated.ok, [str(d) for d in validated.diagnostics]
    output = render_validated(validated, RenderOptions())
    assert output.ok, [str(d) for d in output.diagnostics if d.severity == "error"]
    assert MAX_BYTES - 4096 < output.files[CONFIGMAP].size <= MAX_BYTES
