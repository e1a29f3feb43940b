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
from flagwright.export.featuremanagement import NOTE as FM_NOTE
from flagwright.export.featuremanagement import OMITTED_INTRO as FM_OMITTED
from flagwright.export.featuremanagement import assemble_featuremanagement, featuremanagement_flag
from flagwright.export.flagd import OMITTED_INTRO as FLAGD_OMITTED
from flagwright.export.flagd import RULE_NOTES, assemble_flagd, translate_flags
from flagwright.export.problems import Inexpressible, Unsupported

_DECODER = json.JSONDecoder()
# In compact JSON a quote inside a string is escaped, so this only matches a real reference.
_REF = re.compile(r'\{"\$ref":("(?:[^"\\]|\\.)*")\}')
_KEYED = re.compile(r'^    "([^"\\\n]*)": ([^\n]*)$', re.M)
# "enabled" precedes "id" in a sorted FeatureManagement flag, and is a key of the flag only.
_FM_ID = re.compile(r'"enabled":(?:true|false),"id":("(?:[^"\\]|\\.)*")')


class StaleExport(Exception):
    """REF's export file is not laid out as this version of flagwright writes it."""


@dataclass(slots=True)
class PatchedExport:
    text: str
    omitted: list[Unsupported]
    document: dict[str, Any]  # the translated flags only, for the schema check
    problems: list[str] = field(default_factory=list)


def outline_members(lines: list[str], header: str, pad: str, keyed: bool = True) -> dict[str, str]:
    """The one-line members of the container that opens with the line ``header``, in a file
    :func:`dump_outline` wrote, split at its newlines (``lines``, once per file): ``{key:
    compact JSON}`` (``keyed=False``: list items, by position)."""
    try:
        start = lines.index(header) + 1
    except ValueError:
        raise StaleExport(f"no {header.strip()!r} line") from None
    closing = pad[:-2]
    ends = (closing + "}", closing + "},", closing + "]", closing + "],")
    stop = next((n for n in range(start, len(lines)) if lines[n] in ends), None)
    if stop is None:
        raise StaleExport(f"{header.strip()!r} is not closed")
    block = lines[start:stop]
    if not keyed:
        items = {str(n): line[len(pad) :].removesuffix(",") for n, line in enumerate(block)}
        if not all(line.startswith(pad) for line in block):
            raise StaleExport(f"unexpected line in {header.strip()!r}")
        return items
    # One pass of the C regex engine over the block; a key with escapes is left to the decoder.
    found = _KEYED.findall("\n".join(block))
    if len(found) == len(block) and len(pad) == 4:
        return {key: value.removesuffix(",") for key, value in found}
    out: dict[str, str] = {}
    for number, line in enumerate(block):
        body = line[len(pad) :].removesuffix(",")
        try:
            key, end = _DECODER.raw_decode(body)
        except json.JSONDecodeError:
            raise StaleExport(f"unexpected line {start + number + 1}") from None
        if not line.startswith(pad) or not isinstance(key, str) or body[end : end + 2] != ": ":
            raise StaleExport(f"unexpected line {start + number + 1}")
        out[key] = body[end + 2 :]
    return out


def _comment(text: str) -> str:
    head = '\n  "$comment": '
    start = text.find(head)  # the first such line, without splitting a large file into lines
    if start >= 0:
        end = text.find("\n", start + 1)
        line = text[start + len(head) : None if end < 0 else end]
        try:
            value = json.loads(line.removesuffix(","))
        except ValueError:
            raise StaleExport("the $comment does not parse") from None
        if isinstance(value, str):
            return value
    raise StaleExport("no $comment")


def omitted_pieces(
    comment: str, note: str, intro: str, keys: list[str], dropped: set[str]
) -> dict[str, str]:
    """The reasons REF gave for leaving out ``keys`` (sorted), ``{key: "flag 'key': ..."}``, cut
    from its ``$comment`` (``note``, then ``intro`` and the ``"; "``-joined ``str(Unsupported)``).

    A reason is free text, so a cut is only trusted where it matters: the pieces of ``dropped``
    flags (replaced by new reasons) must start and end at a separator that occurs once. Other
    neighbours are joined again exactly as they were cut, so their boundaries do not matter.
    """
    if not keys:
        if comment != note:
            raise StaleExport("the $comment does not say what it should")
        return {}
    head = note + intro
    if not comment.startswith(head) or not comment[len(head) :].startswith(f"flag {keys[0]!r}: "):
        raise StaleExport("the $comment does not list the flags left out as expected")
    rest = comment[len(head) :]
    starts = [0]
    for key in keys[1:]:
        found = rest.find(f"; flag {key!r}: ", starts[-1] + 1)
        if found < 0:
            raise StaleExport("the $comment does not list the flags left out as expected")
        starts.append(found + 2)
    pieces: dict[str, str] = {}
    for number, key in enumerate(keys):
        end = starts[number + 1] - 2 if number + 1 < len(keys) else len(rest)
        if key in dropped:
            bounds = [k for k in keys[number : number + 2] if k != keys[0]]
            if any(rest.count(f"; flag {k!r}: ") != 1 for k in bounds):
                raise StaleExport("the $comment's list of flags left out is ambiguous")
        pieces[key] = rest[starts[number] : end]
    return pieces


