"""flagd JsonLogic conditions → flagwright conditions, exactly or not at all.

The type guards :mod:`flagwright.export.jsonlogic` writes around an operator (``is_string``,
``is_number``, ...) are recognised by rebuilding them with the export's own functions and
comparing, so an exported condition imports to the operator it came from. Plain flagd operators
map to their nearest flagwright operator where the meaning is the same for values of the
expected type (JsonLogic's ``==`` coerces ``"1" == 1``, flagwright's ``eq`` does not; see the
README). Anything else raises :class:`Unrepresentable` with the JSON path.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from flagwright.codes import Code
from flagwright.diagnostics import YamlPath
from flagwright.export.jsonlogic import TIMESTAMP, is_boolean, is_number, is_string, negate
from flagwright.importer.problems import Unrepresentable
from flagwright.model.base import NAME_PATTERN
from flagwright.runtime.semver import parse as parse_semver

TARGETING_KEY = "targeting_key"
_SEMVER = {"=": "semver_eq", "<": "semver_lt", "<=": "semver_le", ">": "semver_gt"}
_SEMVER[">="] = "semver_ge"
_NUMBER = {"<": "lt", "<=": "le", ">": "gt", ">=": "ge"}
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}

Condition = dict[str, Any]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _scalar(value: Any) -> bool:
    return isinstance(value, str | bool) or _is_number(value)


def op_of(expr: Any) -> tuple[str, Any] | None:
    if isinstance(expr, dict) and len(expr) == 1:
        ((name, args),) = expr.items()
        return name, args
    return None


def _args(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def time_text(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")


def _attr_condition(attr: str, op: str, operand: Any) -> Condition:
    key = "values" if op in ("in", "not_in") else "value"
    return {"attr": attr, "op": op, key: operand}


def all_of(a: Condition, b: Condition) -> Condition:
    left = a["all"] if set(a) == {"all"} else [a]
    right = b["all"] if set(b) == {"all"} else [b]
    return {"all": [*left, *right]}


class ConditionReader:
    """Reads conditions; ``$ref`` goes through ``segment``, translated once per evaluator."""

    def __init__(self, variants: dict[str, Any], evaluators: Any) -> None:
        self.variants = variants
        self.evaluators = evaluators if isinstance(evaluators, dict) else {}
        self.used: set[str] = set()
        self.referenced: set[str] = set()
        self._in_evaluator = False
        self._segments: dict[str, Condition | Unrepresentable] = {}

    def condition(self, expr: Any, where: YamlPath) -> Condition | bool:
        if isinstance(expr, bool):
            return expr
        known = self._exported_guard(expr, where)
        if known is not None:
            return known
        op = op_of(expr)
        if op is None:
            raise Unrepresentable(
                Code.IMPORT_OPERATOR, where, f"{show(expr)} is not a condition flagwright has"
            )
        name, raw = op
        here = (*where, name)
        if name in ("and", "or"):
            return self._combine(name, _args(raw), here)
        if name == "!":
            items = _args(raw)
            if len(items) != 1:
                raise Unrepresentable(Code.IMPORT_OPERATOR, here, "'!' takes one argument")
            inner = self.condition(items[0], (*here, 0) if isinstance(raw, list) else here)
            return (not inner) if isinstance(inner, bool) else {"not": inner}
        if name == "$ref":
            return self.segment(raw, here)
        args = _args(raw)
        if name in ("==", "==="):
            return self._equals(args, here)
        if name in ("!=", "!=="):
            equal = self._equals(args, here)
            return {"not": equal}
        if name == "in":
            return self._in(args, here)
        if name in ("starts_with", "ends_with"):
            if len(args) != 2 or not isinstance(args[1], str):
                raise Unrepresentable(
                    Code.IMPORT_OPERATOR, here, f"'{name}' needs an attribute and a string"
                )
            return _attr_condition(self.attribute(args[0], (*here, 0)), name, args[1])
        if name == "sem_ver":
            return self._semver(args, here)
        if name in _NUMBER:
            return self._compare(name, args, here)
        raise Unrepresentable(
            Code.IMPORT_OPERATOR, here, f"operator {name!r} has no flagwright equivalent"
        )

    def _combine(self, name: str, items: list[Any], where: YamlPath) -> Condition | bool:
        unit, absorbing = (True, False) if name == "and" else (False, True)
        out: list[Condition] = []
        for n, item in enumerate(items):
            c = self.condition(item, (*where, n))
            if c is absorbing:
                return absorbing
            if c is not unit and not isinstance(c, bool):
                out.append(c)
        if not out:
            return unit
        if len(out) == 1:
            return out[0]
        if name == "and" and len(out) == 2 and all(set(c) == {"time"} for c in out):
            first, second = out[0]["time"], out[1]["time"]
            if not set(first) & set(second):
                return {"time": {**first, **second}}
        return {"all" if name == "and" else "any": out}

    def _equals(self, args: list[Any], where: YamlPath) -> Condition:
        if len(args) == 2:
            for n, (v, value) in enumerate(((args[0], args[1]), (args[1], args[0]))):
                if _is_var(v) and _scalar(value):
                    return _attr_condition(self.attribute(v, (*where, n)), "eq", value)
        raise Unrepresentable(
            Code.IMPORT_OPERATOR,
            where,
            "equality imports only between an attribute and a string, number or boolean",
        )

    def _in(self, args: list[Any], where: YamlPath) -> Condition:
        if (
            len(args) == 2
            and _is_var(args[0])
            and isinstance(args[1], list)
            and all(_scalar(x) for x in args[1])
        ):
            return _attr_condition(self.attribute(args[0], (*where, 0)), "in", list(args[1]))
        if len(args) == 2 and isinstance(args[0], str) and _is_var(args[1]):
            # flagd's `in` with a string second argument is a substring test.
            return _attr_condition(self.attribute(args[1], (*where, 1)), "contains", args[0])
        raise Unrepresentable(
            Code.IMPORT_OPERATOR,
            where,
            "'in' imports as an attribute in a list of strings, numbers or booleans, or a "
            "string contained in an attribute",
        )

    def _semver(self, args: list[Any], where: YamlPath) -> Condition:
        if len(args) != 3 or not isinstance(args[1], str) or not isinstance(args[2], str):
            raise Unrepresentable(
                Code.IMPORT_SEMVER, where, "'sem_ver' needs an attribute, an operator and a version"
            )
        v, op, version = args
        if op not in (*_SEMVER, "!="):
            raise Unrepresentable(
                Code.IMPORT_SEMVER,
                (*where, 1),
                f"sem_ver operator {op!r} has no flagwright equivalent (only =, !=, <, <=, >, >=)",
            )
        if parse_semver(version) is None or version[:1] in ("v", "V"):
            raise Unrepresentable(
                Code.IMPORT_SEMVER,
                (*where, 2),
                f"{version!r} is not a MAJOR.MINOR.PATCH version flagwright can compare with",
            )
        attr = self.attribute(v, (*where, 0))
        if op == "!=":
            # Unparsable values are false for both, as for flagd's sem_ver.
            return {
                "any": [
                    _attr_condition(attr, "semver_lt", version),
                    _attr_condition(attr, "semver_gt", version),
                ]
            }
        return _attr_condition(attr, _SEMVER[op], version)

    def _compare(self, name: str, args: list[Any], where: YamlPath) -> Condition:
        if len(args) == 3 and name in ("<", "<=") and _is_number(args[0]) and _is_number(args[2]):
            low = self._compare(name, args[:2], where)
            high = self._compare(name, args[1:], where)
            return {"all": [low, high]}
        if len(args) == 2:
            for v, bound, op in ((args[0], args[1], name), (args[1], args[0], _FLIP[name])):
                if v == TIMESTAMP and isinstance(bound, int) and not isinstance(bound, bool):
                    return _time(op, bound)
                if _is_var(v) and v != TIMESTAMP and _is_number(bound):
                    return _attr_condition(self.attribute(v, where), _NUMBER[op], bound)
        raise Unrepresentable(
            Code.IMPORT_OPERATOR,
            where,
            f"'{name}' imports only between an attribute and a number, or $flagd.timestamp and "
            "a whole number of seconds",
        )

    def _exported_guard(self, expr: Any, where: YamlPath) -> Condition | None:
        """The guarded operators :mod:`flagwright.export.jsonlogic` writes, as one condition."""
        op = op_of(expr)
        if op is None or op[0] != "and" or not isinstance(op[1], list):
            return None
        items = op[1]
        try:
            if len(items) == 2:
                first, second = items
                ((sname, sargs),) = second.items()
                v = sargs[1] if sname == "in" else sargs[0]
                if first == is_string(v) and sname == "in" and isinstance(sargs[0], str):
                    return _attr_condition(self.attribute(v, where), "contains", sargs[0])
                if first == is_number(v) and sname in _NUMBER and _is_number(sargs[1]):
                    return _attr_condition(self.attribute(v, where), _NUMBER[sname], sargs[1])
                ((fname, fargs),) = first.items()
                v = fargs[0]
                if fname == "===" and _is_number(fargs[1]) and second == is_number(v):
                    return _attr_condition(self.attribute(v, where), "eq", fargs[1])
                if (
                    fname == "==="
                    and isinstance(fargs[1], bool)
                    and expr == is_boolean(v, fargs[1])
                ):
                    return _attr_condition(self.attribute(v, where), "eq", fargs[1])
                if first == {"!==": [v, None]} and sname == "!":
                    return self._negated(v, sargs[0], (*where, "and", 1, "!", 0))
            if len(items) == 4:
                v = items[3]["sem_ver"][0]
                guards = [is_string(v), negate({"starts_with": [v, "v"]})]
                guards.append(negate({"starts_with": [v, "V"]}))
                if items[:3] == guards:
                    return self._semver(items[3]["sem_ver"], (*where, "and", 3, "sem_ver"))
        except (AttributeError, KeyError, IndexError, TypeError, ValueError):
            return None
        return None

    def _negated(self, v: Any, inner: Any, where: YamlPath) -> Condition | None:
        """``v`` is present and ``inner`` does not hold: ``ne`` or ``not_in``."""
        attr = self.attribute(v, where)
        positive = self.condition(inner, where)
        parts = positive.get("any", [positive]) if isinstance(positive, dict) else []
        values: list[Any] = []
        for part in parts:
            if part.get("attr") != attr or part.get("op") not in ("eq", "in"):
                return None
            values.extend(part["values"] if part["op"] == "in" else [part["value"]])
        if not parts:
            return None
        if len(parts) == 1 and parts[0]["op"] == "eq":
            return _attr_condition(attr, "ne", values[0])
        return _attr_condition(attr, "not_in", values)

    def attribute(self, v: Any, where: YamlPath) -> str:
        name = v.get("var") if isinstance(v, dict) and len(v) == 1 else None
        if isinstance(name, list) and len(name) == 1:
            name = name[0]
        if not isinstance(name, str) or not name:
            raise Unrepresentable(
                Code.IMPORT_OPERATOR, where, f"{show(v)} is not a context attribute"
            )
        if name == "targetingKey":
            return TARGETING_KEY
        if name.startswith("$flagd") or name == TARGETING_KEY:
            raise Unrepresentable(
                Code.IMPORT_OPERATOR,
                where,
                f"attribute {name!r} has no flagwright equivalent here",
            )
        if "." in name:
            raise Unrepresentable(
                Code.IMPORT_OPERATOR,
                where,
                f"'{name}' is a path into nested context objects; flagwright contexts are flat",
            )
        return name

    def segment(self, name: Any, where: YamlPath) -> Condition:
        if self._in_evaluator:
            raise Unrepresentable(
                Code.IMPORT_REFERENCE, where, "flagd does not resolve '$ref' inside an evaluator"
            )
        if isinstance(name, str):
            self.referenced.add(name)
        if not isinstance(name, str) or name not in self.evaluators:
            raise Unrepresentable(
                Code.IMPORT_REFERENCE, where, f"$ref {show(name)} names no entry of $evaluators"
            )
        if not re.match(NAME_PATTERN, name):
            raise Unrepresentable(
                Code.IMPORT_NAME,
                where,
                f"evaluator {name!r} is not a valid segment name (lowercase letters, digits, "
                "'.', '_' and '-')",
            )
        found = self._segments.get(name)
        if found is None:
            self._in_evaluator = True
            try:
                body = self.condition(self.evaluators[name], ("$evaluators", name))
                if isinstance(body, bool):
                    raise Unrepresentable(
                        Code.IMPORT_OPERATOR,
                        ("$evaluators", name),
                        "a constant evaluator has no flagwright segment equivalent",
                    )
                found = body
            except Unrepresentable as exc:
                found = exc
            finally:
                self._in_evaluator = False
            self._segments[name] = found
        if isinstance(found, Unrepresentable):
            raise Unrepresentable(
                Code.IMPORT_REFERENCE,
                where,
                f"evaluator {name!r} cannot be imported (reported where it is defined)",
            )
        self.used.add(name)
        return {"segment": name}

    def segment_body(self, name: str) -> Condition:
        found = self._segments[name]
        assert not isinstance(found, Unrepresentable)
        return found

    def segment_problems(self) -> list[tuple[str, Unrepresentable]]:
        return [(n, p) for n, p in self._segments.items() if isinstance(p, Unrepresentable)]


def _is_var(v: Any) -> bool:
    return isinstance(v, dict) and set(v) == {"var"}


def _time(op: str, bound: int) -> Condition:
    # $flagd.timestamp is whole seconds: t > n means the instant is at or after n + 1.
    if op == "<":
        return {"time": {"before": time_text(bound)}}
    if op == "<=":
        return {"time": {"before": time_text(bound + 1)}}
    if op == ">":
        return {"time": {"after": time_text(bound + 1)}}
    return {"time": {"after": time_text(bound)}}


def show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."
