"""Specialise a compiled flag into one straight-line function: the fast path of ``evaluate``.

The reference evaluator (``flags.py``) walks rule tuples and calls one closure per condition and
one per split. Here the same flag becomes a single function, ``fast(ctx, now) -> Outcome``, in
which conditions are inline boolean expressions and a split is a chain of hash comparisons, so an
evaluation costs one Python call instead of four or more.

The function's source is assembled only from the fragments written in this module. Every value
that comes from the snapshot (attribute names, operands, outcomes, hash thresholds, prefixes)
appears in it only as a placeholder ``"k<N>"`` and is put into a copy of the compiled code
object's constants, never written as text: two flags of the same shape have byte-identical
source, compiled once. The generated code has no builtins; it sees only ``_HELPERS``.

Anything without a fragment here (``matches``, ``before``/``after``, ``eq`` on non-strings, time
windows, schedules) calls the reference closure of that condition, so semantics stay the
reference's by construction; tests compare the two evaluators over random flags and contexts.
"""

from __future__ import annotations

from bisect import bisect_right
from types import CodeType, FunctionType

from mmh3 import hash as _murmur3

from . import semver
from .conditions import compile_condition, semver_compare
from .equality import Membership, is_number

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from .build import Builder, Fallthrough, Outcome, Pairs
    from .flags import CompiledFlag, Fast, Rule


_HELPERS: dict[str, object] = {
    "__builtins__": {},
    "str": str,
    "int": int,
    "float": float,
    "isinstance": isinstance,
    "isnum": is_number,
    "murmur": _murmur3,
    "bisect": bisect_right,
    "cache_get": semver.cache_get,
    "key_of": semver.key_of,
}
_GLOBALS: dict[str, object] = dict(_HELPERS)  # shared by every generated function
_CODES: dict[str, CodeType] = {}
_FACTORY_LIMIT = 4096
_STRING_TESTS = {
    "starts_with": "v.startswith({0})",
    "ends_with": "v.endswith({0})",
    "contains": "{0} in v",
}
_COMPARISONS = {"lt": "<", "le": "<=", "gt": ">", "ge": ">="}
_VERSION_COMPARISONS = {f"semver_{op}": sign for op, sign in [("eq", "=="), *_COMPARISONS.items()]}


def fixed_fast(outcome: Outcome) -> Fast:
    """The fast path of a flag that always serves ``outcome`` (unlisted or disabled)."""

    def fixed(ctx: Mapping[str, Any], now: Any) -> Outcome:
        return outcome

    return fixed


class _Source:
    """Generated lines plus the values their placeholders stand for.

    A value appears in the source as the string literal ``"k<N>"`` (the fragments here hold no
    other string literals) and is put in place of that constant in a copy of the compiled code
    object: the function then loads it as a constant, the cheapest load there is, and two flags
    of one shape share one compilation.
    """

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.values: list[object] = []

    def bind(self, value: object) -> str:
        self.values.append(value)
        return f'"k{len(self.values) - 1}"'

    def call(self, function: object) -> str:
        """A bound function, ready to call (a call of a literal would not compile)."""
        return f"(f := {self.bind(function)})"

    def emit(self, depth: int, text: str) -> None:
        self.lines.append("    " * (depth + 1) + text)

    def build(self) -> Fast:
        text = "\n".join(["def fast(ctx, now):", *self.lines]) + "\n"
        code = _CODES.get(text)
        if code is None:
            namespace: dict[str, Any] = dict(_HELPERS)
            exec(compile(text, "<flagwright specialised flag>", "exec"), namespace)
            code = namespace["fast"].__code__
            if len(_CODES) >= _FACTORY_LIMIT:
                _CODES.clear()
            _CODES[text] = code
        values = self.values
        consts = tuple(
            values[int(c[1:])] if type(c) is str and c[:1] == "k" and c[1:].isdigit() else c
            for c in code.co_consts
        )
        return FunctionType(code.replace(co_consts=consts), _GLOBALS, "fast")

    def text(self) -> str:
        return "\n".join(self.lines)


def specialise(
    build: Builder,
    prerequisites: tuple[CompiledFlag, ...],
    rules: list[Rule],
    fall: Fallthrough,
    blocked: Outcome,
) -> Fast:
    """The fast evaluator of a listed, enabled flag (same answers as the reference ``run``)."""
    return _source(build, prerequisites, rules, fall, blocked).build()


def source_text(
    build: Builder,
    prerequisites: tuple[CompiledFlag, ...],
    rules: list[Rule],
    fall: Fallthrough,
    blocked: Outcome,
) -> str:
    """The generated body (for tests: it must not depend on the snapshot's values)."""
    return _source(build, prerequisites, rules, fall, blocked).text()


