"""The site's data: every flag in every environment, its history and staleness, as JSON.

One record feeds both the HTML pages and ``index.json``, so a tool reading the JSON sees exactly
what people see. Flags are compiled from the work tree by the same compiler as ``render`` (the
rendered snapshot bundles hold the same flags; ``render --check`` keeps them equal).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from flagwright.check.repository import validate_repository
from flagwright.compile import compile_flags
from flagwright.compile.select import selected_keys
from flagwright.diff.describe import value_text
from flagwright.evaluate.target import InvalidConfig
from flagwright.load.index import ConfigIndex
from flagwright.site.cells import cell
from flagwright.site.history import History, read_history
from flagwright.site.stale import stale_reasons

FORMAT = "flagwright.site/v1"


@dataclass(frozen=True, slots=True)
class SiteOptions:
    now: datetime  # exposure of scheduled rollouts, current stages, expiry
    full_days: int = 30  # a flag at 100% everywhere for longer than this is stale
    history_limit: int | None = None  # newest commits read for the history (None: all)


def build_data(root: Path, options: SiteOptions) -> dict[str, Any]:
    """Validate and compile the work tree, read the history, and assemble the site's data."""
    validated = validate_repository(root, today=options.now.date(), sizes=False)
    if not validated.ok:
        raise InvalidConfig(validated.diagnostics, also="no site written")
    index = validated.index
    envs = environment_order(index)
    compiled = {env: compile_flags(index, env) for env in envs}
    apps_of = _apps_per_flag(index, compiled)
    history = read_history(root, options.history_limit)
    flags = [
        _flag_record(index, key, envs, compiled, apps_of.get(key, []), history, options)
        for key in sorted(index.flags)
    ]
    return {
        "format": FORMAT,
        "repository": index.repository.url if index.repository else "",
        "environments": [
            {
                "name": env,
                "promotes_from": index.environments[env].model.promotes_from,
                "apps": sorted(index.environments[env].model.apps),
            }
            for env in envs
        ],
        "owners": sorted({f["owner"] for f in flags}),
        "tags": sorted({t for f in flags for t in f["tags"]}),
        "apps": sorted(index.apps),
        "flags": flags,
        "stale": [
            {"flag": f["key"], "owner": f["owner"], "reasons": f["stale"]}
            for f in flags
            if f["stale"]
        ],
        "history_unavailable": history.unavailable,
    }


def environment_order(index: ConfigIndex) -> list[str]:
    """Along the promotion chain (dev, staging, prod), then by name: how people read them."""

    def depth(name: str) -> int:
        seen: set[str] = set()
        while name in index.environments and name not in seen:
            seen.add(name)
            name = index.environments[name].model.promotes_from or ""
        return len(seen)

    return sorted(index.environments, key=lambda n: (depth(n), n))


def _apps_per_flag(
    index: ConfigIndex, compiled: Mapping[str, Mapping[str, Any]]
) -> dict[str, list[str]]:
    """Apps whose snapshot carries the flag in some environment that deploys them."""
    found: dict[str, set[str]] = {}
    for env, flags in compiled.items():
        for app in index.environments[env].model.apps:
            if app not in index.apps:
                continue
            for key in selected_keys({"flags": flags}, list(index.apps[app].model.flags)):
                found.setdefault(key, set()).add(app)
    return {key: sorted(apps) for key, apps in found.items()}


def _flag_record(
    index: ConfigIndex,
    key: str,
    envs: list[str],
    compiled: Mapping[str, Mapping[str, Any]],
    apps: list[str],
    history: History,
    options: SiteOptions,
) -> dict[str, Any]:
    model = index.flags[key].model
    first = compiled[envs[0]][key] if envs else None
    cells: dict[str, Any] = {}
    for env in envs:
        flag = compiled[env][key]
        entry = cell(flag, options.now)
        entry["default"] = str(flag["default"])
        entry["gates"] = _gates(index, entry["rollout"])
        entry["stage_since"] = history.stage_since.get((key, env))
        cells[env] = entry
    entries = history.entries.get(key, [])
    record: dict[str, Any] = {
        "key": key,
        "description": model.description,
        "owner": model.owner,
        "tags": sorted(model.tags),
        "type": model.type,
        "default": model.resolved_default,
        "variants": {k: value_text(v) for k, v in model.resolved_variants.items()},
        "expires": model.expires.isoformat() if model.expires else None,
        "requires": list(model.requires),
        "bucket_by": model.bucket_by,
        "experiment": first["experiment"] if first else None,
        "source": index.flags[key].source.path,
        "apps": apps,
        "environments": cells,
        "history": entries,
    }
    last_change = entries[0]["date"] if entries else None
    if history.unavailable is not None:
        last_change = None
    record["stale"] = stale_reasons(record, options.now, options.full_days, last_change)
    return record


def _gates(index: ConfigIndex, rollout: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if rollout is None or rollout["plan"] not in index.plans:
        return None
    gates = index.plans[rollout["plan"]].model.gates
    if gates is None:
        return None
    return {
        "thresholds": [[k, v] for k, v in gates.thresholds.items()],
        "interval": gates.interval,
        "failure_limit": gates.failure_limit,
        "count": gates.count,
    }
