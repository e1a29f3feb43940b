"""Metric query templates: bare names only, with the query names, problems with query codes."""

from __future__ import annotations

import pytest

from flagwright.codes import Code
from flagwright.rollouts.gates import (
    TemplateProblem,
    check_query_template,
    query_names,
    render_query,
)

NAMES = query_names("checkout", "prod", "shop-prod", flag="new-api", variant="on")


def test_a_query_renders_with_every_query_name() -> None:
    template = (
        'sum(rate(x{app="{{ app }}",env="{{env}}",namespace="{{- namespace -}}",'
        'flag="{{ flag }}",variant="{{ variant }}"}[5m]))'
    )
    assert render_query(template, NAMES) == (
        'sum(rate(x{app="checkout",env="prod",namespace="shop-prod",flag="new-api",'
        'variant="on"}[5m]))'
    )


@pytest.mark.parametrize(
    ("template", "code", "fragment"),
    [
        ('up{app="{{ chart }}"}', Code.QUERY_UNDEFINED_NAME, "'chart' is undefined"),
        ('up{app="{{ app|upper }}"}', Code.QUERY_SANDBOX, "kind Filter"),
        ("{{ lipsum(10**5) }}", Code.QUERY_SANDBOX, "kind Call"),
        ('up{app="{{ app "}', Code.QUERY_TEMPLATE_ERROR, "template"),
    ],
)
def test_a_bad_query_template_raises_its_code(template: str, code: Code, fragment: str) -> None:
    with pytest.raises(TemplateProblem) as raised:
        render_query(template, NAMES)
    assert raised.value.code is code
    assert fragment in raised.value.message
    with pytest.raises(TemplateProblem) as checked:
        check_query_template(template)
    assert checked.value.code is code


def test_a_value_template_name_is_not_a_query_name() -> None:
    # `configmap` is a Helm-values name; queries have their own, shorter list
    with pytest.raises(TemplateProblem) as raised:
        check_query_template('up{cm="{{ configmap }}"}')
    assert "available names: app, env, flag, namespace, variant" in raised.value.message
