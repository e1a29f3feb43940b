"""Validate rendered manifests: Kubernetes kinds against kubernetes-validate's schemas, Argo CD
Applications and ApplicationSets against the vendored CRD schemas plus the rules those schemas
cannot express, and every name and label against Kubernetes' naming rules.

kubernetes-validate's own ``validate()`` reads and parses its 1.8 MB definitions file on every
call (about 24 ms an object). Here the same validator is built once per (version, kind) from the
same files (the package's ``kubernetes-json-schema/v<version>-local-strict/`` folder, registered
the way ``kubernetes_validate.utils.validate`` does) and reused for every object.

Each manifest is first checked by jsonschema-rs against the same schema (a large fleet renders
thousands of Applications; the pure-Python ``jsonschema`` took a millisecond each, jsonschema-rs
microseconds). Only a manifest it rejects goes through ``jsonschema``, whose errors are the
messages reported, so the wording is the same either way. Neither asserts ``format``, and where
the two regular-expression dialects differ, jsonschema-rs's (ECMA 262) is the stricter one: its
``\\d``, ``\\w`` and ``\\s`` are ASCII only and its ``$`` is only the very end; a manifest it
wrongly rejected would still get exactly ``jsonschema``'s verdict. tests/render/test_validation.py
checks that the two agree on valid and broken manifests of every kind rendered.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema_rs

from flagwright.codes import Code
from flagwright.diagnostics import YamlPath
from flagwright.errors import RenderError
from flagwright.render.names import CONFIG_KEY as _CONFIG_KEY
from flagwright.render.names import LABEL as _LABEL
from flagwright.render.names import LABEL_VALUE as _LABEL_VALUE
from flagwright.render.names import QUALIFIED as _QUALIFIED
from flagwright.render.names import SUBDOMAIN as _SUBDOMAIN
from flagwright.render.rollouts_rules import ROLLOUTS_SCHEMAS, rollouts_rules

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator  # type: ignore[import-untyped]
    from referencing import Resource

Problem = tuple[YamlPath, Code, str]

ARGOCD_API = "argoproj.io/v1alpha1"


def _schema_root() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("kubernetes_validate")
    if spec is None or not spec.submodule_search_locations:  # pragma: no cover - a dependency
        raise RenderError("kubernetes-validate is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "kubernetes-json-schema"


@cache
def shipped_versions() -> tuple[tuple[int, int], ...]:
    """(major, minor) of every Kubernetes version kubernetes-validate has schemas for."""
    found = set()
    for entry in _schema_root().iterdir():
        match = re.match(r"^v(\d+)\.(\d+)\.\d+-local-strict$", entry.name)
        if match:
            found.add((int(match[1]), int(match[2])))
    return tuple(sorted(found))


def default_kubernetes_version() -> str:
    major, minor = shipped_versions()[-1]
    return f"{major}.{minor}"


def _schema_dir(version: str) -> Path:
    match = re.match(r"^v?(\d+)\.(\d+)(?:\.\d+)?$", version)
    shipped = shipped_versions()
    span = f"{shipped[0][0]}.{shipped[0][1]} to {shipped[-1][0]}.{shipped[-1][1]}"
    if not match:
        raise RenderError(f"Kubernetes version {version!r} is not MAJOR.MINOR (e.g. 1.33)")
    wanted = (int(match[1]), int(match[2]))
    usable = [v for v in shipped if v <= wanted]
    if not usable or wanted > shipped[-1]:
        raise RenderError(
            f"no schemas for Kubernetes {wanted[0]}.{wanted[1]}: the installed "
            f"kubernetes-validate has {span}"
        )
    major, minor = usable[-1]
    return _schema_root() / f"v{major}.{minor}.0-local-strict"


@cache
def _definitions_document(folder: Path) -> dict[str, Any]:
    with (folder / "_definitions.json").open(encoding="utf-8") as handle:
        document: dict[str, Any] = json.load(handle)
    return document


@cache
def _definitions(folder: Path) -> Resource[Any]:
    from referencing import Resource

    return Resource.from_contents(_definitions_document(folder))


@cache
def _rs_definitions(folder: Path) -> jsonschema_rs.Registry:
    document = _definitions_document(folder)
    return jsonschema_rs.Registry([(document["$id"], document)], retriever=_offline)


def _offline(uri: str) -> Any:
    # Every reference is to the definitions registered above; anything else would be a fetch.
    raise ValueError(f"refusing to fetch {uri}: schemas are resolved offline")


@cache
def _kubernetes_schema(folder: Path, kind: str, api_version: str) -> dict[str, Any] | None:
    # Same file naming as kubernetes_validate.utils.validate: "apps/v1" -> "apps-v1",
    # "rbac.authorization.k8s.io/v1" -> "rbac-v1", "v1" -> "v1".
    group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    path = folder / f"{kind.lower()}-{group_version}.json"
    if not path.is_file():
        return None
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


@cache
def _kubernetes_checker(
    folder: Path, kind: str, api_version: str
) -> jsonschema_rs.Draft202012Validator | None:
    schema = _kubernetes_schema(folder, kind, api_version)
    if schema is None:
        return None
    return jsonschema_rs.Draft202012Validator(
        schema, registry=_rs_definitions(folder), retriever=_offline
    )


@cache
def _kubernetes_validator(folder: Path, kind: str, api_version: str) -> Draft202012Validator:
    """The pure-Python validator, for the messages of a manifest jsonschema-rs rejected."""
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    schema = _kubernetes_schema(folder, kind, api_version)
    registry: Registry[Any] = Resource.from_contents(schema) @ Registry()
    registry = _definitions(folder) @ registry
    return Draft202012Validator(schema, registry=registry)


# argoproj.io kinds: (data folder, schema file, how messages name the schema)
_ARGO_SCHEMAS = {
    "Application": (
        "argocd",
        "application.strict.json",
        "the Argo CD Application CRD schema (v3.5.1)",
    ),
    "ApplicationSet": (
        "argocd",
        "applicationset.strict.json",
        "the Argo CD ApplicationSet CRD schema (v3.5.1)",
    ),
    **ROLLOUTS_SCHEMAS,
}


@cache
def _argocd_schema(kind: str) -> dict[str, Any] | None:
    entry = _ARGO_SCHEMAS.get(kind)
    if entry is None:
        return None
    folder, name, _ = entry
    text = resources.files("flagwright").joinpath("data", folder, name).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _argocd_checker(kind: str) -> jsonschema_rs.Draft202012Validator | None:
    schema = _argocd_schema(kind)
    if schema is None:
        return None
    return jsonschema_rs.Draft202012Validator(schema, retriever=_offline)


@cache
def _argocd_validator(kind: str) -> Draft202012Validator:
    """The pure-Python validator, for the messages of a manifest jsonschema-rs rejected."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator(_argocd_schema(kind))


