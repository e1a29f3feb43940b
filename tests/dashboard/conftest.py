"""A real headless Chromium (Debian's, driven by Playwright) and the sites it opens.

Playwright's own browser download is never used: the browser is /usr/bin/chromium, which
`.ci/setup` installs. A missing browser or axe-core fails the tests with the command that
installs it; nothing here skips.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.cli_runner import run_cli
from tests.gitops.conftest import GitWork, hermetic_git, replace

__all__ = ["hermetic_git"]

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).parent / "fixture"
CHROMIUM = Path("/usr/bin/chromium")
AXE = REPO_ROOT / "tests" / "site_node" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1200, "height": 900}
FIXTURE_AT = "2026-11-20T11:00:00Z"
EXAMPLE_AT = "2026-12-02T10:00:00Z"  # prod's scheduled rollout of the example is under way


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    # Package scope, not session: while Playwright's sync API is open it runs an event loop,
    # and other packages' tests call asyncio.run(), which refuses to run inside one.
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: run `bash .ci/setup` as root (Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
    opened = context.new_page()
    yield opened
    context.close()


def build(root: Path, out: Path, at: str) -> Path:
    ran = run_cli("-C", str(root), "site", "--out", str(out), "--at", at)
    assert ran.exit_code == 0, ran.stderr
    return out


@pytest.fixture
def fixture_repo(tmp_path: Path) -> GitWork:
    """tests/site/fixture with a short, dated history: three commits."""
    root = tmp_path / "repo"
    shutil.copytree(FIXTURE, root)
    work = GitWork(root)
    work.git("init", "-q", "-b", "main")
    work.commit("Initial flags", date="2026-05-01T09:00:00+00:00")
    replace(work, "flags/web-new-nav.yaml", "stage: 1}", "stage: 2}")
    work.commit("web-new-nav: prod to 10%", date="2026-11-18T09:00:00+00:00")
    replace(
        work,
        "flags/web-checkout-test.yaml",
        "control: 90, treatment: 10",
        "control: 80, treatment: 20",
    )
    work.commit("web-checkout-test: 20% treatment in prod", date="2026-11-19T15:30:00+00:00")
    return work


@pytest.fixture
def fixture_site(fixture_repo: GitWork, tmp_path: Path) -> Path:
    return build(fixture_repo.root, tmp_path / "site", FIXTURE_AT)


@pytest.fixture(scope="session")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's own example (flags/, environments/), committed once in a fresh repo."""
    root = tmp_path_factory.mktemp("example") / "repo"
    root.mkdir()
    for folder in ("flags", "environments"):
        shutil.copytree(REPO_ROOT / folder, root / folder)
    with pytest.MonkeyPatch.context() as mp:
        for name, value in {
            "GIT_AUTHOR_NAME": "Ada Author", "GIT_AUTHOR_EMAIL": "ada@example.com",
            "GIT_COMMITTER_NAME": "Cy Committer", "GIT_COMMITTER_EMAIL": "cy@example.com",
            "GIT_AUTHOR_DATE": "2026-11-20T10:00:00+01:00",
            "GIT_COMMITTER_DATE": "2026-11-20T10:00:00+01:00",
            "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1",
        }.items():  # fmt: skip
            mp.setenv(name, value)
        work = GitWork(root)
        work.git("init", "-q", "-b", "main")
        work.commit("example configuration")
        return build(root, root.parent / "site", EXAMPLE_AT)
