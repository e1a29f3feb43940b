"""What a formatter returns: pieces of text for stdout or stderr, in the order they are printed.

Data goes to stdout, what a person reads alongside it (problems, notes, summaries a script
would not parse) to stderr, so ``flagwright render --check > drift.txt`` keeps only the drift.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Line:
    text: str  # printed as is: ends with "\n" unless it is empty
    err: bool = False


def out(text: str) -> Line:
    return Line(text)


def err(text: str) -> Line:
    return Line(text, err=True)
