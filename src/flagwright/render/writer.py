"""Replace ``rendered/`` in one step, so a failure at any point leaves the old tree as it was.

The new tree is built in a temporary folder next to ``rendered/`` (same file system): unchanged
files are hard links to the old ones (so their contents and mtimes stay exactly as they were),
new and changed files are written, files no longer produced are simply not carried over. Then the
two folders are swapped with one ``renameat2(RENAME_EXCHANGE)`` where Linux offers it (two
renames otherwise) and the old tree is deleted. Only paths inside ``rendered/`` are ever touched.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from flagwright.errors import RenderError
from flagwright.render.context import RENDERED
from flagwright.render.removable import unremovable


@dataclass(slots=True)
class Changes:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def clean(self) -> bool:
        return not (self.added or self.changed or self.removed)


def existing_files(root: Path, scope: str) -> dict[str, Path]:
    """Every entry now under ``scope`` that is not a folder, by repository-relative path.

    Files tracked by Git or not, and also symlinks (to folders too: they are listed, never
    followed, so nothing outside ``rendered/`` is read), fifos and the like; rendering never
    produces those, so they always show as drift and a write drops them.
    """
    parts = Path(scope).parts
    for depth in range(1, len(parts) + 1):
        prefix = "/".join(parts[:depth])
        entry = root / prefix
        if entry.is_symlink() or (entry.exists() and not entry.is_dir()):
            return {prefix: entry}
        if not entry.exists():
            return {}
    return {path: Path(full) for path, full in _entries(root, scope).items()}


def _entries(root: Path, scope: str) -> dict[str, str]:
    """What :func:`existing_files` lists under an existing folder ``scope``, as plain strings
    (a render of a large repository carries thousands of files over)."""
    found: dict[str, str] = {}
    top = os.path.join(root, scope)
    cut = len(os.path.join(root, ""))
    for folder, dirs, names in os.walk(top):
        # os.walk lists a symlink to a folder among the folders and, not following links,
        # never enters it: it is an entry of its own here.
        links = [name for name in dirs if os.path.islink(os.path.join(folder, name))]
        dirs[:] = sorted(set(dirs) - set(links))
        for name in sorted([*names, *links]):
            full = os.path.join(folder, name)
            found[full[cut:].replace(os.sep, "/")] = full
    return found


def read_regular(path: Path) -> bytes | None:
    """The bytes of a regular file; None for anything else (symlink, fifo, gone, unreadable)."""
    try:
        if not stat.S_ISREG(path.lstat().st_mode):
            return None
        return path.read_bytes()
    except OSError:
        return None


def compare(root: Path, files: Mapping[str, bytes], scope: str) -> Changes:
    changes = Changes()
    current = existing_files(root, scope)
    for path, data in files.items():
        old = current.get(path)
        if old is None:
            changes.added.append(path)
        elif read_regular(old) != data:
            changes.changed.append(path)
        else:
            changes.unchanged += 1
    changes.removed = sorted(set(current) - set(files))
    return changes


def write_tree(root: Path, texts: Mapping[str, str], scope: str = RENDERED) -> Changes:
    """Make ``scope`` hold exactly ``texts`` (paths relative to ``root``, under ``rendered/``)."""
    files = {path: text.encode("utf-8") for path, text in texts.items()}
    for path in files:
        if not _inside(path, scope):
            raise RenderError(f"refusing to write {path}: outside {scope}/")
    clean_stale(root)
    changes = compare(root, files, scope)
    if changes.clean:
        return changes
    target = root / RENDERED
    if target.exists() and (target.is_symlink() or not target.is_dir()):
        raise RenderError(f"{RENDERED} exists and is not a folder")
    _swap_in(root, target, files, changes, scope)
    return changes


def write_files(root: Path, texts: Mapping[str, str]) -> Changes:
    """Write ``texts`` into ``rendered/`` and keep every other file there as it is (a render of
    part of the tree, ``render --changed-since``), in the same one-step swap as
    :func:`write_tree`. Only the given files are read to compare."""
    files = {path: text.encode("utf-8") for path, text in texts.items()}
    for path in files:
        if not _inside(path, RENDERED):
            raise RenderError(f"refusing to write {path}: outside {RENDERED}/")
    clean_stale(root)
    changes = Changes()
    for path, data in files.items():
        old = root / path
        if not os.path.lexists(old):
            changes.added.append(path)
        elif read_regular(old) != data:
            changes.changed.append(path)
    target = root / RENDERED
    if target.is_symlink() or not target.is_dir():
        raise RenderError(f"{RENDERED} is not a folder")
    changes.unchanged = len(_entries(root, RENDERED)) - len(changes.changed)
    if changes.clean:
        return changes
    keep = set(files) - set(changes.added) - set(changes.changed)
    _swap_in(root, target, files, changes, RENDERED, lambda path: path not in files or path in keep)
    return changes


def _swap_in(
    root: Path, target: Path, files: Mapping[str, bytes], changes: Changes, scope: str,
    carry: Callable[[str], bool] | None = None,
) -> None:  # fmt: skip
    """Stage and swap in, refusing first a tree whose old files could not be removed after."""
    blocked = unremovable(root, RENDERED)
    if blocked is not None:
        raise RenderError(
            f"cannot write {RENDERED}/: {blocked}, and a render replaces {RENDERED}/ whole (it "
            f"must remove the old files); {RENDERED}/ was left as it was"
        )
    try:
        _write_staged(root, target, files, changes, scope, carry)
    except OSError as exc:
        # A read-only folder, a full disk, a quota: the user's to fix, and nothing changed.
        where = f" ({exc.filename})" if exc.filename else ""
        raise RenderError(
            f"cannot write {RENDERED}/: {exc.strerror or exc}{where}; {RENDERED}/ was left as "
            "it was"
        ) from None


def _write_staged(
    root: Path, target: Path, files: Mapping[str, bytes], changes: Changes, scope: str,
    carry: Callable[[str], bool] | None = None,
) -> None:  # fmt: skip
    staging = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=root))
    try:
        os.chmod(staging, stat.S_IMODE(target.stat().st_mode) if target.exists() else 0o755)
        unchanged = set(files) - set(changes.added) - set(changes.changed)
        if carry is None:
            carry = lambda path: path in unchanged or not (path == scope or _inside(path, scope))  # noqa: E731
        made: set[str] = set()
        entries = _entries(root, RENDERED) if target.is_dir() and not target.is_symlink() else {}
        for path, source in entries.items():
            if carry(path):
                _carry_over(source, os.path.join(staging, _strip(path)), made)
        for path in [*changes.added, *changes.changed]:
            _write_file(staging / _strip(path), files[path])
        _swap(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def clean_stale(root: Path) -> None:
    """Remove what renders killed mid-write left next to ``rendered/``.

    Staging folders carry the writer's process id: one whose process is gone is litter (the
    tree itself was never mixed: the swap is one step). A folder holding the old tree, moved
    aside by a render killed between its two renames, is put back if ``rendered/`` is missing.
    Folders from the earlier naming (no process id) are litter too.
    """
    target = root / RENDERED
    try:
        entries = sorted(os.listdir(root))
    except OSError:
        return
    for name in entries:
        found = _LITTER.match(name)
        if found is None or not (root / name).is_dir() or (root / name).is_symlink():
            continue
        pid = found.group("pid")
        if pid is not None and _alive(int(pid)):
            continue
        if found.group("aside") and not os.path.lexists(target):
            with contextlib.suppress(OSError):
                os.rename(root / name, target)
                continue
        shutil.rmtree(root / name, ignore_errors=True)


STAGING_PREFIX = ".rendered-"
ASIDE_PREFIX = ".rendered-old-"
_LITTER = re.compile(r"^\.rendered-(?P<aside>old-)?(?:(?P<pid>\d+)-)?[A-Za-z0-9_]{8}$")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def _inside(path: str, scope: str) -> bool:
    return path.startswith(scope + "/")


def _strip(path: str) -> str:
    return path[len(RENDERED) + 1 :]


def _carry_over(source: str, dest: str, made: set[str]) -> None:
    parent = os.path.dirname(dest)
    if parent not in made:
        os.makedirs(parent, exist_ok=True)
        made.add(parent)
    if os.path.islink(source):
        os.symlink(os.readlink(source), dest)
        return
    try:
        os.link(source, dest)
    except OSError:  # a file system without hard links: a copy that keeps the mtime
        shutil.copy2(source, dest)


def _write_file(dest: Path, data: bytes) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(data)


def _swap(staging: Path, target: Path) -> None:
    """Put ``staging`` at ``target``; ``staging`` then holds the old tree, if there was one."""
    if not target.exists():
        os.rename(staging, target)
        return
    if _exchange(staging, target):
        return
    # No atomic exchange here: the old tree moves aside for the instant between two renames.
    aside = Path(tempfile.mkdtemp(prefix=f"{ASIDE_PREFIX}{os.getpid()}-", dir=target.parent))
    os.rmdir(aside)
    os.rename(target, aside)
    try:
        os.rename(staging, target)
    except OSError:
        os.rename(aside, target)
        raise
    os.rename(aside, staging)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(first: Path, second: Path) -> bool:
    """Atomically swap two paths with Linux's renameat2; False where that is not available."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                          ctypes.c_uint]  # fmt: skip
    renameat2.restype = ctypes.c_int
    result = renameat2(
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    return bool(result == 0)
