"""Deterministic generator of a synthetic config repository, for benchmarks.

``generate_repo(root, flags=N, apps=M, seed=S)`` writes one flag per file under ``flags/``, the
segments and rollout plans they use, ``environments/{dev,staging,prod}.yaml`` (promotion chain
dev → staging → prod), M apps and the Repository document. The mix aims at what a real product
repo holds: boolean kill switches, percentage rollouts, string/number/object flags, targeting
rules with every operator family, segments, splits, manual and scheduled rollouts on plans,
experiments, acyclic prerequisites, time windows and daily schedules.

Everything it writes validates with no diagnostics, and the same arguments give byte-identical
files: the only source of variation is ``random.Random(seed)``, consumed in a fixed order.

    python bench/generate.py OUT --flags 10000 --apps 50 [--clusters 6] [--seed 0] [--force]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ENVIRONMENTS = ("dev", "staging", "prod")
AREAS = (
    "checkout", "payments", "search", "catalog", "cart", "account", "shipping", "pricing",
    "inventory", "notifications", "recommendations", "reviews", "loyalty", "support",
    "onboarding", "analytics", "mobile", "admin", "billing", "promotions",
)  # fmt: skip
NOUNS = (
    "redesign", "express", "one-click", "fraud-check", "new-api", "cache", "dark-mode", "banner",
    "timeout", "retry-limit", "beta", "v2", "ranking", "widget", "batching", "sidebar", "emails",
    "sync", "layout", "limits",
)  # fmt: skip
ROLES = ("api", "web", "worker")
TAGS = ("experiment", "ops", "release", "ui", "backend", "kill-switch", "temporary")
ZONES = ("Europe/Berlin", "America/New_York", "Asia/Tokyo", "UTC", "Australia/Sydney")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
COUNTRIES = ("DE", "FR", "US", "GB", "JP", "BR", "IN", "NL", "ES", "IT")
BUILTIN_PLANS: dict[str, list[tuple[float, str | None]]] = {
    "standard-canary": [(1, "30m"), (10, "30m"), (25, "1h"), (50, "1h"), (100, None)],
    "fast-rollout": [(10, "15m"), (50, "30m"), (100, None)],
    "slow-canary": [(0.5, "1h"), (1, "2h"), (5, "6h"), (12.5, "12h"), (25, "1d"), (50, "1d"),
                    (100, None)],
}  # fmt: skip
_SCHEMA = "# yaml-language-server: $schema={up}schemas/{name}.schema.json\n"


class Flow(dict[str, Any]):
    """A mapping written in flow style (``{a: 1, b: 2}``), as people write short ones."""


# --- a small YAML emitter: block style, flow for Flow mappings and lists of scalars ---------

_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_./-]*(?: [A-Za-z0-9_./()-]+)*$")
_RESERVED = frozenset(
    {"true", "True", "TRUE", "false", "False", "FALSE", "null", "Null", "NULL", "y", "n"}
)
_PLAIN_TIME = re.compile(r"^\d{4}-\d\d-\d\d(?:T\d\d:\d\d:\d\dZ)?$")


def _scalar(value: Any) -> str:
    if isinstance(value, str):
        if (_PLAIN.match(value) and value not in _RESERVED) or _PLAIN_TIME.match(value):
            return value
        return json.dumps(value, ensure_ascii=False)
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    return repr(value)


def _inline(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_scalar(k)}: {_inline(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    return _scalar(value)


def _is_inline(value: Any) -> bool:
    if isinstance(value, Flow) or not value:
        return True
    if isinstance(value, list):
        return not any(isinstance(v, dict | list) for v in value)
    return not isinstance(value, dict)


def _block(mapping: dict[str, Any], indent: int, out: list[str]) -> None:
    pad = " " * indent
    for key, value in mapping.items():
        if _is_inline(value):
            out.append(f"{pad}{_scalar(key)}: {_inline(value)}")
        elif isinstance(value, dict):
            out.append(f"{pad}{_scalar(key)}:")
            _block(value, indent + 2, out)
        else:
            out.append(f"{pad}{_scalar(key)}:")
            for item in value:
                if isinstance(item, dict) and not isinstance(item, Flow):
                    start = len(out)
                    _block(item, indent + 4, out)
                    out[start] = f"{pad}  - {out[start][indent + 4 :]}"
                else:
                    out.append(f"{pad}  - {_inline(item)}")


def dump(document: dict[str, Any], header: str = "") -> str:
    out: list[str] = []
    _block(document, 0, out)
    return header + "\n".join(out) + "\n"


# --- the generator ------------------------------------------------------------------------


class _Gen:
    def __init__(self, flags: int, apps: int, seed: int, clusters: int = 0) -> None:
        self.rng = random.Random(seed)
        self.n_flags = flags
        self.n_apps = apps
        self.segments: list[str] = []
        self.plans: dict[str, list[tuple[float, str | None]]] = {}
        self.keys: list[str] = []
        self.n_clusters = clusters
        self.booleans: dict[str, bool] = {}  # key -> has on/off variants

    # names -------------------------------------------------------------------------------
    def flag_keys(self) -> list[str]:
        rng = self.rng
        # Areas cycle so that every area (and so every app pattern) has flags even for small N.
        return [f"{AREAS[i % len(AREAS)]}-{rng.choice(NOUNS)}-{i}" for i in range(self.n_flags)]

    def time(self, year_from: int = 2025, year_to: int = 2027) -> str:
        rng = self.rng
        return (
            f"{rng.randint(year_from, year_to)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            f"T{rng.randint(0, 23):02d}:{rng.choice((0, 15, 30, 45)):02d}:00Z"
        )

    def split(self, variants: list[str]) -> Flow:
        rng = self.rng
        n = len(variants)
        style = rng.random()
        if n == 2 and style < 0.5:
            a = rng.choice((50, 10, 20, 25, 5, 1, 90, 33.33))
            weights = [a, round(100 - a, 2)]
        elif style < 0.8 and 100 % n == 0:
            weights = [100 // n] * n
        else:
            cuts = sorted(rng.sample(range(1, 10000), n - 1))
            hundredths = [b - a for a, b in zip([0, *cuts], [*cuts, 10000], strict=True)]
            weights = [h // 100 if h % 100 == 0 else h / 100 for h in hundredths]
        return Flow(zip(variants, weights, strict=True))

    # conditions --------------------------------------------------------------------------
    def attr_condition(self) -> Flow:
        rng = self.rng
        family = rng.randrange(9)
        if family == 0:
            return Flow(attr="country", op=rng.choice(("eq", "ne")), value=rng.choice(COUNTRIES))
        if family == 1:
            return Flow(
                attr=rng.choice(("country", "plan", "platform")),
                op=rng.choice(("in", "not_in")),
                values=sorted(rng.sample(COUNTRIES, rng.randint(1, 4))),
            )
        if family == 2:
            op, value = rng.choice(
                (
                    ("ends_with", "@company.com"),
                    ("ends_with", "@test.example"),
                    ("starts_with", "qa-"),
                    ("contains", "+beta"),
                )
            )
            return Flow(attr=rng.choice(("email", "username")), op=op, value=value)
        if family == 3:
            return Flow(
                attr=rng.choice(("user_agent", "targeting_key")),
                op="matches",
                value=rng.choice((r"^user-[0-9]+$", r"(?i)android|iphone", r"^acct-\d{4}$")),
            )
        if family == 4:
            return Flow(
                attr=rng.choice(("account_age_days", "cart_total", "seats")),
                op=rng.choice(("lt", "le", "gt", "ge")),
                value=rng.choice((7, 30, 100, 2.5, 1000, 49.99)),
            )
        if family == 5:
            return Flow(
                attr="app_version",
                op=rng.choice(("semver_eq", "semver_lt", "semver_le", "semver_gt", "semver_ge")),
                value=f"{rng.randint(1, 4)}.{rng.randint(0, 12)}.{rng.randint(0, 9)}"
                + rng.choice(("", "", "", "-beta.1")),
            )
        if family == 6:
            return Flow(attr="signup_time", op=rng.choice(("before", "after")), value=self.time())
        if family == 7:
            after = self.time(2025, 2026)
            before = self.time(2027, 2028)
            bounds = (Flow(after=after), Flow(before=before), Flow(after=after, before=before))
            window = rng.choice(bounds)
            return Flow(time=window)
        start = rng.randint(0, 22)
        if start == 0 or rng.random() < 0.8:
            end = rng.randint(start + 1, 23)
        else:
            end = rng.randint(0, start - 1)  # runs past midnight
        schedule = Flow()
        if rng.random() < 0.6:
            schedule["days"] = sorted(rng.sample(DAYS, rng.randint(1, 6)), key=DAYS.index)
        schedule["from"] = f"{start:02d}:00"
        schedule["to"] = f"{end:02d}:{rng.choice((0, 30)):02d}"
        schedule["tz"] = rng.choice(ZONES)
        return Flow(schedule=schedule)

    def condition(self, depth: int = 0, segments: list[str] | None = None) -> Flow:
        rng = self.rng
        segments = self.segments if segments is None else segments
        roll = rng.random()
        if segments and roll < 0.25:
            return Flow(segment=rng.choice(segments))
        if depth < 2 and roll < 0.35:
            return Flow({"not": self.condition(depth + 1, segments)})
        if depth < 2 and roll < 0.5:
            members = [self.condition(depth + 1, segments) for _ in range(rng.randint(2, 3))]
            return Flow({rng.choice(("all", "any")): members})
        return self.attr_condition()

    # documents ---------------------------------------------------------------------------
    def plan_documents(self) -> Iterator[tuple[str, dict[str, Any]]]:
        rng = self.rng
        self.plans = dict(BUILTIN_PLANS)
        for i in range(max(0, min(12, self.n_flags // 800))):
            points = sorted(rng.sample((1, 2, 5, 10, 20, 25, 33.5, 50, 75, 90), rng.randint(2, 5)))
            holds = [rng.choice(("15m", "30m", "1h", "2h", "1h30m", "1d")) for _ in points]
            self.plans[f"plan-{i}"] = [*zip(points, holds, strict=True), (100, None)]
        for name, stages in self.plans.items():
            doc: dict[str, Any] = {"kind": "RolloutPlan", "name": name}
            doc["description"] = f"{len(stages)} stages up to 100 percent"
            doc["stages"] = [
                Flow(percent=p) if hold is None else Flow(percent=p, hold=hold)
                for p, hold in stages
            ]
            doc["gates"] = Flow(
                max_error_rate=rng.choice((0.01, 0.05)), max_p99_ms=rng.choice((500, 2000))
            )
            yield name, doc

    def segment_documents(self) -> Iterator[tuple[str, dict[str, Any]]]:
        rng = self.rng
        for i in range(max(4, min(300, self.n_flags // 40))):
            name = f"{rng.choice(('beta-users', 'staff', 'enterprise', 'vip', 'region'))}-{i}"
            # Only earlier segments may be referenced, so segments never form a cycle.
            doc: dict[str, Any] = {
                "kind": "Segment",
                "name": name,
                "description": f"Generated audience {i}",
            }
            if i % 3 == 0:
                doc["when"] = Flow(
                    attr="email",
                    op="in",
                    values=[f"user{rng.randrange(10_000)}@example.com" for _ in range(3)],
                )
            else:
                doc["when"] = self.condition(1, self.segments[: max(0, i - 1)])
            self.segments.append(name)
            yield name, doc

    def flag_document(self, i: int, key: str) -> dict[str, Any]:
        rng = self.rng
        area = key.split("-", 1)[0]
        roll = rng.random()
        doc: dict[str, Any] = {"kind": "Flag", "key": key}
        doc["description"] = (
            f"{area.capitalize()}: {key.split('-', 1)[1].rsplit('-', 1)[0]} (flag {i})"
        )
        doc["owner"] = f"team-{area}"
        if rng.random() < 0.6:
            doc["tags"] = sorted(rng.sample(TAGS, rng.randint(1, 3)))
        variants: dict[str, Any] | None
        if roll < 0.35:
            kind, variants, default = "boolean", None, None
        elif roll < 0.5:
            kind, default = "boolean", "off"
            variants = {"on": True, "off": False}
        elif roll < 0.7:
            kind = "string"
            names = ["control", "treatment", "variant-b", "variant-c"][: rng.randint(2, 4)]
            variants = {n: f"{n}-{rng.choice(('v1', 'v2', 'blue', 'green'))}" for n in names}
            default = "control"
        elif roll < 0.87:
            kind = "number"
            variants = {
                "low": rng.choice((1, 0.5, 5)),
                "medium": 10,
                "high": rng.choice((50, 99.9)),
            }
            default = "medium"
        else:
            kind = "object"
            variants = {
                "compact": {"layout": "list", "columns": 1, "badges": ["new"]},
                "grid": {"layout": "grid", "columns": rng.randint(2, 4), "badges": []},
            }
            default = "compact"
        if kind != "boolean":
            doc["type"] = kind
        if variants is not None:
            doc["variants"] = variants
        if default is not None and (variants is not None or rng.random() < 0.5):
            doc["default"] = default
        names = list(variants) if variants is not None else ["on", "off"]
        self.booleans[key] = kind == "boolean"
        default_name = default or "off"
        if rng.random() < 0.2:
            doc["expires"] = f"{rng.randint(2040, 2045)}-{rng.randint(1, 12):02d}-01"
        if i and rng.random() < 0.12:
            # Only earlier flags may be required, so prerequisites never form a cycle.
            doc["requires"] = sorted(
                {self.keys[rng.randrange(i)] for _ in range(rng.randint(1, 2))}
            )
        if kind == "string" and rng.random() < 0.3:
            doc["experiment"] = {
                "hypothesis": f"{area.capitalize()} change raises conversion",
                "primary_metric": f"{area}_conversion",
                "sample_size": rng.choice((1000, 10000, 50000)),
                "significance": rng.choice((0.05, 0.01)),
            }
        if rng.random() < 0.1:
            doc["bucket_by"] = "account_id"
        envs: dict[str, Any] = {}
        for env in ENVIRONMENTS:
            if rng.random() < 0.08:
                continue  # not listed: the environment serves the default
            envs[env] = self.entry(env, names, default_name, kill_switch=roll < 0.35)
        doc["environments"] = envs
        return doc

    def entry(self, env: str, names: list[str], default: str, kill_switch: bool) -> dict[str, Any]:
        rng = self.rng
        entry: dict[str, Any] = {}
        others = [n for n in names if n != default]
        if kill_switch:
            if env == "prod" and rng.random() < 0.3:
                entry["enabled"] = False
            entry["serve"] = rng.choice(names)
            return entry
        if rng.random() < 0.15:
            entry["enabled"] = rng.random() < 0.7
        rules: list[dict[str, Any]] = []
        seen: set[str] = set()
        for r in range(rng.choice((0, 0, 1, 1, 2, 3))):
            when = self.condition()
            # A repeated condition would make the later rule unreachable (a warning).
            fingerprint = json.dumps(when, sort_keys=True)
            if fingerprint in seen:
                continue
            seen.add(fingerprint)
            rule: dict[str, Any] = {}
            if rng.random() < 0.6:
                rule["name"] = f"rule-{r + 1}"
            rule["when"] = when
            if rng.random() < 0.7:
                rule["serve"] = rng.choice(names)
            else:
                rule["split"] = self.split(names)
            rules.append(rule)
        if rules:
            entry["rules"] = rules
        fallthrough = rng.random()
        if fallthrough < 0.45 or not others:
            entry["serve"] = rng.choice(names) if env != "prod" else default
        elif fallthrough < 0.75:
            entry["split"] = self.split(names)
        else:
            plan = rng.choice(sorted(self.plans))
            rollout = Flow(plan=plan, variant=rng.choice(others))
            if rng.random() < 0.5:
                rollout["stage"] = rng.randint(1, len(self.plans[plan]))
            else:
                rollout["start"] = self.time(2026, 2027)
            entry["rollout"] = rollout
        return entry

    def app_documents(self) -> Iterator[tuple[str, dict[str, Any]]]:
        rng = self.rng
        combos = [f"{area}-{role}" for role in ROLES for area in AREAS]
        names = combos[: self.n_apps] + [f"service-{i}" for i in range(self.n_apps - len(combos))]
        by_prefix: dict[str, list[str]] = {}
        for key in self.keys:
            area, noun = key.split("-", 1)
            by_prefix.setdefault(area, []).append(noun.rsplit("-", 1)[0])
        areas = sorted(by_prefix)
        owns = [
            area if (area := name.split("-", 1)[0]) in by_prefix else rng.choice(areas)
            for name in names
        ]
        # Every area goes to some app, so every flag reaches a service (validate warns otherwise).
        spare = [area for area in areas if area not in owns]
        for n, (name, own) in enumerate(zip(names, owns, strict=True)):
            patterns = [f"{own}-*"] + [f"{a}-*" for a in spare[n :: len(names)]]
            for extra in sorted(rng.sample(areas, min(len(areas), rng.randint(0, 2)))):
                noun = rng.choice(by_prefix[extra])
                pattern = f"{extra}-{noun}-*"
                if pattern not in patterns and f"{extra}-*" not in patterns:
                    patterns.append(pattern)
            chart: dict[str, Any]
            if rng.random() < 0.8:
                chart = Flow(repo="https://charts.example.com", name=name,
                             version=f"1.{rng.randint(0, 9)}.{rng.randint(0, 9)}")  # fmt: skip
            else:
                chart = Flow(git="https://github.com/acme/charts.git", path=f"charts/{name}",
                             ref="main")  # fmt: skip
            yield (
                name,
                {
                    "kind": "App",
                    "name": name,
                    "description": f"The {name} service",
                    "chart": chart,
                    "values": {
                        "image": {"repository": f"ghcr.io/acme/{name}", "tag": "1.4.2"},
                        "ingress": {"host": "{{ app }}.{{ env }}.example.com"},
                        "resources": {"limits": {"cpu": "500m", "memory": "256Mi"}},
                    },
                    "flags": patterns,
                },
            )

    def environment_documents(self, apps: list[str]) -> Iterator[tuple[str, dict[str, Any]]]:
        rng = self.rng
        for n, env in enumerate(ENVIRONMENTS):
            doc: dict[str, Any] = {"kind": "Environment", "name": env}
            doc["description"] = f"The {env} environment"
            if n:
                doc["promotes_from"] = ENVIRONMENTS[n - 1]
            doc["argocd"] = {
                "project": "shop",
                "destination": Flow(name=f"{env}-eu-1")
                if env != "dev"
                else Flow(server="https://kubernetes.default.svc"),
                "namespace": f"shop-{env}",
                "sync": "manual" if env == "prod" else "auto",
            }
            if self.n_clusters:
                del doc["argocd"]["destination"]
            doc["metrics"] = {
                "prometheus": "http://prometheus.monitoring.svc:9090",
                "queries": {
                    "error_rate": 'sum(rate(http_requests_total{app="{{ app }}",code=~"5.."}[5m]))'
                    ' / sum(rate(http_requests_total{app="{{ app }}"}[5m]))',
                    "p99_ms": "1000 * histogram_quantile(0.99, sum by (le) (rate("
                    'http_request_duration_seconds_bucket{app="{{ app }}"}[5m])))',
                },
            }
            if env == "prod":
                doc["policy"] = {
                    "max_rollout_step": 25,
                    "require_promotion": True,
                    "freeze": [
                        Flow({"from": "2026-12-20T00:00:00Z", "to": "2027-01-03T00:00:00Z",
                              "reason": "holidays"})
                    ],
                }  # fmt: skip
            elif env == "staging":
                doc["policy"] = {"require_promotion": True}
            env_apps: dict[str, Any] = {}
            for app in apps:
                entry: dict[str, Any] = {
                    "values": {"replicaCount": (1, 2, 3)[n] * rng.randint(1, 3)}
                }
                strategy = rng.random()
                if strategy < 0.4:
                    entry["deploy"] = Flow(strategy="canary", plan=rng.choice(sorted(self.plans)))
                elif strategy < 0.7:
                    auto = rng.choice(("blue", "green")) == "blue"  # as many draws as before
                    entry["deploy"] = Flow(strategy="blue-green", auto_promote=auto)
                else:
                    entry["deploy"] = Flow(strategy="rolling")
                env_apps[app] = entry
            if self.n_clusters:
                doc["clusters"] = self.clusters(env, apps)
                doc["allow_cluster_overrides"] = [f"{AREAS[0]}-*"]
            doc["apps"] = env_apps
            yield env, doc

    def clusters(self, env: str, apps: list[str]) -> list[dict[str, Any]]:
        """The first cluster is the canary (wave 1); the last overrides a few flags."""
        rng = self.rng
        regions = ("eu", "us", "ap", "sa", "af", "me")
        out: list[dict[str, Any]] = []
        for i in range(self.n_clusters):
            cluster: dict[str, Any] = {
                "name": f"{env}-{regions[i % len(regions)]}-{i + 1}",
                "destination": Flow(name=f"{env}-{regions[i % len(regions)]}-{i + 1}"),
                "labels": Flow(region=regions[i % len(regions)]),
                "wave": 1 if i == 0 else 2,
            }
            if apps and i % 2:
                cluster["apps"] = {apps[i % len(apps)]: {"values": {"replicaCount": i + 1}}}
            if i == self.n_clusters - 1:
                own = [k for k in self.keys if k.startswith(f"{AREAS[0]}-") and self.booleans[k]]
                cluster["flags"] = {k: Flow(enabled=rng.random() < 0.5, serve="off")
                                    for k in own[:3]}  # fmt: skip
            out.append(cluster)
        return out


def generate_repo(root: Path, flags: int, apps: int, seed: int = 0, clusters: int = 0) -> None:
    """Write a synthetic config repository of ``flags`` flags and ``apps`` apps under ``root``;
    with ``clusters``, every environment runs in that many clusters instead of one."""
    if flags < 1 or apps < 0:
        raise ValueError("need at least one flag and a non-negative number of apps")
    root = Path(root)
    for folder in ("flags", "environments"):
        if (root / folder).exists() and any((root / folder).iterdir()):
            raise FileExistsError(f"{root / folder} is not empty")
    gen = _Gen(flags, apps, seed, clusters)
    files: dict[str, str] = {}
    for name, doc in gen.plan_documents():
        files[f"flags/plans/{name}.yaml"] = dump(
            doc, _SCHEMA.format(up="../../", name="rollout-plan")
        )
    for name, doc in gen.segment_documents():
        files[f"flags/segments/{name}.yaml"] = dump(
            doc, _SCHEMA.format(up="../../", name="segment")
        )
    gen.keys = gen.flag_keys()
    for i, key in enumerate(gen.keys):
        files[f"flags/{key}.yaml"] = dump(
            gen.flag_document(i, key), _SCHEMA.format(up="../", name="flag")
        )
    app_names: list[str] = []
    for name, doc in gen.app_documents():
        app_names.append(name)
        files[f"environments/apps/{name}.yaml"] = dump(doc, _SCHEMA.format(up="../../", name="app"))
    for name, doc in gen.environment_documents(app_names):
        files[f"environments/{name}.yaml"] = dump(doc, _SCHEMA.format(up="../", name="environment"))
    files["environments/repository.yaml"] = dump(
        {
            "kind": "Repository",
            "url": "https://github.com/acme/shop-config.git",
            "revision": "main",
        },
        _SCHEMA.format(up="../", name="repository"),
    )
    for folder in ("flags/plans", "flags/segments", "environments/apps"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    for rel, text in files.items():
        with open(root / rel, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to write the repository into")
    parser.add_argument("--flags", type=int, default=1000)
    parser.add_argument("--apps", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--clusters", type=int, default=0, help="clusters per environment")
    parser.add_argument(
        "--force", action="store_true", help="delete OUT/flags and OUT/environments first"
    )
    args = parser.parse_args(argv)
    if args.force:
        for folder in ("flags", "environments"):
            shutil.rmtree(args.out / folder, ignore_errors=True)
    started = time.perf_counter()
    try:
        generate_repo(args.out, args.flags, args.apps, args.seed, args.clusters)
    except FileExistsError as exc:
        print(f"error: {exc} (use --force to replace)", file=sys.stderr)
        return 1
    elapsed = time.perf_counter() - started
    print(f"wrote {args.flags} flags and {args.apps} apps to {args.out} in {elapsed:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
