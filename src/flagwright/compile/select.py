"""A bundle restricted to the flags an app asks for, plus everything they require."""

from __future__ import annotations

import re
from collections.abc import Mapping
from fnmatch import translate
from hashlib import sha256
from typing import Any

from flagwright.compile.json_out import compact_json
from flagwright.runtime import compute_digest


def select_flags(bundle: Mapping[str, Any], patterns: list[str]) -> dict[str, Any]:
    """Flags whose keys match any glob in ``patterns``, closed over ``requires``; new digests."""
    selected = {key: value for key, value in bundle.items() if key != "digest"}
    selected["flags"] = {key: bundle["flags"][key] for key in selected_keys(bundle, patterns)}
    if "source_digest" in selected:
        selected["source_digest"] = source_digest(selected["flags"])
    selected["digest"] = compute_digest(selected)
    return selected


def source_digest(flags: Mapping[str, Any]) -> str:
    """``source_digest`` of a bundle holding ``flags`` (FORMAT.md)."""
    return "sha256:" + sha256(compact_json(flags).encode("utf-8")).hexdigest()


def selected_keys(bundle: Mapping[str, Any], patterns: list[str]) -> list[str]:
    """The sorted keys ``select_flags`` keeps.

    ``fnmatchcase``, not ``fnmatch``: the latter folds case on Windows and macOS file systems
    only, and the selection must not depend on the machine that renders it.
    """
    flags: Mapping[str, Any] = bundle["flags"]
    # One regex for all globs (fnmatchcase's own translation, case-sensitive): a render selects
    # for every app in every environment, and a call per key and pattern dominated it.
    selects = re.compile("|".join(translate(p) for p in patterns)).match if patterns else None
    pending = [key for key in flags if selects is not None and selects(key)]
    chosen: set[str] = set()
    while pending:
        key = pending.pop()
        if key in chosen:
            continue
        chosen.add(key)
        pending.extend(r for r in flags[key].get("requires", []) if r in flags)
    return sorted(chosen)
