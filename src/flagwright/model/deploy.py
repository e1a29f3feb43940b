"""What an Environment says about deploying an app beyond its strategy: Argo Rollouts' workload,
Services and analysis, and the Argo CD extras of the Applications that carry it."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Discriminator, Field, Tag

from flagwright.model.base import Duration, Name, Strict
from flagwright.model.plan import Gates

# A Kubernetes object name (DNS-1123 subdomain): the chart's Deployment and Services.
K8S_NAME = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
ObjectName = Annotated[str, Field(pattern=K8S_NAME, max_length=253)]
# An Argo CD sync option, as Argo CD writes it: Name=value.
SyncOption = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9]*=[^\s=]+$")]


def _plan_or_gates(value: Any) -> str:
    return "plan" if isinstance(value, str) else "gates"


# A blue-green analysis: the name of a RolloutPlan (its gates) or gates written in place.
PlanOrGates = Annotated[
    Annotated[Name, Tag("plan")] | Annotated[Gates, Tag("gates")],
    Discriminator(_plan_or_gates),
]


class DeployAnalysis(Strict):
    """Blue-green analysis: ``before`` the switch (pre-promotion), ``after`` it (post)."""

    before: PlanOrGates | None = None
    after: PlanOrGates | None = None


class Services(Strict):
    """The chart's own Services for the two sides of a strategy (blue-green: active/preview,
    canary: stable/canary); when left out, flagwright renders them."""

    active: ObjectName | None = None
    preview: ObjectName | None = None
    stable: ObjectName | None = None
    canary: ObjectName | None = None


class DeployFields(Strict):
    """What every Argo Rollouts strategy needs to know about the app's chart."""

    workload: ObjectName | None = None  # the chart's Deployment; default: the app's name
    replicas: int | None = Field(default=None, ge=0, strict=True)  # default: values.replicaCount
    services: Services | None = None
    # For the Services flagwright renders: which pods, which port.
    selector: dict[str, str] | None = None  # default: app.kubernetes.io/instance: <app>
    port: int = Field(default=80, ge=1, le=65535, strict=True)
    target_port: int | str = "http"


class Backoff(Strict):
    duration: Duration = "5s"
    factor: int = Field(default=2, ge=1, strict=True)
    max_duration: Duration = "3m"


class Retry(Strict):
    """Argo CD's sync retry."""

    limit: int = Field(default=5, ge=-1, strict=True)
    backoff: Backoff | None = None


class AppArgoCD(Strict):
    """Per app, per environment: Application annotations (e.g. argocd-image-updater's)."""

    annotations: dict[str, str] = Field(default_factory=dict)
