"""Gated flag rollouts can be measured: every gate names a query of the environment's metrics.

A manual rollout (``stage: N``) on a plan with gates, in an environment with ``metrics``, is what
``flagwright progress`` advances or rolls back; a gate naming a query the environment does not
define could never be measured, so the rollout would hold for ever. (Without ``metrics`` the
gates are for reviewers only and ``progress`` leaves the rollout alone.)
"""

from __future__ import annotations

from flagwright.codes import Code
from flagwright.diagnostics import Findings
from flagwright.gates import gates_of
from flagwright.index import ConfigIndex


def check_flag_gates(index: ConfigIndex, findings: Findings) -> None:
    for _key, located in sorted(index.flags.items()):
        for env, entry in sorted(located.model.environments.items()):
            rollout = entry.rollout
            environment = index.environments.get(env)
            if rollout is None or rollout.stage is None or environment is None:
                continue
            plan = index.plans.get(rollout.plan)
            gates = gates_of(plan.model.gates) if plan is not None else ()
            if not gates:
                continue
            where = ("environments", env, "rollout", "plan")
            metrics = environment.model.metrics
            if metrics is None:
                continue
            for gate in gates:
                if gate.query not in metrics.queries:
                    known = ", ".join(sorted(metrics.queries)) or "none"
                    findings.add(
                        located.source, where, Code.GATE_QUERY_UNDEFINED,
                        f"plan {rollout.plan}'s gate {gate.key} reads the query {gate.query!r}, "
                        f"which {env}'s metrics do not define (queries: {known})",
                    )  # fmt: skip
