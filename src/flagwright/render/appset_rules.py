"""What Argo CD enforces on an ApplicationSet beyond its CRD schema, for the forms flagwright
writes: each generator's template (merged with the set's) obeys the Application rules, and the
safety settings flagwright promises are there."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from flagwright.codes import Code
from flagwright.diagnostics import YamlPath
from flagwright.render.appset_expand import merge_template

Problem = tuple[YamlPath, Code, str]
Rules = Callable[[Mapping[str, Any]], Iterable[Problem]]


def applicationset_rules(manifest: Mapping[str, Any], application_rules: Rules) -> list[Problem]:
    spec = manifest.get("spec")
    if not isinstance(spec, Mapping):
        return []
    found: list[Problem] = []
    policy = spec.get("syncPolicy")
    if not isinstance(policy, Mapping) or policy.get("preserveResourcesOnDeletion") is not True:
        message = "an ApplicationSet must set syncPolicy.preserveResourcesOnDeletion: true"
        found.append((("spec", "syncPolicy"), Code.ARGOCD_RULE, message))
    if isinstance(policy, Mapping) and policy.get("applicationsSync") not in (
        "create-only",
        "create-update",
    ):
        found.append((("spec", "syncPolicy"), Code.ARGOCD_RULE,
                      "an ApplicationSet's applicationsSync must not delete Applications "
                      "(create-only or create-update)"))  # fmt: skip
    given = spec.get("template")
    base: Mapping[str, Any] = given if isinstance(given, Mapping) else {}
    for i, generator in enumerate(spec.get("generators") or []):
        listing = generator.get("list") if isinstance(generator, Mapping) else None
        if not isinstance(listing, Mapping):
            continue
        template = merge_template(listing.get("template") or {}, base)
        prefix: YamlPath = ("spec", "generators", i, "list", "template")
        for where, code, message in application_rules({"spec": template.get("spec") or {}}):
            found.append(((*prefix, *where), code, message))
    return found
