"""A small config repository written into a temporary folder, for render tests."""

from __future__ import annotations

from pathlib import Path

FILES: dict[str, str] = {
    "environments/repository.yaml": (
        "kind: Repository\nurl: https://git.example.com/acme/config.git\nrevision: main\n"
    ),
    "environments/dev.yaml": """\
kind: Environment
name: dev
argocd:
  project: shop
  destination: {server: https://kubernetes.default.svc}
  namespace: shop-dev
  sync: auto
apps:
  web:
    values:
      replicaCount: 1
      image: {tag: "1.1.0-rc.1"}
    deploy: {strategy: rolling}
  worker:
    values:
      queues: [high]
""",
    "environments/prod.yaml": """\
kind: Environment
name: prod
promotes_from: dev
argocd:
  project: shop
  destination: {name: prod-eu-1}
  namespace: shop-prod
  sync: manual
metrics:
  prometheus: http://prometheus.monitoring.svc:9090
  queries:
    error_rate: >-
      sum(rate(http_requests_total{namespace="{{ namespace }}",app="{{ app }}",code=~"5.."}[5m]))
      / sum(rate(http_requests_total{namespace="{{ namespace }}",app="{{ app }}"}[5m]))
apps:
  web:
    values:
      replicaCount: 3
      image: {tag: "1.0.4"}
      resources: null
    deploy: {strategy: canary, plan: standard}
  worker:
    values:
      replicaCount: 2
      queues: [high, low]
    deploy: {strategy: blue-green, keep_previous: 1h, analysis: {before: standard}}
""",
    "environments/apps/web.yaml": """\
kind: App
name: web
chart: {repo: https://charts.example.com, name: web-service, version: 2.0.0}
values:
  nameOverride: "{{ app }}"
  image: {repository: "ghcr.io/acme/{{ app }}", pullPolicy: IfNotPresent}
  host: "{{ app }}.{{ env }}.example.com"
  resources: {limits: {memory: 1Gi}}
  port: 8080
  debug: "on"
flags: [web-*]
""",
    "environments/apps/worker.yaml": """\
kind: App
name: worker
chart: {git: https://git.example.com/acme/charts.git, path: charts/worker, ref: v3}
values:
  queues: [default]
  namespaceHint: "{{ namespace }}/{{ project }}/{{ chart }}@{{ chart_version }}"
flags: [worker-*]
""",
    "flags/plans/standard.yaml": """\
kind: RolloutPlan
name: standard
stages:
  - {percent: 5, hold: 30m}
  - {percent: 50, hold: 1h}
  - {percent: 100}
gates: {max_error_rate: 0.05}
""",
    "flags/web-banner.yaml": """\
kind: Flag
key: web-banner
description: Holiday banner
owner: team-web
requires: [shared-api]
environments:
  dev: {serve: "on"}
  prod: {split: {"on": 25, "off": 75}}
""",
    "flags/shared-api.yaml": """\
kind: Flag
key: shared-api
description: New shared API
owner: team-core
environments:
  dev: {serve: "on"}
  prod: {serve: "off"}
""",
    "flags/worker-batching.yaml": """\
kind: Flag
key: worker-batching
description: Batch jobs
owner: team-core
type: number
variants: {small: 10, large: 100}
default: small
environments:
  prod: {serve: large}
""",
}


def write_repo(root: Path, files: dict[str, str] | None = None) -> Path:
    """Write :data:`FILES` (updated with ``files``; a value of ``""`` deletes) under ``root``."""
    merged = {**FILES, **(files or {})}
    for rel, text in merged.items():
        if not text:
            continue
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root
