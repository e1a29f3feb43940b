"""A small configuration that uses every construct the compiler handles, written into tmp_path.

Kept as text so a test reads exactly what a user would write (offsets, unnamed rules, an
integral percent, a 2-decimal percent, a segment using a segment).
"""

from __future__ import annotations

from pathlib import Path

FILES: dict[str, str] = {
    "environments/repository.yaml": """\
kind: Repository
url: https://github.com/acme/shop-config.git
revision: main
""",
    "environments/dev.yaml": """\
kind: Environment
name: dev
argocd: {project: shop, destination: {name: in-cluster}, namespace: shop-dev}
""",
    "environments/prod.yaml": """\
kind: Environment
name: prod
promotes_from: dev
argocd: {project: shop, destination: {name: prod-eu-1}, namespace: shop-prod}
metrics:
  prometheus: http://prometheus.monitoring.svc:9090
  queries:
    error_rate: sum(rate(errors_total{flag="{{ flag }}",variant="{{ variant }}"}[5m]))
    p99_ms: max(latency_p99_ms{flag="{{ flag }}",variant="{{ variant }}"})
""",
    "flags/plans/standard-canary.yaml": """\
kind: RolloutPlan
name: standard-canary
stages:
  - {percent: 1, hold: 30m}
  - {percent: 12.5, hold: 30m}
  - {percent: 50, hold: 1h}
  - {percent: 100}
gates: {max_error_rate: 0.05, max_p99_ms: 2000}
""",
    "flags/segments/beta-users.yaml": """\
kind: Segment
name: beta-users
description: Opted-in beta testers
when: {attr: email, op: in, values: [beta@test.com, qa@test.com]}
""",
    "flags/segments/eu-beta.yaml": """\
kind: Segment
name: eu-beta
when:
  all:
    - {segment: beta-users}
    - {attr: country, op: in, values: [DE, FR]}
""",
    "flags/kill-switch.yaml": """\
kind: Flag
key: kill-switch
description: Turned off in prod
owner: team-a
environments:
  dev: {serve: "on"}
  prod: {enabled: false, serve: "on"}
""",
    "flags/new-checkout-api.yaml": """\
kind: Flag
key: new-checkout-api
description: Backend for the new checkout
owner: team-payments
environments:
  prod:
    rules:
      - name: germany
        when: {attr: country, op: eq, value: DE}
        serve: "on"
    serve: "off"
""",
    "flags/checkout-redesign.yaml": """\
kind: Flag
key: checkout-redesign
description: Redesigned checkout flow
owner: team-payments
type: string
variants: {control: v1, treatment: v2}
default: control
requires: [new-checkout-api]
experiment:
  hypothesis: Redesign raises conversion
  primary_metric: checkout_conversion
  sample_size: 10000
  significance: 0.05
environments:
  dev:
    serve: treatment
  prod:
    rules:
      - name: staff
        when: {attr: email, op: ends_with, value: "@company.com"}
        serve: treatment
      - when: {segment: eu-beta}
        split: {control: 12.5, treatment: 87.5}
    rollout: {plan: standard-canary, variant: treatment, stage: 2}
""",
    "flags/express-pay.yaml": """\
kind: Flag
key: express-pay
description: Needs the redesign, which needs the new API
owner: team-payments
requires: [checkout-redesign]
environments:
  prod: {serve: "on"}
""",
    "flags/fractional.yaml": """\
kind: Flag
key: fractional
description: flagd's fractional test vectors
owner: team-a
type: string
variants: {clubs: c, diamonds: d, hearts: h, spades: s}
default: clubs
environments:
  prod:
    split: {clubs: 25, diamonds: 25, hearts: 25, spades: 25}
""",
    "flags/banner.yaml": """\
kind: Flag
key: banner
description: Scheduled rollout and time-bound rules
owner: team-web
type: number
variants: {small: 1, big: 2.5}
default: small
bucket_by: session
environments:
  prod:
    rules:
      - name: holidays
        when:
          any:
            - {time: {after: "2026-12-01T00:00:00+01:00", before: "2026-12-24T00:00:00Z"}}
            - {schedule: {days: [sat, sun], from: "18:00", to: "02:00", tz: Europe/Berlin}}
            - {schedule: {from: "12:00", to: "13:00", tz: UTC}}
        serve: big
      - name: old-apps
        when:
          not: {attr: app_version, op: semver_ge, value: 2.3.0}
        serve: small
      - name: signed-up-early
        when: {attr: signed_up, op: before, value: "2020-01-01T01:00:00+01:00"}
        serve: big
    rollout: {plan: standard-canary, variant: big, start: "2026-11-20T11:00:00+01:00"}
""",
    "flags/settings.yaml": """\
kind: Flag
key: settings
description: An object flag not listed in prod
owner: team-web
type: object
variants:
  compact: {rows: 10, dense: true, labels: ["ä", "b"]}
  roomy: {rows: 5, dense: false, labels: []}
default: compact
environments:
  dev:
    rules:
      - when: {all: [{attr: age, op: ge, value: 18}, {attr: name, op: matches, value: "^A"}]}
        serve: roomy
      - serve: roomy
    serve: compact
""",
}


def write_config(root: Path) -> Path:
    for rel, text in FILES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
    return root
