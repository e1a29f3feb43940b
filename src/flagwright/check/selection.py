"""Checks of the apps' ``flags:`` selections: patterns that select nothing, flags nobody gets.

An entry without glob characters (``*``, ``?``, ``[``) is a flag key written out, so one that
names no flag is a reference to a flag that does not exist (an error, as in ``requires``); a glob
that selects nothing may be waiting for flags yet to come, so it is a warning. A flag that no app
selects, directly or as a prerequisite of one it selects, is in no ConfigMap: no service can
read it, which is worth a warning.
"""

from __future__ import annotations

import re
from fnmatch import translate

from flagwright.check.suggest import did_you_mean
from flagwright.codes import Code
from flagwright.diagnostics import Findings
from flagwright.load.index import ConfigIndex

_GLOB_CHARS = frozenset("*?[")


def is_literal(pattern: str) -> bool:
    return not _GLOB_CHARS & set(pattern)


def check_selections(index: ConfigIndex, findings: Findings) -> None:
    for app_doc in index.apps.values():
        for i, pattern in enumerate(app_doc.model.flags):
            if is_literal(pattern):
                if index.is_unknown("Flag", pattern):
                    findings.add(
                        app_doc.source, ("flags", i), Code.UNKNOWN_FLAG,
                        f"unknown flag {pattern!r} in the app's flags"
                        + did_you_mean(pattern, index.flags),
                    )  # fmt: skip
                continue
            # fnmatchcase's own regex, run over every key in C rather than one call per key.
            selects = re.compile(translate(pattern)).match
            if not any(map(selects, index.flags)):
                findings.add(
                    app_doc.source, ("flags", i), Code.UNUSED_PATTERN,
                    f"pattern {pattern!r} selects no flag",
                )  # fmt: skip
    _unselected_flags(index, findings)


def _unselected_flags(index: ConfigIndex, findings: Findings) -> None:
    # Before the first App exists nothing could select a flag, and with an App that failed to
    # load its patterns are unknown: either way a warning per flag would only be noise.
    # A Flag that failed to load may require others: theirs is unknown too.
    if not index.apps or any(kind in ("App", "Flag") for kind, _ in index.broken):
        return
    patterns = [p for app in index.apps.values() for p in app.model.flags]
    selects = re.compile("|".join(translate(p) for p in patterns)).match if patterns else None
    pending = [key for key in index.flags if selects is not None and selects(key)]
    reached: set[str] = set()
    while pending:
        key = pending.pop()
        if key in reached or key not in index.flags:
            continue
        reached.add(key)
        pending.extend(index.flags[key].model.requires)
    for key in sorted(index.flags.keys() - reached):
        located = index.flags[key]
        findings.add(
            located.source, ("key",), Code.UNSELECTED_FLAG,
            f"flag {key!r} is selected by no app's 'flags:' patterns (nor required by a flag "
            "that is), so no service receives it: add it to an App's flags, or remove it",
        )  # fmt: skip
