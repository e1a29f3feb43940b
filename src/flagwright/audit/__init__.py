"""``flagwright log``: a flag's audit trail (:mod:`.flags`) and an app's deploy history
(:mod:`.apps`), from Git history. :func:`read_log` is the command's core; it never prints."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flagwright.audit.apps import DeployEntry, deploy_log, is_app
from flagwright.audit.flags import LogEntry, flag_log


@dataclass(frozen=True, slots=True)
class Log:
    name: str
    env: str | None
    flag: list[LogEntry] | None = None  # the name is a flag's
    deploys: list[DeployEntry] | None = None  # the name is an app's (and no flag's)


def read_log(root: Path, name: str, env: str | None = None) -> Log:
    """Newest first. A flag's key wins over an app of the same name."""
    if is_app(root, name):
        return Log(name, env, deploys=deploy_log(root, name, env))
    return Log(name, env, flag=flag_log(root, name, env))
