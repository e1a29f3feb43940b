"""Checks of RolloutPlans: stages strictly increase and every stage but the last holds."""

from __future__ import annotations

from flagwright.codes import Code
from flagwright.diagnostics import Findings
from flagwright.load.index import ConfigIndex


def check_plans(index: ConfigIndex, findings: Findings) -> None:
    for located in index.plans.values():
        stages = located.model.stages
        for i, stage in enumerate(stages):
            where = ("stages", i)
            if i and stage.percent <= stages[i - 1].percent:
                findings.add(
                    located.source, (*where, "percent"), Code.STAGES_NOT_INCREASING,
                    f"stage {i + 1} serves {stage.percent:g}%, not more than stage {i}'s "
                    f"{stages[i - 1].percent:g}%: stages must strictly increase",
                )  # fmt: skip
            if i < len(stages) - 1 and stage.hold is None:
                findings.add(
                    located.source, where, Code.STAGE_WITHOUT_HOLD,
                    f"stage {i + 1} needs a 'hold' (how long it runs before the next stage)",
                )  # fmt: skip
            elif i < len(stages) - 1 and stage.hold_seconds == 0:
                findings.add(
                    located.source, (*where, "hold"), Code.STAGE_WITHOUT_HOLD,
                    f"stage {i + 1} holds for 0s, so it never serves: give it a hold of at "
                    "least 1s or remove the stage",
                )  # fmt: skip
