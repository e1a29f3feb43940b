"""``flagwright progress``: read the gates of every gated manual rollout, decide, write the edits.

The only state is Git: the stage a rollout is at comes from the work tree, when it entered that
stage from the history, the health from Prometheus at ``at``. Nothing is remembered between runs,
so a run at the same instant on the same commit decides the same.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from fnmatch import fnmatchcase
from pathlib import Path

from flagwright.check import CheckOptions
from flagwright.check.repository import check_loaded
from flagwright.diagnostics import Diagnostic, Findings
from flagwright.edit import EditError, apply_edit
from flagwright.edit.ops import Edit, advance, set_enabled, step_back
from flagwright.edit.splice import edit_node
from flagwright.errors import Status, UserError
from flagwright.gitio.repo import GitRepo
from flagwright.gitio.revision import WORK_TREE, Revision
from flagwright.load.index import ConfigIndex
from flagwright.load.repository import LoadedRepo, Located, load_files, load_repository
from flagwright.load.resolve import resolve_positions
from flagwright.model import Environment, Flag, RolloutPlan
from flagwright.policy.changes import check_change_policies
from flagwright.progress.decision import OFF, Decision, Facts, Step, rule
from flagwright.progress.history import stage_entered, stage_key
from flagwright.progress.measure import Prometheus, measure
from flagwright.progress.queries import render_query
from flagwright.report.diff import blast_text
from flagwright.rollouts.gates import gates_of, query_names

MakeEdit = Callable[[ConfigIndex, Flag], Edit]


@dataclass(slots=True)
class ProgressResult:
    at: datetime
    dry_run: bool
    decisions: list[Decision] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)  # errors: nothing was decided

    @property
    def invalid(self) -> bool:
        return any(d.severity == "error" for d in self.diagnostics)

    @property
    def changes(self) -> list[Decision]:
        return [d for d in self.decisions if d.target is not None and d.error is None]

    @property
    def unreadable(self) -> bool:
        return any(d.unreadable for d in self.decisions)

    @property
    def status(self) -> Status:
        """Failed when nothing was decided (invalid configuration), a gate could not be read or
        an edit could not be written."""
        failed = self.unreadable or any(d.error for d in self.decisions)
        return Status.of(not (self.invalid or failed))


@dataclass(frozen=True, slots=True)
class _Candidate:
    flag: Located[Flag]
    env: Located[Environment]
    plan: Located[RolloutPlan]


def run_progress(
    root: Path,
    at: datetime,
    env: str | None = None,
    dry_run: bool = False,
) -> ProgressResult:
    result = ProgressResult(at, dry_run)
    checked = check_loaded(load_repository(root), CheckOptions(today=at.date()), locate=False)
    loaded, index, findings = checked.repo, checked.index, checked.findings
    if env is not None and env not in index.environments:
        raise UserError(f"unknown environment {env!r}")
    result.diagnostics = _errors(findings, loaded)
    if result.diagnostics:
        return result
    candidates = _candidates(index, env)
    queries = [_queries(c, index, findings) for c in candidates]
    result.diagnostics = _errors(findings, loaded)  # a template validate let through
    if result.diagnostics:
        return result
    git = GitRepo(root)
    before = Revision.of(WORK_TREE, None, checked)
    servers: dict[str, Prometheus] = {}
    for candidate, rendered in zip(candidates, queries, strict=True):
        metrics = candidate.env.model.metrics
        assert metrics is not None
        server = servers.setdefault(metrics.prometheus, Prometheus(metrics.prometheus))
        decision = _decide(candidate, rendered, server, git, at)
        if decision.action == "advance":
            _check_policies(root, before, candidate, decision, at)
        result.decisions.append(decision)
    for decision in result.decisions:
        if decision.target is not None:
            _write(root, decision, at, dry_run)
    return result


def _errors(findings: Findings, loaded: LoadedRepo) -> list[Diagnostic]:
    return [d for d in resolve_positions(findings.items, loaded.texts) if d.severity == "error"]


def _candidates(index: ConfigIndex, only: str | None) -> list[_Candidate]:
    """Manual rollouts, enabled, on a plan with gates, in an environment with metrics."""
    out = []
    for env_name, environment in sorted(index.environments.items()):
        if (only is not None and env_name != only) or environment.model.metrics is None:
            continue
        for _key, flag in sorted(index.flags.items()):
            entry = flag.model.environments.get(env_name)
            if entry is None or not entry.enabled or entry.rollout is None:
                continue
            plan = index.plans.get(entry.rollout.plan)
            if entry.rollout.stage is None or plan is None or not gates_of(plan.model.gates):
                continue
            out.append(_Candidate(flag, environment, plan))
    return out


def _queries(c: _Candidate, index: ConfigIndex, findings: Findings) -> dict[str, tuple[str, ...]]:
    """Rendered PromQL per gate query name, once per app bundling the flag (deduplicated)."""
    env = c.env.model
    metrics = env.metrics
    assert metrics is not None
    rollout = c.flag.model.environments[env.name].rollout
    assert rollout is not None
    apps = [
        name
        for name in sorted(env.apps)
        if name in index.apps
        and any(fnmatchcase(c.flag.model.key, p) for p in index.apps[name].model.flags)
    ] or [""]
    out: dict[str, tuple[str, ...]] = {}
    for gate in gates_of(c.plan.model.gates):
        template = metrics.queries.get(gate.query)
        if template is None:
            continue  # FW260 already says so
        texts: dict[str, None] = {}
        for app in apps:
            names = query_names(app, env.name, env.argocd.namespace, c.flag.model.key,
                                rollout.variant)  # fmt: skip
            text = render_query(template, names, c.env.source, gate.query, findings)
            if text is not None:
                texts[text] = None
        out[gate.query] = tuple(texts)
    return out


def _decide(
    c: _Candidate, queries: dict[str, tuple[str, ...]], server: Prometheus, git: GitRepo,
    at: datetime,
) -> Decision:  # fmt: skip
    flag, env, plan = c.flag.model, c.env.model.name, c.plan.model
    entry = flag.environments[env]
    rollout = entry.rollout
    assert rollout is not None and rollout.stage is not None and plan.gates is not None
    stage = rollout.stage
    percents = [s.percent for s in plan.stages]
    readings = tuple(
        measure(gate, queries[gate.query], plan.gates, at, server) for gate in gates_of(plan.gates)
    )
    key = stage_key(entry)
    assert key is not None
    entered = stage_entered(git, c.flag.source.path, flag.key, env, key)
    hold = plan.stages[stage - 1].hold_seconds
    hold_until = None
    if entered.at is not None:
        hold_until = entered.at + timedelta(seconds=hold or 0)
    facts = Facts(stage, percents, plan.on_failure, readings, hold_until, at)
    action, target, reason = rule(facts)
    unreadable = tuple(dict.fromkeys(e for r in readings for e in r.errors))
    return Decision(
        env=env, flag=flag.key, path=c.flag.source.path, variant=rollout.variant, plan=plan.name,
        action=action, reason=reason, current=Step(stage, percents[stage - 1]), target=target,
        gates=readings, entered=entered.at, commit=entered.commit, hold_until=hold_until,
        unreadable=unreadable,
    )  # fmt: skip


def _edit_for(decision: Decision) -> MakeEdit:
    env = decision.env
    if decision.action == "advance":
        return lambda index, flag: advance(index, flag, env)
    assert decision.target is not None
    if decision.target.stage == OFF:
        return lambda _index, _flag: set_enabled(env, False)
    return lambda index, flag: step_back(index, flag, env)


def _check_policies(
    root: Path, before: Revision, c: _Candidate, decision: Decision, at: datetime
) -> None:
    """Hold the advance when the environment's change policies would refuse the edit: the same
    rules `validate --base` applies to the pull request that carries it."""
    rel = c.flag.source.path
    text = before.loaded.texts[rel].removeprefix("\ufeff")
    edit = _edit_for(decision)(before.index, c.flag.model)
    new_text, _ = edit_node(text, c.flag.source.doc, edit.path, edit.mutate)
    files = {path: body.encode("utf-8") for path, body in before.loaded.texts.items()}
    files[rel] = new_text.encode("utf-8")
    after_loaded = load_files(root, files)
    after = Revision.of("after", None, check_loaded(after_loaded, locate=False))
    found = check_change_policies(before, after, at)
    problems = [
        d.message
        for d in resolve_positions(found.items, after_loaded.texts)
        if d.severity == "error"
    ]
    if problems:
        decision.action, decision.target = "hold", None
        decision.reason = "a policy holds the advance"
        decision.policy = tuple(sorted(set(problems)))


def _write(root: Path, decision: Decision, at: datetime, dry_run: bool) -> None:
    make = _edit_for(decision)
    try:
        outcome = apply_edit(
            root, decision.flag, lambda index, flag, _raw: make(index, flag), at.date(), dry_run,
            now=at,
        )  # fmt: skip
    except EditError as exc:
        decision.error = str(exc)
        return
    decision.written = outcome.written
    decision.blast = tuple(
        f"{b.scope}: {blast_text(b)}"
        for change in outcome.diff.flags
        if change.env == decision.env
        for b in change.blast
    )
