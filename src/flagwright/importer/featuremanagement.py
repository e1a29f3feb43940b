"""Microsoft.FeatureManagement configuration → flagwright Flag documents.

Reads the current ``feature_management.feature_flags`` schema and the legacy
``FeatureManagement`` section (``EnabledFor`` filters). ``enabled: false`` becomes flagwright's
kill switch (``enabled: false``, keeping the filters for when it is switched back on); filters
become rules (see :mod:`flagwright.importer.fm_filters`); variants with an allocation become
variants, rules on users and groups, and a split for the percentiles.
"""

from __future__ import annotations

import re
from typing import Any

from flagwright.codes import Code
from flagwright.diagnostics import YamlPath
from flagwright.importer.documents import (
    ImportedDoc,
    Translation,
    flag_document,
    placeholder_description,
    value_type,
)
from flagwright.importer.fm_filters import GROUP, USER, Outcome, Served, filter_outcome, param
from flagwright.importer.positions import Report
from flagwright.importer.problems import Unrepresentable
from flagwright.model.base import FLAG_KEY_PATTERN, VARIANT_PATTERN

CURRENT = "feature_management"
LEGACY = "FeatureManagement"
NOTE = (
    "percentages (Microsoft.Percentage, Targeting rollouts, allocation percentiles) keep their "
    "share of users but not the same users: flagwright buckets by flagd's rule, Microsoft by its "
    "own hash (allocation seeds are not carried), and Microsoft.Percentage is random per call"
)
_KEYS = {"id", "description", "display_name", "enabled", "conditions", "variants"}
_KEYS |= {"allocation", "telemetry"}


def import_featuremanagement(data: Any, report: Report, env: str, source_name: str) -> Translation:
    out = Translation()
    if not isinstance(data, dict) or (CURRENT not in data and LEGACY not in data):
        report.add(
            (),
            Code.IMPORT_FORMAT,
            f"no '{CURRENT}' or '{LEGACY}' section: not a FeatureManagement configuration",
        )
        return out
    entries: list[tuple[Any, Any, YamlPath, bool]] = []
    current = data.get(CURRENT)
    if current is not None:
        flags = current.get("feature_flags") if isinstance(current, dict) else None
        if not isinstance(flags, list):
            report.add((CURRENT,), Code.IMPORT_FORMAT, "'feature_flags' must be a list")
        else:
            for n, raw in enumerate(flags):
                key = raw.get("id") if isinstance(raw, dict) else None
                entries.append((key, raw, (CURRENT, "feature_flags", n), False))
    legacy = data.get(LEGACY)
    if legacy is not None:
        if not isinstance(legacy, dict):
            report.add((LEGACY,), Code.IMPORT_FORMAT, f"'{LEGACY}' must be an object")
        else:
            entries.extend((key, raw, (LEGACY, key), True) for key, raw in legacy.items())
    seen: set[str] = set()
    percent = False
    for key, raw, where, old in entries:
        try:
            if not isinstance(key, str):
                raise Unrepresentable(Code.IMPORT_FORMAT, where, "a feature flag needs an 'id'")
            if key in seen:
                raise Unrepresentable(Code.IMPORT_FORMAT, where, "defined twice in the file")
            seen.add(key)
            body, uses_percent = _flag(key, raw, where, old, env, source_name, report)
        except Unrepresentable as exc:
            report.add(exc.where, exc.code, f"flag {key!r} not imported: {exc.message}")
            continue
        percent = percent or uses_percent
        out.flags.append(ImportedDoc("Flag", key, body, where))
    if percent:
        out.notes.append(NOTE)
    return out


def _check_key(key: str, where: YamlPath, old: bool) -> None:
    if not re.match(FLAG_KEY_PATTERN, key):
        raise Unrepresentable(
            Code.IMPORT_NAME,
            where if not old else (*where[:-1], key),
            "the id is not a valid flagwright flag key (letters, digits, '.', '_' and "
            "'-', no '..'); services look flags up by it, so it is not renamed",
        )


