"""Translate pydantic's validation errors into findings a config author understands."""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Iterable, Iterator
from typing import Any

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from flagwright.codes import Code
from flagwright.diagnostics import Finding, Source, YamlPath, show
from flagwright.model.environment import DNS_LABEL

_EXPECTED = {
    "int": "a whole number",
    "float": "a number",
    "bool": "true or false",
    "string": "a string",
    "str": "a string",
    "dict": "a mapping",
    "model": "a mapping",
    "model_attributes": "a mapping",
    "list": "a list",
    "date": "a date (YYYY-MM-DD)",
    "datetime": "an RFC 3339 time with a UTC offset, like 2026-11-20T10:00:00Z",
}
# What a pattern means, for the patterns the models use; others are shown as they are.
_PATTERNS = {
    DNS_LABEL: "a Kubernetes name: lowercase letters, digits and '-', at most 63 characters, "
    "starting and ending with a letter or digit",
    r"^(https?|oci)://": "a chart repository URL starting with https://, http:// or oci://",
    r"^https?://": "a URL starting with https:// or http://",
}
_BOUNDS = {
    "greater_than": ("gt", "greater than"),
    "greater_than_equal": ("ge", "at least"),
    "less_than": ("lt", "less than"),
    "less_than_equal": ("le", "at most"),
}
_CUSTOM_CODES = {
    "fw_name": Code.INVALID_NAME,
    "fw_duration": Code.INVALID_DURATION,
    "fw_percent": Code.INVALID_PERCENT,
    "fw_time_range": Code.INVALID_TIME,
    "fw_source": Code.INVALID_VALUE,
}


def findings_from_errors(
    source: Source, model: type[BaseModel], data: Any, errors: list[ErrorDetails]
) -> Iterator[Finding]:
    findings = []
    for error in errors:
        where, remainder = _data_path(data, error["loc"])
        findings.append(_finding(source, model, where, remainder, error))
    # A misspelt key is reported once, as unknown with its suggestion, not also as the missing
    # key it was meant to be.
    suggested = {
        (f.where[:-1], match.group(1))
        for f in findings
        if f.code is Code.UNKNOWN_KEY and (match := re.search(r"did you mean '([^']+)'", f.message))
    }
    yield from (
        f
        for f in findings
        if not (f.code is Code.MISSING_KEY and (f.where[:-1], _missing_key(f.message)) in suggested)
    )


def _missing_key(message: str) -> str | None:
    match = re.match(r"missing required key '([^']+)'", message)
    return match.group(1) if match else None


