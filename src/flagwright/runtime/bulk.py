"""How ``Client.evaluate_all`` evaluates many flags for one context: a plan per list of flags.

The flags that vary are evaluated by generated functions (``specialise_group`` below) that
read every attribute they need from the context once, compute a condition several flags test
once, and evaluate the flags one after the other without a call between them. Per flag that
saves the call of its own function, a table lookup and the re-reading of shared attributes
(the targeting key above all). Up to ``GROUP_SIZE`` varying flags (of at most ``WHOLE_SIZE``)
make one function, ``whole``, that returns the complete answer; more are split into groups
that fill a copy of ``template``. With the compiled evaluator (``accel``), each of these is an
``_accel.Group`` of the flags' compiled programs instead, with the same calling convention and
the same counting: outcomes are counted only once every flag of the group has answered.

Flags whose answer depends on nothing (unlisted, disabled, a plain ``serve``) are answered from
constants and counted together: each call adds one to ``calls``, and every outcome in ``fixed``
counts ``calls`` hits (``counted`` moves them into the outcomes when a plan is dropped). Flags
that are unknown or do not compile are in ``slow``: the long way, as ``evaluate`` takes.
"""

from __future__ import annotations

from .accel import accelerate_group
from .evaluation import Evaluation
from .specialise import Source, flow

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Mapping, Sequence
    from typing import Any

    from .build import Outcome
    from .compiled import CompiledSnapshot
    from .flags import CompiledFlag
    from .specialise import Spec

    Group = tuple[tuple[str, ...], Callable[..., None]]

GROUP_SIZE = 48  # enough to share the reads; small enough that a failing group costs little
WHOLE_SIZE = 192  # beyond, copying the template beats building the answer from constants
PLANS_PER_SNAPSHOT = 64  # lists of flags seen; a service asks for a few


class Bulk:
    """The plan of one list of flags (or of the whole snapshot)."""

    __slots__ = ("calls", "duplicates", "fixed", "groups", "slow", "template", "varying", "whole")

    def __init__(self, state: CompiledSnapshot, names: Sequence[str]) -> None:
        self.template: dict[str, Evaluation | None] = {}
        self.fixed: list[Outcome] = []
        self.slow: list[str] = []
        self.calls = 0
        self.duplicates = len(set(names)) != len(names)
        members: list[tuple[str, CompiledFlag]] = []
        for name in names:
            compiled = state.get(name)
            self.template[name] = None
            if compiled is None or compiled.problem is not None:
                self.slow.append(name)
            elif compiled.fixed is not None:
                self.template[name] = compiled.fixed.evaluation
                self.fixed.append(compiled.fixed)
            elif compiled.spec is not None:
                members.append((name, compiled))
            else:  # compiled, with no specialisation to group: the long way keeps it right
                self.slow.append(name)
        self.varying = tuple(name for name, _ in members)
        self.whole: Callable[[Mapping[str, Any], float | None], dict[str, Evaluation]] | None
        self.whole = None
        self.groups: list[Group] = []
        small = len(members) <= GROUP_SIZE and len(names) <= WHOLE_SIZE
        if small and not self.slow and not self.duplicates:
            compiled_of = dict(members)
            every: list[tuple[str, CompiledFlag | Evaluation]] = []
            for name in names:
                fixed = self.template[name]
                every.append((name, fixed if fixed is not None else compiled_of[name]))
            self.whole = accelerate_group(every, whole=True) or specialise_group(
                _specs(every), whole=True
            )
            return
        for start in range(0, len(members), GROUP_SIZE):
            chunk = members[start : start + GROUP_SIZE]
            group = accelerate_group(chunk) or specialise_group(_specs(chunk))
            self.groups.append((tuple(name for name, _ in chunk), group))

    def run(
        self,
        context: Mapping[str, Any],
        seconds: float | None,
        long: Callable[[str], Evaluation],
        whole_failed: bool = False,
    ) -> dict[str, Evaluation]:
        """Evaluate with the groups (``long(flag)`` for what they cannot answer)."""
        result = self.template.copy()
        self.calls += 1  # one hit for every flag in self.fixed
        if whole_failed:
            for flag in self.varying:
                result[flag] = long(flag)
        for names, group in self.groups:
            try:
                group(context, seconds, result)
            except Exception:  # nothing of the group was counted: the long way
                for flag in names:
                    result[flag] = long(flag)
        for flag in self.slow:
            result[flag] = long(flag)
        # Every None of the template has been replaced by now.
        return result  # type: ignore[return-value]

    def counted(self) -> None:
        """Move the hits of ``fixed`` into their outcomes (before the plan is dropped)."""
        for outcome in self.fixed:
            outcome.hits += self.calls
        self.calls = 0


