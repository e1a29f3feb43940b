"""Benchmark ``flagwright diff`` of two committed revisions against a plain libyaml parse.

A 10,000-flag repository (bench/generate.py) is committed, 100 flags are changed (prod turned
off, or the owner renamed where prod is not listed) and committed again. Then, each best
of REPEATS in this process:

* diff:  open the repository, load both revisions from Git's objects (no checkout), compile
         the flags that can differ and compare them, as ``flagwright diff HEAD~1 HEAD`` does;
* parse: libyaml (``yaml.CSafeLoader``) parsing every source file of one revision, already in
         memory.

Target: diff <= 3 x parse. Run: ``.venv/bin/python bench/bench_diff.py [--flags N]``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

import yaml  # noqa: E402

from flagwright.diff.revisions import diff_revisions  # noqa: E402
from flagwright.gitio import GitRepo, RevisionLoader  # noqa: E402
from generate import generate_repo  # noqa: E402

REPEATS = 3
CHANGED = 100
GIT_ENV = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
    "GIT_AUTHOR_DATE": "2026-11-20T10:00:00Z",
    "GIT_COMMITTER_DATE": "2026-11-20T10:00:00Z",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                   env={**os.environ, **GIT_ENV})  # fmt: skip


def _change(root: Path, count: int) -> int:
    """Change ``count`` flags spread over the repository; returns how many turn prod off."""
    files = sorted((root / "flags").glob("*.yaml"))
    step = max(1, len(files) // count)
    turned_off = 0
    for path in files[::step][:count]:
        text = path.read_text(encoding="utf-8")
        if "\n  prod:\n" in text and "\n  prod:\n    enabled:" not in text:
            text = text.replace("\n  prod:\n", "\n  prod:\n    enabled: false\n", 1)
            turned_off += 1
        else:
            text = text.replace("\nowner: ", "\nowner: new-", 1)
        path.write_text(text, encoding="utf-8")
    return turned_off


def _sources(root: Path) -> list[str]:
    files = sorted(
        p for d in ("flags", "environments") for p in (root / d).rglob("*") if p.suffix == ".yaml"
    )
    return [p.read_text(encoding="utf-8") for p in files]


def _best(run: object) -> float:
    assert callable(run)
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flags", type=int, default=10_000)
    parser.add_argument("--apps", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="flagwright-bench-diff-") as tmp:
        root = Path(tmp)
        start = time.perf_counter()
        generate_repo(root, flags=args.flags, apps=args.apps, seed=0)
        _git(root, "init", "-q", "-b", "main")
        _git(root, "add", "-A")
        _git(root, "commit", "-q", "-m", "generated")
        texts = _sources(root)
        turned_off = _change(root, CHANGED)
        _git(root, "commit", "-q", "-a", "-m", "change flags")
        setup = time.perf_counter() - start
        size = sum(len(t) for t in texts)
        print(f"repository: {args.flags} flags, {args.apps} apps, {len(texts)} files, "
              f"{size / 1e6:.1f} MB; {CHANGED} flags changed ({turned_off} turn prod off); "
              f"setup {setup:.1f}s")  # fmt: skip

        result = None

        def run_diff() -> None:
            nonlocal result
            git = GitRepo(root)
            loader = RevisionLoader(git)
            base = loader.commit(git.resolve("HEAD~1"), "HEAD~1")
            head = loader.commit(git.resolve("HEAD"), "HEAD")
            result = diff_revisions(base, head)

        def run_parse() -> None:
            for text in texts:
                list(yaml.load_all(text, Loader=yaml.CSafeLoader))

        t_parse = _best(run_parse)
        t_diff = _best(run_diff)
        assert result is not None
        changes = len(result.flags)
        print(f"libyaml parse of one revision: {t_parse:.3f}s (best of {REPEATS})")
        print(f"diff of the two revisions:     {t_diff:.3f}s (best of {REPEATS}); "
              f"{changes} flag changes reported")  # fmt: skip
        ratio = t_diff / t_parse
        verdict = "within" if ratio <= 3 else "OVER"
        print(f"ratio diff / parse: {ratio:.2f}x ({verdict} the 3x target)")


if __name__ == "__main__":
    main()
