"""Value templates: the documented names, and each failure as a diagnostic at the value."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from flagwright.codes import Code
from flagwright.diagnostics import Findings, Source
from flagwright.render.templating import ValueTemplates

from .conftest import render
from .fixture_repo import FILES

NAMES = {"app": "web", "env": "prod"}


def test_only_strings_are_rendered_and_keys_are_left_alone() -> None:
    findings = Findings()
    value = {"{{ app }}": ["{{ env }}", 1, True, None, {"x": "a-{{ app }}"}]}
    rendered = ValueTemplates().render_tree(value, NAMES, Source("f.yaml"), (), findings)
    assert rendered == {"{{ app }}": ["prod", 1, True, None, {"x": "a-web"}]}
    assert not findings.items


@pytest.mark.parametrize(
    ("template", "code", "fragment"),
    [
        ("{{ nope }}", Code.TEMPLATE_UNDEFINED, "'nope' is undefined"),
        ("{{ app.__class__ }}", Code.TEMPLATE_SANDBOX, "not an expression of kind Getattr"),
        ("{{ 'a' * 100000000 }}", Code.TEMPLATE_SANDBOX, "not an expression of kind Mul"),
        ("{{ app ", Code.TEMPLATE_ERROR, "unexpected end of template"),
        ("{{ 1 // 0 }}", Code.TEMPLATE_SANDBOX, "not an expression of kind FloorDiv"),
        # each of these built a huge string before the result's length could be checked
        ('{{ "%0100000000d"|format(1) }}', Code.TEMPLATE_SANDBOX, "kind Filter"),
        ("{{ lipsum(10**5) }}", Code.TEMPLATE_SANDBOX, "kind Call"),
        ('{{ "x"|center(10**8) }}', Code.TEMPLATE_SANDBOX, "kind Filter"),
        ("{{ app|upper }}", Code.TEMPLATE_SANDBOX, "kind Filter"),
        ("{{ 'web' }}", Code.TEMPLATE_SANDBOX, "kind Const"),
        ("{% for i in range(3) %}x{% endfor %}", Code.TEMPLATE_SANDBOX, "{% for %} statement"),
        ("{% set app = 'x' %}{{ app }}", Code.TEMPLATE_SANDBOX, "{% assign %} statement"),
        ("a\n{{ env }}{{ cycler(1) }}", Code.TEMPLATE_SANDBOX, "(line 2 of the template)"),
    ],
)
def test_a_failing_template_is_a_finding_at_its_value(
    template: str, code: Code, fragment: str
) -> None:
    findings = Findings()
    value = {"a": [template]}
    rendered = ValueTemplates().render_tree(value, NAMES, Source("f.yaml"), ("values",), findings)
    assert rendered == value
    [finding] = findings.items
    assert (finding.code, finding.where) == (code, ("values", "a", 0))
    assert fragment in finding.message


def test_only_bare_names_and_literal_text_render() -> None:
    findings = Findings()
    value = ["{{- app -}} / {{env}}{# note #}", "{% raw %}{{ x|upper }}{% endraw %}", "{}"]
    rendered = ValueTemplates().render_tree(value, NAMES, Source("f.yaml"), (), findings)
    assert rendered == ["web/ prod", "{{ x|upper }}", "{}"]
    assert not findings.items


def test_undefined_name_is_reported_at_the_source_line(
    make_config: Callable[[dict[str, str]], Path],
) -> None:
    app = FILES["environments/apps/web.yaml"].replace(
        "  port: 8080\n", '  port: 8080\n  url: "https://{{ hostname }}/"\n'
    )
    env = FILES["environments/prod.yaml"].replace(
        "      replicaCount: 3\n", '      replicaCount: 3\n      zone: "{{ zone }}"\n'
    )
    root = make_config({"environments/apps/web.yaml": app, "environments/prod.yaml": env})
    output = render(root)
    assert not output.ok
    errors = [(d.path, d.line, d.col, d.code) for d in output.diagnostics]
    # the App's value fails in both environments: one diagnostic, deduplicated
    assert errors == [
        ("environments/apps/web.yaml", 10, 8, "FW301"),
        ("environments/prod.yaml", 19, 13, "FW301"),
    ]
    assert "'hostname' is undefined; available names: app, chart," in output.diagnostics[0].message


def test_templates_that_could_build_huge_strings_are_refused_at_their_lines(
    make_config: Callable[[dict[str, str]], Path],
) -> None:
    attacks = (
        "  port: 8080\n"
        "  a: '{{ \"%0100000000d\"|format(1) }}'\n"
        "  b: '{{ lipsum(10**5) }}'\n"
        "  c: '{{ \"x\"|center(10**8) }}'\n"
    )
    app = FILES["environments/apps/web.yaml"].replace("  port: 8080\n", attacks)
    output = render(make_config({"environments/apps/web.yaml": app}))
    assert not output.ok
    errors = [(d.path, d.line, d.col, d.code) for d in output.diagnostics]
    assert errors == [
        ("environments/apps/web.yaml", 10, 6, "FW302"),
        ("environments/apps/web.yaml", 11, 6, "FW302"),
        ("environments/apps/web.yaml", 12, 6, "FW302"),
    ]