def _finding(
    source: Source, model: type[BaseModel], where: YamlPath, loc: tuple[Any, ...], error: Any
) -> Finding:
    kind: str = error["type"]
    value = error.get("input")
    if kind == "extra_forbidden":
        key = where[-1]
        allowed = _fields_at(model, loc[:-1])
        hint = suggestion(str(key), allowed)
        return Finding(source, where, Code.UNKNOWN_KEY, f"unknown key {key!r}{hint}", at="key")
    if kind == "missing":
        key = loc[-1]
        return Finding(source, where, Code.MISSING_KEY, f"missing required key {key!r}")
    if kind in _CUSTOM_CODES:
        return Finding(source, where, _CUSTOM_CODES[kind], error["msg"])
    if kind in {"timezone_aware", "datetime_from_date_parsing"} or kind.startswith("datetime_"):
        return Finding(
            source, where, Code.INVALID_TIME,
            f"{value!r} is not {_EXPECTED['datetime']}",
        )  # fmt: skip
    if kind.startswith("date_"):
        return Finding(source, where, Code.INVALID_TIME, f"{value!r} is not {_EXPECTED['date']}")
    if kind == "literal_error":
        options = re.findall(r"'([^']*)'", error.get("ctx", {}).get("expected", ""))
        close = difflib.get_close_matches(str(value), options, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}?" if close else f"use one of {', '.join(options)}"
        return Finding(source, where, Code.INVALID_VALUE, f"{value!r} is not allowed here; {hint}")
    base = kind.removesuffix("_type").removesuffix("_parsing")
    if base in _EXPECTED and (kind.endswith("_type") or kind.endswith("_parsing")):
        return Finding(
            source, where, Code.WRONG_TYPE, f"expected {_EXPECTED[base]}, got {_describe(value)}"
        )
    ctx = error.get("ctx", {})
    if kind == "string_pattern_mismatch":
        pattern = ctx.get("pattern", "")
        wanted = _PATTERNS.get(pattern, f"a string matching {pattern!r}")
        return Finding(source, where, Code.INVALID_VALUE, f"{show(value)} is not {wanted}")
    if kind in _BOUNDS:
        name, words = _BOUNDS[kind]
        return Finding(
            source, where, Code.INVALID_VALUE,
            f"{show(value)} is out of range: must be {words} {show(ctx.get(name))}",
        )  # fmt: skip
    if kind in {"too_short", "string_too_short"}:
        minimum = ctx.get("min_length", 1)
        message = "must not be empty" if minimum == 1 else f"needs at least {minimum} items"
        return Finding(source, where, Code.INVALID_VALUE, message)
    if kind == "deploy_strategy" and isinstance(value, dict) and "strategy" in value:
        strategy = value["strategy"]
        options = ["blue-green", "canary", "rolling"]
        close = difflib.get_close_matches(str(strategy), options, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}?" if close else f"use one of {', '.join(options)}"
        return Finding(
            source, (*where, "strategy"), Code.INVALID_VALUE,
            f"{show(strategy)} is not a deploy strategy; {hint}",
        )  # fmt: skip
    message = str(error["msg"]).removeprefix("Value error, ")
    return Finding(source, where, Code.INVALID_VALUE, message)


def _data_path(data: Any, loc: tuple[Any, ...]) -> tuple[YamlPath, tuple[Any, ...]]:
    """Follow ``loc`` through the raw data; union tags in ``loc`` are not keys and are skipped.

    Returns the path in the document and the loc with the model-side steps kept (for looking up
    the fields a model allows).
    """
    path: list[str | int] = []
    node = data
    for step in loc:
        if (isinstance(node, dict) and step in node) or (
            isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node)
        ):
            path.append(step)
            node = node[step]
        elif isinstance(node, dict) and step not in node and step == loc[-1]:
            path.append(step)  # a missing or unknown key: point at its parent or the key
    return tuple(path), tuple(loc)


def _fields_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys a model allows at ``loc`` (pydantic loc, union tags included)."""
    current: Any = model
    for step in loc:
        current = _step(current, step)
        if current is None:
            return []
    current = _strip(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [f.alias or name for name, f in current.model_fields.items()]
    return []


def _step(tp: Any, step: Any) -> Any:
    tp = _strip(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        for name, field in tp.model_fields.items():
            if step in {name, field.alias}:
                return field.annotation
        return None
    origin = typing.get_origin(tp)
    if origin in {list, dict}:
        return typing.get_args(tp)[-1]
    if origin in {typing.Union, types.UnionType}:
        members = [m for m in typing.get_args(tp) if m is not type(None)]
        for member in members:
            tags = [m for m in getattr(member, "__metadata__", ()) if hasattr(m, "tag")]
            if any(t.tag == step for t in tags):
                return member
        for member in members:
            found = _step(member, step)
            if found is not None:
                return found
    return None


def _strip(tp: Any) -> Any:
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    args = [a for a in typing.get_args(tp) if a is not type(None)]
    if typing.get_origin(tp) in {typing.Union, types.UnionType} and len(args) == 1:
        return _strip(args[0])
    return tp


def close_match(word: str, options: Iterable[str]) -> str | None:
    """The option closest to ``word`` (quoted), if any is close enough."""
    close = difflib.get_close_matches(word, sorted(options), n=1, cutoff=0.6)
    return repr(close[0]) if close else None


def suggestion(key: str, allowed: list[str]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    if close:
        return f"; did you mean {close[0]!r}?"
    if allowed:
        return f"; allowed keys: {', '.join(sorted(allowed))}"
    return ""


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"string {value!r}"
    return f"{type(value).__name__} {value!r}"
