"""``flagwright site``: a static dashboard of every flag in every environment.

data (compile + history + staleness) → pages (autoescaped templates, inline SVG) → writer (all
files or none). The result needs no server and makes no network request: it works from
``file://``, an artifact or any static file server.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flagwright.site.data import SiteOptions, build_data
from flagwright.site.pages import render_pages
from flagwright.site.writer import write_site

__all__ = ["SiteOptions", "SiteResult", "build_site"]


@dataclass(frozen=True, slots=True)
class SiteResult:
    out: Path
    files: int
    size: int  # bytes, all files
    flags: int
    stale: int


def build_site(root: Path, out: Path, options: SiteOptions) -> SiteResult:
    data: dict[str, Any] = build_data(root, options)
    texts = render_pages(data, options.now, options.full_days)
    write_site(out, texts)
    size = sum(len(t.encode("utf-8")) for t in texts.values())
    return SiteResult(out, len(texts), size, len(data["flags"]), len(data["stale"]))
