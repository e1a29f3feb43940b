"""Which ``matches`` patterns are allowed: those Python's backtracking engine runs in linear time.

Services evaluate ``matches`` on the request path, so a pattern must not be able to backtrack
exponentially (``^(a+)+$`` against ``aaaa…!``) or polynomially beyond one pass per start
position. ``problem(pattern)`` returns why a pattern is refused, or None. It refuses:

* backreferences, lookahead and lookbehind, and conditional groups (``(?(1)…)``);
* a quantifier inside a repeated group (nested quantifiers: ``(a+)+``, ``(a|b?)*``);
* alternatives under a repetition that can start with the same character, or be empty
  (``(a|ab)*``, ``(\\w|\\d)+``);
* two repetitions that can match the same text one after the other, with nothing in between
  that only one of them could match (``\\d+\\d+``, ``.*x.*``, ``\\w+@\\w+`` is fine only
  because ``@`` is not in ``\\w``);
* likewise an optional part (``?``) or a choice of alternatives that can start with the same
  character, after a repetition, optional part or such choice it overlaps (``a?a?aa``,
  ``(a|aa)(a|aa)``, ``\\w+s?``): each multiplies the ways to match.

It also refuses patterns longer than ``MAX_PATTERN_LENGTH`` characters. Character sets are
compared conservatively (``\\d``, ``\\w`` and ``\\s`` are taken to include
every non-ASCII character), so a refusal can be stricter than necessary but never misses a case
of the kinds above. On top of that the runtime matches only the first ``MAX_MATCH_LENGTH``
characters' worth: a longer attribute value makes the condition false, so even the quadratic
cost of trying every start position stays small.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TypeAlias

    Ranges: TypeAlias = list[tuple[int, int]]

MAX_MATCH_LENGTH = 256  # characters; a longer value never matches
# The rules below are a conservative check, not a proof: a long pattern could still chain
# choices that each pass it, so the pattern's own length is bounded too.
MAX_PATTERN_LENGTH = 200
_TOP = 0x10FFFF
_ASCII_DIGIT: Ranges = [(48, 57)]
_ASCII_WORD: Ranges = [(48, 57), (65, 90), (95, 95), (97, 122)]
_ASCII_SPACE: Ranges = [(9, 13), (28, 32)]
_NON_ASCII: Ranges = [(128, _TOP)]


_AMBIGUOUS = (
    "alternatives inside a repeated group can start with the same character or match nothing, "
    "so the group can match the same text in more than one way: that takes exponential time"
)


_SEQUENCE = (
    "two repetitions can match the same text one after the other, which takes super-linear "
    "time; put something only one of them can match in between"
)
_CHOICE = (
    "an optional part or a choice of alternatives that can match the same text as a repetition, "
    "optional part or choice before it multiplies the ways to match, which takes exponential "
    "time; put something only one of them can match in between"
)


class Refused(Exception):
    """A pattern is not allowed; ``construct`` is True for constructs refused whatever the input."""

    def __init__(self, message: str, construct: bool = False) -> None:
        super().__init__(message)
        self.construct = construct


def problem(pattern: str) -> Refused | None:
    """Why ``pattern`` is refused, or None if it is allowed (it must compile)."""
    import re
    from re import _constants, _parser  # type: ignore[attr-defined]

    try:
        parsed = _parser.parse(pattern)
    except re.error:
        return None  # not a pattern at all: the caller reports that
    if len(pattern) > MAX_PATTERN_LENGTH:
        return Refused(f"it is longer than {MAX_PATTERN_LENGTH} characters")
    walker = _Walker(_constants)
    try:
        walker.sequence(parsed.data, [], bool(parsed.state.flags & _constants.SRE_FLAG_IGNORECASE))
    except Refused as refused:
        return refused
    return None


def _union(*sets: Ranges) -> Ranges:
    merged: Ranges = []
    for lo, hi in sorted(r for s in sets for r in s):
        if merged and lo <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    return merged


def _complement(ranges: Ranges) -> Ranges:
    result: Ranges = []
    start = 0
    for lo, hi in _union(ranges):
        if lo > start:
            result.append((start, lo - 1))
        start = hi + 1
    if start <= _TOP:
        result.append((start, _TOP))
    return result


def _overlap(left: Ranges, right: Ranges) -> bool:
    return any(a <= d and c <= b for a, b in left for c, d in right)


def _fold(ranges: Ranges) -> Ranges:
    """Add what case-insensitive matching may also accept (both ASCII cases, all non-ASCII)."""
    if not ranges:
        return ranges
    swapped = []
    for lo, hi in ranges:
        for a, b, shift in ((65, 90, 32), (97, 122, -32)):
            if lo <= b and a <= hi:
                swapped.append((max(lo, a) + shift, min(hi, b) + shift))
    return _union(ranges, swapped, _NON_ASCII)


class _Walker:
    def __init__(self, c: Any) -> None:
        self.c = c
        self.repeats = {c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", c.MAX_REPEAT)}
        self.categories: dict[Any, Ranges] = {
            c.CATEGORY_DIGIT: _union(_ASCII_DIGIT, _NON_ASCII),
            c.CATEGORY_NOT_DIGIT: _complement(_ASCII_DIGIT),
            c.CATEGORY_WORD: _union(_ASCII_WORD, _NON_ASCII),
            c.CATEGORY_NOT_WORD: _complement(_ASCII_WORD),
            c.CATEGORY_SPACE: _union(_ASCII_SPACE, _NON_ASCII),
            c.CATEGORY_NOT_SPACE: _complement([(9, 13), (32, 32)]),
        }

    def group_fold(self, av: Any, fold: bool) -> bool:
        """Whether a group ``(?i:…)``/``(?-i:…)`` matches case-insensitively."""
        _group, add, remove, _items = av
        ignorecase = self.c.SRE_FLAG_IGNORECASE
        return (fold or bool(add & ignorecase)) and not remove & ignorecase

    def refuse_construct(self, op: Any) -> None:
        c = self.c
        if op in (c.GROUPREF, c.GROUPREF_EXISTS, getattr(c, "GROUPREF_IGNORE", c.GROUPREF)):
            raise Refused("backreferences are not allowed", construct=True)
        if op in (c.ASSERT, c.ASSERT_NOT):
            raise Refused("lookahead and lookbehind are not allowed", construct=True)

    def chars(self, op: Any, av: Any, fold: bool) -> Ranges | None:
        """The characters a one-character item matches, or None for other items."""
        c = self.c
        found: Ranges
        if op is c.LITERAL:
            found = [(av, av)]
        elif op is c.NOT_LITERAL:
            found = _complement([(av, av)])
        elif op is c.ANY:
            found = [(0, _TOP)]
        elif op is c.IN:
            parts: list[Ranges] = []
            negate = False
            for kind, value in av:
                if kind is c.NEGATE:
                    negate = True
                elif kind is c.LITERAL:
                    parts.append([(value, value)])
                elif kind is c.RANGE:
                    parts.append([value])
                elif kind is c.CATEGORY:
                    parts.append(self.categories.get(value, [(0, _TOP)]))
                else:
                    parts.append([(0, _TOP)])
            found = _union(*parts)
            if negate:
                found = _complement(found) if not fold else [(0, _TOP)]
        else:
            return None
        return _fold(found) if fold else found

    def sequence(self, items: Any, live: list[Ranges], fold: bool) -> list[Ranges]:
        """Walk items in order; ``live`` holds the character sets of repetitions that can still
        give back text to what follows. Returns the live sets after the items."""
        c = self.c
        for op, av in items:
            self.refuse_construct(op)
            single = self.chars(op, av, fold)
            if single is not None:
                live = [s for s in live if _overlap(s, single)]
            elif op is c.AT:
                continue
            elif op is c.SUBPATTERN:
                live = self.sequence(av[3], live, self.group_fold(av, fold))
            elif op is getattr(c, "ATOMIC_GROUP", None):
                live = self.sequence(av, live, fold)
            elif op is c.BRANCH:
                after = [s for b in av[1] for s in self.sequence(b, list(live), fold)]
                if self.ambiguous(av[1], fold):
                    # Alternatives that can match the same text are a choice, like ``?``.
                    text = self.body_chars([(op, av)], fold)
                    self.refuse_overlap(live, text, _CHOICE)
                    after.append(text)
                live = after
            elif op in self.repeats:
                live = self.repeat(av, live, fold)
            else:
                raise Refused(f"unsupported construct {op}", construct=True)
        return live

    def repeat(self, av: Any, live: list[Ranges], fold: bool) -> list[Ranges]:
        low, high, sub = av
        if high <= 1:  # optional: a choice between skipping and matching once
            text = self.body_chars(sub, fold)
            self.refuse_overlap(live, text, _CHOICE)
            return [*live, *self.sequence(sub, list(live), fold), text]
        self.body(sub, fold)
        if low == high:  # a fixed count backtracks no more than the items written out
            return self.sequence(sub, live, fold)
        text = self.body_chars(sub, fold)
        self.refuse_overlap(live, text, _SEQUENCE)
        return [*live, text]

    def refuse_overlap(self, live: list[Ranges], text: Ranges, message: str) -> None:
        if any(_overlap(earlier, text) for earlier in live):
            raise Refused(message)

    def ambiguous(self, branches: Any, fold: bool) -> bool:
        """Whether two alternatives can start with the same character, or one can be empty."""
        firsts: list[Ranges] = []
        for branch in branches:
            first = self.first(branch, fold)
            if first is None or any(_overlap(first, seen) for seen in firsts):
                return True
            firsts.append(first)
        return False

    def body(self, items: Any, fold: bool) -> None:
        """A repeated body: no quantifier, alternatives that start differently and are not empty."""
        c = self.c
        for op, av in items:
            self.refuse_construct(op)
            if op in self.repeats:
                raise Refused("a quantifier inside a repeated group (nested quantifiers) "
                              "can take exponential time")  # fmt: skip
            if op is c.SUBPATTERN:
                self.body(av[3], self.group_fold(av, fold))
            elif op is getattr(c, "ATOMIC_GROUP", None):
                self.body(av, fold)
            elif op is c.BRANCH:
                if self.ambiguous(av[1], fold):
                    raise Refused(_AMBIGUOUS)
                for branch in av[1]:
                    self.body(branch, fold)

    def first(self, items: Any, fold: bool) -> Ranges | None:
        c = self.c
        for op, av in items:
            single = self.chars(op, av, fold)
            if single is not None:
                return single
            if op is c.SUBPATTERN:
                return self.first(av[3], fold)
            if op is c.BRANCH:
                found = [self.first(b, fold) for b in av[1]]
                if any(f is None for f in found):
                    return None
                return _union(*[f for f in found if f is not None])
            if op is not c.AT:
                return None
        return None

    def body_chars(self, items: Any, fold: bool) -> Ranges:
        c = self.c
        parts: list[Ranges] = []
        for op, av in items:
            single = self.chars(op, av, fold)
            if single is not None:
                parts.append(single)
            elif op is c.SUBPATTERN:
                parts.append(self.body_chars(av[3], fold))
            elif op is getattr(c, "ATOMIC_GROUP", None):
                parts.append(self.body_chars(av, fold))
            elif op is c.BRANCH:
                parts.extend(self.body_chars(b, fold) for b in av[1])
        return _union(*parts)
