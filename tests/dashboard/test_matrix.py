"""The dashboard in a real Chromium: every cell of the matrix against the snapshot bundles.

The expected state of each cell is derived here from `rendered/<env>/flags/snapshot.json` (the
files services load, kept equal to the sources by `render --check`), independently of the site's
own code: what the fallthrough serves at the site's `--at`, and how many rules come first.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from .conftest import EXAMPLE_AT, REPO_ROOT


def _bundles() -> dict[str, dict[str, Any]]:
    out = {}
    for path in sorted((REPO_ROOT / "rendered").glob("*/flags/snapshot.json")):
        bundle = json.loads(path.read_text(encoding="utf-8"))
        out[bundle["environment"]] = bundle["flags"]
    return out


def _pct(weight: int) -> str:
    return f"{weight // 100}%" if weight % 100 == 0 else f"{weight / 100:g}%"


def _expected(flag: dict[str, Any], at: datetime) -> dict[str, Any]:
    """(kind, label, weights, rules) a reader of the bundle expects the cell to show."""
    default = flag["default"]
    if not flag["listed"]:
        return {"kind": "unlisted", "label": f"not listed: {default}",
                "weights": f"{default}:10000", "rules": "0"}  # fmt: skip
    if not flag["enabled"]:
        return {"kind": "disabled", "label": f"disabled: {default}",
                "weights": f"{default}:10000", "rules": "0"}  # fmt: skip
    ft = flag["fallthrough"]
    rules = str(len(flag["rules"]))
    if "serve" in ft:
        return {"kind": "serve", "label": ft["serve"], "weights": f"{ft['serve']}:10000",
                "rules": rules}  # fmt: skip
    if "split" in ft:
        live = [(v, w) for v, w in ft["split"] if w]
        label = " / ".join(f"{v} {_pct(w)}" for v, w in live) if len(live) > 1 else live[0][0]
        weights = ",".join(f"{v}:{w}" for v, w in ft["split"])
        kind = "split" if len(live) > 1 else "serve"
        return {"kind": kind, "label": label, "weights": weights, "rules": rules}
    rollout = ft["rollout"]
    stages = rollout["stages"]
    if rollout["mode"] == "manual":
        percent = stages[rollout["stage"] - 1]["percent"]
    else:
        started = [s for s in stages if datetime.fromisoformat(s["from"]) <= at]
        percent = started[-1]["percent"] if started else 0
    weight = round(percent * 100)
    return {
        "kind": "rollout",
        "label": f"{_pct(weight)} {rollout['variant']}",
        "weights": f"{rollout['variant']}:{weight},{rollout['default']}:{10000 - weight}",
        "rules": rules,
    }


def test_every_cell_matches_the_snapshot_bundles(page: Any, example_site: Path) -> None:
    bundles = _bundles()
    assert set(bundles) == {"dev", "staging", "prod"}
    at = datetime.fromisoformat(EXAMPLE_AT)
    page.goto((example_site / "index.html").as_uri())
    headers = page.locator("#matrix thead th").all_inner_texts()
    assert headers == ["Flag", "Owner", "dev", "staging", "prod"]
    rows = page.locator("#matrix tbody tr")
    keys = [rows.nth(i).get_attribute("data-flag") for i in range(rows.count())]
    assert keys == sorted(bundles["prod"])
    checked = 0
    for env, flags in bundles.items():
        for key, flag in flags.items():
            cell = page.locator(f'#matrix tr[data-flag="{key}"] td[data-env="{env}"]')
            got = {
                "kind": cell.get_attribute("data-kind"),
                "label": cell.locator(".label").inner_text(),
                "weights": cell.get_attribute("data-weights"),
                "rules": cell.get_attribute("data-rules"),
            }
            assert got == _expected(flag, at), f"{key} in {env}"
            checked += 1
    assert checked == 3 * len(bundles["prod"])


def test_click_through_to_a_flag_page(page: Any, example_site: Path) -> None:
    prod = _bundles()["prod"]["new-checkout-api"]
    page.goto((example_site / "index.html").as_uri())
    page.get_by_role("link", name="new-checkout-api", exact=True).click()
    assert page.url == (example_site / "flags" / "new-checkout-api.html").as_uri()
    assert page.locator("h1").inner_text() == "new-checkout-api"
    section = page.locator('section[data-env="prod"]')
    rule_names = section.locator("table.rules tbody tr td:nth-child(2)").all_inner_texts()
    assert rule_names == [r["name"] for r in prod["rules"]]
    title = section.locator("svg.timeline title").text_content() or ""
    assert "Now at stage 2 of 5 (10%)" in title
    assert section.locator("svg.timeline g.stage-current text.pct").text_content() == "10%"
    assert "max_error_rate 0.05" in section.locator(".gates").inner_text()
    page.get_by_role("link", name="All flags").click()
    assert page.url == (example_site / "index.html").as_uri()


def test_filters_by_owner_tag_and_app(page: Any, example_site: Path) -> None:
    page.goto((example_site / "index.html").as_uri())
    rows = page.locator("#matrix tbody tr:not([hidden])")
    everyone = rows.count()
    page.select_option("#f-owner", "team-checkout")
    owners = page.locator("#matrix tbody tr:not([hidden]) td.owner").all_inner_texts()
    assert owners and set(owners) == {"team-checkout"}
    assert page.locator("#shown").inner_text() == f"{len(owners)} of {everyone} flags"
    page.select_option("#f-owner", "")
    page.select_option("#f-tag", "experiment")
    assert [r.get_attribute("data-flag") for r in rows.all()] == ["checkout-redesign"]
    page.select_option("#f-tag", "")
    page.select_option("#f-app", "payments")
    data = json.loads((example_site / "index.json").read_text(encoding="utf-8"))
    selected = [f["key"] for f in data["flags"] if "payments" in f["apps"]]
    assert "payments-paypal-express" in selected
    assert [r.get_attribute("data-flag") for r in rows.all()] == selected
