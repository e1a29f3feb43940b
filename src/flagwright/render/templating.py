"""Bare-name templates: Helm value strings (``{{ app }}``, ``{{ env }}`` and the names below) and,
through :class:`Templates`, any other template with its own list of names (metric queries).

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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flagwright.codes import Code
from flagwright.diagnostics import Findings, Source, YamlPath

# jinja2 is imported where a template is compiled: every render and validate imports this module,
# and most strings, and many repositories, hold no template at all.
if TYPE_CHECKING:
    from jinja2 import Template, nodes
    from jinja2.sandbox import SandboxedEnvironment

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


@dataclass(frozen=True, slots=True)
class TemplateCodes:
    """The diagnostic codes one kind of template reports its problems with."""

    undefined: Code
    sandbox: Code
    error: Code


VALUE_CODES = TemplateCodes(Code.TEMPLATE_UNDEFINED, Code.TEMPLATE_SANDBOX, Code.TEMPLATE_ERROR)


class TemplateProblem(Exception):
    """Why a template is refused or does not render; ``code`` is the diagnostic to report."""

    def __init__(self, code: Code, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class _Compiled:
    template: Template
    names: frozenset[str]


def _compile(
    env: SandboxedEnvironment, text: str, codes: TemplateCodes
) -> _Compiled | TemplateProblem:
    """The template, or why it is refused, decided from its syntax tree before it can run."""
    from jinja2 import nodes
    from jinja2.exceptions import TemplateSyntaxError

    # Output of literal text or of a bare name; anything else in the tree is refused.
    allowed = (nodes.Template, nodes.Output, nodes.TemplateData, nodes.Name)
    expressions = text.count("{{") + text.count("{%")
    if expressions > MAX_EXPRESSIONS:
        return TemplateProblem(
            codes.sandbox,
            f"template {_short(text)} has {expressions} '{{{{' or '{{%'; at most "
            f"{MAX_EXPRESSIONS} are allowed in one string",
        )
    try:
        tree = env.parse(text)
    except TemplateSyntaxError as exc:
        return TemplateProblem(codes.error, f"template {_short(text)}: {exc.message}")
    used: set[str] = set()
    for node in tree.find_all(nodes.Node):
        if not isinstance(node, allowed) or (isinstance(node, nodes.Name) and node.ctx != "load"):
            return TemplateProblem(
                codes.sandbox,
                f"template {_short(text)}: only plain names such as {{{{ app }}}} may be used "
                f"inside {{{{ }}}}, not {_describe(node)} (line {node.lineno} of the template)",
            )
        if isinstance(node, nodes.Name):
            used.add(node.name)
    return _Compiled(env.from_string(tree), frozenset(used))


def _short(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _describe(node: nodes.Node) -> str:
    from jinja2 import nodes

    if isinstance(node, nodes.Stmt):
        return f"a {{% {type(node).__name__.lower()} %}} statement"
    return f"an expression of kind {type(node).__name__}"


class Templates:
    """Bare-name templates over a fixed list of names; compiled templates are cached by text.

    ``available`` are the names such a template may use (listed in messages); a render supplies
    their values. Problems raise :class:`TemplateProblem` with the codes of ``codes``.
    """

    def __init__(self, available: Sequence[str], codes: TemplateCodes) -> None:
        self.available = tuple(available)
        self.codes = codes
        self._env: SandboxedEnvironment | None = None
        self._compiled: dict[str, _Compiled | TemplateProblem] = {}

    def _environment(self) -> SandboxedEnvironment:
        if self._env is None:
            from jinja2 import StrictUndefined
            from jinja2.sandbox import SandboxedEnvironment

            self._env = SandboxedEnvironment(
                undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True
            )
            self._env.globals.clear()
        return self._env

    def _get(self, text: str) -> _Compiled:
        compiled = self._compiled.get(text)
        if compiled is None:
            compiled = self._compiled[text] = _compile(self._environment(), text, self.codes)
        if isinstance(compiled, TemplateProblem):
            # a fresh exception each time: re-raising the cached one would grow its traceback
            raise TemplateProblem(compiled.code, compiled.message)
        return compiled

    def _unknown(self, text: str, unknown: str) -> TemplateProblem:
        return TemplateProblem(
            self.codes.undefined,
            f"template {_short(text)}: {unknown!r} is undefined; available names: "
            f"{', '.join(self.available)}",
        )

    def check(self, text: str) -> None:
        """Raises the problem a render of ``text`` would have with any values of the names."""
        unknown = sorted(self._get(text).names - set(self.available))
        if unknown:
            raise self._unknown(text, unknown[0])

    def render(self, text: str, names: Mapping[str, str]) -> str:
        """``text`` with every name replaced by its value in ``names``."""
        from jinja2.exceptions import SecurityError, UndefinedError

        compiled = self._get(text)
        unknown = sorted(compiled.names - names.keys())
        if unknown:
            raise self._unknown(text, unknown[0])
        codes = self.codes
        try:
            result = compiled.template.render(names)
        except SecurityError as exc:
            raise TemplateProblem(codes.sandbox, f"template {_short(text)}: {exc}") from None
        except UndefinedError as exc:
            raise TemplateProblem(
                codes.undefined,
                f"template {_short(text)}: {exc}; available names: {', '.join(self.available)}",
            ) from None
        except Exception as exc:  # a template is user input: any failure is the user's to fix
            raise TemplateProblem(
                codes.error, f"template {_short(text)}: {type(exc).__name__}: {exc}"
            ) from None
        if len(result) > MAX_RESULT_CHARS:
            raise TemplateProblem(
                codes.sandbox,
                f"template {_short(text)} renders to more than {MAX_RESULT_CHARS} characters",
            )
        return result


class ValueTemplates(Templates):
    """Renders the strings of values trees; compiled templates are shared across environments."""

    def __init__(self) -> None:
        super().__init__(TEMPLATE_NAMES, VALUE_CODES)

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
            if "{" not in value or budget.spent:
                return value
            try:
                result = self.render(value, names)
            except TemplateProblem as problem:
                findings.add(source, where, problem.code, problem.message)
                return value
            budget.remaining -= len(result) - len(value)
            if budget.remaining < 0:
                budget.spent = True
                findings.add(
                    source, where, self.codes.sandbox,
                    f"templates would add more than {MAX_GROWTH_CHARS} characters to one values "
                    f"file (reached at template {_short(value)}); repeat less through templates",
                )  # fmt: skip
                return value
            return result
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
