"""A flagd flag-definition file → flagwright Flag and Segment documents.

One flag per ``flags`` entry, its targeting as the environment entry's rules and fallthrough;
``$evaluators`` a flag uses become segments. A flag with anything that has no exact flagwright
equivalent is reported (with the JSON position) and not written, so nothing is imported wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flagwright.codes import Code
from flagwright.importer.documents import (
    ImportedDoc,
    Translation,
    flag_document,
    placeholder_description,
    value_type,
)
from flagwright.importer.flagd_logic import Answer, Gate, Result, Split, Translator
from flagwright.importer.positions import Report
from flagwright.importer.problems import Unrepresentable
from flagwright.model.base import FLAG_KEY_PATTERN, VARIANT_PATTERN
from flagwright.runtime.bucketing import RULES

_FLAG_KEYS = {"state", "variants", "defaultVariant", "targeting", "metadata"}
_TOP_KEYS = {"flags", "$evaluators", "$schema", "$comment", "metadata"}
# The flag-set metadata flagwright's own export writes; render writes it again.
_OWN_METADATA = {"flagSetId", "version", "bucketing"}


@dataclass(slots=True)
class _Parsed:
    key: str
    variants: dict[str, Any]
    flag_type: str
    default: str
    answer: Answer
    used: set[str]


def import_flagd(data: Any, report: Report, env: str, source_name: str) -> Translation:
    out = Translation()
    if not isinstance(data, dict) or not isinstance(data.get("flags"), dict):
        report.add((), Code.IMPORT_FORMAT, "a flagd file is an object with a 'flags' object")
        return out
    for key in data:
        if key not in _TOP_KEYS:
            report.add((key,), Code.IMPORT_NOT_CARRIED, f"{key!r} is not imported", at="key")
    metadata = data.get("metadata")
    own = isinstance(metadata, dict) and set(metadata) <= _OWN_METADATA
    if own and isinstance(metadata, dict) and metadata.get("bucketing") == "flagd-v3":
        report.add(
            ("metadata", "bucketing"),
            Code.IMPORT_BUCKETING_RULE,
            "this file buckets with flagd-v3: give the environment `bucketing: flagd-v3`, or its "
            "percentages put users in other buckets than the file's readers do",
        )
    if metadata is not None and not (own and metadata.get("bucketing") in RULES):
        report.add(
            ("metadata",),
            Code.IMPORT_NOT_CARRIED,
            "flag-set metadata is not imported: flagwright flags carry no metadata",
            at="key",
        )
    evaluators = data.get("$evaluators", {})
    if not isinstance(evaluators, dict):
        report.add(("$evaluators",), Code.IMPORT_FORMAT, "'$evaluators' must be an object")
        evaluators = {}
    parsed: dict[str, _Parsed] = {}
    translator = Translator({}, evaluators)
    for key, raw in data["flags"].items():
        translator.used = set()
        try:
            parsed[key] = _flag(key, raw, translator, report)
        except Unrepresentable as exc:
            report.add(exc.where, exc.code, f"flag {key!r} not imported: {exc.message}")
    for name, problem in translator.segment_problems():
        report.add(problem.where, problem.code, f"evaluator {name!r}: {problem.message}")
    requires = _resolve_gates(parsed, report)
    segments: set[str] = set()
    for key, flag in parsed.items():
        if key not in requires:
            continue
        entry, bucket_by = _entry(flag.answer, flag.default)
        segments |= flag.used
        description = placeholder_description(source_name, f"flagd flag {key!r}")
        body = flag_document(
            key=key,
            description=description,
            flag_type=flag.flag_type,
            variants=flag.variants,
            default=flag.default,
            env=env,
            entry=entry,
            bucket_by=bucket_by,
            requires=requires[key],
        )
        out.flags.append(ImportedDoc("Flag", key, body, ("flags", key)))
    for name in sorted(segments):
        body = {
            "kind": "Segment",
            "name": name,
            "description": placeholder_description(source_name, f"flagd evaluator {name!r}"),
            "when": translator.segment_body(name),
        }
        out.segments.append(ImportedDoc("Segment", name, body, ("$evaluators", name)))
    _report_unused_evaluators(evaluators, translator.referenced, report)
    return out


def _flag(key: str, raw: Any, translator: Translator, report: Report) -> _Parsed:
    where = ("flags", key)
    if not re.match(FLAG_KEY_PATTERN, key):
        raise Unrepresentable(
            Code.IMPORT_NAME,
            where,
            "the key is not a valid flagwright flag key (letters, digits, '.', '_' and "
            "'-', no '..'); services look flags up by key, so it is not renamed",
        )
    if not isinstance(raw, dict):
        raise Unrepresentable(Code.IMPORT_FORMAT, where, "a flag is an object")
    for name in raw:
        if name not in _FLAG_KEYS:
            raise Unrepresentable(Code.IMPORT_FORMAT, (*where, name), f"unknown key {name!r}")
    if "metadata" in raw:
        report.add(
            (*where, "metadata"),
            Code.IMPORT_NOT_CARRIED,
            f"flag {key!r}: its metadata is not imported (flagwright flags carry no metadata)",
            at="key",
        )
    state = raw.get("state")
    if state == "DISABLED":
        raise Unrepresentable(
            Code.IMPORT_DISABLED,
            (*where, "state"),
            "flagd serves the caller's code default for a DISABLED flag; flagwright serves a "
            "variant of the flag, so the flag is not imported (set it ENABLED with the variant "
            "you want served, or write the flag by hand)",
        )
    if state != "ENABLED":
        raise Unrepresentable(Code.IMPORT_FORMAT, (*where, "state"), "state must be ENABLED")
    variants = raw.get("variants")
    if not isinstance(variants, dict) or not variants:
        raise Unrepresentable(Code.IMPORT_VARIANTS, where, "the flag has no variants")
    for name in variants:
        if not re.match(VARIANT_PATTERN, name):
            raise Unrepresentable(
                Code.IMPORT_NAME,
                (*where, "variants", name),
                f"{name!r} is not a valid variant name",
            )
    flag_type = value_type(list(variants.values()))
    if flag_type is None:
        raise Unrepresentable(
            Code.IMPORT_VARIANTS,
            (*where, "variants"),
            "variant values must all be booleans, strings, numbers or objects",
        )
    default = raw.get("defaultVariant")
    if not isinstance(default, str) or default not in variants:
        raise Unrepresentable(
            Code.IMPORT_NO_DEFAULT,
            (*where, "defaultVariant") if "defaultVariant" in raw else where,
            "flagwright needs a default variant (flagd falls back to the caller's code default)",
        )
    translator.variants = variants
    targeting = raw.get("targeting")
    if targeting is None or targeting == {}:
        answer = Answer(fallthrough=default)
    else:
        answer = translator.answer(targeting, (*where, "targeting"))
        check_bucketing(answer, (*where, "targeting"))
    return _Parsed(key, variants, flag_type, default, answer, set(translator.used))


def _resolve_gates(parsed: dict[str, _Parsed], report: Report) -> dict[str, list[str]]:
    """Each importable flag → its prerequisites, recognised in the export's inlined gates."""
    names: dict[str, list[str]] = {}
    for key, flag in parsed.items():
        found: list[str] = []
        for gate in flag.answer.gates:
            match = _prerequisite(gate, parsed)
            if match is None:
                report.add(
                    gate.where,
                    Code.IMPORT_REFERENCE,
                    f"flag {key!r} not imported: this prerequisite check is not the targeting "
                    "of any flag in the file that imports",
                )
                break
            found.append(match)
        else:
            names[key] = found
    # A flag whose prerequisite was not imported cannot be imported either.
    changed = True
    while changed:
        changed = False
        for key in list(names):
            missing = [p for p in names[key] if p not in names]
            if missing:
                del names[key]
                changed = True
                report.add(
                    ("flags", key),
                    Code.IMPORT_REFERENCE,
                    f"flag {key!r} not imported: its prerequisite {missing[0]!r} is not imported",
                    at="key",
                )
    return names


