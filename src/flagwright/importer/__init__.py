"""`flagwright import`: flags from flagd or Microsoft.FeatureManagement files as flagwright YAML.

The core plans the import (documents, diagnostics) and writes it; it never prints or exits.
A flag with anything that has no exact flagwright equivalent is reported at its JSON position
and not written at all: a migration must not quietly change what users are served.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import ValidationError

from flagwright.codes import Code
from flagwright.diagnostics import Diagnostic
from flagwright.errors import Status, UserError
from flagwright.importer.documents import ImportedDoc, Translation
from flagwright.importer.positions import Report, SourceError, parse_json
from flagwright.importer.writer import Planned, document_text, write_planned
from flagwright.load.bounded import TooLarge, read_bounded
from flagwright.load.yamlio import MAX_FILE_BYTES
from flagwright.model import Flag, Segment

# A source may hold many flags (each must fit in MAX_FILE_BYTES once written).
MAX_SOURCE_BYTES = 64 * 1024 * 1024

SourceFormat = Literal["flagd", "featuremanagement"]
FORMATS: tuple[SourceFormat, ...] = ("flagd", "featuremanagement")

__all__ = [
    "FORMATS",
    "ImportPlan",
    "environments_of",
    "plan_import",
    "read_source",
    "write_import",
]


@dataclass(slots=True)
class ImportPlan:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: list[Planned] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Everything in the source was imported (nothing reported)."""
        return not self.diagnostics


def environments_of(root: Path) -> list[str]:
    from flagwright.load.repository import load_repository
    from flagwright.model import Environment

    repo = load_repository(root)
    return sorted({d.model.name for d in repo.documents if isinstance(d.model, Environment)})


def choose_environment(root: Path, env: str | None) -> str:
    """``env`` checked against the repository, or its only environment when not given."""
    from flagwright.check.suggest import did_you_mean

    known = environments_of(root)
    if env is None:
        if len(known) == 1:
            return known[0]
        listed = ", ".join(known) if known else "none are defined"
        raise UserError(f"pass --env: the imported flags need an environment ({listed})")
    if known and env not in known:
        raise UserError(f"unknown environment {env!r}" + did_you_mean(env, known, "environments"))
    return env


def plan_import(
    raw: bytes, display: str, fmt: SourceFormat, env: str, out_dir: Path, root: Path
) -> ImportPlan:
    plan = ImportPlan()
    try:
        data = parse_json(raw, display)
    except SourceError as exc:
        plan.diagnostics.append(exc.diagnostic)
        return plan
    report = Report(display, raw.decode("utf-8-sig", errors="replace"))
    source_name = Path(display).name
    translation = _translate(data, fmt, report, env, source_name)
    plan.notes = translation.notes
    flag_schema = _schema_line(root, out_dir, "flag")
    segment_schema = _schema_line(root, out_dir / "segments", "segment")
    accepted: list[ImportedDoc] = []
    unique = _case_unique(
        [doc for doc in translation.flags if _valid(doc, report)], out_dir, report, fmt
    )
    for doc in unique:
        path = out_dir / f"{doc.name}.yaml"
        text = document_text(doc, flag_schema, source_name)
        if _fits(doc, text, report):
            accepted.append(doc)
            plan.files.append(Planned(path, _shown(path), text))
            plan.flags.append(doc.name)
    used = _segments_used(accepted, translation.segments)
    for doc in translation.segments:
        # a segment translated only for flags that were then rejected would be an orphan
        if doc.name in used and _valid(doc, report):
            path = out_dir / "segments" / f"{doc.name}.yaml"
            text = document_text(doc, segment_schema, source_name)
            if _fits(doc, text, report):
                plan.files.append(Planned(path, _shown(path), text))
    plan.diagnostics = report.diagnostics()
    return plan


def write_import(plan: ImportPlan, force: bool) -> tuple[list[str], list[str]]:
    return write_planned(plan.files, force)


@dataclass(frozen=True, slots=True)
class ImportRun:
    environment: str
    plan: ImportPlan
    written: list[str]
    unchanged: list[str]

    @property
    def status(self) -> Status:
        return Status.of(self.plan.complete)


def import_file(
    root: Path, file: Path, fmt: SourceFormat, env: str | None, force: bool, out: Path | None
) -> ImportRun:
    """``flagwright import``'s core: plan the import of ``file`` into ``env`` (default: the only
    environment), then write the flags that translate exactly into ``out`` (default: flags/)."""
    environment = choose_environment(root, env)
    out_dir = out if out is not None else root / "flags"
    plan = plan_import(read_source(file), str(file), fmt, environment, out_dir, root)
    written, unchanged = write_import(plan, force)
    return ImportRun(environment, plan, written, unchanged)


