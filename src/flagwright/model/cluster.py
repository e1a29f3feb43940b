"""Clusters of an Environment: one environment deployed to several Argo CD destinations.

An Environment lists either one ``argocd.destination`` or ``clusters:``. Each cluster names its
destination, optional labels (carried onto its Applications), a wave (clusters sync wave by wave,
the lowest first), per-app Helm values merged over the environment's, and flag overrides: an
environment entry, in the same shape as in a Flag document, that replaces the flag's entry for
the environment in that cluster only (allowed for the flags ``allow_cluster_overrides`` names).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field, StrictInt

from flagwright.model.base import Name, Strict
from flagwright.model.flag import EnvEntry

if TYPE_CHECKING:
    from flagwright.model.environment import Destination

CLUSTER_NAME = r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"
# Kubernetes label keys (optional DNS subdomain prefix + name) and values; the labels go onto the
# cluster's Argo CD Applications, where RollingSync steps and people select by them.
LABEL_KEY = (
    r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
    r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$"
)
LABEL_VALUE = r"^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$"

LabelKey = Annotated[str, Field(pattern=LABEL_KEY, max_length=316)]
LabelValue = Annotated[str, Field(pattern=LABEL_VALUE, max_length=63)]


class ClusterApp(Strict):
    values: dict[str, Any] = Field(default_factory=dict)


class Cluster(Strict):
    # ``Destination`` is resolved when environment.py (which defines it) rebuilds this model.
    name: str = Field(pattern=CLUSTER_NAME)
    destination: Destination
    labels: dict[LabelKey, LabelValue] = Field(default_factory=dict)
    wave: StrictInt = Field(default=1, ge=1, le=100)
    apps: dict[Name, ClusterApp] = Field(default_factory=dict)
    flags: dict[Name, EnvEntry] = Field(default_factory=dict)
