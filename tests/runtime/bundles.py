"""Build valid snapshot bundles (with a correct digest) from compact specs, for tests."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from flagwright.runtime import compute_digest

SOURCE_DIGEST = "sha256:" + "ab" * 32
ONOFF = {"on": True, "off": False}


def bundle(
    flags: dict[str, dict[str, Any]], environment: str = "prod", bucketing: str = "flagd-v2"
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "format": "flagwright.snapshot/v1",
        "environment": environment,
        "bucketing": bucketing,
        "source_digest": SOURCE_DIGEST,
        "flags": flags,
    }
    doc["digest"] = compute_digest(doc)
    return doc


def flag(
    fallthrough: dict[str, Any] | None = None,
    *,
    variants: dict[str, Any] | None = None,
    default: str = "off",
    type: str = "boolean",
    rules: list[dict[str, Any]] | None = None,
    enabled: bool = True,
    listed: bool = True,
    requires: list[str] | None = None,
    bucket_by: str = "targeting_key",
) -> dict[str, Any]:
    """A compiled flag; a boolean on/off flag serving ``on`` unless told otherwise."""
    if listed and fallthrough is None:
        fallthrough = {"serve": "on"}
    return {
        "type": type,
        "variants": ONOFF if variants is None else variants,
        "default": default,
        "listed": listed,
        "enabled": enabled,
        "requires": requires or [],
        "bucket_by": bucket_by,
        "experiment": None,
        "rules": (rules or []) if listed else [],
        "fallthrough": fallthrough if listed else None,
    }


def string_flag(fallthrough: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
    kw.setdefault("variants", {"control": "v1", "treatment": "v2"})
    kw.setdefault("default", "control")
    return flag(fallthrough or {"serve": "treatment"}, type="string", **kw)


def attr(name: str, op: str, value: Any) -> dict[str, Any]:
    key = "values" if op in ("in", "not_in") else "value"
    return {"attr": name, "op": op, key: value}


def rule(when: dict[str, Any], serve: str | None = None, **kw: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"when": when}
    if "name" in kw:
        out["name"] = kw.pop("name")
    if serve is not None:
        out["serve"] = serve
    if "split" in kw:
        out["split"] = weights(kw.pop("split"))
    assert not kw, kw
    return out


def weights(percents: dict[str, float]) -> list[list[Any]]:
    """``{"control": 20, "treatment": 80}`` -> ``[["control", 2000], ["treatment", 8000]]``."""
    return [[name, round(p * 100)] for name, p in percents.items()]


def split(**percents: float) -> dict[str, Any]:
    return {"split": weights(percents)}


def manual_rollout(
    stage: int, percents: list[float], variant: str = "on", default: str = "off"
) -> dict[str, Any]:
    stages = [{"percent": p, "hold_seconds": 1800} for p in percents]
    stages[-1]["hold_seconds"] = None
    return {
        "rollout": {
            "plan": "canary",
            "variant": variant,
            "default": default,
            "mode": "manual",
            "stage": stage,
            "stages": stages,
        }
    }


def scheduled_rollout(
    start: str, stages: list[tuple[float, int | None]], variant: str = "on", default: str = "off"
) -> dict[str, Any]:
    """``stages`` is ``[(percent, hold_seconds), ...]``; ``from`` times are computed."""
    from datetime import datetime, timedelta

    at = datetime.fromisoformat(start)
    out = []
    for percent, hold in stages:
        out.append(
            {
                "percent": percent,
                "hold_seconds": hold,
                "from": at.isoformat().replace("+00:00", "Z"),
            }
        )
        at += timedelta(seconds=hold or 0)
    return {
        "rollout": {
            "plan": "canary",
            "variant": variant,
            "default": default,
            "mode": "schedule",
            "start": start,
            "stages": out,
        }
    }


def write_bundle(path: Path, doc: dict[str, Any]) -> None:
    """Write as the compiler does: sorted, indented, newline; atomically replaced."""
    write_text(path, json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False) + "\n")


def write_text(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
