"""Small config repositories and a CLI runner for the import tests."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import click
from click.testing import CliRunner

from flagwright.cli.main import main

VENDOR = Path(__file__).resolve().parents[1] / "data/vendor"
TESTBED = VENDOR / "flagd-testbed"
FM_SAMPLES = VENDOR / "featuremanagement"


def make_repo(root: Path, envs: tuple[str, ...] = ("prod",)) -> Path:
    """A repository with environments and nothing else: imported flags must validate in it."""
    (root / "environments").mkdir(parents=True)
    (root / "environments" / "repository.yaml").write_text(
        "kind: Repository\nurl: https://github.com/acme/shop-config.git\nrevision: main\n",
        encoding="utf-8",
    )
    for env in envs:
        (root / "environments" / f"{env}.yaml").write_text(
            f"kind: Environment\nname: {env}\n"
            f"argocd: {{project: shop, destination: {{name: c}}, namespace: shop-{env}}}\n",
            encoding="utf-8",
        )
    return root


@click.command(context_settings={"ignore_unknown_options": True, "help_option_names": []})
@click.argument("argv", nargs=-1, type=click.UNPROCESSED)
def _entry(argv: tuple[str, ...]) -> None:
    sys.exit(main(list(argv)))


@dataclass(frozen=True)
class Ran:
    exit_code: int
    stdout: str
    stderr: str


def run_cli(*args: str) -> Ran:
    result = CliRunner().invoke(_entry, list(args), catch_exceptions=False)
    return Ran(result.exit_code, result.stdout, result.stderr)
