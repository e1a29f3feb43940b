"""Validate exports against the vendored upstream schemas (``flagwright/data/``), offline.

flagd's ``flags.json`` refers to ``./targeting.json``; both are registered by their ``$id`` so the
reference resolves locally. Microsoft's ``FeatureManagement`` schema refers to ``FeatureFlag`` by
a raw.githubusercontent URL pinned to a commit whose file is byte-identical to the vendored copy
(see data/featuremanagement/SOURCE.txt); it is registered under that URL. Client filter
``parameters`` are not covered by those two schemas, so each filter is checked against the
vendored schema of its name as well.

Validation uses jsonschema-rs: flagd's targeting schema nests ``anyOf``/``oneOf`` over every
JsonLogic operator, and the pure-Python ``jsonschema`` needed about 10 ms per flag for it (minutes
for a 10,000-flag repository); jsonschema-rs checks the same document in microseconds.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

import jsonschema_rs

_FILTER_SCHEMAS = {
    "Microsoft.TimeWindow": "FeatureFilters/Microsoft.TimeWindow.v2.0.0.schema.json",
    "Microsoft.Targeting": "FeatureFilters/Microsoft.Targeting.v1.0.0.schema.json",
}


def _load(*parts: str) -> dict[str, Any]:
    resource = files("flagwright").joinpath("data", *parts)
    loaded: dict[str, Any] = json.loads(resource.read_text(encoding="utf-8"))
    return loaded


Validator = jsonschema_rs.Draft7Validator


def _offline(uri: str) -> Any:
    # Every reference is registered below; anything else would be a network fetch.
    raise ValueError(f"refusing to fetch {uri}: schemas are resolved offline")


@cache
def _flagd_validator() -> Validator:
    flags, targeting = _load("flagd", "flags.json"), _load("flagd", "targeting.json")
    registry = jsonschema_rs.Registry(
        [(schema["$id"], schema) for schema in (flags, targeting)], retriever=_offline
    )
    # Draft 7 ignores an `$id` next to `$ref`, so flags.json as the root schema would have no base
    # URI for "./targeting.json"; entered through its `$id`, it has one.
    return Validator({"$ref": flags["$id"]}, registry=registry, retriever=_offline)


@cache
def _featuremanagement_validators() -> tuple[Validator, dict[str, Validator]]:
    root = _load("featuremanagement", "FeatureManagement.v2.0.0.schema.json")
    flag = _load("featuremanagement", "FeatureFlag.v2.0.0.schema.json")
    ref = root["properties"]["feature_management"]["properties"]["feature_flags"]["items"]["$ref"]
    registry = jsonschema_rs.Registry([(ref, flag)], retriever=_offline)
    filters = {
        name: Validator(_load("featuremanagement", *path.split("/")), retriever=_offline)
        for name, path in _FILTER_SCHEMAS.items()
    }
    return Validator(root, registry=registry, retriever=_offline), filters


def _messages(validator: Validator, document: Any, prefix: str = "$") -> list[str]:
    errors = sorted(
        validator.iter_errors(document), key=lambda e: [str(p) for p in e.instance_path]
    )
    return [f"{prefix}{_json_path(e.instance_path)}: {e.message}" for e in errors]


def _json_path(parts: Any) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif str(part).isidentifier():
            out += f".{part}"
        else:
            out += f"[{str(part)!r}]"
    return out


def flagd_problems(document: dict[str, Any]) -> list[str]:
    """Schema violations of a flagd document (``json path: message``); empty when valid."""
    return _messages(_flagd_validator(), document)


def featuremanagement_problems(document: dict[str, Any]) -> list[str]:
    """Schema violations of a ``feature_management`` document, filters' parameters included."""
    root, filters = _featuremanagement_validators()
    problems = _messages(root, document)
    section = document.get("feature_management")
    flags = section.get("feature_flags") if isinstance(section, dict) else None
    for i, flag in enumerate(flags if isinstance(flags, list) else []):
        conditions = flag.get("conditions") if isinstance(flag, dict) else None
        entries = conditions.get("client_filters") if isinstance(conditions, dict) else None
        for j, entry in enumerate(entries if isinstance(entries, list) else []):
            name = entry.get("name") if isinstance(entry, dict) else None
            validator = filters.get(name) if isinstance(name, str) else None
            if validator is not None:
                where = f"$.feature_management.feature_flags[{i}].conditions.client_filters[{j}]"
                problems.extend(_messages(validator, entry, where))
    return problems
