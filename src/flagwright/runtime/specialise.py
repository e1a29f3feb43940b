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
    from collections.abc import Callable, Mapping
    from typing import Any, TypeAlias

    from .build import Builder, Fallthrough, Outcome, Pairs
    from .flags import CompiledFlag, Fast, Rule

    Spec: TypeAlias = tuple[Builder, tuple[CompiledFlag, ...], list[Rule], Fallthrough, Outcome]


_HELPERS: dict[str, object] = {
    "__builtins__": {},
    "str": str,
    "int": int,
    "float": float,
    "isinstance": isinstance,
    "isnum": is_number,
    "murmur": _murmur3,
    "bisect": bisect_right,
}
_GLOBALS: dict[str, object] = dict(_HELPERS)  # shared by every generated function
_CODES: dict[str, CodeType] = {}
_FACTORY_LIMIT = 4096
_VERSIONS_LIMIT = 4096  # version strings remembered per condition
STRING_TESTS = {
    "starts_with": "v.startswith({0})",
    "ends_with": "v.endswith({0})",
    "contains": "{0} in v",
}
COMPARISONS = {"lt": "<", "le": "<=", "gt": ">", "ge": ">="}
VERSION_COMPARISONS = {f"semver_{op}": sign for op, sign in [("eq", "=="), *COMPARISONS.items()]}


def fixed_fast(outcome: Outcome) -> Fast:
    """The fast path of a flag that always serves ``outcome`` (unlisted or disabled)."""

    def fixed(ctx: Mapping[str, Any], now: Any) -> Outcome:
        return outcome

    return fixed


class Source:
    """Generated lines plus the values their placeholders stand for.

    A value appears in the source as the string literal ``"k<N>"`` (the fragments here hold no
    other string literals) and is put in place of that constant in a copy of the compiled code
    object: the function then loads it as a constant, the cheapest load there is, and two flags
    of one shape share one compilation.

    ``read(attr)`` is the expression of a context attribute's value and ``leaf(depth, expr)``
    ends a path with the outcome ``expr``: for one flag, ``ctx.get`` and ``return``; for a
    group of flags (``specialise_group``), a local read once for the group and an assignment.
    """

    returns = True  # ``leaf`` ends the function (False: it only sets the outcome)

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

    def read(self, attr: str) -> str:
        return f"ctx.get({self.bind(attr)})"

    def leaf(self, depth: int, expr: str) -> None:
        self.emit(depth, f"return {expr}")

    def attribute(self, raw: Mapping[str, Any]) -> str:
        return _attribute(self, raw)

    def build(self, signature: str = "ctx, now") -> Fast:
        text = "\n".join([f"def fast({signature}):", *self.lines]) + "\n"
        code = _CODES.get(text)
        if code is None:
            namespace: dict[str, Any] = dict(_HELPERS)
            exec(compile(text, "<flagwright specialised flag>", "exec"), namespace)
            code = namespace["fast"].__code__
            if len(_CODES) >= _FACTORY_LIMIT:
                _CODES.clear()
            _CODES[text] = code
        values = self.values

        def value(c: object) -> object:
            if type(c) is str and c[:1] == "k" and c[1:].isdigit():
                return values[int(c[1:])]
            if type(c) is tuple and c and all(type(x) is str and x[:1] == "k" for x in c):
                return tuple(map(value, c))  # the keys of a dict display, folded into one tuple
            return c

        consts = tuple(value(c) for c in code.co_consts)
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
    out = Source()
    flow(out, 0, build, prerequisites, rules, fall, blocked)
    return out.build()


def source_text(
    build: Builder,
    prerequisites: tuple[CompiledFlag, ...],
    rules: list[Rule],
    fall: Fallthrough,
    blocked: Outcome,
) -> str:
    """The generated body (for tests: it must not depend on the snapshot's values)."""
    out = Source()
    flow(out, 0, build, prerequisites, rules, fall, blocked)
    return out.text()


