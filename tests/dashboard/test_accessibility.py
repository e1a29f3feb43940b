"""axe-core, run in the browser on every page of the example's site and of the fixture's.

axe-core is pinned in tests/site_node/package.json and its lockfile; `.ci/setup` runs `npm ci`
there. A violation of impact "serious" or "critical" fails, with axe's own description.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .conftest import AXE

_RUN = """async () => {
  const result = await axe.run(document);
  return {passes: result.passes.length, violations: result.violations.map(v => ({id: v.id,
    impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(" ")).slice(0, 5)}))};
}"""


def _axe(page: Any) -> list[dict[str, Any]]:
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `npm ci` in tests/site_node (or `bash .ci/setup`)")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(_RUN)
    assert result["passes"] > 10  # axe really looked at the page
    found: list[dict[str, Any]] = result["violations"]
    return found


def _violations(page: Any, path: Path) -> list[dict[str, Any]]:
    page.goto(path.as_uri())
    return _axe(page)


def test_the_check_finds_violations_on_a_bad_page(page: Any) -> None:
    page.set_content(
        "<html><body><h1>x</h1><img src='data:,'><p style='color:#bbb'>low contrast</p>"
        "<select><option>unlabelled</option></select></body></html>"
    )
    ids = {v["id"] for v in _axe(page)}
    assert {"html-has-lang", "image-alt", "color-contrast", "select-name"} <= ids


def _pages(site: Path) -> list[Path]:
    return [site / "index.html", *sorted((site / "flags").glob("*.html"))]


def test_example_site_has_no_serious_accessibility_violations(
    page: Any, example_site: Path
) -> None:
    pages = _pages(example_site)
    assert len(pages) > 10
    bad = {
        p.name: [v for v in _violations(page, p) if v["impact"] in ("serious", "critical")]
        for p in pages
    }
    assert {k: v for k, v in bad.items() if v} == {}


def test_fixture_site_has_no_accessibility_violations_at_all(page: Any, fixture_site: Path) -> None:
    # Stricter on the small fixture: minor and moderate findings fail too.
    found = {p.name: _violations(page, p) for p in _pages(fixture_site)}
    assert {k: v for k, v in found.items() if v} == {}
