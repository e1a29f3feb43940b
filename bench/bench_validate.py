"""Benchmark of `flagwright validate`: prints its time and memory against libyaml's bare parse.

    .venv/bin/python bench/bench_validate.py [--flags 10000] [--apps 50] [--repeat 3]

In one run it generates a synthetic repository (bench/generate.py) under bench/out/ and prints:

* the time PyYAML's CSafeLoader needs just to read and parse every file (best of N),
* validate on the same repository, in-process and as the CLI (best of N), and their ratio to it,
* peak memory: tracemalloc's peak in-process and the CLI process's maximum RSS,
* wall time of `flagwright validate` on this repository's own example (interpreter start
  included, best of 5),
* time to the error for a "billion laughs" file and a 100,000-deep nesting file.

Targets (issue 2): validate <= 2x the CSafeLoader parse; the example <= 0.5 s wall.

The machine may be shared, so CPU seconds are printed next to wall seconds: they move less when
other processes compete for the cores. Every figure is the best of its N runs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from flagwright.check.repository import validate_repository

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate_repo

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
OUT = HERE / "out"
TODAY = date(2026, 11, 23)  # fixed, so generated expiry dates never turn stale mid-run
# Runs a command and prints its maximum RSS. A child's ru_maxrss starts from its parent's
# high-water mark (it survives fork and exec), so the command is started from this small
# interpreter rather than from the benchmark, which has grown by then.
_RSS_PROBE = (
    "import resource, subprocess, sys\n"
    "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float

    def __str__(self) -> str:
        return f"{self.wall:7.3f} s wall {self.cpu:7.3f} s CPU"


@dataclass(frozen=True)
class CliRun:
    timing: Timing
    exit_code: int
    last_line: str


def best_of(n: int, run: Callable[[], object]) -> Timing:
    walls, cpus = [], []
    for _ in range(n):
        wall, cpu = time.perf_counter(), time.process_time()
        run()
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    return Timing(min(walls), min(cpus))


def cli() -> list[str]:
    script = Path(sys.executable).parent / "flagwright"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from flagwright.cli.main import main; main()"]


def run_cli(args: list[str]) -> CliRun:
    started = time.perf_counter()
    proc = subprocess.Popen(
        [*cli(), *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=_env()
    )
    assert proc.stdout is not None
    output = proc.stdout.read().decode(errors="replace").strip()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = exit_code = os.waitstatus_to_exitcode(status)
    last = output.splitlines()[-1] if output else ""
    return CliRun(Timing(wall, usage.ru_utime + usage.ru_stime), exit_code, last)


def best_cli(n: int, args: list[str]) -> CliRun:
    runs = [run_cli(args) for _ in range(n)]
    best = min(runs, key=lambda r: r.timing.wall)
    cpu = min(r.timing.cpu for r in runs)
    return CliRun(Timing(best.timing.wall, cpu), best.exit_code, best.last_line)


def peak_rss_mib(args: list[str]) -> float:
    probe = [sys.executable, "-c", _RSS_PROBE, *cli(), *args]
    out = subprocess.run(probe, capture_output=True, text=True, check=True, env=_env())
    return int(out.stdout.strip()) / 1024


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    return env


def config_yaml_files(root: Path) -> list[Path]:
    return sorted(p for d in ("flags", "environments") for p in (root / d).rglob("*.y*ml"))


def parse_all(files: list[Path]) -> None:
    for path in files:
        yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)


def billion_laughs() -> str:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in "bcdefghi":
        prev = chr(ord(level) - 1)
        lines.append(f"{level}: &{level} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return "kind: Flag\n" + "\n".join(lines) + "\n"


def deep_nesting(depth: int = 100_000) -> str:
    return "kind: Flag\nkey: " + "[" * depth + "]" * depth + "\n"


def time_to_error(name: str, text: str, repeat: int) -> None:
    root = OUT / f"hostile-{name}"
    shutil.rmtree(root, ignore_errors=True)
    (root / "flags").mkdir(parents=True)
    (root / "flags" / f"{name}.yaml").write_text(text, encoding="utf-8")
    result = validate_repository(root, TODAY)
    codes = ",".join(sorted({d.code for d in result.diagnostics})) or "NONE"
    in_process = best_of(repeat, lambda: validate_repository(root, TODAY))
    run = best_cli(repeat, ["-C", str(root), "validate"])
    print(
        f"  {name:15} {len(text.encode()):>8,} bytes -> {codes}: in-process "
        f"{in_process.wall * 1000:6.1f} ms, CLI {run.timing.wall * 1000:6.1f} ms wall "
        f"(exit {run.exit_code}, max RSS {peak_rss_mib(['-C', str(root), 'validate']):.0f} MiB)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flags", type=int, default=10_000)
    parser.add_argument("--apps", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3, help="best of N for the big runs")
    parser.add_argument("--example", type=Path, default=PROJECT, help="repo with the example")
    args = parser.parse_args(argv)
    n = args.repeat

    root = OUT / f"validate-{args.flags}x{args.apps}"
    shutil.rmtree(root, ignore_errors=True)
    started = time.perf_counter()
    generate_repo(root, flags=args.flags, apps=args.apps, seed=0)
    generated = time.perf_counter() - started
    files = config_yaml_files(root)
    size = sum(p.stat().st_size for p in files)
    print(f"python {sys.version.split()[0]}, PyYAML {yaml.__version__}, {os.cpu_count()} CPUs")
    print(
        f"generated {args.flags:,} flags x 3 environments, {args.apps} apps: {len(files):,} files,"
        f" {size / 1e6:.1f} MB in {generated:.2f} s ({root.relative_to(PROJECT)})"
    )

    result = validate_repository(root, TODAY)
    if result.diagnostics:
        print(f"ERROR: the generated repo has {len(result.diagnostics)} diagnostics, e.g.")
        for diagnostic in result.diagnostics[:5]:
            print(f"  {diagnostic}")
        return 1

    parse = best_of(n, lambda: parse_all(files))
    validate = best_of(n, lambda: validate_repository(root, TODAY))
    run = best_cli(n, ["-C", str(root), "validate"])
    print(f"best of {n}:")
    print(f"  CSafeLoader parse (read + yaml.load)  {parse}")
    print(
        f"  validate, in-process                  {validate}   ratio "
        f"{validate.wall / parse.wall:.2f} wall, {validate.cpu / parse.cpu:.2f} CPU (target <= 2)"
    )
    print(
        f"  validate, CLI (interpreter included)  {run.timing}   ratio "
        f"{run.timing.wall / parse.wall:.2f} wall, {run.timing.cpu / parse.cpu:.2f} CPU"
    )
    print(f"  CLI exit {run.exit_code}: {run.last_line!r}")
    tracemalloc.start()
    validate_repository(root, TODAY)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = peak_rss_mib(["-C", str(root), "validate"])
    print(
        f"peak memory: CLI max RSS {rss:.0f} MiB; in-process tracemalloc peak "
        f"{peak / 2**20:.0f} MiB"
    )

    example = args.example
    if (example / "flags").is_dir() and (example / "environments").is_dir():
        run = best_cli(5, ["-C", str(example), "validate"])
        print(
            f"example ({example}), CLI best of 5: {run.timing}  (target <= 0.5 s wall; "
            f"exit {run.exit_code}: {run.last_line!r})"
        )
    else:
        print(f"example: {example}/flags or {example}/environments is absent; not measured")
    bare = best_of(5, lambda: subprocess.run([sys.executable, "-c", "pass"], check=True))
    print(f"  for reference, a bare interpreter start: {bare.wall:.3f} s wall")

    print(f"time to the error on hostile input (best of {n}):")
    time_to_error("billion-laughs", billion_laughs(), n)
    time_to_error("deep-nesting", deep_nesting(), n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