class ManifestValidator:
    """Validates manifests for one Kubernetes version; validators are built on first use."""

    def __init__(self, kubernetes_version: str | None = None) -> None:
        self.kubernetes_version = kubernetes_version or default_kubernetes_version()
        self._folder = _schema_dir(self.kubernetes_version)

    def problems(self, manifest: Mapping[str, Any]) -> list[Problem]:
        api_version = manifest.get("apiVersion")
        kind = manifest.get("kind")
        if not isinstance(api_version, str) or not isinstance(kind, str):
            return [((), Code.MANIFEST_SCHEMA, "a manifest needs string apiVersion and kind")]
        if api_version == ARGOCD_API:
            checker = _argocd_checker(kind)
        else:
            checker = _kubernetes_checker(self._folder, kind, api_version)
        if checker is None:
            return [((), Code.NO_SCHEMA, f"no schema for {api_version} {kind}")]
        found: list[Problem] = []
        if not checker.is_valid(manifest):
            found = self._schema_problems(manifest)
        found.extend(_name_problems(manifest))
        if api_version == ARGOCD_API and kind == "Application":
            found.extend(_application_rules(manifest))
        if api_version == ARGOCD_API and kind == "ApplicationSet":
            from flagwright.render.appset_rules import applicationset_rules

            found.extend(applicationset_rules(manifest, _application_rules))
        if api_version == ARGOCD_API and kind in ROLLOUTS_SCHEMAS:
            found.extend(rollouts_rules(manifest))
        return found

    def _schema_problems(self, manifest: Mapping[str, Any]) -> list[Problem]:
        kind, api_version = manifest["kind"], manifest["apiVersion"]
        if api_version == ARGOCD_API:
            validator = _argocd_validator(kind)
            schema_name = _ARGO_SCHEMAS[kind][2]
        else:
            validator = _kubernetes_validator(self._folder, kind, api_version)
            schema_name = f"Kubernetes {self.kubernetes_version}'s {kind} schema"
        found: list[Problem] = []
        for error in sorted(validator.iter_errors(manifest), key=lambda e: list(e.absolute_path)):
            where = tuple(error.absolute_path)
            at = ".".join(str(step) for step in where) or "(top level)"
            found.append((where, Code.MANIFEST_SCHEMA, f"{at}: {error.message} ({schema_name})"))
        return found


