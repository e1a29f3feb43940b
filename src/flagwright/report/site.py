"""What ``flagwright site`` prints: where the site went and what it holds."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the site's templates and data are loaded only by `flagwright site`
    from flagwright.site import SiteResult


def site_text(result: SiteResult) -> str:
    return (
        f"{result.out}/: {result.flags} flags, {result.stale} stale, {result.files} files, "
        f"{result.size / 1024:.0f} KiB\n"
    )
