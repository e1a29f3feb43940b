"""Read a config repository into typed documents, collecting every problem as a finding."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import ValidationError

from flagwright.codes import Code
from flagwright.diagnostics import Finding, Findings, Source
from flagwright.errors import UserError
from flagwright.load.allocation import cycle_collector_paused
from flagwright.load.bounded import TooLarge, read_bounded
from flagwright.load.pydantic_errors import close_match, findings_from_errors
from flagwright.load.yamlio import MAX_FILE_BYTES, YamlError, decode, load_documents
from flagwright.model import KINDS, Document, Flag

CONFIG_DIRS = ("flags", "environments")
YAML_SUFFIXES = (".yaml", ".yml")

T = TypeVar("T", bound=Document)


@dataclass(frozen=True, slots=True)
class Located(Generic[T]):
    """A model and the document it was read from."""

    model: T
    source: Source


@dataclass(slots=True)
class LoadedRepo:
    root: Path
    texts: dict[str, str] = field(default_factory=dict)
    documents: list[Located[Any]] = field(default_factory=list)
    findings: Findings = field(default_factory=Findings)
    # (kind, name) of documents that failed to model: references to them are not reported
    # again as unknown, so one broken file does not cascade into errors everywhere.
    broken: set[tuple[str, str]] = field(default_factory=set)


def config_files(root: Path) -> list[str]:
    """Repository-relative POSIX paths of every YAML file under the config folders, sorted."""
    found: list[str] = []
    for folder in CONFIG_DIRS:
        base = os.path.join(root, folder)
        if os.path.isdir(base):
            _walk(base, folder, found)
    return sorted(found)


def _walk(path: str, rel: str, found: list[str]) -> None:
    # Path.rglob's rules (symlinked directories are not entered, symlinked files count,
    # unreadable directories are skipped) without a Path object per file, which cost more
    # than parsing small files.
    try:
        with os.scandir(path) as scan:
            entries = list(scan)
    except PermissionError:
        return
    for entry in entries:
        name = entry.name
        child = f"{rel}/{name}"
        dot = name.rfind(".")
        if 0 < dot < len(name) - 1 and name[dot:] in YAML_SUFFIXES and _is_file(entry):
            found.append(child)
        elif _is_real_dir(entry):
            _walk(entry.path, child, found)


def _is_file(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_file()
    except OSError:
        return False


def _is_real_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


class NotAConfigRepository(UserError):
    """The directory a command was pointed at holds no configuration to read."""


def require_config_repo(root: Path, found: list[str] | None = None) -> list[str]:
    """The config files of ``root``; NotAConfigRepository when there are none.

    A config repository is a directory with at least one YAML file under ``flags/`` or
    ``environments/``. Without this, a command run one folder too deep (``cd flags``) or in an
    empty directory would read nothing and answer "no problems".
    """
    files = config_files(root) if found is None else found
    if files:
        return files
    hint = ""
    for parent in Path(os.path.abspath(root)).parents:
        if config_files(parent):
            hint = f"; {parent} is one: run there or pass -C {parent}"
            break
    raise NotAConfigRepository(
        f"{root} is not a config repository: it has no YAML files under "
        f"{' or '.join(d + '/' for d in CONFIG_DIRS)}{hint}"
    )


def load_repository(root: Path, files: Iterable[str] | None = None) -> LoadedRepo:
    paths = require_config_repo(root) if files is None else sorted(files)
    from flagwright.load.forked_load import load_forked

    return load_forked(root, paths) or load_paths(root, paths)


# A file's text and documents, or why it has none (unreadable, too large, not YAML).
Parsed = tuple[str, list[Any]] | Finding


def parse_file(root: Path, rel: str) -> Parsed:
    try:
        raw = read_bounded(os.path.join(root, rel), MAX_FILE_BYTES)
    except TooLarge as exc:
        return Finding(Source(rel), (), Code.FILE_TOO_LARGE, str(exc), position=(1, 1))
    except OSError as exc:
        return Finding(Source(rel), (), Code.UNREADABLE, f"cannot read file: {exc.strerror}",
                       position=(1, 1))  # fmt: skip
    return parse_text(rel, raw)


def parse_text(rel: str, raw: bytes) -> Parsed:
    try:
        text = decode(raw)
        docs = load_documents(text)
    except YamlError as exc:
        return Finding(Source(rel), (), exc.code, exc.message, position=(exc.line, exc.col))
    return text, docs


def add_parsed(repo: LoadedRepo, rel: str, parsed: Parsed) -> None:
    """One parsed file into ``repo``: its documents modelled, or the finding."""
    if isinstance(parsed, Finding):
        repo.findings.items.append(parsed)
        return
    text, docs = parsed
    repo.texts[rel] = text
    for index, data in enumerate(docs):
        if data is None:
            continue  # an empty document, e.g. a trailing '---'
        _model_document(repo, Source(rel, index), data)


def load_paths(root: Path, paths: list[str]) -> LoadedRepo:
    """``paths`` read, parsed and modelled in this process, in order (forked_load shares it)."""
    repo = LoadedRepo(root=root)
    with cycle_collector_paused():
        for rel in paths:
            add_parsed(repo, rel, parse_file(root, rel))
    return repo


def load_files(root: Path, files: Mapping[str, bytes]) -> LoadedRepo:
    """Like :func:`load_repository`, from in-memory ``{relative path: bytes}`` (a Git revision)."""
    repo = LoadedRepo(root=root)
    with cycle_collector_paused():
        for rel in sorted(files):
            load_text(repo, rel, files[rel])
    return repo


def merge_loaded(into: LoadedRepo, part: LoadedRepo) -> None:
    """Add ``part``'s texts, documents and findings to ``into`` (files parsed separately)."""
    into.texts.update(part.texts)
    into.documents.extend(part.documents)
    into.findings.extend(part.findings.items)
    into.broken |= part.broken


