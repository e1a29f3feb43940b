"""A large repository is read in two processes: a forked child parses the first part of the files
while this process reads (parses and models) the rest, then models the child's part.

Parsing (libyaml, and building each document's values) is most of a large validate's or
render's single-threaded time, and files parse independently. The child sends back plain data,
each file's text and documents, which pickle quickly; models would cost more to send than to
build again. The result is the one a single process builds: the child's files are modelled in
their order and come first (:func:`merge_loaded`).
"""

from __future__ import annotations

from pathlib import Path

from flagwright.load.allocation import cycle_collector_paused
from flagwright.load.cores import idle_cores
from flagwright.load.repository import (
    LoadedRepo,
    Parsed,
    add_parsed,
    load_paths,
    merge_loaded,
    parse_file,
)

# From this many files on; below it, a process costs more than it saves.
FORKED_MIN_FILES = 2000
# The child's share of the files: it only parses them, and this process models them all (with
# this share both finish their part together on the generated fleet of bench/bench_fleet.py).
CHILD_SHARE = 0.52


def _parse_part(root: Path, paths: list[str]) -> list[Parsed]:
    return [parse_file(root, rel) for rel in paths]


def load_forked(root: Path, paths: list[str]) -> LoadedRepo | None:
    """:func:`flagwright.load.repository.load_repository` of ``paths`` in two processes; None
    when not worth it here (few files, no second idle core, no fork)."""
    if len(paths) < FORKED_MIN_FILES or idle_cores() < 2:
        return None
    import multiprocessing  # only for a large repository: every load comes through here
    from concurrent.futures import ProcessPoolExecutor

    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    cut = int(len(paths) * CHILD_SHARE)
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        first = pool.submit(_parse_part, root, paths[:cut])
        rest = load_paths(root, paths[cut:])
        parsed = first.result()
    loaded = LoadedRepo(root=root)
    with cycle_collector_paused():
        for rel, item in zip(paths[:cut], parsed, strict=True):
            add_parsed(loaded, rel, item)
    merge_loaded(loaded, rest)
    return loaded
