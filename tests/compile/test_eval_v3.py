"""`flagwright eval` and `explain` in an environment with `bucketing: flagd-v3`: the bucket is
computed here from the CBOR bytes and mmh3, independently of the runtime."""

from __future__ import annotations

import json
from pathlib import Path

import cbor2
import mmh3

from cli_runner import run_cli

from .fixture_config import write_config


def v3_bucket(flag: str, user: str) -> int:
    data = cbor2.dumps([flag, user], canonical=True)
    return (mmh3.hash(data, 0, signed=False) * 10000) >> 32


def _repo(tmp_path: Path) -> str:
    root = write_config(tmp_path)
    prod = root / "environments/prod.yaml"
    prod.write_text(
        prod.read_text(encoding="utf-8").replace(
            "name: prod\n", "name: prod\nbucketing: flagd-v3\n"
        ),
        encoding="utf-8",
    )
    return str(root)


def test_eval_and_explain_follow_the_environment_rule(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    suits = ["clubs", "diamonds", "hearts", "spades"]
    for user in ("jack", "queen", "user-42", "josé"):
        context = f"targeting_key={user}"
        ran = run_cli("-C", root, "eval", "fractional", "--env", "prod", "-c", context, "--json")
        assert ran.exit_code == 0, ran
        bucket = v3_bucket("fractional", user)
        assert json.loads(ran.stdout)["variant"] == suits[bucket // 2500], user
    explained = run_cli("-C", root, "explain", "fractional", "--env", "prod", "-c",
                        "targeting_key=jack")  # fmt: skip
    assert explained.exit_code == 0, explained
    bucket = v3_bucket("fractional", "jack")
    assert f'key ["fractional", "jack"] -> bucket {bucket} of 10000' in explained.stdout


def test_render_writes_each_environment_rule(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    assert run_cli("-C", root, "render").exit_code == 0
    rules = {}
    for env in ("dev", "prod"):
        path = Path(root) / f"rendered/{env}/flags/snapshot.json"
        rules[env] = json.loads(path.read_text(encoding="utf-8"))["bucketing"]
    assert rules == {"dev": "flagd-v2", "prod": "flagd-v3"}
