"""A construct an export format cannot express exactly, named by flag and construct."""

from __future__ import annotations

from dataclasses import dataclass

from flagwright.errors import RenderError


@dataclass(frozen=True, order=True, slots=True)
class Unsupported:
    """One flag left out of an export, and why (sorted by flag, so reports are stable)."""

    flag: str
    construct: str
    reason: str

    def __str__(self) -> str:
        return f"flag {self.flag!r}: {self.construct}: {self.reason}"


class Inexpressible(Exception):
    """Raised while translating one flag; the exporter turns it into an ``Unsupported``."""

    def __init__(self, construct: str, reason: str) -> None:
        super().__init__(f"{construct}: {reason}")
        self.construct = construct
        self.reason = reason

    def within(self, outer: str) -> Inexpressible:
        """The same problem, its construct prefixed by where it sits (``rule 'x' → ...``)."""
        return Inexpressible(f"{outer} → {self.construct}", self.reason)


class ExportError(RenderError):
    """An export was asked to be complete and some flags cannot be expressed."""

    def __init__(self, target: str, problems: list[Unsupported]) -> None:
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{len(problems)} flag(s) cannot be expressed in {target}:\n{lines}")
        self.problems = problems