def patch_flagd(
    bundle: Mapping[str, Any], ref_text: str, recompute: set[str], ref_keys: set[str]
) -> PatchedExport:
    """``bundle``'s flagd.json from REF's text (for a bundle of ``ref_keys``), translating only
    ``recompute`` and the flags REF did not have."""
    flags: dict[str, Any] = bundle["flags"]  # read by key only (delta.LazyFlags)
    lines_of = ref_text.split("\n")
    kept = {} if '  "flags": {},' in lines_of else outline_members(lines_of, '  "flags": {', "    ")
    if not set(kept) <= ref_keys:
        raise StaleExport("flagd.json holds a flag the snapshot does not")
    bodies: dict[str, str] = {}
    if '  "$evaluators": {' in lines_of:
        bodies = outline_members(lines_of, '  "$evaluators": {', "    ")
    left_out = sorted(ref_keys - set(kept))
    pieces = omitted_pieces(
        _comment(ref_text), RULE_NOTES[bundle["bucketing"]], FLAGD_OMITTED, left_out, recompute
    )
    again = sorted((set(flags) - ref_keys) | (recompute & set(flags)))
    fresh, fresh_evaluators, omitted = translate_flags(bundle, again)
    lines: dict[str, Any] = {k: Raw(v) for k, v in kept.items() if k not in recompute}
    lines.update((k, Raw(compact_json(v))) for k, v in fresh.items())
    bodies.update((k, compact_json(v)) for k, v in fresh_evaluators.items())
    used: set[str] = set()
    for line in lines.values():
        # Keys sort "targeting" before "variants", and no JsonLogic operator is "variants":
        # a variant's own {"$ref": ...} value is not a reference.
        start = line.find('"targeting":')
        if start >= 0 and line.find('{"$ref":', start) >= 0:
            end = line.find(',"variants":', start)
            found = _REF.findall(line, start, len(line) if end < 0 else end)
            used.update(json.loads(name) for name in found)
    if not used <= set(bodies):
        raise StaleExport("flagd.json refers to an evaluator it does not define")
    evaluators = {name: Raw(bodies[name]) for name in sorted(used)}
    ordered = {key: lines[key] for key in sorted(lines)}
    reasons = _merge(pieces, omitted, recompute)
    document = assemble_flagd(dict(bundle), ordered, evaluators, reasons)
    check = assemble_flagd(dict(bundle), fresh, dict(fresh_evaluators), omitted)
    return PatchedExport(dump_outline(document, 2), omitted, check)


def patch_featuremanagement(
    flags: Mapping[str, Any], ref_text: str, recompute: set[str], ref_keys: set[str]
) -> PatchedExport:
    """``flags``' featuremanagement.json from REF's text (for a bundle of ``ref_keys``),
    translating only ``recompute`` and the flags REF did not have."""
    header = '    "feature_flags": ['
    kept: dict[str, str] = {}
    lines_of = ref_text.split("\n")
    if '    "feature_flags": []' not in lines_of:
        members = outline_members(lines_of, header, "      ", keyed=False)
        for line in members.values():
            found = _FM_ID.search(line)
            if found is None:
                raise StaleExport("featuremanagement.json has an unexpected line")
            quoted = found.group(1)
            kept[quoted[1:-1] if "\\" not in quoted else json.loads(quoted)] = line
    if not set(kept) <= ref_keys:
        raise StaleExport("featuremanagement.json holds a flag the snapshot does not")
    left_out = sorted(ref_keys - set(kept))
    pieces = omitted_pieces(_comment(ref_text), FM_NOTE, FM_OMITTED, left_out, recompute)
    again = sorted((set(flags) - ref_keys) | (recompute & set(flags)))
    fresh: dict[str, Any] = {}
    omitted: list[Unsupported] = []
    plain: dict[str, Any] = flags  # type: ignore[assignment]  # read by key only
    for key in again:
        try:
            fresh[key] = featuremanagement_flag(key, plain)
        except Inexpressible as exc:
            omitted.append(Unsupported(key, exc.construct, exc.reason))
    lines: dict[str, Any] = {k: Raw(v) for k, v in kept.items() if k not in recompute}
    lines.update((k, Raw(compact_json(v))) for k, v in fresh.items())
    reasons = _merge(pieces, omitted, recompute)
    document = assemble_featuremanagement([lines[k] for k in sorted(lines)], reasons)
    check = assemble_featuremanagement([fresh[k] for k in sorted(fresh)], omitted)
    return PatchedExport(dump_outline(document, 3), omitted, check)


def _merge(pieces: dict[str, str], omitted: list[Unsupported], recompute: set[str]) -> list[str]:
    """REF's reasons for the flags still left out as they were, and the new ones, by key."""
    reasons = {k: v for k, v in pieces.items() if k not in recompute}
    reasons.update((p.flag, str(p)) for p in omitted)
    return [reasons[k] for k in sorted(reasons)]