def flow(
    out: Source,
    depth: int,
    build: Builder,
    prerequisites: tuple[CompiledFlag, ...],
    rules: list[Rule],
    fall: Fallthrough,
    blocked: Outcome,
) -> None:
    """One flag as an if/elif chain: prerequisites, then rules in order, then the fallthrough."""
    keyword = "if"
    for prerequisite in prerequisites:
        assert prerequisite.fast is not None  # a broken prerequisite fails compile_flag
        call = f"{out.call(prerequisite.fast)}(ctx, now).evaluation.variant"
        out.emit(depth, f"{keyword} {call} == {out.bind(prerequisite.default_variant)}:")
        out.leaf(depth + 1, out.bind(blocked))
        keyword = "elif"
    for _test, outcome, pairs, no_bucket, info in rules:
        out.emit(depth, f"{keyword} {_condition(out, info['when'])}:")
        if outcome is not None:
            out.leaf(depth + 1, out.bind(outcome))
        else:
            _split(out, build, depth + 1, pairs, no_bucket)
        keyword = "elif"
    if keyword == "elif":
        out.emit(depth, "else:")
        depth += 1
    if fall.outcome is not None:
        out.leaf(depth, out.bind(fall.outcome))
    elif fall.starts is None:
        _split(out, build, depth, fall.pairs, fall.no_bucket)
    else:
        stages = out.bind(tuple(fall.by_stage))
        out.emit(depth, f"pairs = {stages}[bisect({out.bind(fall.starts)}, now)]")
        if not _hash(out, build, depth, fall.no_bucket):
            out.emit(depth, "if h is None:")
            out.leaf(depth + 1, out.bind(fall.no_bucket))
            out.emit(depth, "else:")
            depth += 1
        out.emit(depth, "for _, limit, o in pairs:")
        out.emit(depth + 1, "if h < limit:")
        out.emit(depth + 2, "break")
        out.leaf(depth, "o")


def _hash(out: Source, build: Builder, depth: int, no_bucket: Outcome) -> bool:
    """Set ``h`` to the bucket value's hash, None when the value has no bucket.

    Returning flows return ``no_bucket`` right there, off the common path (True); a group's
    flow cannot, and its caller tests ``h is None`` first (False).
    """
    attr, prefix, hash_of = out.bind(build.bucket_by), out.bind(build.key), build.rule.hash
    if build.rule.text_prefix:
        out.emit(depth, f"v = {out.read(build.bucket_by)}")
        out.emit(depth, "if v.__class__ is str and v:")
        # mmh3 5.x crashes on a str with a lone surrogate, so a value that might hold one goes
        # as UTF-8, which raises (the long way answers ERROR). ASCII cannot hold one, and a flag
        # key never does: a snapshot with one does not verify.
        out.emit(depth + 1, "if v.isascii():")
        out.emit(depth + 2, f"h = murmur({prefix} + v, 0, False)")
        out.emit(depth + 1, "else:")
        out.emit(depth + 2, f"h = murmur(({prefix} + v).encode(), 0, False)")
        out.emit(depth, "else:")
        out.emit(depth + 1, f"h = {out.call(hash_of)}({prefix}, {attr}, v)")
        if out.returns:
            out.emit(depth + 1, "if h is None:")
            out.leaf(depth + 2, out.bind(no_bucket))
    else:
        read = out.read(build.bucket_by)
        out.emit(depth, f"h = {out.call(hash_of)}({prefix}, {attr}, {read})")
        if out.returns:
            out.emit(depth, "if h is None:")
            out.leaf(depth + 1, out.bind(no_bucket))
    return out.returns


def _split(out: Source, build: Builder, depth: int, pairs: Pairs, no_bucket: Outcome) -> None:
    keyword = "if"
    if not _hash(out, build, depth, no_bucket):
        out.emit(depth, "if h is None:")
        out.leaf(depth + 1, out.bind(no_bucket))
        keyword = "elif"
    previous = -1
    for _, limit, outcome in pairs:
        if limit <= previous:
            continue  # a weight-0 variant: the comparison before it already took its hashes
        if limit >= 1 << 32:
            if keyword == "if":  # every hash: no comparison at all
                out.leaf(depth, out.bind(outcome))
            else:
                out.emit(depth, "else:")
                out.leaf(depth + 1, out.bind(outcome))
            return
        out.emit(depth, f"{keyword} h < {out.bind(limit)}:")
        out.leaf(depth + 1, out.bind(outcome))
        keyword = "elif"
        previous = limit
    raise AssertionError("a split's last threshold covers every hash")


