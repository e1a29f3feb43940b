"""A large repository is read in two processes: a forked child parses and models the first part
of the files while this process reads the rest, and the child's part comes back pickled.

Reading is most of a large validate's or render's single-threaded time (libyaml and the models
for each of ten thousand files), and files are read independently. The result is the one a
single process builds: the parts are joined in file order (:func:`merge_loaded`). The child does
a smaller share because it also pickles its part, which this process then unpickles.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flagwright.cores import idle_cores
from flagwright.load.repository import LoadedRepo, merge_loaded

# From this many files on; below it, a process costs more than it saves.
FORKED_MIN_FILES = 2000
# The child's share of the files: pickling its part costs it about a fifth more, and unpickling
# costs this process a little less than that.
CHILD_SHARE = 0.44


def load_forked(
    root: Path, paths: list[str], load_part: Callable[[Path, list[str]], LoadedRepo]
) -> LoadedRepo | None:
    """``load_part(root, paths)`` done in two processes; None when not worth it here (few
    files, no second idle core, no fork)."""
    if len(paths) < FORKED_MIN_FILES or idle_cores() < 2:
        return None
    import multiprocessing  # only for a large repository: every load comes through here
    from concurrent.futures import ProcessPoolExecutor

    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    cut = int(len(paths) * CHILD_SHARE)
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        first = pool.submit(load_part, root, paths[:cut])
        rest = load_part(root, paths[cut:])
        loaded = first.result()
    merge_loaded(loaded, rest)
    return loaded