def load_text(repo: LoadedRepo, rel: str, raw: bytes) -> None:
    """Parse one file's bytes into ``repo``: documents on success, findings otherwise."""
    add_parsed(repo, rel, parse_text(rel, raw))


def _model_document(repo: LoadedRepo, source: Source, data: Any) -> None:
    if not isinstance(data, dict):
        repo.findings.add(
            source, (), Code.NOT_A_MAPPING,
            "a document must be a mapping with a 'kind' key (Flag, Segment, RolloutPlan, "
            "Environment, App or Repository)",
        )  # fmt: skip
        return
    kind = data.get("kind")
    if kind is None:
        repo.findings.add(
            source, (), Code.MISSING_KIND,
            f"document has no 'kind'; use one of {', '.join(KINDS)}",
        )  # fmt: skip
        return
    model = KINDS.get(kind) if isinstance(kind, str) else None
    if model is None:
        repo.findings.add(
            source, ("kind",), Code.UNKNOWN_KIND,
            f"unknown kind {kind!r}; "
            + (f"did you mean {close}?" if (close := close_match(str(kind), KINDS)) else
               f"use one of {', '.join(KINDS)}"),
        )  # fmt: skip
        return
    try:
        located = Located(model.model_validate(data), source)
    except ValidationError as exc:
        repo.findings.extend(findings_from_errors(source, model, data, exc.errors()))
        name = data.get("key" if kind == "Flag" else "name")
        if isinstance(name, str):
            repo.broken.add((kind, name))
        return
    repo.documents.append(located)


def flag_in_text(rel: str, raw: bytes, key: str) -> Flag | None:
    """The flag ``key`` as one file version ``raw`` (at ``rel``) defines it; None when that
    version does not parse or does not define it."""
    part = LoadedRepo(root=Path("."))
    load_text(part, rel, raw)
    for document in part.documents:
        if isinstance(document.model, Flag) and document.model.key == key:
            return document.model
    return None
