"""The FeatureManagement export, loaded by Microsoft's own Python library (`featuremanagement`):
on/off, user and group targeting and time windows give the native runtime's answer; percentages
give their stated share (Microsoft's hash differs from flagd's, so not the same users)."""

from __future__ import annotations

import json
import math
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from featuremanagement import FeatureManager, TargetingContext

from flagwright.export.featuremanagement import featuremanagement_document
from flagwright.export.schemas import featuremanagement_problems
from flagwright.render.pipeline import RenderOptions, render_repository
from flagwright.runtime import Client, Reason, compute_digest

REPO_ROOT = Path(__file__).resolve().parents[2]
ONOFF = {"on": True, "off": False}
USERS = 20_000


def bundle(flags: dict[str, dict[str, Any]]) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "format": "flagwright.snapshot/v1", "environment": "prod", "bucketing": "flagd-v2",
        "source_digest": "sha256:" + "ab" * 32, "flags": flags,
    }  # fmt: skip
    doc["digest"] = compute_digest(doc)
    return doc


def flag(
    fallthrough: dict[str, Any], rules: list[dict[str, Any]] | None = None, **kw: Any
) -> dict[str, Any]:
    out = {"type": "boolean", "variants": ONOFF, "default": "off", "listed": True, "enabled": True,
           "requires": [], "bucket_by": "targeting_key", "experiment": None,
           "rules": rules or [], "fallthrough": fallthrough}  # fmt: skip
    out.update(kw)
    return out


def rule(name: str, when: dict[str, Any], serve: str) -> dict[str, Any]:
    return {"name": name, "when": when, "serve": serve}


def users(*names: str) -> dict[str, Any]:
    return {"attr": "targeting_key", "op": "in", "values": list(names)}


def group(name: str) -> dict[str, Any]:
    return {"attr": "group", "op": "eq", "value": name}


BLACK_FRIDAY = {"time": {"after": "2026-11-27T00:00:00Z", "before": "2026-12-01T00:00:00Z"}}
EVENINGS = {"days": ["mon", "fri"], "from": "18:00", "to": "22:00", "tz": "Etc/GMT-1"}
BERLIN = {"from": "18:00", "to": "22:00", "tz": "Europe/Berlin"}


STRINGS = {"control": "v1", "treatment": "v2", "beta": "v3"}
FLAGS = {
    "static-on": flag({"serve": "on"}),
    "killed": flag({"serve": "on"}, enabled=False),
    "targeted": flag(
        {"split": [["on", 3000], ["off", 7000]]},
        [
            rule("blocked", users("u-3", "u-4"), "off"),
            rule("no-testers", group("testers"), "off"),
            rule("vips", users("u-1", "u-2"), "on"),
            rule("beta", {"segment": "beta", "when": group("beta")}, "on"),
        ],
    ),
    "black-friday": flag(
        {"serve": "off"},
        [rule("window", BLACK_FRIDAY, "on")],
    ),
    "evenings": flag(
        {"serve": "off"},
        [rule("evening", {"schedule": EVENINGS}, "on")],
    ),
    "experiment": flag(
        {"split": [["control", 2000], ["treatment", 8000]]},
        [
            rule("qa", {"attr": "targeting_key", "op": "eq", "value": "u-7"}, "beta"),
            rule("staff", {"attr": "group", "op": "in", "values": ["staff"]}, "treatment"),
        ],
        type="string", variants=STRINGS, default="control",
    ),
    "constant": flag({"serve": "beta"}, type="string", variants=STRINGS, default="control"),
    # requirement_type All: the window AND a percentage, the window AND an audience.
    "BatchMinting": flag(
        {"serve": "off"},
        [{"name": "evenings", "when": {"schedule": EVENINGS},
          "split": [["on", 2500], ["off", 7500]]}],
    ),
    "beta-evenings": flag(
        {"serve": "off"},
        [rule("beta-evening", {"all": [{"schedule": EVENINGS}, group("beta")]}, "on")],
    ),
}  # fmt: skip