def inlined(raw: Mapping[str, Any]) -> tuple[str, Any]:
    """How a fast path takes a condition (already validated): ``("attr", raw)``, ``("not",
    inner)``, ``("all" | "any", items)``, a segment as its condition, or ``("reference", raw)``:
    the reference closure's test. The one decision both fast paths (this module's generated
    Python and ``accel``'s programs) follow."""
    while set(raw) == {"segment", "when"}:
        raw = raw["when"]
    if "attr" in raw:
        return "attr", raw
    if len(raw) == 1 and ("not" in raw or "all" in raw or "any" in raw):
        ((kind, body),) = raw.items()
        return kind, body
    return "reference", raw


def inline_test(raw: Mapping[str, Any]) -> str:
    """Which inline test an attribute condition gets: ``"string"`` (``STRING_TESTS``),
    ``"eq"``/``"ne"`` (against a string), ``"in"``, ``"not_in"``, ``"compare"``
    (``COMPARISONS``), ``"version"`` (``VERSION_COMPARISONS``) or ``"reference"``."""
    op = raw["op"]
    if op in STRING_TESTS:
        return "string"
    if op in ("eq", "ne"):
        return op if isinstance(raw["value"], str) else "reference"
    if op in ("in", "not_in"):
        return str(op)
    if op in COMPARISONS:
        return "compare"
    return "version" if op in VERSION_COMPARISONS else "reference"


def _condition(out: Source, raw: Mapping[str, Any]) -> str:
    """A Python expression equal to the reference test of ``raw`` (already validated)."""
    kind, body = inlined(raw)
    if kind == "attr":
        return out.attribute(body)
    if kind == "not":
        return f"not ({_condition(out, body)})"
    if kind in ("all", "any"):
        if not body:
            return "True" if kind == "all" else "False"
        joiner = f" {'and' if kind == 'all' else 'or'} "
        return "(" + joiner.join(f"({_condition(out, item)})" for item in body) + ")"
    return _reference(out, body)


def _reference(out: Source, raw: Mapping[str, Any]) -> str:
    test, _ = compile_condition(raw)
    return f"{out.call(test)}(ctx, now, None)"


def _attribute(out: Source, raw: Mapping[str, Any]) -> str:
    test, op = inline_test(raw), raw["op"]
    get = f"(v := {out.read(raw['attr'])})"
    is_str = f"({get}.__class__ is str or isinstance(v, str))"
    if test == "string":
        return f"({is_str} and {STRING_TESTS[op].format(out.bind(raw['value']))})"
    if test == "eq":
        return f"({is_str} and v == {out.bind(raw['value'])})"
    if test == "ne":
        return f"({get} is not None and v != {out.bind(raw['value'])})"
    if test == "not_in":
        return f"({get} is not None and v not in {out.bind(Membership(raw['values']))})"
    if test == "in":
        members = Membership(raw["values"])
        strings = out.bind(members.strings)
        return f"(v in {strings} if {get}.__class__ is str else v is not None and v in " + (
            f"{out.bind(members)})"
        )
    if test == "compare":
        bound = out.bind(raw["value"])
        number = f"((c := {get}.__class__) is int or c is float or isnum(v))"
        return f"({number} and v {COMPARISONS[op]} {bound})"
    if test == "version":
        known, decide = version_test(semver_compare(op, raw["value"]))
        cached = f"(r := {out.call(known)}(v) if {get}.__class__ is str else None)"
        return f"(r if {cached} is not None else {out.call(decide)}(v))"
    return _reference(out, raw)


def version_test(
    compare: Callable[[tuple[object, ...]], bool],
) -> tuple[Callable[[str], bool | None], Callable[[object], bool]]:
    """``known(text)``: the remembered answer for a version string (None: not seen), and
    ``decide(value)``: the reference's answer (parse, then compare), remembered for strings.

    A context's version takes one dict lookup instead of a lookup and a tuple comparison."""
    answers: dict[str, bool] = {}

    def decide(value: object) -> bool:
        key = semver.key_of(value)
        answer = key is not None and compare(key)
        if type(value) is str:
            if len(answers) >= _VERSIONS_LIMIT:
                answers.clear()
            answers[value] = answer
        return answer

    return answers.get, decide
