"""flagd targeting → flagwright rules and splits: the inverse of :mod:`flagwright.export.flagd`.

An ``if`` chain becomes ordered rules, ``fractional`` a split, and the prerequisite check the
export inlines (``!(answer in [null, default])``) a :class:`Gate` that :mod:`.flagd` matches to
the prerequisite flag. Conditions are read by :class:`.flagd_conditions.ConditionReader`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flagwright.codes import Code
from flagwright.diagnostics import YamlPath
from flagwright.export.jsonlogic import FLAG_KEY, bucket_text, is_bucketable
from flagwright.importer.flagd_conditions import (
    TARGETING_KEY,
    Condition,
    ConditionReader,
    all_of,
    op_of,
    show,
)
from flagwright.importer.problems import Unrepresentable
from flagwright.runtime.bucketing import TOTAL

_TOTAL = TOTAL


@dataclass(frozen=True, slots=True)
class Split:
    """A ``fractional``: percentages in declared order, bucketed on ``seed + bucket_by``."""

    weights: tuple[tuple[str, float], ...]
    bucket_by: str
    seed: str | None  # None: the flag's own key ($flagd.flagKey)


Result = str | Split | None  # a variant, a split, or None: the flag's default


@dataclass(slots=True)
class Gate:
    """A prerequisite as the flagd export inlines it: the prerequisite's own answer."""

    answer: Answer
    default: str
    where: YamlPath


@dataclass(slots=True)
class Answer:
    gates: list[Gate] = field(default_factory=list)
    rules: list[tuple[Condition, Result]] = field(default_factory=list)
    fallthrough: Result = None


class _AnyName(dict[str, Any]):
    def __contains__(self, name: object) -> bool:
        return isinstance(name, str)


_ANY_VARIANT = _AnyName()


