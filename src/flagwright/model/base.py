"""Shared building blocks: the strict base model and the constrained scalar types."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

# No '..': names become file names and Kubernetes resource names, where it is not allowed.
NAME_PATTERN = r"^(?!.*\.\.)[a-z0-9]([a-z0-9._-]{0,126}[a-z0-9])?$"
_NAME = re.compile(NAME_PATTERN)
# Flag keys may use upper case too (.NET services name flags with nameof(...), e.g. BatchMinting);
# keys that differ only in case are refused (flagwright.load.index), since they become file names.
FLAG_KEY_PATTERN = r"^(?!.*\.\.)[A-Za-z0-9]([A-Za-z0-9._-]{0,126}[A-Za-z0-9])?$"
_FLAG_KEY = re.compile(FLAG_KEY_PATTERN)
_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
VARIANT_PATTERN = r"^[A-Za-z0-9_]([A-Za-z0-9._-]{0,126})$"
_VARIANT = re.compile(VARIANT_PATTERN)


class Strict(BaseModel):
    """Frozen, no unknown keys, and field names as written in YAML (aliases where Python needs)."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=False, strict=True, validate_default=False
    )


def _check_name(value: str) -> str:
    if ".." in value:
        raise PydanticCustomError(
            "fw_name", "'{value}' is not a valid name: '..' is not allowed", {"value": value}
        )
    if not _NAME.match(value):
        raise PydanticCustomError(
            "fw_name",
            "'{value}' is not a valid name: use lowercase letters, digits, '.', '_' and '-', "
            "starting and ending with a letter or digit, at most 128 characters",
            {"value": value},
        )
    return value


def _check_flag_key(value: str) -> str:
    if ".." in value:
        raise PydanticCustomError(
            "fw_name", "'{value}' is not a valid flag key: '..' is not allowed", {"value": value}
        )
    if not _FLAG_KEY.match(value):
        raise PydanticCustomError(
            "fw_name",
            "'{value}' is not a valid flag key: use letters, digits, '.', '_' and '-', "
            "starting and ending with a letter or digit, at most 128 characters",
            {"value": value},
        )
    return value


def _check_variant(value: str) -> str:
    if not _VARIANT.match(value):
        raise PydanticCustomError(
            "fw_name",
            "'{value}' is not a valid variant name: use letters, digits, '.', '_' and '-'",
            {"value": value},
        )
    return value


# Times are compared and shifted (a schedule's stages start at start + holds) with Python's
# datetime, which ends at the years 1 and 9999: a time near either end, or a hold that carries a
# schedule past it, is refused where it is written instead of overflowing in render or eval.
EARLIEST = datetime(1, 1, 2, tzinfo=UTC)
LATEST = datetime(9999, 12, 30, tzinfo=UTC)
MAX_DURATION_SECONDS = 36500 * 86400  # 100 years


def in_calendar(moment: datetime) -> bool:
    """True for an aware time that converts to UTC and keeps a day's margin to datetime's ends."""
    try:
        return EARLIEST <= moment.astimezone(UTC) <= LATEST
    except (OverflowError, ValueError):
        return False


def parse_duration(value: Any) -> int:
    """``30s``, ``30m``, ``1h``, ``1d``, ``1h30m`` → seconds."""
    match = _DURATION.match(value) if isinstance(value, str) else None
    if not value or not match:
        raise PydanticCustomError(
            "fw_duration",
            "'{value}' is not a duration: write it like 30s, 30m, 1h, 1d or 1h30m",
            {"value": value},
        )
    days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return ((days * 24 + hours) * 60 + minutes) * 60 + seconds


def _check_percent(value: float) -> float:
    shown = str(int(value)) if value.is_integer() else str(value)
    if not 0 <= value <= 100:
        raise PydanticCustomError(
            "fw_percent",
            "{value} is not a percentage: use a number from 0 to 100",
            {"value": shown},
        )
    if abs(round(value * 100) - value * 100) > 1e-9:
        raise PydanticCustomError(
            "fw_percent",
            "{value} has more than 2 decimals; percentages allow at most 2",
            {"value": shown},
        )
    return value


def _no_bool(value: Any) -> Any:
    if isinstance(value, bool):
        raise PydanticCustomError("float_type", "Input should be a valid number")
    return value


Name = Annotated[
    str,
    AfterValidator(_check_name),
    WithJsonSchema({"type": "string", "pattern": NAME_PATTERN}),
]
FlagKey = Annotated[
    str,
    AfterValidator(_check_flag_key),
    WithJsonSchema({"type": "string", "pattern": FLAG_KEY_PATTERN}),
]
VariantName = Annotated[
    str,
    AfterValidator(_check_variant),
    WithJsonSchema({"type": "string", "pattern": VARIANT_PATTERN}),
]
Percent = Annotated[
    float,
    BeforeValidator(_no_bool),
    AfterValidator(_check_percent),
    # No "multipleOf": 0.01 here: validators divide in binary floating point, so 33.33 / 0.01 is
    # 3332.9999999999995 and editors would reject a valid 33.33/33.33/33.34 split. The model
    # enforces the 2-decimal limit exactly; the schema only says it.
    WithJsonSchema(
        {
            "type": "number",
            "minimum": 0,
            "maximum": 100,
            "description": "A percentage from 0 to 100 with at most 2 decimals.",
        }
    ),
]


def _check_duration(value: str) -> str:
    if parse_duration(value) > MAX_DURATION_SECONDS:
        raise PydanticCustomError(
            "fw_duration", "'{value}' is longer than 100 years (36500d)", {"value": value}
        )
    return value


Duration = Annotated[
    str,
    AfterValidator(_check_duration),
    WithJsonSchema({"type": "string", "pattern": _DURATION.pattern.replace("(?:", "(")}),
]


def _rfc3339(value: Any) -> Any:
    # pydantic alone would also take Unix timestamps, dates and hour-only times.
    if isinstance(value, datetime):
        return value
    from flagwright.runtime.timeparse import parse_datetime

    try:
        moment = parse_datetime(value)
    except ValueError:
        raise PydanticCustomError("datetime_from_date_parsing", "not an RFC 3339 time") from None
    if not in_calendar(moment):
        raise PydanticCustomError(
            "fw_time_range",
            "'{value}' is too close to the ends of the calendar: use a time between "
            "0001-01-02 and 9999-12-30 (UTC)",
            {"value": value},
        )
    return moment


Time = Annotated[
    AwareDatetime,
    BeforeValidator(_rfc3339),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


def _iso_date(value: Any) -> Any:
    # Dates stay strings in the loader (as in JSON); pydantic's lax mode would also take Unix
    # timestamps, which the schema does not allow.
    if isinstance(value, str):
        try:
            return date.fromisoformat(value) if len(value) == 10 else value
        except ValueError:
            return value
    return value


Day = Annotated[
    date,
    BeforeValidator(_iso_date),
    WithJsonSchema({"type": "string", "format": "date"}),
]


def _non_empty(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("fw_empty", "must not be empty")
    return value


NonEmpty = Annotated[str, AfterValidator(_non_empty)]
