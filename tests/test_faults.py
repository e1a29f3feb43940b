"""Faults of the environment a user can fix: clear messages, exit 1, nothing half-written.

Real processes, real file systems: a read-only repository (running as an unprivileged user when
the tests run as root, who ignores permission bits), a file-size limit standing in for a full
disk, and a render killed with SIGKILL in the middle of writing.
"""

from __future__ import annotations

import os
import resource
import signal
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from render.fixture_repo import write_repo

# As the console script runs it: main() returns the exit code of a command that ends with
# ctx.exit() (render --check, schema --check).
FLAGWRIGHT = [
    sys.executable,
    "-c",
    "import sys; from flagwright.cli.main import main; sys.exit(main())",
]


def _read_only(path: Path) -> tuple[str, ...]:
    """A command prefix running in a private mount namespace where ``path`` is mounted read-only
    (root ignores permission bits, so chmod could not make it so)."""
    script = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"'
    return ("unshare", "-m", "sh", "-c", script, "sh", str(path))


def _run(
    root: Path,
    *args: str,
    preexec: Callable[[], None] | None = None,
    prefix: tuple[str, ...] = (),
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*prefix, *FLAGWRIGHT, "-C", str(root), *args],
        capture_output=True, text=True, preexec_fn=preexec, cwd="/", check=False,
    )  # fmt: skip


@pytest.fixture
def rendered_repo(tmp_path: Path) -> Path:
    root = write_repo(tmp_path / "repo")
    assert _run(root, "render").returncode == 0
    flag = root / "flags" / "shared-api.yaml"
    flag.write_text(flag.read_text().replace('prod: {serve: "off"}', 'prod: {serve: "on"}'))
    return root


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize("read_only", ["", "rendered"])
def test_read_only_repository_or_rendered_is_a_clear_error(
    rendered_repo: Path, read_only: str
) -> None:
    before = _tree(rendered_repo)
    done = _run(rendered_repo, "render", prefix=_read_only(rendered_repo / read_only))
    assert done.returncode == 1, done.stderr
    last = done.stderr.splitlines()[-1]
    assert last.startswith("error: cannot write rendered/: "), done.stderr
    assert last.endswith("rendered/ was left as it was"), done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    assert _tree(rendered_repo) == before
    assert _litter(rendered_repo) == []


def _mounted(path: Path) -> tuple[str, ...]:
    """Like :func:`_read_only`, with ``path`` a writable bind mount: a mount point in the tree."""
    script = 'mount --bind "$1" "$1" && shift && exec "$@"'
    return ("unshare", "-m", "sh", "-c", script, "sh", str(path))


def _litter(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith(".rendered"))


def _assert_refused(
    root: Path, before: dict[str, bytes], done: subprocess.CompletedProcess[str], last: str
) -> None:
    """Exit 1 with ``last`` as the final line, the tree byte for byte as before, no litter."""
    assert done.returncode == 1, done.stderr
    assert done.stderr.splitlines()[-1] == last, done.stderr
    assert _tree(root) == before
    assert _litter(root) == []


@pytest.mark.parametrize("folder", ["rendered/prod", "rendered/prod/flags", "rendered/dev"])
def test_read_only_folder_in_rendered_is_refused_before_the_swap(
    rendered_repo: Path, folder: str
) -> None:
    # The swap itself would work (the repository root is writable); deleting the old tree after
    # it would not, and left an undeletable .rendered-... folder behind a render that said "ok".
    before = _tree(rendered_repo)
    done = _run(rendered_repo, "render", prefix=_read_only(rendered_repo / folder))
    _assert_refused(
        rendered_repo,
        before,
        done,
        f"error: cannot write rendered/: {folder} is read-only, and a render replaces rendered/ "
        "whole (it must remove the old files); rendered/ was left as it was",
    )


