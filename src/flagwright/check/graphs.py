"""Cycle and root checks on the three graphs: promotion, prerequisites and segments."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from flagwright.codes import Code
from flagwright.diagnostics import Findings
from flagwright.load.index import ConfigIndex
from flagwright.load.repository import Located
from flagwright.model import (
    AllCondition,
    AnyCondition,
    Condition,
    NotCondition,
    SegmentCondition,
)


def find_cycles(nodes: Iterable[str], edges: Callable[[str], Iterable[str]]) -> list[list[str]]:
    """Every elementary cycle reached by depth-first search, each reported once, sorted."""
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges(node)):
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt) :])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(nodes):
        if node not in state:
            visit(node)
    return cycles


def segment_refs(cond: Condition | None) -> set[str]:
    if isinstance(cond, SegmentCondition):
        return {cond.segment}
    if isinstance(cond, AllCondition):
        return set().union(*(segment_refs(c) for c in cond.all))
    if isinstance(cond, AnyCondition):
        return set().union(*(segment_refs(c) for c in cond.any))
    if isinstance(cond, NotCondition):
        return segment_refs(cond.not_)
    return set()


def check_cycles(index: ConfigIndex, findings: Findings) -> None:
    envs = index.environments

    def promotes(name: str) -> list[str]:
        parent = envs[name].model.promotes_from
        return [parent] if parent in envs and parent != name else []

    for cycle in find_cycles(envs, promotes):
        where = envs[cycle[0]]
        findings.add(
            where.source, ("promotes_from",), Code.PROMOTION_CYCLE,
            "promotion chain has a cycle: " + " → ".join([*cycle, cycle[0]]),
        )  # fmt: skip
    roots = sorted(
        (e for e in envs.values() if e.model.promotes_from is None),
        key=lambda e: (e.source.path, e.source.doc),
    )
    for extra in roots[1:]:
        findings.add(
            extra.source, ("name",), Code.PROMOTION_ROOTS,
            f"environment {extra.model.name!r} has no 'promotes_from', and neither has "
            f"{roots[0].model.name!r}: the promotion chain must have exactly one first "
            "environment",
        )  # fmt: skip

    flags = index.flags

    def requires(key: str) -> list[str]:
        return [r for r in flags[key].model.requires if r in flags]

    for cycle in find_cycles(flags, requires):
        _report(findings, flags, cycle, ("requires",), Code.REQUIRES_CYCLE, "prerequisites")

    segs = index.segments

    def uses(name: str) -> list[str]:
        return [s for s in segment_refs(segs[name].model.when) if s in segs]

    for cycle in find_cycles(segs, uses):
        _report(findings, segs, cycle, ("when",), Code.SEGMENT_CYCLE, "segments")


def _report(
    findings: Findings,
    table: Mapping[str, Located[Any]],
    cycle: list[str],
    where: tuple[str, ...],
    code: Code,
    what: str,
) -> None:
    findings.add(
        table[cycle[0]].source, where, code,
        f"{what} form a cycle: " + " → ".join([*cycle, cycle[0]]),
    )  # fmt: skip
