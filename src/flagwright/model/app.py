"""App (a Helm chart deployed per environment) and the one Repository document."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag

from flagwright.model.base import Name, NonEmpty, Strict
from flagwright.model.sources import ChartPath, GitRef, GitUrl, HelmRepoUrl, Word


class ChartRepo(Strict):
    repo: HelmRepoUrl
    name: Word
    version: Word


class ChartGit(Strict):
    git: GitUrl
    path: ChartPath
    ref: GitRef = "HEAD"


def _chart_kind(value: Any) -> str:
    present = "git" in value if isinstance(value, dict) else isinstance(value, ChartGit)
    return "chart:git" if present else "chart:repo"


Chart = Annotated[
    Annotated[ChartRepo, Tag("chart:repo")] | Annotated[ChartGit, Tag("chart:git")],
    Discriminator(_chart_kind),
]


ReadFormat = Literal["snapshot", "flagd", "featuremanagement"]


def _snapshot_only() -> list[ReadFormat]:
    return ["snapshot"]


class App(Strict):
    kind: Literal["App"]
    name: Name
    description: str | None = None
    chart: Chart
    values: dict[str, Any] = Field(default_factory=dict)
    flags: list[NonEmpty] = Field(default_factory=list)
    # The flag formats the app's services read: each becomes a file of its flag ConfigMap.
    reads: list[ReadFormat] = Field(default_factory=_snapshot_only, min_length=1)


class Repository(Strict):
    kind: Literal["Repository"]
    url: GitUrl
    revision: GitRef = "main"