def test_mount_point_in_rendered_is_refused_before_the_swap(rendered_repo: Path) -> None:
    before = _tree(rendered_repo)
    done = _run(rendered_repo, "render", prefix=_mounted(rendered_repo / "rendered/dev"))
    _assert_refused(
        rendered_repo,
        before,
        done,
        "error: cannot write rendered/: rendered/dev is a mount point, and a render replaces "
        "rendered/ whole (it must remove the old files); rendered/ was left as it was",
    )


def test_render_check_with_a_read_only_folder_only_reads(rendered_repo: Path) -> None:
    before = _tree(rendered_repo)
    done = _run(
        rendered_repo, "render", "--check", prefix=_read_only(rendered_repo / "rendered/prod")
    )
    assert done.returncode == 1, done.stderr  # the drift of the changed flag, as without the mount
    assert done.stderr.splitlines()[-1] == (
        "rendered/ is out of date (4 files): run `flagwright render`"
    ), done.stderr
    assert "rendered/prod/flags/snapshot.json: would be changed" in done.stdout
    assert _tree(rendered_repo) == before
    assert _litter(rendered_repo) == []


def test_a_later_render_removes_the_litter_it_can(rendered_repo: Path) -> None:
    # What a render of an older flagwright left behind: an old tree, part of it read-only.
    litter = rendered_repo / ".rendered-999999999-abcd1234"
    for rel in ("prod/flags/snapshot.json", "dev/values/web.yaml"):
        (litter / rel).parent.mkdir(parents=True)
        (litter / rel).write_text("old\n")
    done = _run(rendered_repo, "render", prefix=_read_only(litter / "prod"))
    assert done.returncode == 0, done.stderr
    assert _tree(litter) == {"prod/flags/snapshot.json": b"old\n"}  # the rest is gone
    assert _run(rendered_repo, "render", "--check").returncode == 0
    # Once the folder can be removed, the next render removes it.
    done = _run(rendered_repo, "render")
    assert done.returncode == 0, done.stderr
    assert _litter(rendered_repo) == []


def _schema_repo(tmp_path: Path) -> Path:
    root = write_repo(tmp_path / "repo")
    assert _run(root, "schema").returncode == 0
    return root


@pytest.mark.parametrize("read_only", ["schemas", "schemas/segment.schema.json"])
def test_schema_with_a_read_only_file_or_folder_changes_nothing(
    tmp_path: Path, read_only: str
) -> None:
    root = _schema_repo(tmp_path)
    for name in ("app", "segment"):  # both out of date: written in this order
        path = root / "schemas" / f"{name}.schema.json"
        path.write_text(path.read_text() + "\n")
    before = _tree(root)
    done = _run(root, "schema", prefix=_read_only(root / read_only))
    assert done.returncode == 1, done.stderr
    blocked = "schemas/app.schema.json" if read_only == "schemas" else read_only
    assert done.stderr.splitlines()[-1] == (
        f"error: cannot write schemas/: {blocked} is read-only; schemas/ was left as it was"
    ), done.stderr
    assert _tree(root) == before
    checked = _run(root, "schema", "--check", prefix=_read_only(root / read_only))
    assert checked.returncode == 1, checked.stderr
    assert "schemas/segment.schema.json: would be changed" in checked.stdout
    assert _tree(root) == before


def _small_file_limit() -> None:
    # Python ignores SIGXFSZ, so a write past RLIMIT_FSIZE fails with EFBIG, as a full disk
    # fails with ENOSPC.
    resource.setrlimit(resource.RLIMIT_FSIZE, (256, 256))


def test_full_disk_is_a_clear_error_and_leaves_rendered_alone(rendered_repo: Path) -> None:
    shared_repo = rendered_repo
    before = _tree(shared_repo / "rendered")
    done = _run(shared_repo, "render", preexec=_small_file_limit)
    assert done.returncode == 1, done.stderr
    assert done.stderr.splitlines()[-1] == (
        "error: cannot write rendered/: File too large; rendered/ was left as it was"
    ), done.stderr
    assert _tree(shared_repo / "rendered") == before
    assert _litter(shared_repo) == []


