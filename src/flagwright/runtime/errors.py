"""What goes wrong: the exception of a bad bundle or flag, and the log that reports problems once.

One module for both because ``Client`` needs both at import time, and every module imported
then costs a file lookup and a load (the runtime's import budget is a couple of milliseconds).
"""

# Imported with the runtime: no `from __future__ import annotations` (loading __future__ is a
# module load at start-up); annotations naming what only type checking imports are quoted.

LOGGER_NAME = "flagwright.runtime"
# Problem texts can carry caller input (unknown flag names), so the memory is bounded.
_LIMIT = 1000


class SnapshotError(ValueError):
    """A bundle (or one flag in it) does not follow FORMAT.md; the message says why."""


class ProblemLog:
    """Logs each distinct problem once, however many evaluations run into it."""

    __slots__ = ("_seen",)

    def __init__(self) -> None:
        self._seen: set[str] = set()

    def report(self, message: str, level: int = 30) -> None:
        """Log ``message`` at ``level`` (default WARNING) unless it was logged before."""
        seen = self._seen
        if message in seen:
            return
        if len(seen) >= _LIMIT:
            message, level = "too many distinct problems; further ones are not logged", 30
            if message in seen:
                return
        seen.add(message)
        import logging  # only once there is something to say: keeps the import fast

        logging.getLogger(LOGGER_NAME).log(level, "%s", message)


def describe_failure(flag: str, exc: Exception) -> str:
    """What to log when evaluating ``flag`` raised ``exc``."""
    if isinstance(exc, SnapshotError):
        return str(exc)
    return f"flag {flag!r} failed: {type(exc).__name__}: {exc}"
