"""Shared by the cross-language checks: the example rendered as services read it (the files in
each app's flag ConfigMap), contexts, and the out-of-process evaluators (Node's flagd core, the
flagd-v3 Python core in its own venv), which all speak one file protocol: a flagd.json, a JSON
list of cases in, one JSON line per case out."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml
from tests.engines import engine

from flagwright.render.pipeline import RenderOptions, render_repository
from flagwright.runtime import Client, Evaluation

REPO_ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 23)
CONTEXTS_PER_FLAG = 10_000
NODE_DIR = REPO_ROOT / "tests/node"
V3_PYTHON = REPO_ROOT / ".venv-flagd-v3/bin/python"
V3_SCRIPT = REPO_ROOT / "tests/flagd_v3/evaluate.py"

# Instants around every clock-driven construct of the example (stage starts of the scheduled
# rollout, the Black Friday window, the 18:00-22:00 UTC batch window), plus neighbours.
_MOMENTS = [
    "2026-11-01T00:00:00Z", "2026-11-26T22:59:59Z", "2026-11-26T23:00:00Z",
    "2026-11-30T22:59:59Z", "2026-11-30T23:00:00Z", "2026-12-02T07:59:59Z",
    "2026-12-02T08:00:00Z", "2026-12-02T08:30:00Z", "2026-12-02T09:30:00Z",
    "2026-12-02T11:29:59Z", "2026-12-02T11:30:00Z", "2026-12-02T15:30:00Z",
    "2026-12-02T17:59:59Z", "2026-12-02T18:00:00Z", "2026-12-02T21:59:59Z",
    "2026-12-02T22:00:00Z", "2027-06-01T12:00:00Z",
]  # fmt: skip
INSTANTS = [int(datetime.fromisoformat(m).timestamp()) for m in _MOMENTS]
# Values that hit each rule, miss it, and have the wrong type (the condition is then false).
POOLS: dict[str, list[Any]] = {
    "email": ["ann@acme-shop.com", "bob@gmail.com", "qa+run-1@testhouse.example", "", 7],
    "platform": ["ios", "web", "android", "IOS", True],
    "app_version": ["4.2.0", "4.1.9", "4.10.0", "4.2.0-rc.1", "5.0.0", "v4.2.0", "x", 420],
    "browser": ["safari", "mobile-safari", "chrome", "Safari", 1],
    "country": ["DE", "FR", "US", "de", 49],
    "account_id": ["acct-10042", "acct-20311", "acct-99999", "", 10042, True, 2.5],
    "beta_opt_in": [True, False, "true", 1, 0],
    "user_agent": ["Mozilla/5.0", "Googlebot/2.1", ""],
    "group": ["beta", "staff", "none"],
}
# Bucket keys outside ASCII: UTF-8 for flagd, Go, Java, Python and flagwright; UTF-16 code
# units for the JavaScript v2 core (imurmurhash), which therefore buckets them differently.
NON_ASCII_KEYS = ["josé@example.com", "ユーザー-42", "user-😀", "Zoë", "naïve-ß"]


def contexts(
    seed: int, count: int, ascii_only: bool = True
) -> Iterator[tuple[dict[str, Any], int]]:
    rng = random.Random(seed)
    for n in range(count):
        context: dict[str, Any] = {}
        roll = rng.random()
        if roll > 0.03:  # mostly distinct users, so every split bucket is hit
            context["targeting_key"] = f"user-{seed}-{n}"
            if not ascii_only and rng.random() < 0.2:
                context["targeting_key"] = f"{rng.choice(NON_ASCII_KEYS)}-{n}"
        elif roll > 0.015:
            context["targeting_key"] = ""
        for name, pool in POOLS.items():
            if rng.random() < 0.8:
                context[name] = rng.choice(pool)
        if "account_id" in context and rng.random() < 0.5:
            context["account_id"] = f"acct-{rng.randrange(100000)}"
        yield context, rng.choice(INSTANTS)


def render_example(tmp: Path | None = None, bucketing: str | None = None) -> dict[str, str]:
    """The example's rendered files; with ``bucketing``, every environment switched to it (in a
    copy under ``tmp``)."""
    root = REPO_ROOT
    if bucketing is not None:
        assert tmp is not None
        root = tmp / "example"
        for folder in ("flags", "environments"):
            shutil.copytree(REPO_ROOT / folder, root / folder)
        for path in sorted((root / "environments").glob("*.yaml")):
            text = path.read_text(encoding="utf-8")
            if "kind: Environment" in text:
                head, _, rest = text.partition("\nname: ")
                line, _, tail = rest.partition("\n")
                path.write_text(f"{head}\nname: {line}\nbucketing: {bucketing}\n{tail}", "utf-8")
    output = render_repository(root, TODAY, RenderOptions(workers=1))
    assert output.ok, [str(d) for d in output.diagnostics]
    return {path: artifact.text for path, artifact in output.files.items()}


@dataclass(frozen=True)
class Source:
    """One flagd.json as something reads it: an app's ConfigMap or the environment's file."""

    label: str
    text: str
    flags: tuple[str, ...]  # the flags to check in it


def configmap_data(files: dict[str, str], env: str) -> dict[str, dict[str, str]]:
    """``{app: ConfigMap data}`` of every flag ConfigMap rendered for ``env``."""
    out: dict[str, dict[str, str]] = {}
    prefix = f"rendered/{env}/manifests/"
    for path, text in sorted(files.items()):
        if path.startswith(prefix) and path.endswith("-flags.yaml"):
            manifest = yaml.safe_load(text)
            out[manifest["metadata"]["labels"]["app.kubernetes.io/name"]] = manifest["data"]
    return out


def flagd_sources(files: dict[str, str], env: str) -> list[Source]:
    """Each reading app's ConfigMap flagd.json, then the environment's flagd.json for the flags
    no app's ConfigMap carries (a flagd server or a job reads that one from Git)."""
    sources: list[Source] = []
    carried: set[str] = set()
    for app, data in configmap_data(files, env).items():
        if "flagd.json" in data:
            keys = tuple(sorted(json.loads(data["flagd.json"])["flags"]))
            sources.append(Source(f"{env}/{app} ConfigMap", data["flagd.json"], keys))
            carried.update(keys)
    text = files[f"rendered/{env}/flags/flagd.json"]
    rest = tuple(k for k in sorted(json.loads(text)["flags"]) if k not in carried)
    if rest:
        sources.append(Source(f"rendered/{env}/flags/flagd.json", text, rest))
    return sources


