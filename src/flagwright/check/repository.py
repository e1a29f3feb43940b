"""Load → index → check → locate: the one way files become a checked configuration; and
``flagwright validate``'s core (:func:`validate_work_tree`; ``--pre-push`` is
:mod:`flagwright.policy.pushed`), which returns a :class:`Validation` and never prints.

``validate`` runs all of it on the work tree (and what render would refuse); the edits check the
configuration before and after an edit in memory, ``progress`` the work tree it decides on, and a
revision of the history (``diff``, ``log``, the policies' base) is only indexed. What differs
between them is a parameter here, never a copy of the sequence.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flagwright.check import CheckOptions, run_checks
from flagwright.diagnostics import Diagnostic, Findings, has_errors
from flagwright.errors import Status
from flagwright.load.allocation import cycle_collector_paused
from flagwright.load.index import ConfigIndex, build_index
from flagwright.load.repository import LoadedRepo, load_repository
from flagwright.load.resolve import resolve_positions


@dataclass(frozen=True, slots=True)
class Validated:
    repo: LoadedRepo
    index: ConfigIndex
    diagnostics: list[Diagnostic]  # the findings at line:col; empty when not located
    findings: Findings  # everything found: while loading, indexing and checking

    @property
    def ok(self) -> bool:
        return not any(d.severity == "error" for d in self.diagnostics)


def check_loaded(
    repo: LoadedRepo,
    options: CheckOptions | None = None,
    *,
    preflight: bool = False,
    sizes: bool = True,
    locate: bool = True,
    known_flags: frozenset[str] = frozenset(),
) -> Validated:
    """Index ``repo`` and run the checks (none when ``options`` is None: a revision to compare),
    plus what render would refuse when ``preflight`` (with the ConfigMap sizes, which need every
    environment compiled, unless not ``sizes``: render finds those itself); ``locate`` turns
    the findings into diagnostics at line:col (a revision only compared never needs them).
    ``known_flags`` exist even where ``repo`` did not load them (a partial load): references to
    them are not unknown."""
    with cycle_collector_paused():  # the checks make no cycles: a tenth of a large validation
        findings = Findings(list(repo.findings.items))
        index = build_index(repo, findings)
        unloaded = known_flags - set(index.flags)
        if unloaded:
            index = dataclasses.replace(
                index, broken=index.broken | {("Flag", key) for key in unloaded}
            )
        if options is not None:
            run_checks(index, findings, options)
        if preflight:
            # Imported here: the render package is needed only by validate, not by history walks.
            from flagwright.render.preflight import preflight as render_preflight

            render_preflight(index, findings, sizes=sizes)
        diagnostics = resolve_positions(findings.items, repo.texts) if locate else []
        return Validated(repo, index, diagnostics, findings)


def validate_repository(
    root: Path, today: date, strict: bool = False, *, sizes: bool = True
) -> Validated:
    """``flagwright validate``'s core: the work tree, every check, and what render would refuse.

    ``sizes=False`` leaves out the flag ConfigMaps' sizes (FW307), for the commands that render
    or evaluate anyway: render reports them itself, at the same place, and eval needs no
    ConfigMap; compiling every environment for them is most of a large validate's cost."""
    options = CheckOptions(today=today, strict=strict)
    return check_loaded(load_repository(root), options, preflight=True, sizes=sizes)


@dataclass(frozen=True, slots=True)
class Pushed:
    head: str  # the pushed commit
    base: str | None  # what it is judged against; None: nothing to compare with


@dataclass(frozen=True, slots=True)
class Validation:
    files: int
    documents: int
    diagnostics: list[Diagnostic]
    pushed: Pushed | None = None  # --pre-push: which commits

    @property
    def status(self) -> Status:
        return Status.of(not has_errors(self.diagnostics))


def validate_work_tree(
    root: Path, today: date, strict: bool = False, base: str | None = None,
    now: str | None = None,
) -> Validation:  # fmt: skip
    """Every check on the work tree; with ``base``, also the policies on the change from it,
    once the work tree itself is valid, judged at ``now`` (RFC 3339 as given, read only then;
    default: the clock)."""
    result = validate_repository(root, today=today, strict=strict)
    diagnostics = result.diagnostics
    if base is not None and result.ok:
        from flagwright.policy import parse_now, policy_diagnostics

        found = policy_diagnostics(root, base, result.repo, result.index, parse_now(now))
        diagnostics = sorted(set(diagnostics) | set(found))
    return Validation(len(result.repo.texts), len(result.repo.documents), diagnostics)
