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

The only form allowed inside ``{{ }}`` is one of these names, alone (``{{ app }}``,
``{{- env -}}``); everything else is literal text (``{# comments #}`` and ``{% raw %}`` too). No
filters, calls, operators, attributes, subscripts, literals or ``{% %}`` statements: each is a
finding (``FW302``) found by walking the parsed template before anything renders. The contract
only asks for name interpolation, and every richer form can build a huge string (``format``,
``center``, ``lipsum``, ``*``) before any check on the result could run; with names only, a
result is at most the template times the longest name. For the same reason the environment has
no globals (no ``range``, ``lipsum``, ``dict``, ``cycler``...).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import StrictUndefined, Template, nodes
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
# Parsing is the cost before any check on the result can run (a string of 145,000 `{{app}}`
# took gigabytes), so the number of `{{`/`{%` in one string is bounded first.
MAX_EXPRESSIONS = 256
# What templates may add to one values file in all (each string alone is bounded above):
# 8,000 strings of `{{ repo_url }}` must not write a gigabyte into rendered/.
MAX_GROWTH_CHARS = 1024 * 1024


@dataclass(slots=True)
class Budget:
    """Characters templates may still add to one rendered file; reported once when spent."""

    remaining: int = MAX_GROWTH_CHARS
    spent: bool = False


# Output of literal text or of a bare name; anything else in the tree is refused.
_ALLOWED_NODES = (nodes.Template, nodes.Output, nodes.TemplateData, nodes.Name)


@dataclass(frozen=True, slots=True)
class _Compiled:
    template: Template
    names: frozenset[str]


@dataclass(frozen=True, slots=True)
class _Rejected:
    code: Code
    message: str


def _compile(env: SandboxedEnvironment, text: str) -> _Compiled | _Rejected:
    """The template, or why it is refused, decided from its syntax tree before it can run."""
    expressions = text.count("{{") + text.count("{%")
    if expressions > MAX_EXPRESSIONS:
        return _Rejected(
            Code.TEMPLATE_SANDBOX,
            f"template {_short(text)} has {expressions} '{{{{' or '{{%'; at most "
            f"{MAX_EXPRESSIONS} are allowed in one string",
        )
    try:
        tree = env.parse(text)
    except TemplateSyntaxError as exc:
        return _Rejected(Code.TEMPLATE_ERROR, f"template {_short(text)}: {exc.message}")
    used: set[str] = set()
    for node in tree.find_all(nodes.Node):
        if not isinstance(node, _ALLOWED_NODES) or (
            isinstance(node, nodes.Name) and node.ctx != "load"
        ):
            return _Rejected(
                Code.TEMPLATE_SANDBOX,
                f"template {_short(text)}: only plain names such as {{{{ app }}}} may be used "
                f"inside {{{{ }}}}, not {_describe(node)} (line {node.lineno} of the template)",
            )
        if isinstance(node, nodes.Name):
            used.add(node.name)
    return _Compiled(env.from_string(tree), frozenset(used))


def _short(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _describe(node: nodes.Node) -> str:
    if isinstance(node, nodes.Stmt):
        return f"a {{% {type(node).__name__.lower()} %}} statement"
    return f"an expression of kind {type(node).__name__}"


class ValueTemplates:
    """Renders the strings of values trees; compiled templates are shared across environments."""

    def __init__(self) -> None:
        self._env = SandboxedEnvironment(
            undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True
        )
        self._env.globals.clear()
        self._compiled: dict[str, _Compiled | _Rejected] = {}

    def render_tree(
        self,
        value: Any,
        names: Mapping[str, str],
        source: Source,
        where: YamlPath,
        findings: Findings,
        budget: Budget | None = None,
    ) -> Any:
        """A copy of ``value`` with every templated string rendered; problems become findings.

        ``budget`` is shared by every tree that ends up in one file (a new one when omitted).
        """
        if budget is None:
            budget = Budget()
        if isinstance(value, str):
            if "{" not in value:
                return value
            return self._render_within(value, names, source, where, findings, budget)
        if isinstance(value, Mapping):
            return {
                key: self.render_tree(item, names, source, (*where, key), findings, budget)
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [
                self.render_tree(item, names, source, (*where, i), findings, budget)
                for i, item in enumerate(value)
            ]
        return value

    def _render_within(
        self, text: str, names: Mapping[str, str], source: Source, where: YamlPath,
        findings: Findings, budget: Budget,
    ) -> str:  # fmt: skip
        if budget.spent:
            return text
        result = self._render(text, names, source, where, findings)
        budget.remaining -= len(result) - len(text)
        if budget.remaining < 0:
            budget.spent = True
            findings.add(
                source, where, Code.TEMPLATE_SANDBOX,
                f"templates would add more than {MAX_GROWTH_CHARS} characters to one values "
                f"file (reached at template {_short(text)}); repeat less through templates",
            )  # fmt: skip
            return text
        return result

    def _render(
        self, text: str, names: Mapping[str, str], source: Source, where: YamlPath,
        findings: Findings,
    ) -> str:  # fmt: skip
        compiled = self._compiled.get(text)
        if compiled is None:
            compiled = self._compiled[text] = _compile(self._env, text)
        if isinstance(compiled, _Rejected):
            findings.add(source, where, compiled.code, compiled.message)
            return text
        unknown = sorted(compiled.names - names.keys())
        if unknown:
            findings.add(
                source, where, Code.TEMPLATE_UNDEFINED,
                f"template {_short(text)}: {unknown[0]!r} is undefined; available names: "
                f"{', '.join(TEMPLATE_NAMES)}",
            )  # fmt: skip
            return text
        try:
            result = compiled.template.render(names)
        except SecurityError as exc:
            findings.add(source, where, Code.TEMPLATE_SANDBOX, f"template {_short(text)}: {exc}")
            return text
        except UndefinedError as exc:
            findings.add(
                source, where, Code.TEMPLATE_UNDEFINED,
                f"template {_short(text)}: {exc}; available names: {', '.join(TEMPLATE_NAMES)}",
            )  # fmt: skip
            return text
        except Exception as exc:  # a template is user input: any failure is the user's to fix
            findings.add(
                source, where, Code.TEMPLATE_ERROR,
                f"template {_short(text)}: {type(exc).__name__}: {exc}",
            )  # fmt: skip
            return text
        if len(result) > MAX_RESULT_CHARS:
            findings.add(
                source, where, Code.TEMPLATE_SANDBOX,
                f"template {_short(text)} renders to more than {MAX_RESULT_CHARS} characters",
            )  # fmt: skip
            return text
        return result