def native_client(files: dict[str, str], env: str) -> tuple[Client, dict[str, Any]]:
    bundle = json.loads(files[f"rendered/{env}/flags/snapshot.json"])
    return Client(bundle), bundle


def agreeing(native: Client) -> Callable[[str, dict[str, Any], datetime], Evaluation]:
    """``native.evaluate`` that also asks the pure-Python evaluator and asserts the same answer,
    so a cross-check checks both of the runtime's evaluators against the external one."""
    assert native.snapshot is not None
    pure = Client(native.snapshot)  # its flags compile on first use, inside engine("python")

    def evaluate(flag: str, context: dict[str, Any], at: datetime) -> Evaluation:
        answer = native.evaluate(flag, context, at)
        with engine("python"):
            plain = pure.evaluate(flag, context, at)
        assert plain == answer, (flag, context, at, plain, answer)
        return answer

    return evaluate


def cases_for(
    bundle: dict[str, Any], keys: tuple[str, ...], count: int, ascii_only: bool = True
) -> list[dict[str, Any]]:
    out = []
    for number, key in enumerate(keys):
        for context, instant in contexts(number, count, ascii_only):
            out.append({
                "flag": key, "type": bundle["flags"][key]["type"],
                "targetingKey": context.get("targeting_key"),
                "attributes": {k: v for k, v in context.items() if k != "targeting_key"},
                "timestamp": instant, "context": context,
            })  # fmt: skip
    return out


def run_external(command: list[str], flagd_text: str, cases: list[dict[str, Any]], tmp: Path,
                 cwd: Path | None = None) -> list[dict[str, Any]]:  # fmt: skip
    flags_path, cases_path, out_path = tmp / "flagd.json", tmp / "cases.json", tmp / "out.jsonl"
    flags_path.write_text(flagd_text, encoding="utf-8")
    wire = [{k: v for k, v in case.items() if k != "context"} for case in cases]
    cases_path.write_text(json.dumps(wire, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run(
        [*command, str(flags_path), str(cases_path), str(out_path)],
        cwd=cwd, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, f"{command[0]} failed:\n{done.stderr[-3000:]}"
    lines = out_path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(cases)
    return [json.loads(line) for line in lines]


def mismatches(
    native: Client, cases: list[dict[str, Any]], results: list[dict[str, Any]]
) -> list[tuple[Any, ...]]:
    """Cases where the external evaluator's (variant, value) differs from the runtime's (both
    of its evaluators, which must agree: ``agreeing``)."""
    evaluate = agreeing(native)
    bad = []
    for case, got in zip(cases, results, strict=True):
        # The external cores truncate the clock to whole seconds; half a second later the
        # runtime must still agree.
        at = datetime.fromtimestamp(case["timestamp"] + 0.5, UTC)
        want = evaluate(case["flag"], case["context"], at)
        if (got["variant"], got["value"]) != (want.variant, want.value):
            bad.append((case["flag"], case["context"], case["timestamp"], got, want.variant))
    return bad