_KILLED_WRITE = """
import os, signal, sys
from datetime import date
from pathlib import Path
from flagwright.render import writer
from flagwright.render.pipeline import RenderOptions, render_repository
real = writer._write_file
calls = []
def killed(dest, data):
    calls.append(dest)
    if len(calls) == 3:
        os.kill(os.getpid(), signal.SIGKILL)
    real(dest, data)
writer._write_file = killed
root = Path(sys.argv[1])
out = render_repository(root, date(2026, 11, 23), RenderOptions())
writer.write_tree(root, {path: a.text for path, a in out.files.items()}, out.scope)
"""


def test_a_render_killed_while_writing_leaves_litter_the_next_render_removes(
    tmp_path: Path,
) -> None:
    root = write_repo(tmp_path / "repo")
    assert _run(root, "render").returncode == 0
    old = _tree(root / "rendered")
    for rel in ("flags/shared-api.yaml", "flags/web-banner.yaml", "flags/worker-batching.yaml"):
        path = root / rel
        path.write_text(path.read_text().replace("environments:", "tags: [changed]\nenvironments:"))
    for rel in ("environments/prod.yaml", "environments/dev.yaml"):
        path = root / rel
        path.write_text(path.read_text().replace("project: shop", "project: shop2"))
    killed = subprocess.run(
        [sys.executable, "-c", _KILLED_WRITE, str(root)], capture_output=True, check=False
    )
    assert killed.returncode == -signal.SIGKILL
    litter = [p for p in root.iterdir() if p.name.startswith(".rendered-")]
    assert len(litter) == 1 and litter[0].is_dir()
    assert _tree(root / "rendered") == old  # all old: the swap never happened
    done = _run(root, "render")
    assert done.returncode == 0, done.stderr
    assert [p for p in root.iterdir() if p.name.startswith(".rendered-")] == []
    assert _run(root, "render", "--check").returncode == 0  # all new


def test_a_staging_folder_of_a_live_render_is_left_alone(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "repo")
    live = root / f".rendered-{os.getppid()}-abcd1234"
    live.mkdir()
    assert _run(root, "render").returncode == 0
    assert live.is_dir()


def test_a_tree_moved_aside_by_a_killed_render_is_put_back(tmp_path: Path) -> None:
    root = write_repo(tmp_path / "repo")
    assert _run(root, "render").returncode == 0
    old = _tree(root / "rendered")
    (root / "rendered").rename(root / ".rendered-old-999999999-abcd1234")
    from flagwright.render.writer import clean_stale

    clean_stale(root)
    assert _tree(root / "rendered") == old
    assert stat.S_ISDIR((root / "rendered").stat().st_mode)


def test_a_partial_render_refuses_a_read_only_folder_before_the_swap(rendered_repo: Path) -> None:
    # `render --changed-since` writes only the changed files, in the same whole-tree swap.
    flag = rendered_repo / "flags" / "shared-api.yaml"
    changed = flag.read_text()
    flag.write_text(changed.replace('prod: {serve: "on"}', 'prod: {serve: "off"}'))
    git = ("git", "-C", str(rendered_repo), "-c", "user.name=t", "-c", "user.email=t@example.com")
    for args in (("init", "-q", "-b", "main"), ("add", "-A"), ("commit", "-qm", "rendered")):
        subprocess.run([*git, *args], check=True, capture_output=True)
    flag.write_text(changed)
    before = _tree(rendered_repo)
    prefix = _read_only(rendered_repo / "rendered/dev")
    done = _run(rendered_repo, "render", "--changed-since", "HEAD", prefix=prefix)
    _assert_refused(
        rendered_repo,
        before,
        done,
        "error: cannot write rendered/: rendered/dev is read-only, and a render replaces "
        "rendered/ whole (it must remove the old files); rendered/ was left as it was",
    )
    done = _run(rendered_repo, "render", "--changed-since", "HEAD")
    assert done.returncode == 0, done.stderr
    assert "prod" in done.stdout + done.stderr  # the fast path ran, and rendered prod again
