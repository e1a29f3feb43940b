"""FeatureManagement feature filters → flagwright rules on ``targeting_key`` and ``group``.

The context convention is the export's (README): the TargetingContext's user id is the
attribute ``targeting_key``, its group the attribute ``group``. Percentages keep their share of
users but not the same users: Microsoft hashes differently (and ``Microsoft.Percentage`` draws
at random on every call), while flagwright buckets every split by flagd's rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from flagwright.codes import Code
from flagwright.diagnostics import YamlPath
from flagwright.importer.problems import Unrepresentable
from flagwright.runtime.conditions import DAYS

USER = "targeting_key"
GROUP = "group"
_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_SHORT = DAYS

Served = str | dict[str, float]  # "on", "off" or a split


@dataclass(slots=True)
class Outcome:
    """One filter (or all of them) as rules and a fallthrough serving "on"/"off"/a split."""

    rules: list[tuple[dict[str, Any], Served]] = field(default_factory=list)
    fallthrough: Served = "off"
    percent: bool = False  # uses a percentage: bucketed differently from Microsoft's libraries


def param(mapping: Any, name: str) -> tuple[str, Any] | None:
    """A parameter by name, case-insensitively as .NET configuration binds it."""
    if not isinstance(mapping, dict):
        return None
    for key, value in mapping.items():
        if isinstance(key, str) and key.lower() == name.lower():
            return key, value
    return None


def _percent(value: Any, where: YamlPath) -> float:
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            value = None
    ok = isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 100
    if not ok or abs(round(value * 100) - value * 100) > 1e-9:
        raise Unrepresentable(
            Code.IMPORT_FILTER, where, "a percentage from 0 to 100 with at most 2 decimals"
        )
    return int(value) if float(value).is_integer() else round(float(value), 2)


def split(percent: float) -> Served:
    if percent == 100:
        return "on"
    if percent == 0:
        return "off"
    return {"on": _tidy(percent), "off": _tidy(100 - percent)}


def _tidy(value: float) -> float:
    return int(value) if float(value).is_integer() else round(value, 2)


def filter_outcome(
    name: str, found: tuple[str, Any] | None, where: YamlPath
) -> Outcome | dict[str, Any]:
    """A filter as an Outcome, or (a time window) as a condition to combine."""
    short = name.removeprefix("Microsoft.")
    parameters = found[1] if found is not None else None
    here = (*where, found[0]) if found is not None else where
    if short in ("AlwaysOn", "On"):
        return Outcome(fallthrough="on")
    if short == "TimeWindow":
        return time_window(parameters, here)
    if short == "Percentage":
        found = param(parameters, "Value")
        if found is None:
            raise Unrepresentable(Code.IMPORT_FILTER, here, "Microsoft.Percentage needs 'Value'")
        value = _percent(found[1], (*here, found[0]))
        return Outcome(fallthrough=split(value), percent=0 < value < 100)
    if short == "Targeting":
        return targeting(parameters, here)
    raise Unrepresentable(
        Code.IMPORT_FILTER,
        where,
        f"filter {name!r} has no flagwright equivalent (only Microsoft.TimeWindow, "
        "Microsoft.Percentage and Microsoft.Targeting import)",
    )


def _names(value: Any, where: YamlPath) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Unrepresentable(Code.IMPORT_FILTER, where, "expected a list of strings")
    return list(value)


def targeting(parameters: Any, where: YamlPath) -> Outcome:
    found = param(parameters, "Audience")
    if found is None or not isinstance(found[1], dict):
        raise Unrepresentable(Code.IMPORT_FILTER, where, "Microsoft.Targeting needs an 'Audience'")
    here = (*where, found[0])
    audience = found[1]
    out = Outcome()
    exclusion = param(audience, "Exclusion")
    if exclusion is not None:
        for attr, key in ((USER, "Users"), (GROUP, "Groups")):
            listed = param(exclusion[1], key)
            names = _names(listed[1], (*here, exclusion[0], listed[0])) if listed else []
            if names:
                out.rules.append(({"attr": attr, "op": "in", "values": names}, "off"))
    default = param(audience, "DefaultRolloutPercentage")
    rollout = _percent(default[1], (*here, default[0])) if default is not None else 0
    users = param(audience, "Users")
    names = _names(users[1], (*here, users[0])) if users else []
    if names:
        out.rules.append(({"attr": USER, "op": "in", "values": names}, "on"))
    groups = param(audience, "Groups")
    whole: list[str] = []
    for n, group in enumerate(groups[1] if groups and isinstance(groups[1], list) else []):
        spot = (*here, groups[0] if groups else "Groups", n)
        named = param(group, "Name")
        if named is None or not isinstance(named[1], str):
            raise Unrepresentable(Code.IMPORT_FILTER, spot, "a targeted group needs a 'Name'")
        share = param(group, "RolloutPercentage")
        percent = _percent(share[1], (*spot, share[0])) if share is not None else 0
        # Microsoft tries the group's share, then the default rollout, with separate hashes:
        # a member is enabled with probability p + d - p*d.
        combined = percent + rollout - percent * rollout / 100
        if combined == 100:
            whole.append(named[1])
        elif combined > rollout:
            out.rules.append(({"attr": GROUP, "op": "eq", "value": named[1]}, split(combined)))
            out.percent = True
    if whole:
        out.rules.insert(
            len(out.rules) - sum(isinstance(s, dict) for _, s in out.rules),
            ({"attr": GROUP, "op": "in", "values": whole}, "on"),
        )
    out.fallthrough = split(rollout)
    out.percent = out.percent or 0 < rollout < 100
    return out


def parse_time(value: Any, where: YamlPath) -> datetime:
    moment: datetime | None = None
    if isinstance(value, str):
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                moment = None
    if moment is None or moment.utcoffset() is None:
        raise Unrepresentable(
            Code.IMPORT_FILTER,
            where,
            f"{value!r} is not a time with a UTC offset (RFC 1123 or RFC 3339)",
        )
    return moment


def time_text(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def time_window(parameters: Any, where: YamlPath) -> dict[str, Any]:
    start = param(parameters, "Start")
    end = param(parameters, "End")
    recurrence = param(parameters, "Recurrence")
    if start is None and end is None:
        raise Unrepresentable(
            Code.IMPORT_FILTER, where, "a TimeWindow needs 'Start', 'End' or both"
        )
    begin = parse_time(start[1], (*where, start[0])) if start else None
    finish = parse_time(end[1], (*where, end[0])) if end else None
    if recurrence is None or recurrence[1] is None:
        window = {}
        if begin is not None:
            window["after"] = time_text(begin)
        if finish is not None:
            window["before"] = time_text(finish)
        return {"time": window}
    if begin is None or finish is None:
        raise Unrepresentable(
            Code.IMPORT_FILTER, (*where, recurrence[0]), "a recurrence needs 'Start' and 'End'"
        )
    return _recurring(begin, finish, recurrence[1], (*where, recurrence[0]))


def _recurring(begin: datetime, finish: datetime, raw: Any, where: YamlPath) -> dict[str, Any]:
    def refuse(spot: YamlPath, why: str) -> Unrepresentable:
        return Unrepresentable(Code.IMPORT_FILTER, spot, f"recurrence: {why}")

    pattern = param(raw, "Pattern")
    span = param(raw, "Range")
    if pattern is None or not isinstance(pattern[1], dict):
        raise refuse(where, "needs a 'Pattern'")
    kind = param(pattern[1], "Type")
    interval = param(pattern[1], "Interval")
    here = (*where, pattern[0])
    if kind is None or kind[1] not in ("Daily", "Weekly"):
        raise refuse(here, "only Daily and Weekly patterns import")
    if interval is not None and interval[1] != 1:
        raise refuse(
            (*here, interval[0]), "only an Interval of 1 imports (flagwright repeats weekly)"
        )
    range_type = param(span[1], "Type") if span is not None else None
    if range_type is not None and range_type[1] != "NoEnd":
        raise refuse(
            (*where, span[0] if span else "Range", range_type[0]),
            f"a {range_type[1]!r} range does not import (only NoEnd)",
        )
    length = finish - begin
    if not timedelta(0) < length < timedelta(days=1):
        raise refuse(where, "only windows shorter than a day import")
    offset = begin.utcoffset() or timedelta(0)
    hours, rest = divmod(int(offset.total_seconds()), 3600)
    if rest:
        raise refuse(where, "Start's UTC offset is not whole hours; flagwright needs a zone name")
    tz = "UTC" if hours == 0 else f"Etc/GMT{-hours:+d}"
    end_local = finish.astimezone(begin.tzinfo)
    if begin.second or end_local.second:
        raise refuse(where, "times with seconds do not import")
    schedule: dict[str, Any] = {}
    if kind[1] == "Weekly":
        days = param(pattern[1], "DaysOfWeek")
        names = days[1] if days is not None and isinstance(days[1], list) else []
        if not names or not all(isinstance(d, str) and d.lower() in _DAYS for d in names):
            raise refuse(here, "a Weekly pattern needs DaysOfWeek")
        wanted = sorted({_DAYS.index(d.lower()) for d in names})
        if begin.weekday() not in wanted:
            raise refuse(where, "Start is not on one of DaysOfWeek")
        schedule["days"] = [_SHORT[d] for d in wanted]
    schedule.update({"from": begin.strftime("%H:%M"), "to": end_local.strftime("%H:%M"), "tz": tz})
    # Occurrences begin at Start; flagwright's schedule repeats forever in both directions.
    return {"all": [{"time": {"after": time_text(begin)}}, {"schedule": schedule}]}
