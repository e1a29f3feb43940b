"""Benchmark of `flagwright site`: time and size of the site of a generated repository.

A repository (bench/generate.py) is committed, a few flags are changed and committed again (so
the history has something to show), then `build_site` runs in this process (validate, compile
every environment, walk the history, render and write every page), best of REPEATS. Printed:
the time, the number of files and the total size, and the same for this repository's example.

Run: ``.venv/bin/python bench/bench_site.py [--flags N] [--apps N]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

from bench_diff import _change, _git  # noqa: E402
from flagwright.site import SiteOptions, SiteResult, build_site  # noqa: E402
from generate import generate_repo  # noqa: E402

REPEATS = 3
AT = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


def _best(root: Path, out: Path) -> tuple[float, SiteResult]:
    times = []
    result = None
    for _ in range(REPEATS):
        start = time.perf_counter()
        result = build_site(root, out, SiteOptions(now=AT))
        times.append(time.perf_counter() - start)
    assert result is not None
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flags", type=int, default=1000)
    parser.add_argument("--apps", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="flagwright-bench-site-") as tmp:
        root = Path(tmp) / "repo"
        root.mkdir()
        generate_repo(root, flags=args.flags, apps=args.apps, seed=0)
        _git(root, "init", "-q", "-b", "main")
        _git(root, "add", "-A")
        _git(root, "commit", "-q", "-m", "generated")
        _change(root, 20)
        _git(root, "commit", "-q", "-a", "-m", "change flags")
        seconds, result = _best(root, Path(tmp) / "site")
        print(f"generated: {args.flags} flags, {args.apps} apps, 2 commits: {seconds:.2f}s, "
              f"{result.files} files, {result.size / 1e6:.2f} MB")  # fmt: skip
        seconds, result = _best(ROOT, Path(tmp) / "example-site")
        print(f"example ({result.flags} flags, history of this repository): {seconds:.2f}s, "
              f"{result.files} files, {result.size / 1e3:.0f} kB")  # fmt: skip


if __name__ == "__main__":
    main()
