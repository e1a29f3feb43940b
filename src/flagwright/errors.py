"""Errors a user can fix (exit 1). Anything else escaping a command is a bug (exit 3)."""

from __future__ import annotations


class UserError(Exception):
    """A problem with the input or the environment that the user must fix."""


class GitError(UserError):
    """A Git revision or repository that cannot be used."""


class RenderError(UserError):
    """Rendering cannot proceed (the configuration has errors, or output is invalid)."""


class InternalError(Exception):
    """flagwright contradicts itself: a bug to report (exit 3), never the user's input.

    For example the compiler refusing a configuration the checks passed: the checks are what make
    the compiled form well defined, so the two disagreeing is flagwright's fault.
    """
