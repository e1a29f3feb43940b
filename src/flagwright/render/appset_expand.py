"""The Applications an ApplicationSet generates, computed from the ApplicationSet alone.

Argo CD has no offline preview of an ApplicationSet, so flagwright commits this expansion next
to it and a reviewer reads the exact Applications in the pull request. It follows the
controller's steps for the forms flagwright writes:

1. each generator is a ``list`` generator; its own ``template`` (if any) is merged with
   ``spec.template`` the way the controller does (mergo: the generator's fields win, the set's
   template only fills fields the generator's leaves empty);
2. every string of that template is rendered with each element's parameters (Go template,
   ``missingkey=error``: :mod:`flagwright.render.gotemplate`);
3. the Application gets the resources finalizer only when the template has no finalizers and
   ``syncPolicy.preserveResourcesOnDeletion`` is not true.

The controller also sets ``ownerReferences`` (naming the ApplicationSet's uid, which exists only
in the cluster) and the status; neither is part of the expansion.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flagwright.render.gotemplate import TemplateError, render_tree

API_VERSION = "argoproj.io/v1alpha1"
FINALIZER = "resources-finalizer.argocd.argoproj.io"


def expand_applicationset(appset: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The generated Applications, in generator and element order."""
    spec = appset.get("spec")
    if not isinstance(spec, Mapping):
        raise TemplateError("an ApplicationSet needs a spec")
    if spec.get("goTemplate") is not True or spec.get("goTemplateOptions") != ["missingkey=error"]:
        raise TemplateError("only goTemplate: true with goTemplateOptions [missingkey=error]")
    base = spec.get("template") or {}
    preserve = (spec.get("syncPolicy") or {}).get("preserveResourcesOnDeletion") is True
    out: list[dict[str, Any]] = []
    for number, generator in enumerate(spec.get("generators") or []):
        if set(generator) != {"list"}:
            raise TemplateError(f"generator {number}: only list generators are expanded")
        listing = generator["list"]
        template = merge_template(listing.get("template") or {}, base)
        for element in listing.get("elements") or []:
            if not isinstance(element, Mapping):
                raise TemplateError(f"generator {number}: an element is not a mapping")
            rendered = render_tree(template, element)
            metadata = dict(rendered.get("metadata") or {})
            if not metadata.get("finalizers") and not preserve:
                metadata["finalizers"] = [FINALIZER]
            out.append(
                {
                    "apiVersion": API_VERSION,
                    "kind": "Application",
                    "metadata": metadata,
                    "spec": rendered.get("spec") or {},
                }
            )
    return out


def merge_template(generator: Mapping[str, Any], base: Mapping[str, Any]) -> dict[str, Any]:
    """mergo.Merge(generator, base) without override, for the JSON shapes templates have:
    a key the generator leaves empty (absent, "", false, 0, empty list or map) takes the base's
    value; mappings present on both merge key by key; anything else stays the generator's."""
    merged: dict[str, Any] = dict(generator)
    for key, value in base.items():
        mine = merged.get(key)
        if _empty(mine):
            merged[key] = value
        elif isinstance(mine, Mapping) and isinstance(value, Mapping):
            merged[key] = merge_template(mine, value)
    return merged


def _empty(value: Any) -> bool:
    return value is None or value is False or value == 0 or value in ("", [], {})
