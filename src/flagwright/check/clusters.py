"""Checks of Environments with ``clusters:`` (model/cluster.py)."""

from __future__ import annotations

import fnmatch
import re

from flagwright.check.conditions import ConditionChecker
from flagwright.check.flags import _FlagChecker
from flagwright.check.suggest import did_you_mean
from flagwright.codes import Code
from flagwright.diagnostics import Findings
from flagwright.load.index import ConfigIndex
from flagwright.load.repository import Located
from flagwright.model import Environment

RESERVED_PREFIXES = ("flagwright.dev/", "app.kubernetes.io/")


def check_clusters(index: ConfigIndex, findings: Findings, conditions: ConditionChecker) -> None:
    for located in index.environments.values():
        _Checker(index, findings, conditions, located).run()


class _Checker:
    def __init__(
        self,
        index: ConfigIndex,
        findings: Findings,
        conditions: ConditionChecker,
        located: Located[Environment],
    ) -> None:
        self.index = index
        self.findings = findings
        self.conditions = conditions
        self.env = located.model
        self.source = located.source

    def run(self) -> None:
        env = self.env
        clusters = env.clusters
        has_destination = env.argocd.destination is not None
        if clusters is None:
            if not has_destination:
                self.findings.add(
                    self.source, ("argocd",), Code.DESTINATION_OR_CLUSTERS,
                    f"environment {env.name!r} needs argocd.destination (one cluster) or "
                    "clusters: (several)",
                    at="key",
                )  # fmt: skip
            if env.allow_cluster_overrides:
                self.findings.add(
                    self.source, ("allow_cluster_overrides",), Code.OVERRIDES_WITHOUT_CLUSTERS,
                    "allow_cluster_overrides needs clusters: to override flags in",
                    at="key",
                )  # fmt: skip
            return
        if has_destination:
            self.findings.add(
                self.source, ("argocd", "destination"), Code.DESTINATION_OR_CLUSTERS,
                "an environment has either argocd.destination or clusters:, not both; each "
                "cluster names its own destination",
                at="key",
            )  # fmt: skip
        if not clusters:
            self.findings.add(
                self.source, ("clusters",), Code.DESTINATION_OR_CLUSTERS,
                "clusters: is empty; list at least one cluster (or use argocd.destination)",
            )  # fmt: skip
            return
        self._names_and_destinations()
        self._labels()
        self._apps()
        self._flags()

    def _names_and_destinations(self) -> None:
        names: dict[str, int] = {}
        destinations: dict[tuple[str | None, str | None], int] = {}
        for i, cluster in enumerate(self.env.clusters or []):
            if cluster.name in names:
                self.findings.add(
                    self.source, ("clusters", i, "name"), Code.DUPLICATE_NAME,
                    f"cluster {cluster.name!r} is listed twice; the first is at",
                    related=(self.source, ("clusters", names[cluster.name], "name")),
                )  # fmt: skip
            names.setdefault(cluster.name, i)
            key = (cluster.destination.name, cluster.destination.server)
            if key in destinations:
                first = (self.env.clusters or [])[destinations[key]].name
                self.findings.add(
                    self.source, ("clusters", i, "destination"), Code.SAME_DESTINATION,
                    f"cluster {cluster.name!r} has the same destination as {first!r}: both would "
                    "deploy the same apps into one namespace",
                )  # fmt: skip
            destinations.setdefault(key, i)

    def _labels(self) -> None:
        clusters = self.env.clusters or []
        first = sorted(clusters[0].labels)
        for i, cluster in enumerate(clusters):
            for key in cluster.labels:
                if key.startswith(RESERVED_PREFIXES):
                    self.findings.add(
                        self.source, ("clusters", i, "labels", key), Code.RESERVED_LABEL,
                        f"label {key!r}: the prefixes {', '.join(RESERVED_PREFIXES)} are "
                        "flagwright's own",
                        at="key",
                    )  # fmt: skip
            if i and sorted(cluster.labels) != first:
                shown = ", ".join(first) or "none"
                self.findings.add(
                    self.source, ("clusters", i, "labels") if cluster.labels else ("clusters", i),
                    Code.CLUSTER_LABEL_KEYS,
                    f"cluster {cluster.name!r} has label keys "
                    f"{', '.join(sorted(cluster.labels)) or 'none'}, but {clusters[0].name!r} has "
                    f"{shown}: every cluster of an environment names the same label keys (the "
                    "ApplicationSet's one template sets them on every Application)",
                    at="key",
                )  # fmt: skip

    def _apps(self) -> None:
        for i, cluster in enumerate(self.env.clusters or []):
            for app in cluster.apps:
                if app not in self.env.apps:
                    self.findings.add(
                        self.source, ("clusters", i, "apps", app), Code.APP_NOT_DEPLOYED,
                        f"app {app!r} is not deployed in {self.env.name!r} (it is not under "
                        "apps:)" + did_you_mean(app, self.env.apps, "apps"),
                        at="key",
                    )  # fmt: skip

    def _flags(self) -> None:
        patterns = self.env.allow_cluster_overrides
        matchers = [re.compile(fnmatch.translate(p)).match for p in patterns]
        for i, pattern in enumerate(patterns):
            if not any(map(matchers[i], self.index.flags)):
                self.findings.add(
                    self.source, ("allow_cluster_overrides", i), Code.UNUSED_OVERRIDE_PATTERN,
                    f"pattern {pattern!r} selects no flag",
                )  # fmt: skip
        for i, cluster in enumerate(self.env.clusters or []):
            for key, entry in cluster.flags.items():
                where = ("clusters", i, "flags", key)
                flag = self.index.flags.get(key)
                if flag is None:
                    if self.index.is_unknown("Flag", key):
                        self.findings.add(
                            self.source, where, Code.UNKNOWN_FLAG,
                            f"unknown flag {key!r}" + did_you_mean(key, self.index.flags, "flags"),
                            at="key",
                        )  # fmt: skip
                    continue
                if not any(match(key) for match in matchers):
                    self.findings.add(
                        self.source, where, Code.OVERRIDE_NOT_ALLOWED,
                        f"{self.env.name!r} does not let {key!r} differ per cluster: add a "
                        "pattern that matches it to allow_cluster_overrides",
                        at="key",
                    )  # fmt: skip
                # The override is checked as the flag's own entry would be, at its own lines.
                checker = _FlagChecker(
                    self.index, self.findings, self.conditions, Located(flag.model, self.source)
                )
                checker._entry(entry, where)
