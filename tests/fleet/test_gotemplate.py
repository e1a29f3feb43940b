"""The Go template forms flagwright's ApplicationSets use, evaluated as the controller does."""

from __future__ import annotations

import pytest

from flagwright.render.appset_expand import expand_applicationset, merge_template
from flagwright.render.gotemplate import TemplateError, render_string, render_tree

PARAMS = {"cluster": "prod-eu-1", "wave": "1", "labels": {"region": "eu", "a.b/c": "x"}}


def test_field_paths_and_index_are_substituted_and_other_text_kept() -> None:
    assert render_string("{{ .cluster }}-{{.wave}}", PARAMS) == "prod-eu-1-1"
    assert render_string('{{ index .labels "a.b/c" }}', PARAMS) == "x"
    assert render_string("{{ .labels.region }}", PARAMS) == "eu"
    assert render_string("$values/plain", PARAMS) == "$values/plain"


@pytest.mark.parametrize(
    "text",
    [
        "{{ .missing }}",  # missingkey=error
        '{{ index .labels "missing" }}',  # Go would print "<no value>"
        "{{ .cluster | upper }}",
        "{{- .cluster }}",
        "{{ .cluster }",
        "{{ .labels }}",  # a map prints in Go's notation
    ],
)
def test_missing_keys_and_forms_not_implemented_are_refused(text: str) -> None:
    with pytest.raises(TemplateError):
        render_string(text, PARAMS)


def test_keys_are_never_templates() -> None:
    assert render_tree({"a": ["{{ .wave }}", 3, True]}, PARAMS) == {"a": ["1", 3, True]}
    with pytest.raises(TemplateError):
        render_tree({"{{ .cluster }}": "x"}, PARAMS)


def test_generator_template_wins_and_the_set_template_fills_empty_fields() -> None:
    merged = merge_template(
        {"metadata": {"name": "a", "labels": {"x": "1"}}, "spec": {"project": ""}},
        {"metadata": {"labels": {"x": "2", "y": "3"}, "namespace": "argocd"},
         "spec": {"project": "p"}},
    )  # fmt: skip
    assert merged == {
        "metadata": {"name": "a", "labels": {"x": "1", "y": "3"}, "namespace": "argocd"},
        "spec": {"project": "p"},
    }


def _set(preserve: bool, finalizers: list[str] | None = None) -> dict[str, object]:
    metadata: dict[str, object] = {"name": "app-{{ .cluster }}"}
    if finalizers is not None:
        metadata["finalizers"] = finalizers
    return {
        "spec": {
            "goTemplate": True,
            "goTemplateOptions": ["missingkey=error"],
            "syncPolicy": {"preserveResourcesOnDeletion": preserve},
            "generators": [{"list": {"elements": [{"cluster": "a"}, {"cluster": "b"}]}}],
            "template": {"metadata": metadata, "spec": {"project": "p"}},
        }
    }


def test_the_controller_adds_the_finalizer_only_where_resources_are_not_preserved() -> None:
    kept = expand_applicationset(_set(preserve=True))
    assert [a["metadata"] for a in kept] == [{"name": "app-a"}, {"name": "app-b"}]
    added = expand_applicationset(_set(preserve=False))
    assert added[0]["metadata"]["finalizers"] == ["resources-finalizer.argocd.argoproj.io"]
    own = expand_applicationset(_set(preserve=False, finalizers=["x"]))
    assert own[0]["metadata"]["finalizers"] == ["x"]


def test_sets_flagwright_does_not_write_are_refused() -> None:
    appset = _set(preserve=True)
    appset["spec"]["goTemplate"] = False  # type: ignore[index]
    with pytest.raises(TemplateError):
        expand_applicationset(appset)
    appset = _set(preserve=True)
    appset["spec"]["generators"] = [{"clusters": {}}]  # type: ignore[index]
    with pytest.raises(TemplateError):
        expand_applicationset(appset)
