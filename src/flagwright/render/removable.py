"""Before a render swaps ``rendered/``: can the old tree be removed once it is swapped out?

The writer builds the new tree beside the old one, swaps the two and deletes the old one. A
folder of the old tree whose entries cannot be removed (read-only by its permissions, on a
read-only mount, immutable) would only fail that last step, after the swap: the render would
report success and leave a ``.rendered-…`` folder it cannot delete in the repository root. A
folder that is a mount point cannot be removed either (``EBUSY``), and ``rendered/`` itself
cannot be renamed then. So the writer asks here first and refuses with the path, before writing
anything.

``os.access`` answers for the process as it runs (root ignores permission bits, but not a
read-only mount); mount points are read from ``/proc/self/mountinfo`` where Linux has it, since
a bind mount of a folder of the same file system looks like any other folder to ``stat``.
"""

from __future__ import annotations

import os
from pathlib import Path

_MOUNTINFO = Path("/proc/self/mountinfo")


def unremovable(root: Path, folder: str) -> str | None:
    """Why the tree at ``root/folder`` could not be swapped out and deleted, naming the first
    folder in the way (repository-relative); None when nothing is in the way."""
    top = root / folder
    if not top.is_dir() or top.is_symlink():
        return None
    mounts = _mount_points()
    unreadable: list[OSError] = []
    # A link to a folder is an entry like a file: removed, never followed (os.walk's default).
    for current, dirs, names in os.walk(top, onerror=unreadable.append):
        if unreadable:
            break
        path = Path(current)
        dirs.sort()
        shown = path.relative_to(root).as_posix()
        if (dirs or names) and not os.access(path, os.W_OK | os.X_OK, follow_symlinks=False):
            return f"{shown} is read-only"
        if os.path.realpath(path) in mounts:
            return f"{shown} is a mount point"
    if unreadable:
        where = unreadable[0].filename
        shown = Path(where).relative_to(root).as_posix() if where else folder
        return f"{shown} cannot be read"
    return None


def _mount_points() -> frozenset[str]:
    try:
        lines = _MOUNTINFO.read_text(encoding="utf-8", errors="surrogateescape").splitlines()
    except OSError:
        return frozenset()
    points = set()
    for line in lines:
        fields = line.split(" ")
        if len(fields) > 4:
            points.add(_unescape(fields[4]))
    return frozenset(points)


def _unescape(field: str) -> str:
    """mountinfo writes space, tab, newline and backslash as octal escapes (``\\040``)."""
    if "\\" not in field:
        return field
    out = []
    i = 0
    while i < len(field):
        if field[i] == "\\" and i + 3 < len(field) and field[i + 1 : i + 4].isdigit():
            out.append(chr(int(field[i + 1 : i + 4], 8)))
            i += 4
        else:
            out.append(field[i])
            i += 1
    return "".join(out)