def fm_answer(manager: FeatureManager, key: str, raw: dict[str, Any], ctx: dict[str, Any]) -> Any:
    groups = [ctx["group"]] if "group" in ctx else []
    target = TargetingContext(user_id=ctx.get("targeting_key", ""), groups=groups)
    if raw["type"] == "boolean":
        return raw["variants"]["on"] if manager.is_enabled(key, target) else False
    variant = manager.get_variant(key, target)
    return None if variant is None else variant.name


def native_answer(raw: dict[str, Any], evaluation: Any) -> Any:
    return evaluation.value if raw["type"] == "boolean" else evaluation.variant


def contexts() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for n in range(200):
        ctx: dict[str, Any] = {"targeting_key": f"u-{n % 10}" if n < 40 else f"user-{n}"}
        if n % 3:
            ctx["group"] = ["beta", "testers", "staff", "other"][n % 4]
        out.append(ctx)
    return out


def test_every_flag_is_exported_and_valid() -> None:
    document, omitted = featuremanagement_document(bundle(FLAGS))
    assert omitted == []
    assert [f["id"] for f in document["feature_management"]["feature_flags"]] == sorted(FLAGS)
    assert featuremanagement_problems(document) == []
    assert (
        "Percentages are bucketed by Microsoft.FeatureManagement's own hash" in document["$comment"]
    )


@pytest.mark.parametrize(
    "at",
    ["2026-11-23T18:30:00Z", "2026-11-27T00:00:00Z", "2026-11-30T23:59:59Z", "2026-12-01T00:00:00Z",
     "2026-11-27T16:59:59Z", "2026-11-27T17:00:00Z", "2026-11-27T20:59:59Z", "2026-11-27T21:00:00Z",
     "2026-11-28T18:00:00Z"],
)  # fmt: skip
def test_on_off_targeting_and_time_windows_match_the_runtime(clock: Any, at: str) -> None:
    doc = bundle(FLAGS)
    manager = FeatureManager(featuremanagement_document(doc)[0])
    native = Client(doc)
    clock.at = datetime.fromisoformat(at)
    checked = 0
    for key, raw in FLAGS.items():
        for ctx in contexts():
            evaluation = native.evaluate(key, ctx, clock.at)
            if evaluation.reason == Reason.SPLIT:
                continue  # bucketed: Microsoft's hash, checked by share below
            assert fm_answer(manager, key, raw, ctx) == native_answer(raw, evaluation), (key, ctx)
            checked += 1
    assert checked > 600


@pytest.mark.parametrize(
    ("key", "variant", "share"), [("targeted", True, 0.30), ("experiment", "treatment", 0.80)]
)
def test_percentages_enable_their_stated_share(
    clock: Any, key: str, variant: Any, share: float
) -> None:
    # Users outside every rule, so only the percentage decides. The library's hash is fixed, so
    # the result is deterministic; the tolerance is what an ideal uniform hash would meet with
    # probability 1 - 6e-7 (5 standard deviations of a binomial share over USERS users).
    manager = FeatureManager(featuremanagement_document(bundle(FLAGS))[0])
    hits = sum(
        fm_answer(manager, key, FLAGS[key], {"targeting_key": f"p-{n}"}) == variant
        for n in range(USERS)
    )
    tolerance = 5 * math.sqrt(share * (1 - share) / USERS)
    assert abs(hits / USERS - share) < tolerance


def test_window_and_percentage_require_all_filters() -> None:
    document, _ = featuremanagement_document(bundle(FLAGS))
    found = {f["id"]: f for f in document["feature_management"]["feature_flags"]}
    conditions = found["BatchMinting"]["conditions"]
    assert conditions["requirement_type"] == "All"
    assert [f["name"] for f in conditions["client_filters"]] == [
        "Microsoft.TimeWindow", "Microsoft.Targeting",
    ]  # fmt: skip
    window = conditions["client_filters"][0]["parameters"]
    assert window["Recurrence"]["Pattern"]["DaysOfWeek"] == ["Monday", "Friday"]
    audience = conditions["client_filters"][1]["parameters"]["Audience"]
    assert audience["DefaultRolloutPercentage"] == 25.0
    assert found["beta-evenings"]["conditions"]["client_filters"][1]["parameters"]["Audience"][
        "Groups"
    ] == [{"Name": "beta", "RolloutPercentage": 100}]


