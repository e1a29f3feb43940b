"""What `flagwright site` writes: size, determinism, self-containment, data, history, errors."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tests.cli_runner import run_cli
from tests.gitops.conftest import GitWork, replace

from .conftest import FIXTURE_AT, REPO_ROOT, build

MAX_BYTES = 1_000_000


def _tree(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*"))
            if p.is_file()}  # fmt: skip


def test_example_site_is_under_1_mb(example_site: Path) -> None:
    size = sum(len(b) for b in _tree(example_site).values())
    assert 0 < size < MAX_BYTES, f"{size} bytes"


def test_pages_and_index_json_for_every_flag(example_site: Path) -> None:
    files = _tree(example_site)
    data = json.loads(files["index.json"])
    keys = [f["key"] for f in data["flags"]]
    assert data["format"] == "flagwright.site/v1"
    assert {f"flags/{k}.html" for k in keys} == {p for p in files if p.startswith("flags/")}
    assert keys == sorted(
        p.name.removesuffix(".yaml") for p in (REPO_ROOT / "flags").glob("*.yaml")
    )


def test_same_input_gives_byte_identical_output(fixture_repo: GitWork, tmp_path: Path) -> None:
    first = _tree(build(fixture_repo.root, tmp_path / "a", FIXTURE_AT))
    second = _tree(build(fixture_repo.root, tmp_path / "b", FIXTURE_AT))
    assert first == second
    again = _tree(build(fixture_repo.root, tmp_path / "a", FIXTURE_AT))  # replaces its own site
    assert again == first


def test_no_request_leaves_the_site(page: Any, fixture_site: Path) -> None:
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto((fixture_site / "index.html").as_uri())
    page.get_by_role("link", name="web-new-nav", exact=True).click()
    page.wait_for_load_state()
    assert requested and all(u.startswith("file://") for u in requested), requested
    for text in (fixture_site / "flags").glob("*.html"):
        html = text.read_text(encoding="utf-8")
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), text.name
        assert "<link" not in html


def test_stale_list(fixture_site: Path) -> None:
    data = json.loads((fixture_site / "index.json").read_text(encoding="utf-8"))
    assert data["stale"] == [
        {"flag": "legacy-report", "owner": "team-data", "reasons": [
            {"reason": "zero", "text": "at 0% everywhere: everyone gets off"},
            {"reason": "unused", "text": "selected by no app: no snapshot carries it"},
        ]},
        {"flag": "web-old-banner", "owner": "team-web", "reasons": [
            {"reason": "expired", "text": "expired on 2026-06-30"},
            {"reason": "full", "text": "at 100% everywhere for 203 days (since 2026-05-01)"},
        ]},
    ]  # fmt: skip


def test_full_days_option_moves_the_threshold(fixture_repo: GitWork, tmp_path: Path) -> None:
    out = tmp_path / "site"
    ran = run_cli("-C", str(fixture_repo.root), "site", "--out", str(out), "--at", FIXTURE_AT,
                  "--full-days", "400")  # fmt: skip
    assert ran.exit_code == 0, ran.stderr
    data = json.loads((out / "index.json").read_text(encoding="utf-8"))
    reasons = {s["flag"]: [r["reason"] for r in s["reasons"]] for s in data["stale"]}
    assert reasons["web-old-banner"] == ["expired"]


def test_history_with_blast_radius_and_current_stage(fixture_site: Path) -> None:
    data = json.loads((fixture_site / "index.json").read_text(encoding="utf-8"))
    flags = {f["key"]: f for f in data["flags"]}
    nav = flags["web-new-nav"]
    assert [h["subject"] for h in nav["history"]] == ["web-new-nav: prod to 10%", "Initial flags"]
    (change,) = nav["history"][0]["changes"]
    assert change["environment"] == "prod"
    assert change["blast_text"] == [
        "fallthrough: 9.00% of users no rule matches change variant: off → on 9.00%"
    ]
    assert nav["environments"]["prod"]["stage_since"] == "2026-11-18T09:00:00+00:00"
    fast = flags["api-fast-path"]["environments"]["prod"]
    assert (fast["kind"], fast["exposure"], fast["rollout"]["current"]) == ("rollout", 5000, 3)
    assert fast["gates"]["thresholds"] == [["max_error_rate", 0.05], ["max_p99_ms", 1500.0]]


def test_repository_text_is_escaped(fixture_repo: GitWork, tmp_path: Path) -> None:
    replace(fixture_repo, "flags/legacy-report.yaml", "description: The old",
            "description: <script>alert(1)</script> The old")  # fmt: skip
    site = build(fixture_repo.root, tmp_path / "site", FIXTURE_AT)
    html = (site / "flags" / "legacy-report.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; The old" in html


def test_invalid_configuration_writes_nothing(fixture_repo: GitWork, tmp_path: Path) -> None:
    replace(fixture_repo, "flags/web-new-nav.yaml", "stage: 2}", "stage: 9}")
    out = tmp_path / "site"
    ran = run_cli("-C", str(fixture_repo.root), "site", "--out", str(out))
    assert ran.exit_code == 1
    assert "flags/web-new-nav.yaml:" in ran.stderr
    assert ran.stderr.endswith("no site written\n")
    assert not out.exists()


def test_refuses_to_replace_a_folder_it_did_not_write(
    fixture_repo: GitWork, tmp_path: Path
) -> None:
    out = tmp_path / "docs"
    out.mkdir()
    (out / "keep.txt").write_text("mine", encoding="utf-8")
    ran = run_cli("-C", str(fixture_repo.root), "site", "--out", str(out), "--at", FIXTURE_AT)
    assert ran.exit_code == 1
    assert "is not empty and was not written by `flagwright site`" in ran.stderr
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_bad_at_is_a_usage_error(fixture_repo: GitWork, tmp_path: Path) -> None:
    ran = run_cli("-C", str(fixture_repo.root), "site", "--out", str(tmp_path / "s"),
                  "--at", "tomorrow")  # fmt: skip
    assert ran.exit_code == 2
    assert "'tomorrow' is not an RFC 3339 time" in ran.stderr


def test_outside_git_the_site_says_there_is_no_history(tmp_path: Path) -> None:
    import shutil

    from .conftest import FIXTURE

    root = tmp_path / "plain"
    shutil.copytree(FIXTURE, root)
    site = build(root, tmp_path / "site", FIXTURE_AT)
    html = (site / "flags" / "web-new-nav.html").read_text(encoding="utf-8")
    assert "No history: the configuration folder is not inside a Git repository." in html


def test_readme_shows_the_dashboard_screenshot() -> None:
    from PIL import Image

    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert "](docs/dashboard.png)" in readme
    with Image.open(REPO_ROOT / "docs" / "dashboard.png") as image:
        assert image.format == "PNG" and image.size[0] == 1200


def test_an_at_that_is_not_rfc_3339_is_a_usage_error(tmp_path: Path) -> None:
    out = tmp_path / "site"
    ran = run_cli("-C", str(REPO_ROOT), "site", "--out", str(out), "--at", "yesterday")
    assert ran.exit_code == 2
    assert ran.stderr.splitlines()[-1] == (
        "Error: Invalid value for '--at': 'yesterday' is not an RFC 3339 time with an offset, "
        "e.g. 2026-11-20T10:00:00Z"
    )
    assert not out.exists()
