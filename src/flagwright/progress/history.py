"""When a rollout entered its current stage, read from Git: the only state ``progress`` has.

The stage was entered by the oldest commit of the unbroken run, back from HEAD along the first
parent, in which the entry's rollout was as it is now (same plan, variant and stage, enabled).
Its committer time is when the change reached the branch. A stage that is not committed yet (the
work tree differs from HEAD) has not started its hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from flagwright.gitio.repo import GitRepo
from flagwright.load.repository import flag_in_text
from flagwright.model import EnvEntry

StageKey = tuple[bool, str, str, int | None]


@dataclass(frozen=True, slots=True)
class Entered:
    commit: str | None  # None: the current stage is not committed
    at: datetime | None


def stage_key(entry: EnvEntry | None) -> StageKey | None:
    if entry is None or entry.rollout is None:
        return None
    rollout = entry.rollout
    return (entry.enabled, rollout.plan, rollout.variant, rollout.stage)


def stage_entered(git: GitRepo, rel: str, key: str, env: str, current: StageKey) -> Entered:
    head = git.head()
    entered: tuple[str, int] | None = None
    for sha, when in git.landed(head, [rel]):
        raw = git.read_file(sha, rel)
        if raw is None or stage_key(_entry(raw, rel, key, env)) != current:
            break
        entered = (sha, when)
    if entered is None:
        return Entered(None, None)
    return Entered(entered[0], datetime.fromtimestamp(entered[1], UTC))


def _entry(raw: bytes, rel: str, key: str, env: str) -> EnvEntry | None:
    flag = flag_in_text(rel, raw, key)
    return None if flag is None else flag.environments.get(env)
