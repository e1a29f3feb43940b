"""The runtime is a leaf: standard library and mmh3 only, and cheap to import."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"

SCRIPT = """
import json, sys
before = set(sys.modules)
import flagwright.runtime
from flagwright.runtime import Client
print(json.dumps(sorted(set(sys.modules) - before)))
"""


def test_runtime_imports_only_stdlib_and_mmh3() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    loaded = set(json.loads(done.stdout))
    ours = {m for m in loaded if m.startswith("flagwright")}
    assert all(m == "flagwright" or m.startswith("flagwright.runtime") for m in ours), ours
    third_party = {m.split(".")[0] for m in loaded} - set(sys.stdlib_module_names)
    assert third_party <= {"flagwright", "mmh3"}, third_party
    # Heavy modules are loaded only when needed (file loading, logging, time zones).
    assert not loaded & {"json", "logging", "zoneinfo", "threading", "typing", "re", "datetime"}
    # Every module costs a lookup and a load: only what Client needs before its first bundle
    # (bucketing and mmh3 come with the first bundle, the flag compiler with the first flag).
    runtime = {"client", "errors", "evaluation", "snapshot"}
    assert ours == {"flagwright", "flagwright.runtime"} | {
        f"flagwright.runtime.{m}" for m in runtime
    }
    assert "mmh3" not in loaded and "types" not in loaded
