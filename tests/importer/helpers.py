"""Small config repositories and a CLI runner for the import tests."""

from __future__ import annotations

from pathlib import Path

from cli_runner import Ran, run_cli  # noqa: F401  (re-exported for the import tests)

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