def _translate(
    data: object, fmt: SourceFormat, report: Report, env: str, source_name: str
) -> Translation:
    if fmt == "flagd":
        from flagwright.importer.flagd import import_flagd

        return import_flagd(data, report, env, source_name)
    from flagwright.importer.featuremanagement import import_featuremanagement

    return import_featuremanagement(data, report, env, source_name)


def _valid(doc: ImportedDoc, report: Report) -> bool:
    """A last check with the real models: a translation bug must not produce an invalid file."""
    model = Flag if doc.kind == "Flag" else Segment
    try:
        model.model_validate(doc.body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        report.add(
            doc.where,
            Code.IMPORT_INVALID,
            f"{doc.kind.lower()} {doc.name!r} not imported: it would not validate ({where}: "
            f"{first['msg']})",
        )
        return False
    return True


def _fits(doc: ImportedDoc, text: str, report: Report) -> bool:
    """A file over the loader's size limit would only fail validate afterwards."""
    size = len(text.encode("utf-8"))
    if size <= MAX_FILE_BYTES:
        return True
    report.add(
        doc.where, Code.IMPORT_INVALID,
        f"{doc.kind.lower()} {doc.name!r} not imported: its file would be {size} bytes, over "
        f"the {MAX_FILE_BYTES}-byte limit of flagwright's files",
    )  # fmt: skip
    return False


def read_source(path: Path) -> bytes:
    """The import source's bytes, refusing a file too large to be a flag configuration."""
    try:
        return read_bounded(path, MAX_SOURCE_BYTES)
    except TooLarge as exc:
        raise UserError(f"{path}: {exc}") from None


def _case_unique(
    docs: list[ImportedDoc], out_dir: Path, report: Report, fmt: SourceFormat
) -> list[ImportedDoc]:
    """Flags whose keys differ from every other key (imported or already there) in more than
    case: each becomes ``<key>.yaml``, and macOS and Windows file systems fold case."""

    def add(doc: ImportedDoc, message: str) -> None:
        # The key itself: a flagd flag's member name, a FeatureManagement flag's "id" value.
        if fmt == "flagd":
            report.add(doc.where, Code.IMPORT_KEY_CASE, message, at="key")
        else:
            report.add((*doc.where, "id"), Code.IMPORT_KEY_CASE, message)

    existing: dict[str, str] = {}
    if out_dir.is_dir():
        existing = {p.stem.casefold(): p.stem for p in sorted(out_dir.glob("*.yaml"))}
    seen: dict[str, ImportedDoc] = {}
    out: list[ImportedDoc] = []
    for doc in docs:
        folded = doc.name.casefold()
        first = seen.get(folded)
        if first is not None:
            for here, other in ((doc, first), (first, doc)):
                add(
                    here,
                    f"flag {here.name!r} not imported: its key differs only in case from "
                    f"{other.name!r} in the same file",
                )
            out = [d for d in out if d is not first]
            continue
        seen[folded] = doc
        on_disk = existing.get(folded)
        if on_disk is not None and on_disk != doc.name:
            add(
                doc,
                f"flag {doc.name!r} not imported: its key differs only in case from the existing "
                f"{_shown(out_dir / (on_disk + '.yaml'))}",
            )
            continue
        out.append(doc)
    return out


def _segments_used(flags: list[ImportedDoc], segments: list[ImportedDoc]) -> set[str]:
    """Segments these flags refer to, directly or through other segments."""
    bodies = {doc.name: doc.body for doc in segments}
    used: set[str] = set()
    pending = [_segment_refs({k: v for k, v in doc.body.items() if k != "variants"})
               for doc in flags]  # fmt: skip
    while pending:
        for name in pending.pop() - used:
            used.add(name)
            if name in bodies:
                pending.append(_segment_refs(bodies[name]))
    return used


def _segment_refs(value: object) -> set[str]:
    if isinstance(value, dict):
        refs = {value["segment"]} if isinstance(value.get("segment"), str) else set()
        for item in value.values():
            refs |= _segment_refs(item)
        return refs
    if isinstance(value, list):
        return set().union(*(_segment_refs(item) for item in value))
    return set()


def _schema_line(root: Path, folder: Path, kind: str) -> str:
    target = root.resolve() / "schemas" / f"{kind}.schema.json"
    return Path(os.path.relpath(target, folder.resolve())).as_posix()


def _shown(path: Path) -> str:
    """Relative to the working directory when inside it, as a user expects; else absolute."""
    absolute = path.absolute()
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return absolute.as_posix()
