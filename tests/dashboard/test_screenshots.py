"""Screenshots of the fixture's site compared with committed images, within a tolerance.

Fixed viewport (conftest.VIEWPORT), scale 1, the machine's fonts (CI runs on the same kind of
machine). Anti-aliasing and hinting may shift a few pixels between runs, so a pixel counts as
different only when a channel differs by more than 40, and up to 1.5% of pixels may differ: a
broken layout (a lost stylesheet, a wrapped column, a missing timeline) changes far more.
To refresh after an intended change: FLAGWRIGHT_UPDATE_SCREENSHOTS=1, then look at the images.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageChops

EXPECTED = Path(__file__).parent / "expected"
CHANNEL_TOLERANCE = 40
MAX_DIFFERENT = 0.015


def different_share(actual: Image.Image, expected: Image.Image) -> float:
    """Share of pixels where some channel differs by more than CHANNEL_TOLERANCE."""
    if actual.size != expected.size:
        return 1.0
    diff = ImageChops.difference(actual.convert("RGB"), expected.convert("RGB"))
    mask = diff.convert("L").point(lambda v: 255 if v > CHANNEL_TOLERANCE else 0)
    histogram = mask.histogram()
    return histogram[255] / (actual.size[0] * actual.size[1])


def _compare(page: Any, name: str) -> None:
    shot = Image.open(io.BytesIO(page.screenshot(full_page=True)))
    path = EXPECTED / name
    if os.environ.get("FLAGWRIGHT_UPDATE_SCREENSHOTS"):
        shot.save(path, optimize=True)
    assert path.is_file(), f"{path} is missing"
    share = different_share(shot, Image.open(path))
    if share > MAX_DIFFERENT:
        shot.save(path.with_suffix(".actual.png"))
    assert share <= MAX_DIFFERENT, f"{share:.2%} of pixels differ from {name}"


@pytest.mark.parametrize(
    ("page_path", "name"),
    [("index.html", "dashboard.png"), ("flags/web-new-nav.html", "flag-web-new-nav.png"),
     ("flags/web-checkout-test.html", "flag-web-checkout-test.png")],
)  # fmt: skip
def test_page_looks_as_committed(page: Any, fixture_site: Path, page_path: str, name: str) -> None:
    page.goto((fixture_site / page_path).as_uri())
    _compare(page, name)


@pytest.mark.parametrize(
    "breakage",
    [
        "document.querySelector('style').remove()",  # the stylesheet lost
        "document.querySelector('.cell').style.minWidth = '320px'",  # one column wider
        "document.querySelector('#matrix tbody tr').hidden = true",  # a row missing
    ],
)
def test_the_comparison_catches_a_broken_layout(
    page: Any, fixture_site: Path, breakage: str
) -> None:
    page.goto((fixture_site / "index.html").as_uri())
    page.evaluate(breakage)
    shot = Image.open(io.BytesIO(page.screenshot(full_page=True)))
    assert different_share(shot, Image.open(EXPECTED / "dashboard.png")) > 2 * MAX_DIFFERENT
