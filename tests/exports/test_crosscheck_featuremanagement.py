"""Cross-check: Microsoft's `featuremanagement` library, reading featuremanagement.json from the
ConfigMap of each app that reads it (payments, a .NET service), agrees with the native runtime
for every flag the file contains, over 10,000 contexts per flag and environment at every instant
of the example's clock-driven constructs: the value wherever no percentage decides, and for
percentages the share of users within 5 standard deviations of a binomial share (Microsoft
buckets by SHA-256 of user id and flag, not flagd's hash: the same share, not the same users).

Context convention (README): the OpenFeature/flagwright ``targeting_key`` is the
TargetingContext's user id, the attribute ``group`` its one group.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from datetime import UTC, datetime
from typing import Any

import pytest
from featuremanagement import FeatureManager, TargetingContext

from flagwright.runtime import Reason

from .crosscheck import (
    CONTEXTS_PER_FLAG,
    agreeing,
    configmap_data,
    contexts,
    native_client,
    render_example,
)


@pytest.fixture(scope="module")
def rendered() -> dict[str, str]:
    return render_example()


def _answer(manager: FeatureManager, key: str, raw: dict[str, Any], ctx: dict[str, Any]) -> Any:
    target = TargetingContext(
        user_id=ctx.get("targeting_key", ""), groups=[ctx["group"]] if "group" in ctx else []
    )
    if raw["type"] == "boolean":
        return manager.is_enabled(key, target)
    variant = manager.get_variant(key, target)
    return None if variant is None else variant.name


def _native(raw: dict[str, Any], evaluation: Any) -> Any:
    return evaluation.value if raw["type"] == "boolean" else evaluation.variant


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_microsoft_library_agrees_with_native_runtime(
    env: str, rendered: dict[str, str], clock: type[datetime]
) -> None:
    native, bundle = native_client(rendered, env)
    evaluate = agreeing(native)
    readers = {app: data for app, data in configmap_data(rendered, env).items()
               if "featuremanagement.json" in data}  # fmt: skip
    assert list(readers) == ["payments"]
    document = json.loads(readers["payments"]["featuremanagement.json"])
    manager = FeatureManager(document)
    exported = [f["id"] for f in document["feature_management"]["feature_flags"]]
    assert "BatchMinting" in exported or env == "dev"
    for number, key in enumerate(exported):
        raw = bundle["flags"][key]
        # Per instant, among users a percentage decides: how many each side serves each value.
        ours: dict[int, Counter[Any]] = defaultdict(Counter)
        theirs: dict[int, Counter[Any]] = defaultdict(Counter)
        exact = 0
        for context, instant in contexts(number, CONTEXTS_PER_FLAG):
            clock.at = datetime.fromtimestamp(instant, UTC)
            evaluation = evaluate(key, context, clock.at)
            got = _answer(manager, key, raw, context)
            if evaluation.reason == Reason.SPLIT:
                ours[instant][_native(raw, evaluation)] += 1
                theirs[instant][got] += 1
                continue
            assert got == _native(raw, evaluation), (env, key, context, clock.at)
            exact += 1
        split = 0
        for instant, counts in ours.items():
            users = sum(counts.values())
            split += users
            for value in set(counts) | set(theirs[instant]):
                p = counts[value] / users
                tolerance = 5 * math.sqrt(max(p * (1 - p), 1 / users) / users)
                q = theirs[instant][value] / users
                assert abs(q - p) < tolerance, (env, key, instant, value, counts, theirs[instant])
        assert exact + split == CONTEXTS_PER_FLAG
        if key == "BatchMinting" and env != "dev":
            assert split > 1000  # the window is open at some instants: the share is checked
