"""The part of Go's text/template that flagwright's ApplicationSets use, evaluated as Argo CD's
ApplicationSet controller does with ``goTemplate: true`` and ``missingkey=error``.

Two action forms only, which are all flagwright writes into a template:

* ``{{ .a.b }}``: a field path into the generator element's parameters;
* ``{{ index .a "key" }}``: one map entry, for keys that are not Go identifiers.

A missing key is an error (``missingkey=error``), as is any other action: the controller would
accept more, but an expansion computed here must be exact, so what is not implemented is refused.
Text outside ``{{ }}`` is copied unchanged, and a string without ``{{`` is not a template at all.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_ACTION = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_FIELD = re.compile(r"^\s*((?:\.[A-Za-z_][A-Za-z0-9_]*)+)\s*$")
_INDEX = re.compile(r'^\s*index\s+((?:\.[A-Za-z_][A-Za-z0-9_]*)+)\s+"((?:[^"\\]|\\.)*)"\s*$')


class TemplateError(ValueError):
    """A template this module does not implement, or a parameter it names is missing."""


def render_string(text: str, params: Mapping[str, Any]) -> str:
    if "{{" not in text:
        return text
    out: list[str] = []
    position = 0
    for match in _ACTION.finditer(text):
        out.append(text[position : match.start()])
        out.append(_format(_evaluate(match.group(1), params, text)))
        position = match.end()
    rest = text[position:]
    if "{{" in rest or "}}" in rest:
        raise TemplateError(f"unbalanced braces in template {text!r}")
    out.append(rest)
    return "".join(out)


def render_tree(value: Any, params: Mapping[str, Any]) -> Any:
    """Every string value of ``value`` rendered.

    Controller versions differ on whether mapping keys are templates too; a key containing
    ``{{`` is refused, so both readings give the same result.
    """
    if isinstance(value, str):
        return render_string(value, params)
    if isinstance(value, Mapping):
        for key in value:
            if "{{" in str(key):
                raise TemplateError(f"a mapping key is a template: {key!r}")
        return {k: render_tree(v, params) for k, v in value.items()}
    if isinstance(value, list):
        return [render_tree(item, params) for item in value]
    return value


def _evaluate(action: str, params: Mapping[str, Any], text: str) -> Any:
    if action.startswith("-") or action.endswith("-"):
        raise TemplateError(f"trim markers are not supported: {text!r}")
    field = _FIELD.match(action)
    if field:
        return _lookup(params, field.group(1), text)
    index = _INDEX.match(action)
    if index:
        container = _lookup(params, index.group(1), text)
        key = index.group(2).encode().decode("unicode_escape")
        if not isinstance(container, Mapping):
            raise TemplateError(f"index of a non-map in {text!r}")
        if key not in container:
            # `index` on a missing key yields the zero value in Go, which would print
            # "<no value>": refused, so an expansion never silently differs.
            raise TemplateError(f"map has no entry for key {key!r} in {text!r}")
        return container[key]
    raise TemplateError(f"unsupported template action {{{{{action}}}}} in {text!r}")


def _lookup(params: Mapping[str, Any], path: str, text: str) -> Any:
    value: Any = params
    for name in path[1:].split("."):
        if not isinstance(value, Mapping) or name not in value:
            raise TemplateError(f"map has no entry for key {name!r} in {text!r} (missingkey=error)")
        value = value[name]
    return value


def _format(value: Any) -> str:
    # Go prints strings as they are and integers in decimal; bools as true/false. Anything else
    # (floats, maps, lists) prints in Go's own notation, which flagwright never relies on.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    raise TemplateError(f"parameter of type {type(value).__name__} is not printed by flagwright")
