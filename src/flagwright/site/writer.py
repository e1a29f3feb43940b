"""Writing the site: all files or none, and never over a folder that is not a site.

The files are written into a fresh sibling folder which then replaces the output folder, so a
reader (a static file server, a browser) never sees half a site, and a failure leaves the old
one. A folder is only replaced when it is empty or was written by this command (it holds the
marker file), so ``--out`` pointing at the wrong place cannot delete anyone's files.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from flagwright.errors import UserError

MARKER = ".flagwright-site"


def write_site(out: Path, texts: Mapping[str, str]) -> None:
    if out.exists() and not out.is_dir():
        raise UserError(f"{out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise UserError(
            f"{out} is not empty and was not written by `flagwright site` (no {MARKER}): "
            "refusing to replace it; choose another --out or empty it"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        for rel, text in sorted({**texts, MARKER: "written by flagwright site\n"}.items()):
            path = staging / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
        os.chmod(staging, 0o755)  # mkdtemp makes it private; a site is for reading
        if out.exists():
            old = out.with_name(f".{out.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            out.rename(old)
            staging.rename(out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
