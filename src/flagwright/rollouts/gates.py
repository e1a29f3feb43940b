"""What a gate means, in one place: Argo Rollouts analysis and ``flagwright progress`` agree.

A plan's gates are ``max_<query>`` / ``min_<query>`` thresholds on the environment's metric
queries (PromQL templates). A value above a ``max_`` threshold, or below a ``min_`` one, fails;
no data (no sample, NaN) is inconclusive, never a pass.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Literal

from flagwright.codes import Code
from flagwright.model.plan import Gates
from flagwright.render.templating import TemplateCodes, TemplateProblem, Templates

# Names a metric query template may use (bare names inside {{ }}, as in Helm value strings).
QUERY_TEMPLATE_NAMES = ("app", "env", "flag", "namespace", "variant")


class Verdict(Enum):
    PASS = "pass"
    FAIL = "fail"
    INCONCLUSIVE = "inconclusive"


@dataclass(frozen=True, slots=True)
class Gate:
    key: str  # as written in the plan: max_error_rate
    query: str  # the metric query it reads: error_rate
    bound: Literal["max", "min"]
    threshold: float

    def judge(self, value: float | None) -> Verdict:
        if value is None or math.isnan(value):
            return Verdict.INCONCLUSIVE
        failed = value > self.threshold if self.bound == "max" else value < self.threshold
        return Verdict.FAIL if failed else Verdict.PASS

    def describe(self) -> str:
        sign = "≤" if self.bound == "max" else "≥"
        return f"{self.query} {sign} {_number(self.threshold)}"


def gates_of(gates: Gates | None) -> tuple[Gate, ...]:
    """The plan's thresholds as gates, in key order."""
    if gates is None:
        return ()
    found = []
    for key, threshold in gates.thresholds.items():
        bound, query = key.split("_", 1)
        found.append(Gate(key, query, "max" if bound == "max" else "min", threshold))
    return tuple(found)


def query_names(
    app: str, env: str, namespace: str, flag: str = "", variant: str = ""
) -> dict[str, str]:
    """The values a query template's names take."""
    names = {"app": app, "env": env, "namespace": namespace, "flag": flag, "variant": variant}
    assert set(names) == set(QUERY_TEMPLATE_NAMES)
    return names


_QUERY_TEMPLATES = Templates(
    QUERY_TEMPLATE_NAMES,
    TemplateCodes(Code.QUERY_UNDEFINED_NAME, Code.QUERY_SANDBOX, Code.QUERY_TEMPLATE_ERROR),
)


def render_query(template: str, names: Mapping[str, str]) -> str:
    """The PromQL a metric query template stands for, with ``names`` (see :func:`query_names`).

    Bare names only, in jinja2's sandbox (as Helm value strings); raises
    :class:`~flagwright.render.templating.TemplateProblem` (``FW261``-``FW263``) when the template
    uses anything else or a name outside :data:`QUERY_TEMPLATE_NAMES`.
    """
    return _QUERY_TEMPLATES.render(template, names)


def check_query_template(template: str) -> None:
    """Raises the :class:`TemplateProblem` that rendering ``template`` would raise, if any."""
    _QUERY_TEMPLATES.check(template)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


__all__ = [
    "QUERY_TEMPLATE_NAMES",
    "Gate",
    "TemplateProblem",
    "Verdict",
    "check_query_template",
    "gates_of",
    "query_names",
    "render_query",
]
