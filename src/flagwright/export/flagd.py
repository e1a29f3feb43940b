"""A snapshot bundle as a flagd flag-definition document (``rendered/<env>/flags/flagd.json``).

Computed from the compiled bundle, not from the YAML, so the export and the native runtime read
the same resolved form and cannot drift. Every flag is expressed exactly or left out with an
:class:`Unsupported` naming the flag and the construct; nothing is approximated.

Mapping (runtime/FORMAT.md: evaluation semantics and bucketing):

* A flag whose answer does not depend on the context (a static ``serve``, a disabled or unlisted
  flag, a prerequisite that folds to its default) is ``defaultVariant`` with no ``targeting``.
  A disabled flag is *not* ``state: DISABLED``: flagd then returns the caller's code default,
  while flagwright serves the flag's ``default`` variant.
* Rules become one JsonLogic ``if`` chain in order, the fallthrough its final ``else``.
* Splits and rollouts become ``fractional`` with integer weights out of 10000 in declared order.
  With ``bucket_by: targeting_key`` the shorthand form is used (``flagd-v2`` hashes ``flagKey +
  targetingKey``, ``flagd-v3`` the CBOR array ``[flagKey, targetingKey]``); another attribute
  gets ``cat($flagd.flagKey, attribute)`` (hashed as that text under both rules), guarded so a
  missing, empty or non-scalar value returns ``null``, which flagd answers with
  ``defaultVariant``, the flag's default (§4a.6). The document's ``metadata.bucketing`` names the
  rule; under ``flagd-v3`` a prerequisite that splits on the targeting key cannot be inlined (no
  JsonLogic expression builds the array another flag's key would need), so its dependants are
  left out.
* Scheduled rollouts compare ``$flagd.timestamp`` with each stage's start.
* Prerequisites are folded when constant; otherwise the prerequisite's own targeting is inlined
  (bucketed on its own key) and the flag serves ``null`` (its default) unless the prerequisite
  yields a non-default variant.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flagwright.export.jsonlogic import (
    FLAG_KEY,
    TARGETING_KEY,
    TIMESTAMP,
    ConditionTranslator,
    JsonLogic,
    bucket_text,
    is_bucketable,
    negate,
    var,
    whole_seconds,
)
from flagwright.export.problems import ExportError, Inexpressible, Unsupported
from flagwright.runtime.bucketing import BUCKETING, FLAGD_V3, TOTAL

FLAGD_SCHEMA_URL = "https://flagd.dev/schema/v0/flags.json"
# Between the rule note and the flags left out, in the document's "$comment".
OMITTED_INTRO = " flagwright left out flags flagd cannot express exactly: "
# Which evaluators bucket like this document, said in the document itself (its "$comment").
RULE_NOTES = {
    BUCKETING: (
        "Bucketing flagd-v2: murmur3 of the UTF-8 flag key + targeting key, as flagd, Go, Java and "
        "Python (openfeature-flagd-core 1.x) evaluate fractional; JavaScript's "
        "@openfeature/flagd-core 4.x hashes UTF-16 code units, so it buckets targeting keys with "
        "non-ASCII characters differently."
    ),
    FLAGD_V3: (
        "Bucketing flagd-v3: murmur3 of the CBOR [flagKey, targetingKey]; only "
        "openfeature-flagd-core 2.x (Python) evaluates fractional this way, flagd and the other "
        "providers still bucket with flagd-v2 and would serve other users."
    ),
}


@dataclass(frozen=True, slots=True)
class FlagdExport:
    document: dict[str, Any]
    omitted: list[Unsupported] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Const:
    """A flag (or prerequisite) whose variant does not depend on the context."""

    variant: str


def flagd_document(bundle: dict[str, Any]) -> dict[str, Any]:
    """The complete flagd document; raises ExportError if any flag cannot be expressed."""
    export = flagd_export(bundle)
    if export.omitted:
        raise ExportError("flagd", export.omitted)
    return export.document


def flagd_export(bundle: dict[str, Any]) -> FlagdExport:
    """Every expressible flag of ``bundle``; the others are listed in ``omitted`` and in the
    document's ``$comment``, so a reader of the file sees what is missing and why."""
    out, evaluators, omitted = translate_flags(bundle, sorted(bundle["flags"]))
    return FlagdExport(assemble_flagd(bundle, out, evaluators, omitted), omitted)


def translate_flags(
    bundle: Mapping[str, Any], keys: list[str]
) -> tuple[dict[str, Any], dict[str, Any], list[Unsupported]]:
    """The flagd flags of ``keys`` (in that order), the evaluators they use, and the keys that
    cannot be expressed."""
    flags: dict[str, Any] = bundle["flags"]
    translator = ConditionTranslator()
    out: dict[str, Any] = {}
    omitted: list[Unsupported] = []
    for key in keys:
        # A flag's segments become evaluators only if the flag itself is exported.
        trial = translator.fork()
        try:
            out[key] = flagd_flag(key, flags, trial, bundle["bucketing"])
        except Inexpressible as exc:
            omitted.append(Unsupported(key, exc.construct, exc.reason))
            continue
        translator = trial
    return out, translator.evaluators, omitted


def assemble_flagd(
    bundle: dict[str, Any], flags: dict[str, Any], evaluators: dict[str, Any],
    omitted: Sequence[Unsupported | str],
) -> dict[str, Any]:  # fmt: skip
    """The document around already translated flags (``render --changed-since`` reuses most of
    them from the file rendered before)."""
    document: dict[str, Any] = {"$schema": FLAGD_SCHEMA_URL, "flags": flags}
    if evaluators:
        document["$evaluators"] = evaluators
    document["metadata"] = {
        "flagSetId": f"flagwright/{bundle['environment']}",
        "version": bundle["digest"],
        "bucketing": bundle["bucketing"],
    }
    comment = RULE_NOTES[bundle["bucketing"]]
    if omitted:
        comment += OMITTED_INTRO + "; ".join(str(p) for p in omitted)
    document["$comment"] = comment
    return document