class Translator(ConditionReader):
    """Translates one file's targeting, flag by flag."""

    # -- answers: expressions yielding a variant name ----------------------------------------

    def answer(self, expr: Any, where: YamlPath) -> Answer:
        gated = _gated(expr)
        if gated is not None:
            own, self.variants = self.variants, _ANY_VARIANT
            try:
                # The prerequisite's variants are checked when it is matched to its flag.
                gates = [
                    Gate(self.answer(inner, (*w, "in", 0)), default, w)
                    for inner, default, w in _gate_parts(gated[0], (*where, "if", 0))
                ]
            finally:
                self.variants = own
            body = self.answer(expr["if"][1], (*where, "if", 1))
            if body.gates:
                raise Unrepresentable(
                    Code.IMPORT_OPERATOR, where, "nested prerequisite checks cannot be imported"
                )
            return Answer(gates, body.rules, body.fallthrough)
        rules, fallthrough = self._chain(expr, where)
        return Answer([], rules, fallthrough)

    def _chain(self, expr: Any, where: YamlPath) -> tuple[list[tuple[Condition, Result]], Result]:
        if expr is None:
            return [], None
        if isinstance(expr, str):
            if expr not in self.variants:
                raise Unrepresentable(
                    Code.IMPORT_VARIANTS,
                    where,
                    f"targeting returns {expr!r}, which is not a variant",
                )
            return [], expr
        split = self._guarded_split(expr, where)
        if split is not None:
            return [], split
        op = op_of(expr)
        if op is not None and op[0] == "fractional":
            return [], self._fractional(op[1], (*where, "fractional"), guarded=None)
        if op is None or op[0] != "if" or not isinstance(op[1], list) or not op[1]:
            raise Unrepresentable(
                Code.IMPORT_OPERATOR,
                where,
                "targeting must yield a variant name, an 'if' chain or 'fractional', not "
                + show(expr),
            )
        args = op[1]
        rules: list[tuple[Condition, Result]] = []
        i = 0
        while i + 1 < len(args):
            test = self.condition(args[i], (*where, "if", i))
            then_rules, then_fallthrough = self._chain(args[i + 1], (*where, "if", i + 1))
            if test is True:
                return [*rules, *then_rules], then_fallthrough
            if test is not False:
                rules.extend((all_of(test, c), r) for c, r in then_rules)
                rules.append((test, then_fallthrough))
            i += 2
        if i < len(args):
            tail_rules, fallthrough = self._chain(args[i], (*where, "if", i))
            return [*rules, *tail_rules], fallthrough
        return rules, None

    def _guarded_split(self, expr: Any, where: YamlPath) -> Split | None:
        """flagwright's own export of a custom ``bucket_by``: ``if(bucketable(v), fractional)``."""
        op = op_of(expr)
        if op is None or op[0] != "if" or not isinstance(op[1], list) or len(op[1]) != 3:
            return None
        test, inner, otherwise = op[1]
        fractional = op_of(inner)
        if otherwise is not None or fractional is None or fractional[0] != "fractional":
            return None
        try:
            v = fractional[1][0]["cat"][1]["if"][-1]
        except (KeyError, IndexError, TypeError):
            return None
        if test != is_bucketable(v):
            return None
        return self._fractional(fractional[1], (*where, "if", 1, "fractional"), guarded=v)

    def _fractional(self, raw: Any, where: YamlPath, guarded: Any) -> Split:
        if not isinstance(raw, list) or not raw:
            raise Unrepresentable(Code.IMPORT_BUCKETING, where, "'fractional' needs a list")
        entries, first = raw, 0
        bucket_by, seed = TARGETING_KEY, None
        if not isinstance(raw[0], list):
            entries, first = raw[1:], 1
            bucket_by, seed = self._bucket_expression(raw[0], (*where, 0), guarded)
        weights: dict[str, int] = {}
        for n, entry in enumerate(entries, start=first):
            here = (*where, n)
            if not isinstance(entry, list) or not 1 <= len(entry) <= 2:
                raise Unrepresentable(
                    Code.IMPORT_BUCKETING, here, "a 'fractional' entry is [variant, weight]"
                )
            name = entry[0]
            weight = entry[1] if len(entry) == 2 else 1
            if not isinstance(name, str) or name not in self.variants:
                raise Unrepresentable(
                    Code.IMPORT_BUCKETING, (*here, 0), f"{show(name)} is not a variant name"
                )
            if not isinstance(weight, int) or isinstance(weight, bool) or weight < 0:
                raise Unrepresentable(
                    Code.IMPORT_BUCKETING,
                    (*here, 1),
                    f"weight {show(weight)} is not a whole number of at least 0",
                )
            if name in weights:
                raise Unrepresentable(
                    Code.IMPORT_BUCKETING, (*here, 0), f"variant {name!r} appears twice"
                )
            weights[name] = weight
        total = sum(weights.values())
        if total <= 0:
            raise Unrepresentable(Code.IMPORT_BUCKETING, where, "the weights add up to 0")
        percents: list[tuple[str, float]] = []
        for name, weight in weights.items():
            if weight * _TOTAL % total:
                raise Unrepresentable(
                    Code.IMPORT_BUCKETING,
                    where,
                    f"weight {weight} of {total} is {weight * 100 / total:.4g}%, which flagwright "
                    "cannot express with at most 2 decimals without moving users",
                )
            hundredths = weight * _TOTAL // total
            percents.append(
                (name, hundredths // 100 if hundredths % 100 == 0 else hundredths / 100)
            )
        return Split(tuple(percents), bucket_by, seed)

    def _bucket_expression(
        self, expr: Any, where: YamlPath, guarded: Any
    ) -> tuple[str, str | None]:
        try:
            seed, text = expr["cat"]
            v = text["if"][-1]
        except (KeyError, TypeError, ValueError, IndexError):
            seed, v = None, None
        if guarded is not None and v == guarded and text == bucket_text(v):
            attr = self.attribute(v, (*where, "cat", 1))
            if seed == FLAG_KEY:
                return attr, None
            if isinstance(seed, str):
                return attr, seed
        raise Unrepresentable(
            Code.IMPORT_BUCKETING,
            where,
            "flagwright buckets on the flag key and one attribute, and serves the default when "
            "it is missing; this bucketing expression is not that (only fractional's shorthand "
            "and flagwright's own export pattern import exactly)",
        )


def _gated(expr: Any) -> tuple[Any, ...] | None:
    op = op_of(expr)
    if op is None or op[0] != "if" or not isinstance(op[1], list) or len(op[1]) != 3:
        return None
    if op[1][2] is not None or not _gate_parts(op[1][0], ()):
        return None
    return tuple(op[1])


def _gate_parts(test: Any, where: YamlPath) -> list[tuple[Any, str, YamlPath]]:
    """``!(X in [null, D])`` (or an ``and`` of them): the export's prerequisite check."""
    items = test["and"] if isinstance(test, dict) and set(test) == {"and"} else [test]
    base = (
        (*where, "and") if items is not test and isinstance(test, dict) and "and" in test else None
    )
    out = []
    for n, item in enumerate(items if isinstance(items, list) else []):
        try:
            inner, choices = item["!"][0]["in"]
        except (KeyError, TypeError, ValueError, IndexError):
            return []
        if not (isinstance(choices, list) and len(choices) == 2 and choices[0] is None):
            return []
        if not isinstance(choices[1], str):
            return []
        here = (*base, n, "!", 0) if base is not None else (*where, "!", 0)
        out.append((inner, choices[1], here))
    return out