@pytest.mark.parametrize(
    ("at", "share"),
    [("2026-11-23T18:30:00Z", 0.25), ("2026-11-27T20:59:59Z", 0.25), ("2026-11-23T16:59:59Z", 0.0),
     ("2026-11-24T18:30:00Z", 0.0)],
)  # fmt: skip
def test_window_and_percentage_enable_their_share_inside_the_window_only(
    clock: Any, at: str, share: float
) -> None:
    # Monday/Friday 18:00-22:00 at UTC+1 is 17:00-21:00 UTC; Tuesday is not in the pattern.
    clock.at = datetime.fromisoformat(at)
    manager = FeatureManager(featuremanagement_document(bundle(FLAGS))[0])
    native = Client(bundle(FLAGS))
    hits = sum(
        fm_answer(manager, "BatchMinting", FLAGS["BatchMinting"], {"targeting_key": f"p-{n}"})
        for n in range(USERS)
    )
    served = sum(
        native.evaluate("BatchMinting", {"targeting_key": f"p-{n}"}, clock.at).value
        for n in range(USERS)
    )
    tolerance = 5 * math.sqrt(0.25 * 0.75 / USERS)
    assert abs(hits / USERS - share) < tolerance
    assert abs(served / USERS - share) < tolerance
    if share == 0.0:
        assert hits == served == 0


@pytest.mark.parametrize(
    ("raw", "construct"),
    [
        (
            flag(
                {"serve": "off"}, [rule("mail", {"attr": "email", "op": "eq", "value": "x"}, "on")]
            ),
            "rule 'mail'",
        ),
        (
            flag({"serve": "off"}, [rule("a", group("g"), "on"), rule("b", users("u"), "off")]),
            "rule 'b'",
        ),
        (flag({"serve": "on"}, [rule("a", group("g"), "off")]), "fallthrough"),
        (
            flag({"split": [["on", 5000], ["off", 5000]]}, bucket_by="account"),
            "bucket_by 'account'",
        ),
        (
            flag(
                {"split": [["control", 3333], ["treatment", 6667]]},
                type="string",
                variants=STRINGS,
                default="control",
            ),
            "split",
        ),
        (
            flag({"serve": "off"}, [rule("w", {"schedule": BERLIN}, "on")]),
            "schedule in time zone 'Europe/Berlin'",
        ),
    ],
)
def test_inexpressible_flags_are_left_out_by_name(raw: dict[str, Any], construct: str) -> None:
    document, omitted = featuremanagement_document(
        bundle({"bad": raw, "good": flag({"serve": "on"})})
    )
    assert [f["id"] for f in document["feature_management"]["feature_flags"]] == ["good"]
    assert [(p.flag, p.construct) for p in omitted] == [("bad", construct)]
    assert str(omitted[0]) in document["$comment"]


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_example_export_loads_in_microsofts_library_and_agrees(clock: Any, env: str) -> None:
    output = render_repository(REPO_ROOT, datetime(2026, 11, 23).date(), RenderOptions(env=env))
    assert output.ok
    document = json.loads(output.files[f"rendered/{env}/flags/featuremanagement.json"].text)
    doc = json.loads(output.files[f"rendered/{env}/flags/snapshot.json"].text)
    assert featuremanagement_problems(document) == []
    manager = FeatureManager(document)
    native = Client(doc)
    exported = [f["id"] for f in document["feature_management"]["feature_flags"]]
    assert exported, env
    for key in exported:
        raw = doc["flags"][key]
        for ctx in contexts():
            evaluation = native.evaluate(key, ctx, clock.at)
            if evaluation.reason != Reason.SPLIT:
                assert fm_answer(manager, key, raw, ctx) == native_answer(raw, evaluation), (
                    key,
                    ctx,
                )
