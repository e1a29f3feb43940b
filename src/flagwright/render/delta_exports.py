"""An environment's flagd and FeatureManagement exports, patched instead of computed again.

``render --changed-since`` has the export files rendered at REF. A flag's translation depends only
on the flag, the flags it requires (inlined or folded) and the bundle's bucketing rule, so only
the flags in ``recompute`` (the changed ones and every flag requiring one of them) and the flags
REF left out (their reasons are needed for the ``$comment``) are translated again; every other
flag keeps its line of REF's file, which ``dump_outline`` wrote one flag per line. The document
is then assembled by the same functions the full export uses (``assemble_flagd``,
``assemble_featuremanagement``) and written by the same ``dump_outline``, so the result is the
full export's text byte for byte.

flagd's ``$evaluators`` hold one body per segment that an exported flag's targeting refers to
(``{"$ref": name}``); a body depends only on the segment, so REF's bodies are kept and the
changed flags' translation supplies new ones. Only the translated flags are checked against the
upstream schema: REF's lines passed that check when REF was rendered.

Anything unexpected in REF's file (a layout ``dump_outline`` does not write, a flag the bundle
does not hold) raises :class:`StaleExport`; the caller then renders the environment in full.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flagwright.compile.json_out import Raw, compact_json, dump_outline
from flagwright.export.featuremanagement import assemble_featuremanagement, featuremanagement_flag
from flagwright.export.flagd import assemble_flagd, flagd_flag
from flagwright.export.jsonlogic import ConditionTranslator
from flagwright.export.problems import Inexpressible, Unsupported

_DECODER = json.JSONDecoder()
# In compact JSON a quote inside a string is escaped, so this only matches a real reference.
_REF = re.compile(r'\{"\$ref":("(?:[^"\\]|\\.)*")\}')


class StaleExport(Exception):
    """REF's export file is not laid out as this version of flagwright writes it."""


@dataclass(slots=True)
class PatchedExport:
    text: str
    omitted: list[Unsupported]
    document: dict[str, Any]  # the translated flags only, for the schema check
    problems: list[str] = field(default_factory=list)


def outline_members(text: str, header: str, pad: str, keyed: bool = True) -> dict[str, str]:
    """The one-line members of the container that opens with the line ``header``, in a file
    :func:`dump_outline` wrote: ``{key: compact JSON}`` (``keyed=False``: list items, by
    position)."""
    lines = text.split("\n")
    try:
        start = lines.index(header) + 1
    except ValueError:
        raise StaleExport(f"no {header.strip()!r} line") from None
    out: dict[str, str] = {}
    closing = pad[:-2]
    for number, line in enumerate(lines[start:]):
        if line in (closing + "}", closing + "},", closing + "]", closing + "],"):
            return out
        if not line.startswith(pad):
            raise StaleExport(f"unexpected line {start + number + 1}")
        body = line[len(pad) :].removesuffix(",")
        if keyed:
            try:
                key, end = _DECODER.raw_decode(body)
            except json.JSONDecodeError:
                raise StaleExport(f"unexpected line {start + number + 1}") from None
            if not isinstance(key, str) or body[end : end + 2] != ": ":
                raise StaleExport(f"unexpected line {start + number + 1}")
            out[key] = body[end + 2 :]
        else:
            out[str(number)] = body
    raise StaleExport(f"{header.strip()!r} is not closed")


def patch_flagd(bundle: dict[str, Any], ref_text: str, recompute: set[str]) -> PatchedExport:
    """``bundle``'s flagd.json from REF's text, translating only ``recompute`` and REF's
    omitted flags."""
    flags: dict[str, Any] = bundle["flags"]
    kept = outline_members(ref_text, '  "flags": {', "    ") if flags else {}
    if '  "flags": {}' in ref_text.split("\n"):
        kept = {}
    if not set(kept) - recompute <= set(flags):
        raise StaleExport("flagd.json holds a flag the snapshot does not")
    bodies: dict[str, str] = {}
    if '  "$evaluators": {' in ref_text.split("\n"):
        bodies = outline_members(ref_text, '  "$evaluators": {', "    ")
    again = sorted((set(flags) - set(kept)) | (recompute & set(flags)))
    translator = ConditionTranslator()
    fresh: dict[str, Any] = {}
    omitted: list[Unsupported] = []
    for key in again:
        trial = translator.fork()
        try:
            fresh[key] = flagd_flag(key, flags, trial, bundle["bucketing"])
        except Inexpressible as exc:
            omitted.append(Unsupported(key, exc.construct, exc.reason))
            continue
        translator = trial
    lines: dict[str, Any] = {k: Raw(v) for k, v in kept.items() if k not in recompute}
    lines.update((k, Raw(compact_json(v))) for k, v in fresh.items())
    bodies.update((k, compact_json(v)) for k, v in translator.evaluators.items())
    used: set[str] = set()
    for line in lines.values():
        # Keys sort "targeting" before "variants", and no JsonLogic operator is "variants":
        # a variant's own {"$ref": ...} value is not a reference.
        start = line.find('"targeting":')
        if start >= 0:
            end = line.find(',"variants":', start)
            found = _REF.findall(line, start, len(line) if end < 0 else end)
            used.update(json.loads(name) for name in found)
    if not used <= set(bodies):
        raise StaleExport("flagd.json refers to an evaluator it does not define")
    evaluators = {name: Raw(bodies[name]) for name in sorted(used)}
    ordered = {key: lines[key] for key in sorted(lines)}
    document = assemble_flagd(bundle, ordered, evaluators, omitted)
    check = assemble_flagd(bundle, fresh, dict(translator.evaluators), omitted)
    return PatchedExport(dump_outline(document, 2), omitted, check)


def patch_featuremanagement(
    flags: Mapping[str, Any], ref_text: str, recompute: set[str]
) -> PatchedExport:
    """``flags``' featuremanagement.json from REF's text, translating only ``recompute`` and
    REF's omitted flags."""
    header = '    "feature_flags": ['
    kept: dict[str, str] = {}
    if '    "feature_flags": []' not in ref_text.split("\n"):
        for line in outline_members(ref_text, header, "      ", keyed=False).values():
            try:
                key = json.loads(line)["id"]
            except (json.JSONDecodeError, KeyError, TypeError):
                raise StaleExport("featuremanagement.json has an unexpected line") from None
            kept[key] = line
    if not set(kept) - recompute <= set(flags):
        raise StaleExport("featuremanagement.json holds a flag the snapshot does not")
    again = sorted((set(flags) - set(kept)) | (recompute & set(flags)))
    fresh: dict[str, Any] = {}
    omitted: list[Unsupported] = []
    plain = dict(flags)
    for key in again:
        try:
            fresh[key] = featuremanagement_flag(key, plain)
        except Inexpressible as exc:
            omitted.append(Unsupported(key, exc.construct, exc.reason))
    lines: dict[str, Any] = {k: Raw(v) for k, v in kept.items() if k not in recompute}
    lines.update((k, Raw(compact_json(v))) for k, v in fresh.items())
    document = assemble_featuremanagement([lines[k] for k in sorted(lines)], omitted)
    check = assemble_featuremanagement([fresh[k] for k in sorted(fresh)], omitted)
    return PatchedExport(dump_outline(document, 3), omitted, check)
