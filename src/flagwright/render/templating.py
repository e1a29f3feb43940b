"""Interpolation in Helm value strings: ``{{ app }}``, ``{{ env }}`` and the other names below.

Only leaf strings are templates (never keys, never whole files); they render in jinja2's sandbox
with ``StrictUndefined``, so a typo is an error rather than an empty string. A problem becomes a
finding at the value's position in its source document.

Names a template may use:

``app``         the app's name                ``env``            the environment's name
``namespace``   the Kubernetes namespace      ``project``        the Argo CD project
``chart``       the chart's name (repo chart) or path (git chart)
``chart_version`` the chart's version (repo chart) or Git ref (git chart)
``repo_url``    the config repository's URL   ``revision``       its revision
``configmap``   the name of the app's flag ConfigMap
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from typing import Any

from jinja2 import StrictUndefined, Template
from jinja2.exceptions import SecurityError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment

from flagwright.codes import Code
from flagwright.diagnostics import Findings, Source, YamlPath

TEMPLATE_NAMES = (
    "app",
    "chart",
    "chart_version",
    "configmap",
    "env",
    "namespace",
    "project",
    "repo_url",
    "revision",
)
MAX_RESULT_CHARS = 64 * 1024


class _Sandbox(SandboxedEnvironment):
    """The stock sandbox, plus a bound on ``*`` and ``**`` so a value cannot exhaust memory."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, op: str, left: Any, right: Any) -> Any:
        if op == "**" and isinstance(right, int) and abs(right) > 64:
            raise SecurityError("exponent too large")
        if op == "*":
            for seq, count in ((left, right), (right, left)):
                sized = isinstance(seq, str | list | tuple) and isinstance(count, int)
                if sized and len(seq) * count > MAX_RESULT_CHARS:
                    raise SecurityError("repetition too large")
            return operator.mul(left, right)
        return super().call_binop(context, op, left, right)


class ValueTemplates:
    """Renders the strings of values trees; compiled templates are shared across environments."""

    def __init__(self) -> None:
        self._env = _Sandbox(
            undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True
        )
        self._compiled: dict[str, Template | Exception] = {}

    def render_tree(
        self,
        value: Any,
        names: Mapping[str, str],
        source: Source,
        where: YamlPath,
        findings: Findings,
    ) -> Any:
        """A copy of ``value`` with every templated string rendered; problems become findings."""
        if isinstance(value, str):
            if "{" not in value:
                return value
            return self._render(value, names, source, where, findings)
        if isinstance(value, Mapping):
            return {
                key: self.render_tree(item, names, source, (*where, key), findings)
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [
                self.render_tree(item, names, source, (*where, i), findings)
                for i, item in enumerate(value)
            ]
        return value

    def _render(
        self, text: str, names: Mapping[str, str], source: Source, where: YamlPath,
        findings: Findings,
    ) -> str:  # fmt: skip
        template = self._compiled.get(text)
        if template is None:
            try:
                template = self._env.from_string(text)
            except TemplateSyntaxError as exc:
                template = exc
            self._compiled[text] = template
        try:
            if isinstance(template, Exception):
                raise template
            result = template.render(names)
        except SecurityError as exc:
            findings.add(source, where, Code.TEMPLATE_SANDBOX, f"template {text!r}: {exc}")
            return text
        except UndefinedError as exc:
            findings.add(
                source, where, Code.TEMPLATE_UNDEFINED,
                f"template {text!r}: {exc}; available names: {', '.join(TEMPLATE_NAMES)}",
            )  # fmt: skip
            return text
        except TemplateSyntaxError as exc:
            findings.add(source, where, Code.TEMPLATE_ERROR, f"template {text!r}: {exc.message}")
            return text
        except Exception as exc:  # a template is user input: any failure is the user's to fix
            findings.add(
                source, where, Code.TEMPLATE_ERROR,
                f"template {text!r}: {type(exc).__name__}: {exc}",
            )  # fmt: skip
            return text
        if len(result) > MAX_RESULT_CHARS:
            findings.add(
                source, where, Code.TEMPLATE_SANDBOX,
                f"template {text!r} renders to more than {MAX_RESULT_CHARS} characters",
            )  # fmt: skip
            return text
        return result
