"""Evaluates flags with openfeature-flagd-core 2.0.0 (bucketing flagd-v3), in its own venv.

Usage: .venv-flagd-v3/bin/python evaluate.py FLAGD_JSON CASES_JSON OUT_JSONL (the protocol of
tests/node/evaluate.mjs). ``$flagd.timestamp`` is ``int(time.time())`` inside the core, so the
targeting module's clock is replaced per case.
"""

from __future__ import annotations

import importlib
import json
import sys
from importlib.metadata import version
from typing import Any

from openfeature.contrib.tools.flagd.core import FlagdCore
from openfeature.evaluation_context import EvaluationContext
from openfeature.exception import OpenFeatureError

targeting = importlib.import_module("openfeature.contrib.tools.flagd.core.targeting.targeting")


class Clock:
    now = 0.0

    @classmethod
    def time(cls) -> float:
        return cls.now


def main() -> None:
    flags_path, cases_path, out_path = sys.argv[1:]
    assert version("openfeature-flagd-core") == "2.0.0", version("openfeature-flagd-core")
    core = FlagdCore()
    with open(flags_path, encoding="utf-8") as handle:
        core.set_flags(handle.read())
    with open(cases_path, encoding="utf-8") as handle:
        cases = json.load(handle)
    targeting.time = Clock  # type: ignore[assignment]
    resolvers: dict[str, tuple[Any, Any]] = {
        "boolean": (core.resolve_boolean_value, False),
        "string": (core.resolve_string_value, ""),
        "number": (core.resolve_float_value, 0.0),
        "object": (core.resolve_object_value, {}),
    }
    lines = []
    for case in cases:
        Clock.now = case["timestamp"] + 0.5
        resolve, fallback = resolvers[case["type"]]
        ctx = EvaluationContext(case["targetingKey"], case["attributes"])
        try:
            got = resolve(case["flag"], fallback, ctx)
            row = {"variant": got.variant, "value": got.value, "reason": str(got.reason),
                   "errorCode": None}  # fmt: skip
        except OpenFeatureError as exc:
            row = {"variant": None, "value": None, "reason": "ERROR",
                   "errorCode": str(exc.error_code)}  # fmt: skip
        lines.append(json.dumps(row))
    with open(out_path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