def _name_problems(manifest: Mapping[str, Any]) -> Iterator[Problem]:
    metadata = manifest.get("metadata")
    if not isinstance(metadata, Mapping):
        return
    name = metadata.get("name")
    if not _valid(name, _SUBDOMAIN, 253):
        yield (("metadata", "name"), Code.K8S_NAME,
               f"name {name!r} is not a DNS-1123 subdomain (lowercase letters, digits, '-' and "
               "'.', at most 253 characters)")  # fmt: skip
    if "namespace" in metadata:
        yield from _namespace(metadata["namespace"], ("metadata", "namespace"))
    for field in ("labels", "annotations"):
        entries = metadata.get(field)
        if not isinstance(entries, Mapping):
            continue
        for key, value in entries.items():
            if not _qualified_name(key):
                yield ((("metadata", field, key)), Code.K8S_NAME,
                       f"{field[:-1]} key {key!r} is not a qualified name")  # fmt: skip
            # A value that is not a string at all is the schema's finding, not a second one.
            if field == "labels" and isinstance(value, str) and not _valid(value, _LABEL_VALUE, 63):
                yield (("metadata", field, key), Code.K8S_NAME,
                       f"label value {value!r} is not valid: at most 63 letters, digits, '-', "
                       "'_' and '.', starting and ending with a letter or digit")  # fmt: skip
    data = manifest.get("data")
    if manifest.get("kind") == "ConfigMap" and isinstance(data, Mapping):
        for key in data:
            if not _valid(key, _CONFIG_KEY, 253):
                yield (("data", key), Code.K8S_NAME, f"ConfigMap key {key!r} is not valid")


def _namespace(value: Any, where: YamlPath) -> Iterator[Problem]:
    if not _valid(value, _LABEL, 63):
        yield (where, Code.K8S_NAME,
               f"namespace {value!r} is not a DNS-1123 label (lowercase letters, digits and '-', "
               "at most 63 characters)")  # fmt: skip


def _valid(value: Any, pattern: re.Pattern[str], limit: int) -> bool:
    return isinstance(value, str) and len(value) <= limit and pattern.match(value) is not None


def _qualified_name(key: Any) -> bool:
    if not isinstance(key, str):
        return False
    prefix, _, name = key.rpartition("/")
    if prefix and not _valid(prefix, _SUBDOMAIN, 253):
        return False
    return _valid(name, _QUALIFIED, 63)


def _application_rules(manifest: Mapping[str, Any]) -> Iterator[Problem]:
    """What Argo CD enforces at runtime but its CRD schema does not."""
    spec = manifest.get("spec")
    if not isinstance(spec, Mapping):
        return
    destination = spec.get("destination")
    if isinstance(destination, Mapping):
        if ("server" in destination) == ("name" in destination):
            yield (("spec", "destination"), Code.ARGOCD_RULE,
                   "destination needs exactly one of 'server' or 'name'")  # fmt: skip
        if "namespace" in destination:
            yield from _namespace(destination["namespace"], ("spec", "destination", "namespace"))
    sources = spec.get("sources")
    if not isinstance(sources, list):
        return
    refs = {s["ref"] for s in sources if isinstance(s, Mapping) and isinstance(s.get("ref"), str)}
    for i, source in enumerate(sources):
        if not isinstance(source, Mapping):
            continue
        if "ref" in source and "chart" in source:
            yield (("spec", "sources", i, "chart"), Code.ARGOCD_RULE,
                   "a source with 'ref' must not set 'chart'")  # fmt: skip
        helm = source.get("helm")
        files = helm.get("valueFiles") if isinstance(helm, Mapping) else None
        for j, path in enumerate(files if isinstance(files, list) else []):
            where: YamlPath = ("spec", "sources", i, "helm", "valueFiles", j)
            if not isinstance(path, str) or "$" not in path:
                continue
            ref, slash, _ = path[1:].partition("/")
            if not path.startswith("$") or not slash or "$" in path[1:]:
                message = f"value file {path!r}: a '$ref/' reference may only start the path"
                yield (where, Code.ARGOCD_RULE, message)
            elif ref not in refs:
                message = f"value file {path!r} names ${ref}, but no source has ref: {ref}"
                yield (where, Code.ARGOCD_RULE, message)