def _flag(
    key: str,
    raw: Any,
    where: YamlPath,
    old: bool,
    env: str,
    source_name: str,
    report: Report,
) -> tuple[dict[str, Any], bool]:
    _check_key(key, (*where, "id") if not old else where, old)
    if old:
        enabled, outcome = _legacy(raw, where)
        description = placeholder_description(source_name, f"{LEGACY} flag {key!r}")
        return _boolean(key, description, enabled, outcome, env), outcome.percent
    if not isinstance(raw, dict):
        raise Unrepresentable(Code.IMPORT_FORMAT, where, "a feature flag is an object")
    for name in raw:
        if name not in _KEYS:
            raise Unrepresentable(Code.IMPORT_FORMAT, (*where, name), f"unknown key {name!r}")
    if raw.get("telemetry") is not None:
        report.add(
            (*where, "telemetry"),
            Code.IMPORT_NOT_CARRIED,
            f"flag {key!r}: its telemetry settings are not imported",
            at="key",
        )
    enabled = raw.get("enabled", False)
    if not isinstance(enabled, bool):
        raise Unrepresentable(
            Code.IMPORT_FORMAT, (*where, "enabled"), "'enabled' must be true or false"
        )
    description = _description(raw, key, source_name)
    outcome = _conditions(raw.get("conditions"), (*where, "conditions"), "requirement_type")
    if raw.get("variants") is None and raw.get("allocation") is None:
        return _boolean(key, description, enabled, outcome, env), outcome.percent
    return _variant_flag(key, raw, where, enabled, outcome, description, env)


def _description(raw: dict[str, Any], key: str, source_name: str) -> str:
    text = raw.get("description")
    title = raw.get("display_name")
    parts = [p.strip() for p in (title, text) if isinstance(p, str) and p.strip()]
    if parts:
        return ": ".join(parts)
    return placeholder_description(source_name, f"{CURRENT} flag {key!r}")


def _legacy(raw: Any, where: YamlPath) -> tuple[bool, Outcome]:
    if isinstance(raw, bool) or (isinstance(raw, str) and raw.lower() in ("true", "false")):
        on = raw is True or (isinstance(raw, str) and raw.lower() == "true")
        return on, Outcome(fallthrough="on")
    found = param(raw, "EnabledFor")
    if not isinstance(raw, dict) or found is None:
        raise Unrepresentable(
            Code.IMPORT_FORMAT, where, "a legacy flag is true, false or has 'EnabledFor'"
        )
    filters = found[1] if isinstance(found[1], list) else []
    requirement = (param(raw, "RequirementType") or (None, "Any"))[1]
    outcome = _combine(filters, (*where, found[0]), requirement)
    return True, outcome


def _conditions(raw: Any, where: YamlPath, requirement_key: str) -> Outcome:
    if raw is None:
        return Outcome(fallthrough="on")
    if not isinstance(raw, dict):
        raise Unrepresentable(Code.IMPORT_FORMAT, where, "'conditions' must be an object")
    filters = raw.get("client_filters") or []
    if not isinstance(filters, list):
        raise Unrepresentable(Code.IMPORT_FORMAT, where, "'client_filters' must be a list")
    requirement = raw.get(requirement_key, "Any")
    return _combine(filters, (*where, "client_filters"), requirement)


def _combine(filters: list[Any], where: YamlPath, requirement: Any) -> Outcome:
    """Any (the default): enabled if one filter is; All: if every filter is."""
    if requirement not in ("Any", "All"):
        raise Unrepresentable(Code.IMPORT_FILTER, where, "requirement type must be Any or All")
    if not filters:
        return Outcome(fallthrough="on")
    conditions: list[dict[str, Any]] = []
    outcomes: list[Outcome] = []
    for n, raw in enumerate(filters):
        here = (*where, n)
        name = param(raw, "name")
        if name is None or not isinstance(name[1], str):
            raise Unrepresentable(Code.IMPORT_FILTER, here, "a filter needs a 'name'")
        parameters = param(raw, "parameters")
        result = filter_outcome(name[1], parameters, here)
        if isinstance(result, Outcome):
            outcomes.append(result)
        else:
            conditions.append(result)
    if requirement == "Any" and any(o.fallthrough == "on" and not o.rules for o in outcomes):
        return Outcome(fallthrough="on")
    outcomes = [o for o in outcomes if not (o.fallthrough == "on" and not o.rules)]
    if len(outcomes) > 1:
        raise Unrepresentable(
            Code.IMPORT_FILTER,
            where,
            "more than one Targeting or Percentage filter: flagwright buckets a flag once",
        )
    if requirement == "Any":
        out = outcomes[0] if outcomes else Outcome(fallthrough="off")
        out.rules[:0] = [(c, "on") for c in conditions]
        return out
    if not conditions:
        return outcomes[0] if outcomes else Outcome(fallthrough="on")
    window = conditions[0] if len(conditions) == 1 else {"all": conditions}
    if not outcomes:
        return Outcome([(window, "on")], "off")
    inner = outcomes[0]
    rules: list[tuple[dict[str, Any], Served]] = [
        (c, s) if s == "off" else (_both(window, c), s) for c, s in inner.rules
    ]
    if inner.fallthrough != "off":
        rules.append((window, inner.fallthrough))
    return Outcome(rules, "off", inner.percent)