def _prerequisite(gate: Gate, parsed: dict[str, _Parsed]) -> str | None:
    for key in sorted(parsed):
        flag = parsed[key]
        if flag.default == gate.default and _own(flag.answer, key) == gate.answer:
            return key
    return None


def _own(answer: Answer, key: str) -> Answer:
    """The answer as another flag's export inlines it: splits seeded with the literal key."""

    def fix(result: Result) -> Result:
        if isinstance(result, Split) and result.seed is None:
            return Split(result.weights, result.bucket_by, key)
        return result

    return Answer(answer.gates, [(c, fix(r)) for c, r in answer.rules], fix(answer.fallthrough))


def _entry(answer: Answer, default: str) -> tuple[dict[str, Any], str]:
    splits = [r for _, r in answer.rules if isinstance(r, Split)]
    if isinstance(answer.fallthrough, Split):
        splits.append(answer.fallthrough)
    bucket_by = splits[0].bucket_by if splits else "targeting_key"

    def served(result: Result) -> dict[str, Any]:
        if isinstance(result, Split):
            return {"split": dict(result.weights)}
        return {"serve": default if result is None else result}

    entry: dict[str, Any] = {}
    if answer.rules:
        entry["rules"] = [{"when": c, **served(r)} for c, r in answer.rules]
    entry.update(served(answer.fallthrough))
    return entry, bucket_by


def check_bucketing(answer: Answer, where: tuple[str | int, ...]) -> None:
    splits = [r for _, r in answer.rules if isinstance(r, Split)]
    if isinstance(answer.fallthrough, Split):
        splits.append(answer.fallthrough)
    if any(s.seed is not None for s in splits):
        raise Unrepresentable(
            Code.IMPORT_BUCKETING,
            where,
            "a split is seeded with a fixed string; flagwright always hashes the flag's own key",
        )
    if len({s.bucket_by for s in splits}) > 1:
        raise Unrepresentable(
            Code.IMPORT_BUCKETING,
            where,
            "splits bucket on different attributes; a flagwright flag has one bucket_by",
        )


def _report_unused_evaluators(
    evaluators: dict[str, Any], referenced: set[str], report: Report
) -> None:
    """Evaluators no flag uses are not imported; say so, as nothing is dropped silently."""
    for name in evaluators:
        if name not in referenced:
            report.add(
                ("$evaluators", name),
                Code.IMPORT_NOT_CARRIED,
                f"evaluator {name!r} is used by no flag and is not imported",
                at="key",
            )
