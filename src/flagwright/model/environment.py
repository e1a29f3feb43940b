"""Environment: where apps run, how Argo CD syncs them, and the change policy."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, StrictBool, Tag, model_validator

from flagwright.model.base import Duration, Name, NonEmpty, Percent, Strict, Time
from flagwright.model.deploy import AppArgoCD, DeployAnalysis, DeployFields, Retry, SyncOption
from flagwright.model.plan import QUERY_NAME_PATTERN

DNS_LABEL = r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"


class Destination(Strict):
    name: str | None = Field(default=None, min_length=1)
    server: str | None = Field(default=None, pattern=r"^https?://")

    @model_validator(mode="after")
    def _name_xor_server(self) -> Destination:
        if (self.name is None) == (self.server is None):
            raise ValueError("a destination has exactly one of 'name' or 'server'")
        return self


class ArgoCD(Strict):
    project: Name
    destination: Destination | None = None  # None: the environment lists ``clusters:`` instead
    namespace: str = Field(pattern=DNS_LABEL)
    sync: Literal["auto", "manual"] = "manual"
    # Argo CD extras: on every Application of the environment, and the root's and flags' own.
    annotations: dict[str, str] = Field(default_factory=dict)
    sync_options: list[SyncOption] = Field(default_factory=list)
    retry: Retry | None = None
    root_project: Name = "default"
    flags_sync: Literal["auto", "manual"] = "auto"


class Freeze(Strict):
    from_: Time = Field(alias="from")
    to: Time
    reason: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Freeze:
        if self.to <= self.from_:
            raise ValueError("a freeze window's 'to' must be after its 'from'")
        return self


QueryName = Annotated[str, Field(pattern=QUERY_NAME_PATTERN)]


class Metrics(Strict):
    """Where gates read their values: a Prometheus and PromQL templates by query name.

    Templates may use ``{{ app }}``, ``{{ env }}``, ``{{ namespace }}``, ``{{ flag }}`` and
    ``{{ variant }}`` (bare names only, as in Helm value strings).
    """

    prometheus: str = Field(pattern=r"^https?://[^\s]+$")
    queries: dict[QueryName, NonEmpty] = Field(default_factory=dict)


class Policy(Strict):
    max_rollout_step: Percent | None = None
    require_promotion: StrictBool = False
    freeze: list[Freeze] = Field(default_factory=list)


class BlueGreen(DeployFields):
    strategy: Literal["blue-green"]
    # Obsolete: Argo Rollouts tracks the live ReplicaSet. Accepted with a warning (FW266).
    active: Literal["blue", "green"] | None = None
    auto_promote: bool = Field(default=False, strict=True)
    keep_previous: Duration | None = None
    analysis: DeployAnalysis | None = None


class Canary(DeployFields):
    strategy: Literal["canary"]
    plan: Name
    # background: one analysis runs beside the steps; steps: each hold is an analysis step
    analysis: Literal["background", "steps"] = "background"
    # Argo Rollouts' own strategy.canary.trafficRouting, as its docs write it (e.g. {nginx:
    # {stableIngress: web}}); checked against the Rollout schema at render. Default: replicas.
    traffic_routing: dict[str, Any] | None = None


class Rolling(Strict):
    strategy: Literal["rolling"]


def _strategy(value: Any) -> str | None:
    if isinstance(value, dict):
        strategy = value.get("strategy")
    else:
        strategy = getattr(value, "strategy", None)
    return f"deploy:{strategy}" if isinstance(strategy, str) else None


Deploy = Annotated[
    Annotated[BlueGreen, Tag("deploy:blue-green")]
    | Annotated[Canary, Tag("deploy:canary")]
    | Annotated[Rolling, Tag("deploy:rolling")],
    Discriminator(
        _strategy,
        custom_error_type="deploy_strategy",
        custom_error_message="'strategy' must be one of: blue-green, canary, rolling",
    ),
]


class EnvApp(Strict):
    values: dict[str, Any] = Field(default_factory=dict)
    deploy: Deploy | None = None
    argocd: AppArgoCD | None = None


class Environment(Strict):
    kind: Literal["Environment"]
    name: Name
    description: str | None = None
    promotes_from: Name | None = None
    # The bucketing rule of this environment's bundles and flagd export (flagd-v2: flagd and
    # the JS/Go/Python <= 0.5 providers; flagd-v3: openfeature-flagd-core 2.x). Changing it
    # reassigns every percentage user, so validate --base asks for an acknowledgement.
    bucketing: Literal["flagd-v2", "flagd-v3"] = "flagd-v2"
    # The rule this environment leaves, written in the change that switches ``bucketing``.
    bucketing_from: Literal["flagd-v2", "flagd-v3"] | None = None
    argocd: ArgoCD
    policy: Policy = Field(default_factory=Policy)
    metrics: Metrics | None = None
    apps: dict[Name, EnvApp] = Field(default_factory=dict)
    # Several Argo CD destinations instead of argocd.destination (model/cluster.py).
    clusters: list[Cluster] | None = None
    allow_cluster_overrides: list[NonEmpty] = Field(default_factory=list)

    @model_validator(mode="after")
    def _bucketing_from_differs(self) -> Environment:
        if self.bucketing_from is not None and self.bucketing_from == self.bucketing:
            raise ValueError(
                "'bucketing_from' names the rule left behind: it must differ from 'bucketing'"
            )
        return self


from flagwright.model.cluster import Cluster  # noqa: E402  (it refers to Destination, above)

Cluster.model_rebuild(_types_namespace={"Destination": Destination})
Environment.model_rebuild()
