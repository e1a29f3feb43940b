"""Flag: variants, a default, and per-environment targeting."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, StrictBool, StrictInt

from flagwright.model.base import (
    Day,
    FlagKey,
    Name,
    NonEmpty,
    Percent,
    Strict,
    Time,
    VariantName,
)
from flagwright.model.conditions import Condition

FlagType = Literal["boolean", "string", "number", "object"]
BOOLEAN_VARIANTS: dict[str, Any] = {"on": True, "off": False}


class Experiment(Strict):
    hypothesis: NonEmpty
    primary_metric: NonEmpty
    sample_size: StrictInt = Field(gt=0)
    significance: float = Field(gt=0, lt=1)


class Rule(Strict):
    name: Name | None = None
    when: Condition | None = None  # no condition: the rule always matches
    serve: VariantName | None = None
    split: dict[VariantName, Percent] | None = None


class Rollout(Strict):
    plan: Name
    variant: VariantName
    stage: StrictInt | None = Field(default=None, ge=1)
    start: Time | None = None


class EnvEntry(Strict):
    enabled: StrictBool = True
    rules: list[Rule] = Field(default_factory=list)
    serve: VariantName | None = None
    split: dict[VariantName, Percent] | None = None
    rollout: Rollout | None = None


class Flag(Strict):
    kind: Literal["Flag"]
    key: FlagKey
    description: NonEmpty
    owner: NonEmpty
    tags: list[str] = Field(default_factory=list)
    type: FlagType = "boolean"
    variants: dict[VariantName, Any] | None = None
    default: VariantName | None = None
    expires: Day | None = None
    requires: list[FlagKey] = Field(default_factory=list)
    experiment: Experiment | None = None
    bucket_by: str = Field(default="targeting_key", min_length=1)
    environments: dict[Name, EnvEntry] = Field(default_factory=dict)

    @property
    def resolved_variants(self) -> dict[str, Any]:
        """Declared variants, or on/off for a boolean flag that declares none."""
        if self.variants is None and self.type == "boolean":
            return BOOLEAN_VARIANTS
        return self.variants or {}

    @property
    def resolved_default(self) -> str | None:
        if self.default is None and self.variants is None and self.type == "boolean":
            return "off"
        return self.default
