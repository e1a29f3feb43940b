"""The optional compiled evaluator: a flag's specialisation as data for ``_accel`` (C).

``specialise.py`` turns a compiled flag into Python source; this module turns the same pieces
(prerequisites, rules, fallthrough, the bucketing rule) into a nested tuple, the *program*, that
the C type ``_accel.Flag`` checks once and then runs. Both follow one recipe, fragment for
fragment: what ``specialise`` writes as an inline expression is an opcode here, and what it
leaves to the reference closure (``matches``, times, schedules, ``eq`` on non-strings) is an
opcode that calls that same closure. Anything that raises in C raises to the caller, which then
takes the reference evaluator, as it does when the generated Python raises.

The extension is built when the package is installed with a C compiler. Without it, or with
``FLAGWRIGHT_PURE_PYTHON=1`` in the environment, ``ENGINE`` is None and flags run as generated
Python: the pure path stays the reference, and the tests run both on the same vectors.
"""

from __future__ import annotations

from .bucketing import HASH_SPACE
from .equality import Membership, is_number
from .evaluation import Evaluation
from .specialise import COMPARISONS, STRING_TESTS, inline_test, inlined, version_test

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from types import ModuleType
    from typing import Any

    from .build import Builder, Fallthrough, Outcome, Pairs
    from .flags import CompiledFlag, Fast, Rule


def _load() -> ModuleType | None:
    import os  # loaded at start-up already

    if os.environ.get("FLAGWRIGHT_PURE_PYTHON", "") not in ("", "0"):
        return None
    try:
        from . import _accel
    except ImportError:
        return None
    from .build import Outcome

    _accel.configure(Outcome)
    return _accel


ENGINE: ModuleType | None = _load()

# Opcodes of _accel.c (its enum, in the same order).
(TRUE, FALSE, STARTS, ENDS, CONTAINS, EQ, NE, IN, NOT_IN, CMP, SEMVER, NOT, ALL, ANY, CALL) = range(
    15
)
_STRING_OPS = dict(zip(STRING_TESTS, (STARTS, ENDS, CONTAINS), strict=True))
_RICH = {"<": 0, "<=": 1, ">": 4, ">=": 5}  # Py_LT, Py_LE, Py_GT, Py_GE
FALL_OUTCOME, FALL_SPLIT, FALL_STAGED = range(3)


def accelerate(
    build: Builder,
    prerequisites: tuple[CompiledFlag, ...],
    rules: list[Rule],
    fall: Fallthrough,
    blocked: Outcome,
) -> Fast | None:
    """The compiled evaluator of a flag ``specialise`` would specialise; None without one."""
    if ENGINE is None:
        return None
    flag: Fast = ENGINE.Flag(program(build, prerequisites, rules, fall, blocked))
    return flag


def program(
    build: Builder,
    prerequisites: tuple[CompiledFlag, ...],
    rules: list[Rule],
    fall: Fallthrough,
    blocked: Outcome,
) -> tuple[object, ...]:
    """``(prerequisites, rules, fallthrough, hash)`` in the order ``specialise.flow`` tests them."""
    prereqs = []
    for prerequisite in prerequisites:
        assert prerequisite.fast is not None  # a broken prerequisite fails compile_flag
        prereqs.append((prerequisite.fast, prerequisite.default_variant, blocked))
    steps = []
    for _test, outcome, pairs, no_bucket, info in rules:
        split = None if outcome is not None else _split(pairs, no_bucket)
        steps.append((condition(info["when"]), outcome, split))
    served: tuple[object, ...]
    if fall.outcome is not None:
        served = (FALL_OUTCOME, fall.outcome)
    elif fall.starts is None:
        served = (FALL_SPLIT, _split(fall.pairs, fall.no_bucket))
    else:
        stages = tuple(_split(pairs, fall.no_bucket) for pairs in fall.by_stage)
        served = (FALL_STAGED, tuple(fall.starts), stages, fall.no_bucket)
    hashing = (build.bucket_by, build.key, build.rule.hash, build.rule.text_prefix)
    return (tuple(prereqs), tuple(steps), served, hashing)


def _split(pairs: Pairs, no_bucket: Outcome) -> tuple[object, ...]:
    """The first outcome whose threshold is above the hash (the last covers every hash)."""
    limits = tuple(min(limit, HASH_SPACE) for _, limit, _ in pairs)
    return (limits, tuple(outcome for _, _, outcome in pairs), no_bucket)


def condition(raw: Mapping[str, Any]) -> tuple[object, ...]:
    """The opcode tree of a condition (already validated), as ``specialise._condition``."""
    kind, body = inlined(raw)
    if kind == "attr":
        return _attribute(body)
    if kind == "not":
        return (NOT, condition(body))
    if kind in ("all", "any"):
        if not body:
            return (TRUE,) if kind == "all" else (FALSE,)
        return (ALL if kind == "all" else ANY, tuple(condition(item) for item in body))
    return _reference(body)


def _reference(raw: Mapping[str, Any]) -> tuple[object, ...]:
    from .conditions import compile_condition

    test, _ = compile_condition(raw)
    return (CALL, test)


def _attribute(raw: Mapping[str, Any]) -> tuple[object, ...]:
    test, op, attr = inline_test(raw), raw["op"], raw["attr"]
    if test == "string":
        return (_STRING_OPS[op], attr, raw["value"])
    if test in ("eq", "ne"):
        return (EQ if test == "eq" else NE, attr, raw["value"])
    if test == "not_in":
        return (NOT_IN, attr, Membership(raw["values"]))
    if test == "in":
        members = Membership(raw["values"])
        return (IN, attr, members.strings, members)
    if test == "compare":
        return (CMP, attr, _RICH[COMPARISONS[op]], raw["value"], is_number)
    if test == "version":
        from .conditions import semver_compare

        known, decide = version_test(semver_compare(op, raw["value"]))
        return (SEMVER, attr, known.__self__, decide)  # type: ignore[attr-defined]
    return _reference(raw)


def accelerate_group(
    flags: Sequence[tuple[str, CompiledFlag | Evaluation]], whole: bool = False
) -> Callable[..., Any] | None:
    """``specialise_group`` in C when every varying flag runs in C; None otherwise."""
    if ENGINE is None:
        return None
    entries: list[tuple[str, Any, Evaluation | None]] = []
    for name, item in flags:
        if isinstance(item, Evaluation):
            entries.append((name, None, item))
        elif isinstance(item.fast, ENGINE.Flag):
            entries.append((name, item.fast, None))
        else:
            return None
    group: Callable[..., Any] = ENGINE.Group(tuple(entries), whole)
    return group
