"""Benchmark of `flagwright render`: prints its time against libyaml's bare parse of the sources.

    .venv/bin/python bench/bench_render.py [--flags 10000] [--apps 50] [--repeat 3]

In one run it generates a synthetic repository (bench/generate.py) under bench/out/ and prints:

* the time PyYAML's CSafeLoader needs just to read and parse every source file (best of N),
* render in-process (validate + compile + render + validate every output, in memory) with every
  registered renderer, as `flagwright render` runs it, then the same plus writing rendered/
  (best of N), and their ratios to the parse; then, for comparison, the issue-4 renderers alone
  (values, snapshot, ConfigMaps, Applications: without the flagd and FeatureManagement exports),
* a breakdown of one in-memory render by stage,
* one cold `flagwright render` CLI run on the generated repository (new interpreter, empty
  rendered/), as a CI job runs it,
* `flagwright render --check` wall time on this repository's own example (interpreter start
  included, best of 5), and a bare interpreter start for reference.

Targets (issue 4): render ≤ 3x the CSafeLoader parse; `render --check` on the example ≤ 1 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from flagwright.check.repository import validate_repository
from flagwright.render import pipeline
from flagwright.render.pipeline import (
    RenderOptions,
    render_repository,
    render_validated,
)
from flagwright.render.writer import write_tree
from generate import generate_repo

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
OUT = HERE / "out"
TODAY = date(2026, 11, 23)  # fixed, so generated expiry dates never turn stale mid-run
ISSUE_4 = ("values", "snapshot", "configmaps", "argocd")


def best_of(n: int, run: Callable[[], object]) -> float:
    times = []
    for _ in range(n):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def yaml_files(root: Path) -> list[Path]:
    return sorted(p for d in ("flags", "environments") for p in (root / d).rglob("*.y*ml"))


def parse_all(files: list[Path]) -> None:
    for path in files:
        yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)


def cli() -> list[str]:
    script = Path(sys.executable).parent / "flagwright"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from flagwright.cli.main import main; main()"]


def run_cli(args: list[str]) -> tuple[float, int]:
    started = time.perf_counter()
    proc = subprocess.run([*cli(), *args], capture_output=True, check=False)
    return time.perf_counter() - started, proc.returncode


def render_and_write(root: Path) -> None:
    output = render_repository(root, TODAY, RenderOptions())
    assert output.ok, output.diagnostics[:5]
    write_tree(root, {path: a.text for path, a in output.files.items()})


def stages(root: Path) -> None:
    """One render, timed stage by stage."""
    started = time.perf_counter()
    validated = validate_repository(root, TODAY)
    validate_s = time.perf_counter() - started
    started = time.perf_counter()
    output = render_validated(validated, RenderOptions())
    render_s = time.perf_counter() - started
    size = sum(len(a.text) for a in output.files.values())
    print(
        f"  one run: validate {validate_s:5.2f} s + compile/render/validate manifests "
        f"{render_s:5.2f} s -> {len(output.files):,} files, {size / 1e6:.1f} MB"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flags", type=int, default=10_000)
    parser.add_argument("--apps", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3, help="best of N for the big runs")
    parser.add_argument("--example", type=Path, default=PROJECT, help="repo with the example")
    args = parser.parse_args(argv)

    root = OUT / f"render-{args.flags}x{args.apps}"
    shutil.rmtree(root, ignore_errors=True)
    started = time.perf_counter()
    generate_repo(root, flags=args.flags, apps=args.apps, seed=0)
    files = yaml_files(root)
    size = sum(p.stat().st_size for p in files)
    print(f"python {sys.version.split()[0]}, PyYAML {yaml.__version__}, {os.cpu_count()} CPUs")
    print(
        f"generated {args.flags:,} flags x 3 environments, {args.apps} apps: {len(files):,} "
        f"files, {size / 1e6:.1f} MB in {time.perf_counter() - started:.2f} s ({root})"
    )
    every_renderer = list(pipeline.RENDERERS)
    first = render_repository(root, TODAY, RenderOptions())
    if not first.ok:
        print(f"ERROR: the generated repo does not render: {len(first.diagnostics)} diagnostics")
        for diagnostic in first.diagnostics[:5]:
            print(f"  {diagnostic}")
        return 1

    parse = best_of(args.repeat, lambda: parse_all(files))
    print(f"CSafeLoader parse (read + yaml.load) best of {args.repeat}:  {parse:7.2f} s")
    in_memory = best_of(args.repeat, lambda: render_repository(root, TODAY, RenderOptions()))
    print(
        f"render in memory, in-process best of {args.repeat}:     {in_memory:7.2f} s  "
        f"= {in_memory / parse:.2f} x the parse (target <= 3)"
    )
    shutil.rmtree(root / "rendered", ignore_errors=True)
    written = best_of(args.repeat, lambda: render_and_write(root))
    print(
        f"render + write rendered/, best of {args.repeat}:        {written:7.2f} s  "
        f"= {written / parse:.2f} x the parse"
    )
    stages(root)
    pipeline.RENDERERS[:] = [r for r in every_renderer if r[0] in ISSUE_4]
    try:
        only = best_of(args.repeat, lambda: render_repository(root, TODAY, RenderOptions()))
    finally:
        pipeline.RENDERERS[:] = every_renderer
    print(
        f"  without the flagd/FeatureManagement exports, in memory:  {only:7.2f} s "
        f"= {only / parse:.2f} x the parse"
    )

    # What a CI job pays: a new interpreter, imports, first-use caches, a cold heap.
    shutil.rmtree(root / "rendered", ignore_errors=True)
    cold, code = run_cli(["-C", str(root), "render", "--today", TODAY.isoformat()])
    print(
        f"`flagwright render` CLI, one cold run (writes every file):  {cold:7.2f} s "
        f"= {cold / parse:.2f} x the parse (exit {code})"
    )

    example = args.example
    if (example / "flags").is_dir() and (example / "environments").is_dir():
        runs = [run_cli(["-C", str(example), "render", "--check"]) for _ in range(5)]
        wall, code = min(runs)
        print(
            f"example ({example}) render --check CLI best of 5: {wall:5.3f} s wall incl. "
            f"interpreter start (target <= 1; exit {code})"
        )
    else:
        print(f"example: {example}/flags or {example}/environments is absent; not measured")
    bare = best_of(5, lambda: subprocess.run([sys.executable, "-c", "pass"], check=True))
    print(f"  for reference, bare interpreter start best of 5: {bare:5.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
