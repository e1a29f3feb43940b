"""What a formatter returns: pieces of text for stdout or stderr, in the order they are printed.

Data goes to stdout, what a person reads alongside it (problems, notes, summaries a script
would not parse) to stderr, so ``flagwright render --check > drift.txt`` keeps only the drift.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Line:
    text: str  # printed as is: ends with "\n" unless it is empty
    err: bool = False


def out(text: str) -> Line:
    return Line(text)


def err(text: str) -> Line:
    return Line(text, err=True)


class FileChanges(Protocol):
    @property
    def added(self) -> Sequence[str]: ...
    @property
    def changed(self) -> Sequence[str]: ...
    @property
    def removed(self) -> Sequence[str]: ...


def per_file(changes: FileChanges, form: str) -> list[Line]:
    """A stdout line per added, changed and removed file: ``form`` with ``{path}`` and
    ``{label}`` filled in, in that order of labels."""
    labelled = (("added", changes.added), ("changed", changes.changed),
                ("removed", changes.removed))  # fmt: skip
    return [out(form.format(path=path, label=label)) for label, paths in labelled for path in paths]
