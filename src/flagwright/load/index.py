"""All documents of a repository, indexed by kind and name; duplicates are findings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

from flagwright.codes import Code
from flagwright.diagnostics import Findings
from flagwright.load.repository import LoadedRepo, Located
from flagwright.model import App, Environment, Flag, Repository, RolloutPlan, Segment

T = TypeVar("T")


@dataclass(slots=True)
class ConfigIndex:
    flags: dict[str, Located[Flag]] = field(default_factory=dict)
    segments: dict[str, Located[Segment]] = field(default_factory=dict)
    plans: dict[str, Located[RolloutPlan]] = field(default_factory=dict)
    environments: dict[str, Located[Environment]] = field(default_factory=dict)
    apps: dict[str, Located[App]] = field(default_factory=dict)
    repositories: list[Located[Repository]] = field(default_factory=list)
    broken: frozenset[tuple[str, str]] = frozenset()
    # Environments' snapshot bundles, compiled once (validate's ConfigMap sizes, then render);
    # not an init field, so dataclasses.replace() gives a changed index a cache of its own.
    bundles: dict[str, dict[str, Any]] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )

    @property
    def repository(self) -> Repository | None:
        return self.repositories[0].model if self.repositories else None

    def is_unknown(self, kind: str, name: str) -> bool:
        """True when nothing defines ``name``: not even a document that failed to load."""
        tables: dict[str, dict[str, Any]] = {
            "Flag": self.flags,
            "Segment": self.segments,
            "RolloutPlan": self.plans,
            "Environment": self.environments,
            "App": self.apps,
        }
        return name not in tables[kind] and (kind, name) not in self.broken


def build_index(repo: LoadedRepo, findings: Findings) -> ConfigIndex:
    """Index documents in file order; a second document with a taken name is reported."""
    index = ConfigIndex(broken=frozenset(repo.broken))
    tables: dict[type[Any], tuple[dict[str, Any], str]] = {
        Flag: (index.flags, "key"),
        Segment: (index.segments, "name"),
        RolloutPlan: (index.plans, "name"),
        Environment: (index.environments, "name"),
        App: (index.apps, "name"),
    }
    folded: dict[str, Located[Flag]] = {}
    for located in sorted(repo.documents, key=lambda d: (d.source.path, d.source.doc)):
        model = located.model
        if isinstance(model, Repository):
            index.repositories.append(located)
            continue
        table, attr = tables[type(model)]
        name = getattr(model, attr)
        if name in table:
            first = table[name].source
            findings.add(
                located.source, (attr,), Code.DUPLICATE_NAME,
                f"{type(model).__name__} {name!r} is already defined at",
                related=(first, (attr,)),
            )  # fmt: skip
            continue
        if isinstance(model, Flag) and not _case_unique(model, located, folded, findings):
            continue
        table[name] = located
    return index


def _case_unique(
    model: Flag, located: Located[Any], folded: dict[str, Located[Flag]], findings: Findings
) -> bool:
    """Flag keys must differ in more than case: they become file names, and file systems on
    macOS and Windows fold case, so ``BatchMinting`` and ``batchminting`` would collide."""
    first = folded.get(model.key.casefold())
    if first is None:
        folded[model.key.casefold()] = located
        return True
    findings.add(
        located.source, ("key",), Code.FLAG_KEY_CASE_CLASH,
        f"flag key {model.key!r} differs only in case from {first.model.key!r}, defined at",
        related=(first.source, ("key",)),
    )  # fmt: skip
    return False
