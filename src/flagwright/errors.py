"""Errors a user can fix (exit 1), and the status a command's result carries. Anything else
escaping a command is a bug (exit 3)."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flagwright.diagnostics import Diagnostic


class UserError(Exception):
    """A problem with the input or the environment that the user must fix.

    ``diagnostics``: the problems at file:line:col behind it, printed before the message.
    """

    diagnostics: Sequence[Diagnostic] = ()


class GitError(UserError):
    """A Git revision or repository that cannot be used."""


class RenderError(UserError):
    """Rendering cannot proceed (the configuration has errors, or output is invalid)."""


class InternalError(Exception):
    """flagwright contradicts itself: a bug to report (exit 3), never the user's input.

    For example the compiler refusing a configuration the checks passed: the checks are what make
    the compiled form well defined, so the two disagreeing is flagwright's fault.
    """


class Status(enum.Enum):
    """What a command's result means for its exit status; ``cli/main.py`` maps it to a number.

    ``FAILED``: the command ran and found what the user must fix (an invalid configuration,
    drift, a policy violation, a gate that could not be read). A command that cannot run at
    all raises :class:`UserError` instead.
    """

    OK = "ok"
    FAILED = "failed"

    @classmethod
    def of(cls, ok: bool) -> Status:
        return cls.OK if ok else cls.FAILED