def _both(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    return {"all": [*(a["all"] if set(a) == {"all"} else [a]), b]}


def _served(value: Served) -> dict[str, Any]:
    return {"split": value} if isinstance(value, dict) else {"serve": value}


def _entry(enabled: bool, outcome: Outcome) -> dict[str, Any]:
    entry: dict[str, Any] = {} if enabled else {"enabled": False}
    if outcome.rules:
        entry["rules"] = [{"when": c, **_served(s)} for c, s in outcome.rules]
    entry.update(_served(outcome.fallthrough))
    return entry


def _boolean(
    key: str, description: str, enabled: bool, outcome: Outcome, env: str
) -> dict[str, Any]:
    return flag_document(
        key=key,
        description=description,
        flag_type="boolean",
        variants={"on": True, "off": False},
        default="off",
        env=env,
        entry=_entry(enabled, outcome),
    )


def _variant_flag(
    key: str,
    raw: dict[str, Any],
    where: YamlPath,
    enabled: bool,
    outcome: Outcome,
    description: str,
    env: str,
) -> tuple[dict[str, Any], bool]:
    variants = _variants(raw.get("variants"), (*where, "variants"))
    allocation = raw.get("allocation")
    here = (*where, "allocation")
    if not isinstance(allocation, dict):
        raise Unrepresentable(Code.IMPORT_VARIANTS, where, "a variant flag needs an 'allocation'")

    def variant(name: Any, spot: YamlPath) -> str:
        if name not in variants:
            raise Unrepresentable(Code.IMPORT_VARIANTS, spot, f"{name!r} is not a variant")
        return str(name)

    if "default_when_disabled" not in allocation:
        raise Unrepresentable(
            Code.IMPORT_NO_DEFAULT,
            here,
            "no default_when_disabled: FeatureManagement then assigns no variant, flagwright "
            "always serves one",
        )
    default = variant(allocation["default_when_disabled"], (*here, "default_when_disabled"))
    gate = _filter_gate(outcome, where)
    rules: list[dict[str, Any]] = []
    if gate is not None:
        rules.append({"when": {"not": gate}, "serve": default})
    for attr, kind, members in ((USER, "user", "users"), (GROUP, "group", "groups")):
        for n, item in enumerate(allocation.get(kind) or []):
            spot = (*here, kind, n)
            names = item.get(members) if isinstance(item, dict) else None
            if not isinstance(names, list) or not all(isinstance(v, str) for v in names):
                raise Unrepresentable(Code.IMPORT_VARIANTS, spot, f"expected '{members}'")
            if names:
                served = variant(item.get("variant"), (*spot, "variant"))
                rules.append({"when": {"attr": attr, "op": "in", "values": names}, "serve": served})
    fallback = allocation.get("default_when_enabled")
    percentiles = allocation.get("percentile") or []
    entry: dict[str, Any] = {} if enabled else {"enabled": False}
    if rules:
        entry["rules"] = rules
    if percentiles:
        entry["split"] = _percentiles(percentiles, fallback, variant, (*here, "percentile"))
    elif fallback is None:
        raise Unrepresentable(
            Code.IMPORT_NO_DEFAULT,
            here,
            "no default_when_enabled: FeatureManagement then assigns no variant, flagwright "
            "always serves one",
        )
    else:
        entry["serve"] = variant(fallback, (*here, "default_when_enabled"))
    body = flag_document(
        key=key,
        description=description,
        flag_type=str(value_type(list(variants.values()))),
        variants=variants,
        default=default,
        env=env,
        entry=entry,
    )
    return body, bool(percentiles)


def _filter_gate(outcome: Outcome, where: YamlPath) -> dict[str, Any] | None:
    """The filters of a variant flag as one condition (only time windows can be)."""
    if not outcome.rules and outcome.fallthrough == "on":
        return None
    windows = all(s == "on" and "attr" not in c for c, s in outcome.rules)
    if outcome.fallthrough == "off" and windows:
        conditions = [c for c, _ in outcome.rules]
        return conditions[0] if len(conditions) == 1 else {"any": conditions}
    raise Unrepresentable(
        Code.IMPORT_FILTER,
        (*where, "conditions"),
        "a variant flag imports with time-window filters only: Targeting and Percentage decide "
        "on/off in FeatureManagement, which flagwright's variants cannot combine with allocation",
    )


def _variants(raw: Any, where: YamlPath) -> dict[str, Any]:
    if not isinstance(raw, list) or not raw:
        raise Unrepresentable(Code.IMPORT_VARIANTS, where, "'variants' must be a non-empty list")
    out: dict[str, Any] = {}
    for n, item in enumerate(raw):
        spot = (*where, n)
        name = item.get("name") if isinstance(item, dict) else None
        if not isinstance(name, str) or not re.match(VARIANT_PATTERN, name) or name in out:
            raise Unrepresentable(
                Code.IMPORT_NAME, spot, f"{name!r} is not a valid (or is a repeated) variant name"
            )
        for other in item:
            if other not in ("name", "configuration_value", "status_override"):
                raise Unrepresentable(
                    Code.IMPORT_VARIANTS, (*spot, other), f"{other!r} does not import"
                )
        if item.get("status_override", "None") != "None":
            raise Unrepresentable(
                Code.IMPORT_VARIANTS,
                (*spot, "status_override"),
                "status_override changes FeatureManagement's on/off answer, which flagwright "
                "does not have apart from the variant",
            )
        if item.get("configuration_value") is None:
            raise Unrepresentable(
                Code.IMPORT_VARIANTS, spot, "a variant needs a configuration_value"
            )
        out[name] = item["configuration_value"]
    if value_type(list(out.values())) is None:
        raise Unrepresentable(
            Code.IMPORT_VARIANTS,
            where,
            "configuration values must all be booleans, strings, numbers or objects",
        )
    return out


def _percentiles(items: Any, fallback: Any, variant: Any, where: YamlPath) -> dict[str, float]:
    if not isinstance(items, list):
        raise Unrepresentable(Code.IMPORT_VARIANTS, where, "'percentile' must be a list")
    ranges: list[tuple[float, float, str | None, YamlPath]] = []
    for n, item in enumerate(items):
        spot = (*where, n)
        bounds = (item.get("from"), item.get("to")) if isinstance(item, dict) else (None, None)
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in bounds):
            raise Unrepresentable(Code.IMPORT_VARIANTS, spot, "'from' and 'to' must be numbers")
        low, high = float(bounds[0]), float(bounds[1])  # type: ignore[arg-type]
        if not 0 <= low <= high <= 100 or abs(round(low * 100) - low * 100) > 1e-9:
            raise Unrepresentable(Code.IMPORT_VARIANTS, spot, "'from'..'to' must lie in 0..100")
        ranges.append((low, high, variant(item.get("variant"), (*spot, "variant")), spot))
    ranges.sort(key=lambda r: (r[0], r[1]))
    weights: dict[str, float] = {}
    position = 0.0
    for low, high, name, spot in [*ranges, (100.0, 100.0, None, where)]:
        if low < position:
            raise Unrepresentable(Code.IMPORT_VARIANTS, spot, "percentile ranges overlap")
        if low > position:
            if fallback is None:
                raise Unrepresentable(
                    Code.IMPORT_NO_DEFAULT,
                    where,
                    "percentiles leave a gap and there is no default_when_enabled",
                )
            gap_variant = variant(fallback, where)
            weights[gap_variant] = weights.get(gap_variant, 0) + (low - position)
        if name is not None:
            weights[name] = weights.get(name, 0) + (high - low)
        position = max(position, high)
    return {n: int(w) if float(w).is_integer() else round(w, 2) for n, w in weights.items()}