def _specs(
    flags: Sequence[tuple[str, CompiledFlag | Evaluation]],
) -> list[tuple[str, Spec | Evaluation]]:
    """What ``specialise_group`` takes: each varying flag's spec, each constant as it is."""
    specs: list[tuple[str, Spec | Evaluation]] = []
    for name, item in flags:
        if isinstance(item, Evaluation):
            specs.append((name, item))
        else:
            assert item.spec is not None  # only specialised flags are members
            specs.append((name, item.spec))
    return specs


class _Group(Source):
    """The source of ``specialise_group``: attributes read once, outcomes into locals."""

    returns = False

    def __init__(self, shared: Collection[str] = ()) -> None:
        super().__init__()
        self.attributes: dict[str, str] = {}
        self.target = "o0"
        self.seen: list[str] = []  # the key of every attribute condition, in order
        self.shared = {key: f"c{n}" for n, key in enumerate(shared)}

    def read(self, attr: str) -> str:
        local = self.attributes.get(attr)
        if local is None:
            local = self.attributes[attr] = f"a{len(self.attributes)}"
        return local

    def leaf(self, depth: int, expr: str) -> None:
        self.emit(depth, f"{self.target} = {expr}")

    def attribute(self, raw: Mapping[str, Any]) -> str:
        """A condition tested by several flags of the group is computed once, when first needed."""
        import json  # loaded with the bundle already

        key = json.dumps(raw, sort_keys=True)
        self.seen.append(key)
        memo = self.shared.get(key)
        if memo is None:
            return super().attribute(raw)
        return f"({memo} if {memo} is not None else ({memo} := {super().attribute(raw)}))"


def specialise_group(
    flags: Sequence[tuple[str, Spec | Outcome | Evaluation]], whole: bool = False
) -> Callable[..., Any]:
    """One function evaluating several flags for one context.

    Each attribute any of them reads is read once, at the top, and a condition several of them
    test is computed once; each flag's outcome goes to a local, and only when all are known are
    they counted. So if anything raises, nothing was counted and the caller can take the long
    way for each of these flags. ``group(ctx, now, result)`` stores the evaluations in
    ``result``; with ``whole``, ``group(ctx, now)`` returns them as a new dict, in order, with
    each ``Evaluation`` given in ``flags`` (a flag that depends on nothing, counted by the
    caller) as a constant. Same answers as ``specialise`` of each flag, by the same fragments.
    """
    counted = _group(flags, ())
    shared = sorted({key for key in counted.seen if counted.seen.count(key) > 1})
    out = _group(flags, shared)
    reads = [f"    {local} = ctx.get({out.bind(attr)})" for attr, local in out.attributes.items()]
    reads += [f"    {memo} = None" for memo in out.shared.values()]
    out.lines[:0] = reads
    items = []
    for number, (name, spec) in enumerate(flags):
        if isinstance(spec, Evaluation):
            items.append(f"{out.bind(name)}: {out.bind(spec)}")
            continue
        out.emit(0, f"o{number}.hits += 1")
        if whole:
            items.append(f"{out.bind(name)}: o{number}.evaluation")
        else:
            out.emit(0, f"result[{out.bind(name)}] = o{number}.evaluation")
    if whole:
        out.emit(0, "return {" + ", ".join(items) + "}")
        return out.build()
    return out.build("ctx, now, result")


def _group(
    flags: Sequence[tuple[str, Spec | Outcome | Evaluation]], shared: Collection[str]
) -> _Group:
    out = _Group(shared)
    for number, (_, spec) in enumerate(flags):
        out.target = f"o{number}"
        if isinstance(spec, tuple):
            flow(out, 0, *spec)
        elif not isinstance(spec, Evaluation):  # a flag whose answer depends on nothing
            out.leaf(0, out.bind(spec))
    return out
