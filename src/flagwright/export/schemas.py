"""Validate exports against the vendored upstream schemas (``flagwright/data/``), offline.

flagd's ``flags.json`` refers to ``./targeting.json``; both are registered by their ``$id`` so the
reference resolves locally. Microsoft's ``FeatureManagement`` schema refers to ``FeatureFlag`` by
a raw.githubusercontent URL pinned to a commit whose file is byte-identical to the vendored copy
(see data/featuremanagement/SOURCE.txt); it is registered under that URL. Client filter
``parameters`` are not covered by those two schemas, so each filter is checked against the
vendored schema of its name as well.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

from jsonschema import Draft7Validator  # type: ignore[import-untyped]
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

_FILTER_SCHEMAS = {
    "Microsoft.TimeWindow": "FeatureFilters/Microsoft.TimeWindow.v2.0.0.schema.json",
    "Microsoft.Targeting": "FeatureFilters/Microsoft.Targeting.v1.0.0.schema.json",
}


def _load(*parts: str) -> dict[str, Any]:
    resource = files("flagwright").joinpath("data", *parts)
    loaded: dict[str, Any] = json.loads(resource.read_text(encoding="utf-8"))
    return loaded


@cache
def _flagd_validator() -> Draft7Validator:
    flags, targeting = _load("flagd", "flags.json"), _load("flagd", "targeting.json")
    registry: Registry[Any] = Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema, default_specification=DRAFT7))
        for schema in (flags, targeting)
    )
    # Draft 7 ignores an `$id` next to `$ref`, so flags.json as the root schema would have no base
    # URI for "./targeting.json"; entered through its `$id`, it has one.
    return Draft7Validator({"$ref": flags["$id"]}, registry=registry)


@cache
def _featuremanagement_validators() -> tuple[Draft7Validator, dict[str, Draft7Validator]]:
    root = _load("featuremanagement", "FeatureManagement.v2.0.0.schema.json")
    flag = _load("featuremanagement", "FeatureFlag.v2.0.0.schema.json")
    ref = root["properties"]["feature_management"]["properties"]["feature_flags"]["items"]["$ref"]
    registry: Registry[Any] = Registry().with_resource(ref, DRAFT7.create_resource(flag))
    filters = {
        name: Draft7Validator(_load("featuremanagement", *path.split("/")))
        for name, path in _FILTER_SCHEMAS.items()
    }
    return Draft7Validator(root, registry=registry), filters


def _messages(validator: Draft7Validator, document: Any, prefix: str = "$") -> list[str]:
    errors = sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.path)))
    return [f"{prefix}{e.json_path.removeprefix('$')}: {e.message}" for e in errors]


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
