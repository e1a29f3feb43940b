"""Checks of each Flag: variants, default, prerequisites and every environment entry."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flagwright.check.conditions import ConditionChecker, always_true
from flagwright.check.suggest import did_you_mean
from flagwright.codes import Code, Severity
from flagwright.diagnostics import Findings, YamlPath, show
from flagwright.load.index import ConfigIndex
from flagwright.load.repository import Located
from flagwright.model import EnvEntry, Flag, Rollout, RolloutPlan, Rule
from flagwright.model.base import in_calendar
from flagwright.runtime.bucketing import TOTAL

_TYPE_CHECKS: dict[str, tuple[str, type | tuple[type, ...]]] = {
    "boolean": ("true or false", bool),
    "string": ("a string", str),
    "number": ("a number", (int, float)),
    "object": ("a mapping", dict),
}


def check_flags(
    index: ConfigIndex,
    findings: Findings,
    conditions: ConditionChecker,
    today: date,
    strict: bool,
) -> None:
    for located in index.flags.values():
        _FlagChecker(index, findings, conditions, located).run(today, strict)


class _FlagChecker:
    def __init__(
        self,
        index: ConfigIndex,
        findings: Findings,
        conditions: ConditionChecker,
        located: Located[Flag],
    ) -> None:
        self.index = index
        self.findings = findings
        self.conditions = conditions
        self.flag = located.model
        self.source = located.source
        self.variants = self.flag.resolved_variants

    def add(self, where: YamlPath, code: Code, message: str, **kw: Any) -> None:
        self.findings.add(self.source, where, code, message, **kw)

    def run(self, today: date, strict: bool) -> None:
        flag = self.flag
        self._variants()
        if flag.expires is not None and flag.expires < today:
            self.add(
                ("expires",), Code.STALE_FLAG,
                f"flag {flag.key!r} expired on {flag.expires.isoformat()}: remove it or extend "
                "'expires'",
                severity=Severity.ERROR if strict else Severity.WARNING,
            )  # fmt: skip
        for i, required in enumerate(flag.requires):
            if self.index.is_unknown("Flag", required):
                self.add(
                    ("requires", i), Code.UNKNOWN_FLAG,
                    f"unknown flag {required!r} in 'requires'"
                    + did_you_mean(required, self.index.flags, "flags"),
                )  # fmt: skip
        for env, entry in flag.environments.items():
            where: YamlPath = ("environments", env)
            if self.index.is_unknown("Environment", env):
                self.add(
                    where, Code.UNKNOWN_ENVIRONMENT,
                    f"unknown environment {env!r}"
                    + did_you_mean(env, self.index.environments, "environments"),
                    at="key",
                )  # fmt: skip
            self._entry(entry, where)

    def _variants(self) -> None:
        flag = self.flag
        if flag.variants is None and flag.type != "boolean":
            # Reported at `type:`: that line is what makes 'variants' required.
            self.add(("type",), Code.MISSING_KEY, f"a {flag.type} flag needs 'variants'")
            return
        if flag.variants is not None and not flag.variants:
            self.add(("variants",), Code.INVALID_VALUE, "'variants' is empty")
            return
        wanted, types = _TYPE_CHECKS[flag.type]
        for name, value in self.variants.items():
            bad_bool = isinstance(value, bool) and flag.type == "number"
            if not isinstance(value, types) or bad_bool:
                self.add(
                    ("variants", name), Code.VARIANT_TYPE,
                    f"variant {name!r} of a {flag.type} flag must be {wanted}, got {show(value)}",
                )  # fmt: skip
        default = flag.resolved_default
        if default is None:
            # Reported next to the variants it must name; the document has no 'default' line.
            self.add(
                ("variants",), Code.MISSING_KEY,
                "missing required key 'default': name the variant served when the flag is off",
                at="key",
            )  # fmt: skip
        elif default not in self.variants:
            self.add(
                ("default",), Code.DEFAULT_NOT_VARIANT,
                f"default {default!r} is not a variant" + self._hint(default),
            )  # fmt: skip

    def _hint(self, name: str) -> str:
        return did_you_mean(name, self.variants) or f"; variants: {', '.join(self.variants)}"

    def _variant(self, name: str, where: YamlPath, at: str = "value") -> None:
        if name not in self.variants:
            self.add(
                where, Code.UNKNOWN_VARIANT, f"unknown variant {name!r}" + self._hint(name), at=at
            )

    def _split(self, split: dict[str, float], where: YamlPath) -> None:
        for name in split:
            self._variant(name, (*where, name), at="key")
        total = sum(round(weight * 100) for weight in split.values())
        if total != TOTAL:
            self.add(
                where, Code.SPLIT_SUM,
                f"split weights add up to {total / 100:g}, not 100",
            )  # fmt: skip

    def _entry(self, entry: EnvEntry, where: YamlPath) -> None:
        given = [k for k in ("serve", "split", "rollout") if getattr(entry, k) is not None]
        if len(given) != 1:
            problem = "none" if not given else " and ".join(repr(k) for k in given)
            self.add(
                where, Code.ONE_OF,
                f"an environment entry needs exactly one fallthrough: 'serve', 'split' or "
                f"'rollout' (found {problem})",
            )  # fmt: skip
        if entry.serve is not None:
            self._variant(entry.serve, (*where, "serve"))
        if entry.split is not None:
            self._split(entry.split, (*where, "split"))
        if entry.rollout is not None:
            self._rollout(entry.rollout, (*where, "rollout"))
        unconditional: int | None = None
        seen: dict[str, int] = {}
        for i, rule in enumerate(entry.rules):
            rule_where = (*where, "rules", i)
            self._rule(rule, rule_where)
            label = rule.name or f"#{i + 1}"
            condition = None if rule.when is None else rule.when.model_dump_json()
            if unconditional is not None:
                self.add(
                    rule_where, Code.UNREACHABLE_RULE,
                    f"rule {label} is never reached: rule #{unconditional + 1} before it "
                    "always matches",
                )  # fmt: skip
            elif condition is not None and (same := seen.get(condition)):
                self.add(
                    rule_where, Code.UNREACHABLE_RULE,
                    f"rule {label} is never reached: rule #{same} has the same condition",
                )  # fmt: skip
            if always_true(rule.when) and unconditional is None:
                unconditional = i
            if condition is not None:
                seen.setdefault(condition, i + 1)

    def _rule(self, rule: Rule, where: YamlPath) -> None:
        if (rule.serve is None) == (rule.split is None):
            found = "none" if rule.serve is None else "both"
            self.add(
                where,
                Code.ONE_OF,
                f"a rule needs exactly one of 'serve' or 'split' (found {found})",
            )
        if rule.serve is not None:
            self._variant(rule.serve, (*where, "serve"))
        if rule.split is not None:
            self._split(rule.split, (*where, "split"))
        self.conditions.check(rule.when, self.source, (*where, "when"))

    def _rollout(self, rollout: Rollout, where: YamlPath) -> None:
        self._variant(rollout.variant, (*where, "variant"))
        if rollout.variant == self.flag.resolved_default:
            self.add(
                (*where, "variant"), Code.USELESS_ROLLOUT,
                f"rollout variant {rollout.variant!r} is the flag's default, so the rollout "
                "changes nothing",
            )  # fmt: skip
        if (rollout.stage is None) == (rollout.start is None):
            self.add(
                where, Code.ONE_OF,
                "a rollout needs exactly one of 'stage' (advanced by pull request) or 'start' "
                "(follows a schedule)",
            )  # fmt: skip
        plan = self.index.plans.get(rollout.plan)
        if plan is None and self.index.is_unknown("RolloutPlan", rollout.plan):
            self.add(
                (*where, "plan"), Code.UNKNOWN_PLAN,
                f"unknown rollout plan {rollout.plan!r}"
                + did_you_mean(rollout.plan, self.index.plans, "plans"),
            )  # fmt: skip
        elif plan and rollout.start is not None and not _schedule_fits(rollout, plan.model):
            self.add(
                (*where, "start"), Code.INVALID_TIME,
                f"the schedule's last stage would start after 9999-12-30: plan "
                f"{rollout.plan!r}'s holds are too long for a start at {rollout.start.isoformat()}",
            )  # fmt: skip
        elif plan and rollout.stage is not None and rollout.stage > len(plan.model.stages):
            self.add(
                (*where, "stage"), Code.STAGE_OUT_OF_RANGE,
                f"stage {rollout.stage} does not exist: plan {rollout.plan!r} has "
                f"{len(plan.model.stages)} stages",
            )  # fmt: skip


def _schedule_fits(rollout: Rollout, plan: RolloutPlan) -> bool:
    """The last stage of a scheduled rollout starts inside the calendar."""
    assert rollout.start is not None
    try:
        last = rollout.start + timedelta(seconds=sum(s.hold_seconds or 0 for s in plan.stages))
    except OverflowError:
        return False
    return in_calendar(last)
