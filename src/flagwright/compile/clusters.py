"""A cluster's flags: the environment's, with the cluster's overrides compiled in their place.

An override is a whole environment entry (the shape a Flag document uses under
``environments.<env>``) that replaces the flag's entry for the environment in that one cluster.
Only the overridden flags are compiled again; every other flag is the environment's, so a
cluster without overrides serves exactly the environment's bundle.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flagwright.compile.snapshot import assemble_bundle, compile_flags
from flagwright.load.index import ConfigIndex
from flagwright.load.repository import Located
from flagwright.model import EnvEntry, Flag
from flagwright.model.cluster import Cluster


def overridden(flag: Flag, env: str, entry: EnvEntry) -> Flag:
    """``flag`` with ``entry`` as its entry for ``env``."""
    return flag.model_copy(update={"environments": {**flag.environments, env: entry}})


def cluster_flags(
    index: ConfigIndex, env: str, cluster: Cluster, keys: set[str] | None = None
) -> dict[str, Any]:
    """The cluster's compiled overrides, by key (only flags the repository has; ``keys`` limits
    them further)."""
    wanted = {k: e for k, e in cluster.flags.items() if k in index.flags}
    if keys is not None:
        wanted = {k: e for k, e in wanted.items() if k in keys}
    if not wanted:
        return {}
    sub = ConfigIndex(
        flags={
            key: Located(overridden(index.flags[key].model, env, entry), index.flags[key].source)
            for key, entry in wanted.items()
        },
        segments=index.segments,
        plans=index.plans,
        environments=index.environments,
        apps=index.apps,
        repositories=index.repositories,
    )
    return compile_flags(sub, env)


def cluster_bundle(
    index: ConfigIndex, env: str, cluster: Cluster, env_bundle: Mapping[str, Any]
) -> dict[str, Any]:
    """The snapshot bundle a cluster serves: ``env_bundle`` with the overrides compiled in."""
    flags = dict(env_bundle["flags"])
    flags.update(cluster_flags(index, env, cluster))
    return assemble_bundle(env, dict(sorted(flags.items())), str(env_bundle["bucketing"]))