def flagd_flag(
    key: str, flags: dict[str, Any], translator: ConditionTranslator, bucketing: str
) -> dict[str, Any]:
    """One flag of ``flags`` as flagd JSON; raises Inexpressible."""
    raw = flags[key]
    variants = raw["variants"]
    if raw["type"] == "object" and not all(isinstance(v, dict) for v in variants.values()):
        raise Inexpressible("variants", "flagd object flags need every variant to be an object")
    answer = _answer(key, flags, translator, own=True, seen=(), bucketing=bucketing)
    out: dict[str, Any] = {"state": "ENABLED", "variants": variants}
    if isinstance(answer, _Const):
        out["defaultVariant"] = answer.variant
    else:
        out["defaultVariant"] = raw["default"]
        out["targeting"] = answer if isinstance(answer, dict) else {"if": [True, answer]}
    return out


def _answer(
    key: str,
    flags: dict[str, Any],
    translator: ConditionTranslator,
    *,
    own: bool,
    seen: tuple[str, ...],
    bucketing: str = BUCKETING,
) -> _Const | JsonLogic:
    """The flag's answer as a constant or as JsonLogic yielding a variant (``null``: default).

    ``own`` is False when the flag is inlined as another flag's prerequisite: its buckets must
    then be computed from its own key, not from ``$flagd.flagKey``.
    """
    raw = flags[key]
    default = raw["default"]
    if not raw["listed"] or not raw["enabled"]:
        return _Const(default)
    gates: list[JsonLogic] = []
    for name in raw["requires"]:
        if name in seen or name not in flags:
            raise Inexpressible(f"prerequisite {name!r}", "unknown or circular prerequisite")
        try:
            found = _answer(
                name, flags, translator, own=False, seen=(*seen, key), bucketing=bucketing
            )
        except Inexpressible as exc:
            raise exc.within(f"prerequisite {name!r}") from None
        prerequisite_default = flags[name]["default"]
        if isinstance(found, _Const):
            if found.variant == prerequisite_default:
                return _Const(default)
            continue
        # null stands for the prerequisite's default too.
        gates.append(negate({"in": [found, [None, prerequisite_default]]}))
    bucket = _Bucketing(key, raw["bucket_by"], own, bucketing)
    branches: list[JsonLogic] = []
    for number, rule in enumerate(raw["rules"], start=1):
        where = f"rule {rule.get('name') or f'rule-{number}'!r}"
        try:
            test = translator.condition(rule["when"])
            result = rule["serve"] if "serve" in rule else bucket.split(rule["split"])
        except Inexpressible as exc:
            raise exc.within(where) from None
        branches.extend([test, result])
    try:
        fallthrough = _fallthrough(raw["fallthrough"], bucket)
    except Inexpressible as exc:
        raise exc.within("fallthrough") from None
    if not branches and not gates and isinstance(fallthrough, _Const):
        return fallthrough
    tail = fallthrough.variant if isinstance(fallthrough, _Const) else fallthrough
    answer: JsonLogic = {"if": [*branches, tail]} if branches else tail
    if gates:
        test = gates[0] if len(gates) == 1 else {"and": gates}
        answer = {"if": [test, answer, None]}
    return answer


def _fallthrough(raw: dict[str, Any], bucket: _Bucketing) -> _Const | JsonLogic:
    if "serve" in raw:
        return _Const(raw["serve"])
    if "split" in raw:
        return bucket.split(raw["split"])
    rollout = raw["rollout"]
    variant, rest = rollout["variant"], rollout["default"]
    weights = [round(stage["percent"] * 100) for stage in rollout["stages"]]

    def at(weight: int) -> JsonLogic:
        return bucket.split([[variant, weight], [rest, TOTAL - weight]])

    if rollout["mode"] == "manual":
        return at(weights[rollout["stage"] - 1])
    # Before the first stage's start the rollout is at 0%; each stage holds until the next.
    chain: list[JsonLogic] = []
    previous = 0
    for number, (stage, weight) in enumerate(zip(rollout["stages"], weights, strict=True), 1):
        start = whole_seconds(stage["from"], f"rollout stage {number} start")
        chain.extend([{"<": [TIMESTAMP, start]}, at(previous)])
        previous = weight
    return {"if": [*chain, at(previous)]}


class _Bucketing:
    """``fractional`` expressions for one flag's splits under the bundle's rule."""

    def __init__(self, key: str, bucket_by: str, own: bool, rule: str) -> None:
        self.bucket_by = bucket_by
        self.shorthand = own and bucket_by == TARGETING_KEY
        self.seed: JsonLogic = FLAG_KEY if own else key
        # flagd-v3 hashes [flagKey, targetingKey] for its own flag only; inlined under another
        # flag's key, the array cannot be built (fractional takes an array as a variant entry).
        self.unreachable = rule == FLAGD_V3 and not own and bucket_by == TARGETING_KEY

    def split(self, weights: list[list[Any]]) -> JsonLogic:
        pairs = [[variant, weight] for variant, weight in weights]
        if self.unreachable:
            raise Inexpressible(
                "split", "flagd-v3 buckets a prerequisite on its own [flagKey, targetingKey]"
            )
        if self.shorthand:
            # flagd hashes flagKey + targetingKey and returns null without a targeting key.
            return {"fractional": pairs}
        value = var(self.bucket_by)  # only a flag that splits needs its bucket attribute
        hashed = {"fractional": [{"cat": [self.seed, bucket_text(value)]}, *pairs]}
        return {"if": [is_bucketable(value), hashed, None]}
