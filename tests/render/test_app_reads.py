"""`App.reads`: the app's ConfigMap carries the files its services read, computed from the app's
own flags; export omissions are warned per flag only where some app reads that export."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import yaml

from flagwright.export.featuremanagement import featuremanagement_document
from flagwright.export.flagd import flagd_export

from .conftest import render

WEB = """\
kind: App
name: web
chart: {repo: https://charts.example.com, name: web-service, version: 2.0.0}
flags: [web-*]
reads: [flagd, featuremanagement, snapshot]
"""
# A regular expression: flagd cannot express it, FeatureManagement neither.
REGEX = """\
kind: Flag
key: web-crawlers
description: Crawlers see the static page
owner: team-web
environments:
  prod:
    rules:
      - {when: {attr: user_agent, op: matches, value: "bot"}, serve: "on"}
    serve: "off"
"""
WORKER_REGEX = REGEX.replace("web-crawlers", "worker-crawlers")


def _configmap(files: dict[str, str], app: str, env: str = "prod") -> dict[str, str]:
    data: dict[str, str] = yaml.safe_load(files[f"rendered/{env}/manifests/{app}-flags.yaml"])[
        "data"
    ]
    return data


def test_configmap_carries_each_read_format_of_the_apps_flags(
    make_config: Callable[[dict[str, str]], Path],
) -> None:
    output = render(make_config({"environments/apps/web.yaml": WEB}))
    assert output.ok, output.diagnostics
    files = {path: artifact.text for path, artifact in output.files.items()}
    data = _configmap(files, "web")
    assert sorted(data) == ["featuremanagement.json", "flagd.json", "snapshot.json"]
    snapshot = json.loads(data["snapshot.json"])
    assert sorted(snapshot["flags"]) == ["shared-api", "web-banner"]  # with its prerequisite
    flagd = json.loads(data["flagd.json"])
    assert flagd == flagd_export(snapshot).document
    assert flagd["metadata"]["version"] == snapshot["digest"]
    assert json.loads(data["featuremanagement.json"]) == featuremanagement_document(snapshot)[0]
    # The worker reads the default, its snapshot only.
    assert list(_configmap(files, "worker")) == ["snapshot.json"]
    values = yaml.safe_load(files["rendered/prod/values/web.yaml"])["flagwright"]["flags"]
    assert values == {
        "configMap": "web-flags",
        "key": "flagd.json",
        "files": ["flagd.json", "featuremanagement.json", "snapshot.json"],
    }


def test_omissions_are_per_flag_for_readers_and_one_line_otherwise(
    make_config: Callable[[dict[str, str]], Path],
) -> None:
    output = render(
        make_config({
            "environments/apps/web.yaml": WEB.replace(", featuremanagement, snapshot", ""),
            "flags/web-crawlers.yaml": REGEX,
            "flags/worker-crawlers.yaml": WORKER_REGEX,
        }),
        env="prod",
    )  # fmt: skip
    assert output.ok
    found = [(d.path, d.line, d.code, d.message) for d in output.diagnostics]
    assert found == [
        ("environments/prod.yaml", 2, "FW320",
         "rendered/prod/flags/featuremanagement.json leaves out 2 flag(s) no app here reads from "
         "it (web-crawlers, worker-crawlers); its $comment says why"),
        ("environments/prod.yaml", 2, "FW320",
         "rendered/prod/flags/flagd.json leaves out 1 flag(s) no app here reads from it "
         "(worker-crawlers); its $comment says why"),
        ("flags/web-crawlers.yaml", 6, "FW311",
         "left out of rendered/prod/flags/flagd.json and the ConfigMap of web (which reads it): "
         "rule 'rule-1' → condition {attr: user_agent, op: matches}: flagd's JsonLogic has no "
         "regular-expression operator"),
    ]  # fmt: skip


def test_oversize_configmap_names_each_file(make_config: Callable[[dict[str, str]], Path]) -> None:
    value = "x" * 200_000
    big = {
        f"flags/web-big-{i}.yaml": (
            f"kind: Flag\nkey: web-big-{i}\ndescription: big\nowner: me\ntype: string\n"
            f"variants: {{small: a, big: {value}}}\ndefault: small\n"
            "environments:\n  dev: {serve: big}\n"
        )
        for i in range(2)
    }
    output = render(make_config({**big, "environments/apps/web.yaml": WEB}), env="dev")
    assert not output.ok
    (error,) = [d for d in output.diagnostics if d.code == "FW307"]
    assert (error.path, error.line) == ("environments/apps/web.yaml", 5)
    assert "(flagd.json 391." in error.message and "snapshot.json 391." in error.message
    assert error.message.endswith("select fewer flags for this app or read fewer formats")