def _source(
    build: Builder,
    prerequisites: tuple[CompiledFlag, ...],
    rules: list[Rule],
    fall: Fallthrough,
    blocked: Outcome,
) -> _Source:
    out = _Source()
    for prerequisite in prerequisites:
        assert prerequisite.fast is not None  # a broken prerequisite fails compile_flag
        call = f"{out.call(prerequisite.fast)}(ctx, now).evaluation.variant"
        out.emit(0, f"if {call} == {out.bind(prerequisite.default_variant)}:")
        out.emit(1, f"return {out.bind(blocked)}")
    for _test, outcome, pairs, no_bucket, info in rules:
        out.emit(0, f"if {_condition(out, info['when'])}:")
        if outcome is not None:
            out.emit(1, f"return {out.bind(outcome)}")
        else:
            _split(out, build, 1, pairs, no_bucket)
    if fall.outcome is not None:
        out.emit(0, f"return {out.bind(fall.outcome)}")
    elif fall.starts is None:
        _split(out, build, 0, fall.pairs, fall.no_bucket)
    else:
        stages = out.bind(tuple(fall.by_stage))
        out.emit(0, f"pairs = {stages}[bisect({out.bind(fall.starts)}, now)]")
        _hash(out, build, 0, fall.no_bucket)
        out.emit(0, "for _, limit, outcome in pairs:")
        out.emit(1, "if h < limit:")
        out.emit(2, "return outcome")
    return out


def _hash(out: _Source, build: Builder, depth: int, no_bucket: Outcome) -> None:
    """Set ``h`` to the bucket value's hash, or return ``no_bucket`` when it has none."""
    attr, prefix, hash_of = out.bind(build.bucket_by), out.bind(build.key), build.rule.hash
    if build.rule.text_prefix:
        out.emit(depth, f"v = ctx.get({attr})")
        out.emit(depth, "if v.__class__ is str and v:")
        out.emit(depth + 1, f"h = murmur({prefix} + v, 0, False)")
        out.emit(depth, "else:")
        out.emit(depth + 1, f"h = {out.call(hash_of)}({prefix}, {attr}, v)")
        out.emit(depth + 1, "if h is None:")
        out.emit(depth + 2, f"return {out.bind(no_bucket)}")
        return
    out.emit(depth, f"h = {out.call(hash_of)}({prefix}, {attr}, ctx.get({attr}))")
    out.emit(depth, "if h is None:")
    out.emit(depth + 1, f"return {out.bind(no_bucket)}")


def _split(out: _Source, build: Builder, depth: int, pairs: Pairs, no_bucket: Outcome) -> None:
    _hash(out, build, depth, no_bucket)
    previous = -1
    for _, limit, outcome in pairs:
        if limit <= previous:
            continue  # a weight-0 variant: the comparison before it already took its hashes
        if limit >= 1 << 32:
            out.emit(depth, f"return {out.bind(outcome)}")
            return
        out.emit(depth, f"if h < {out.bind(limit)}:")
        out.emit(depth + 1, f"return {out.bind(outcome)}")
        previous = limit
    raise AssertionError("a split's last threshold covers every hash")


def _condition(out: _Source, raw: Mapping[str, Any]) -> str:
    """A Python expression equal to the reference test of ``raw`` (already validated)."""
    if "attr" in raw:
        return _attribute(out, raw)
    if len(raw) == 1 and "not" in raw:
        return f"not ({_condition(out, raw['not'])})"
    if set(raw) == {"segment", "when"}:
        return _condition(out, raw["when"])
    if len(raw) == 1 and ("all" in raw or "any" in raw):
        items = raw.get("all", raw.get("any"))
        if not items:
            return "True" if "all" in raw else "False"
        joiner = " and " if "all" in raw else " or "
        return "(" + joiner.join(f"({_condition(out, item)})" for item in items) + ")"
    return _reference(out, raw)


def _reference(out: _Source, raw: Mapping[str, Any]) -> str:
    test, _ = compile_condition(raw)
    return f"{out.call(test)}(ctx, now, None)"


def _attribute(out: _Source, raw: Mapping[str, Any]) -> str:
    attr, op = out.bind(raw["attr"]), raw["op"]
    get = f"(v := ctx.get({attr}))"
    is_str = f"({get}.__class__ is str or isinstance(v, str))"
    if op in _STRING_TESTS:
        return f"({is_str} and {_STRING_TESTS[op].format(out.bind(raw['value']))})"
    if op in ("eq", "ne") and isinstance(raw["value"], str):
        expected = out.bind(raw["value"])
        if op == "eq":
            return f"({is_str} and v == {expected})"
        return f"({get} is not None and v != {expected})"
    if op in ("in", "not_in"):
        members = Membership(raw["values"])
        if op == "not_in":
            return f"({get} is not None and v not in {out.bind(members)})"
        strings = out.bind(members.strings)
        return f"(v in {strings} if {get}.__class__ is str else v is not None and v in " + (
            f"{out.bind(members)})"
        )
    if op in _COMPARISONS:
        bound = out.bind(raw["value"])
        number = f"((c := {get}.__class__) is int or c is float or isnum(v))"
        return f"({number} and v {_COMPARISONS[op]} {bound})"
    if op in _VERSION_COMPARISONS:
        semver_compare(op, raw["value"])  # the reference's check of the operand
        target = out.bind(semver.parse(raw["value"]))
        cached = f"(sv := cache_get(v) if {get}.__class__ is str else None)"
        known = f"({cached} is not None or (sv := key_of(v)) is not None)"
        return f"({known} and sv {_VERSION_COMPARISONS[op]} {target})"
    return _reference(out, raw)
