"""`flagwright schema`: one JSON Schema per document kind, generated from the models.

Editors use them through the `# yaml-language-server: $schema=` line at the top of each file.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flagwright.errors import Status, UserError
from flagwright.model import KINDS

SCHEMA_DIR = "schemas"
DIALECT = "https://json-schema.org/draft/2020-12/schema"


def schema_file_name(kind: str) -> str:
    """``RolloutPlan`` → ``rollout-plan.schema.json``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "-", kind).lower() + ".schema.json"


def generate_schemas() -> dict[str, str]:
    """File name → JSON text, byte-stable for the same models."""
    out: dict[str, str] = {}
    for kind, model in KINDS.items():
        schema = _closed(model.model_json_schema(by_alias=True, mode="validation"))
        schema = {"$schema": DIALECT, "$id": schema_file_name(kind), **schema}
        out[schema_file_name(kind)] = (
            json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        )
    return out


def _closed(node: Any) -> Any:
    """Mappings whose keys follow a pattern (variant names) allow no other keys, as the models."""
    if isinstance(node, dict):
        out = {key: _closed(value) for key, value in node.items()}
        if "patternProperties" in out and "additionalProperties" not in out:
            out["additionalProperties"] = False
        return out
    if isinstance(node, list):
        return [_closed(item) for item in node]
    return node


@dataclass(frozen=True, slots=True)
class SchemaDrift:
    added: list[str]
    changed: list[str]
    removed: list[str]

    @property
    def clean(self) -> bool:
        return not (self.added or self.changed or self.removed)


def schema_drift(root: Path) -> SchemaDrift:
    wanted = generate_schemas()
    folder = root / SCHEMA_DIR
    present = {p.name for p in folder.glob("*.schema.json")} if folder.is_dir() else set()
    added = sorted(set(wanted) - present)
    removed = sorted(present - set(wanted))
    changed = sorted(
        name
        for name in set(wanted) & present
        if (folder / name).read_text(encoding="utf-8") != wanted[name]
    )
    return SchemaDrift(added, changed, removed)


@dataclass(frozen=True, slots=True)
class SchemaRun:
    drift: SchemaDrift | None  # with --check
    written: list[str]  # without: the files that changed

    @property
    def status(self) -> Status:
        return Status.of(self.drift is None or self.drift.clean)


def run_schema(root: Path, check: bool) -> SchemaRun:
    """``flagwright schema``'s core: compare the committed schemas (``check``) or write them."""
    if check:
        return SchemaRun(schema_drift(root), [])
    return SchemaRun(None, write_schemas(root))


def write_schemas(root: Path) -> list[str]:
    """Write the schemas, removing stale ones; return the files that changed."""
    folder = root / SCHEMA_DIR
    folder.mkdir(exist_ok=True)
    wanted = generate_schemas()
    stale = [p for p in sorted(folder.glob("*.schema.json")) if p.name not in wanted]
    writes = {
        name: text
        for name, text in wanted.items()
        if not (folder / name).exists() or (folder / name).read_text(encoding="utf-8") != text
    }
    _refuse_unwritable(root, folder, stale, [folder / name for name in writes])
    for path in stale:
        path.unlink()
    for name, text in writes.items():
        (folder / name).write_text(text, encoding="utf-8", newline="\n")
    return sorted(f"{SCHEMA_DIR}/{name}" for name in [*(p.name for p in stale), *writes])


def _refuse_unwritable(root: Path, folder: Path, removed: list[Path], written: list[Path]) -> None:
    """Fail before the first change, not after half of them, where one would be refused."""
    for path in sorted([*removed, *written]):
        exists = os.path.lexists(path)
        needs_folder = path in removed or not exists
        target = folder if needs_folder else path
        if not os.access(target, os.W_OK | (os.X_OK if needs_folder else 0)):
            shown = target.relative_to(root).as_posix()
            raise UserError(
                f"cannot write {SCHEMA_DIR}/: {shown} is read-only; {SCHEMA_DIR}/ was left as it "
                "was"
            )
