"""The result type of an evaluation and its reason codes."""

# Imported with the runtime: no `from __future__ import annotations` (loading __future__ is a
# module load at start-up); annotations naming what only type checking imports are quoted.

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class Reason:
    """Why an evaluation produced its value (plain ``str`` constants, OpenFeature-compatible)."""

    STATIC = "STATIC"
    TARGETING_MATCH = "TARGETING_MATCH"
    SPLIT = "SPLIT"
    DISABLED = "DISABLED"
    DEFAULT = "DEFAULT"
    ERROR = "ERROR"


class Evaluation:
    """Immutable result of evaluating one flag for one context.

    Instances are precomputed per outcome when a flag is compiled and shared between calls, so
    the hot path allocates nothing. For ``object`` flags ``value`` is therefore shared too: treat
    it as read-only.
    """

    __slots__ = ("reason", "rule", "value", "variant")

    value: "Any"
    variant: str | None
    reason: str
    rule: str | None

    def __init__(self, value: "Any", variant: str | None, reason: str, rule: str | None) -> None:
        setter = object.__setattr__
        setter(self, "value", value)
        setter(self, "variant", variant)
        setter(self, "reason", reason)
        setter(self, "rule", rule)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Evaluation is immutable (cannot set {name!r})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Evaluation is immutable (cannot delete {name!r})")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Evaluation):
            return NotImplemented
        return (
            self.variant == other.variant
            and self.reason == other.reason
            and self.rule == other.rule
            and type(self.value) is type(other.value)
            and self.value == other.value
        )

    def __hash__(self) -> int:
        # value may be unhashable (object flags); equal evaluations still hash equally.
        return hash((self.variant, self.reason, self.rule))

    def __repr__(self) -> str:
        return (
            f"Evaluation(value={self.value!r}, variant={self.variant!r}, "
            f"reason={self.reason!r}, rule={self.rule!r})"
        )

    def __reduce__(self) -> "tuple[type[Evaluation], tuple[Any, str | None, str, str | None]]":
        return (Evaluation, (self.value, self.variant, self.reason, self.rule))

    def as_dict(self) -> "dict[str, Any]":
        return {
            "value": self.value,
            "variant": self.variant,
            "reason": self.reason,
            "rule": self.rule,
        }


ERROR_NO_FLAG = Evaluation(None, None, Reason.ERROR, None)
