"""Imported documents, built as plain data in the key order the repository's files use."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from flagwright.diagnostics import YamlPath
from flagwright.model.flag import BOOLEAN_VARIANTS

OWNER = "unknown-imported"
TAG = "imported"


@dataclass(frozen=True, slots=True)
class ImportedDoc:
    kind: Literal["Flag", "Segment"]
    name: str
    body: dict[str, Any]
    where: YamlPath  # where it came from in the source, for reporting


@dataclass(slots=True)
class Translation:
    """What one source file yields; problems are in the source's Report."""

    flags: list[ImportedDoc] = field(default_factory=list)
    segments: list[ImportedDoc] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def placeholder_description(source_name: str, what: str) -> str:
    # Valid for `validate`, but plainly a placeholder for the reviewer of the import.
    return f"TODO: describe. Imported from {source_name} ({what})."


def value_type(values: list[Any]) -> str | None:
    """flagwright's flag type for these variant values, or None when they mix types."""
    if all(isinstance(v, bool) for v in values):
        return "boolean"
    if all(isinstance(v, str) for v in values):
        return "string"
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return "number"
    if all(isinstance(v, dict) for v in values):
        return "object"
    return None


def flag_document(
    *,
    key: str,
    description: str,
    flag_type: str,
    variants: dict[str, Any],
    default: str,
    env: str,
    entry: dict[str, Any],
    bucket_by: str = "targeting_key",
    requires: list[str] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "Flag",
        "key": key,
        "description": description,
        "owner": OWNER,
        "tags": [TAG],
    }
    if flag_type != "boolean":
        body["type"] = flag_type
    if not (flag_type == "boolean" and variants == BOOLEAN_VARIANTS):
        body["variants"] = variants
    body["default"] = default
    if bucket_by != "targeting_key":
        body["bucket_by"] = bucket_by
    if requires:
        body["requires"] = requires
    body["environments"] = {env: entry}
    return body
