"""PromQL syntax, checked by Prometheus' own parser: ``promtool check rules``.

The queries are written as recording rules into a temporary rules file (by the YAML emitter, as
data) and promtool reads that file: argv is a fixed list and no shell is involved, so nothing a
config repository writes can run. One promtool process checks every query of a validate run
(30-80 ms); results are cached per process by query text.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from flagwright.render.yamlout import dump_yaml

PROMTOOL = "promtool"
_TIMEOUT_SECONDS = 60
# promtool's line for a rule that does not parse: `... rule 2, "q1": could not parse expression: M`
_PARSE_ERROR = re.compile(r'"q(\d+)": could not parse expression: (.+)$')
_cache: dict[str, str | None] = {}


class PromtoolMissing(Exception):
    """promtool is not on PATH: queries cannot be checked."""


def promtool_path() -> str | None:
    return shutil.which(PROMTOOL)


def syntax_errors(queries: Sequence[str]) -> list[str | None]:
    """For each query: promtool's parse error, or None when it parses."""
    todo = sorted({q for q in queries if q not in _cache})
    if todo:
        _cache.update(_check(todo))
    return [_cache[q] for q in queries]


def _check(queries: list[str]) -> dict[str, str | None]:
    promtool = promtool_path()
    if promtool is None:
        raise PromtoolMissing(PROMTOOL)
    rules = [{"record": f"q{i}", "expr": query} for i, query in enumerate(queries)]
    with tempfile.TemporaryDirectory(prefix="flagwright-promql-") as folder:
        path = Path(folder) / "queries.yml"
        path.write_text(dump_yaml({"groups": [{"name": "q", "rules": rules}]}), encoding="utf-8")
        # a fixed argv and no shell: the queries reach promtool only inside the file, as data
        done = subprocess.run(
            [promtool, "check", "rules", "--lint=none", str(path)],
            capture_output=True,
            text=True,
            timeout=_TIMEOUT_SECONDS,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    found: dict[str, str | None] = dict.fromkeys(queries)
    for line in (done.stdout + done.stderr).splitlines():
        match = _PARSE_ERROR.search(line)
        if match and int(match[1]) < len(queries):
            found[queries[int(match[1])]] = match[2].strip()
    if done.returncode != 0 and all(error is None for error in found.values()):
        raise RuntimeError(f"promtool check rules failed: {done.stdout}{done.stderr}".strip())
    return found
