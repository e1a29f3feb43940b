"""Notice when a snapshot file changes, including Kubernetes ConfigMap symlink swaps."""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from threading import Event, Thread

Identity = tuple[str, int, int, int, int, int]


def file_identity(path: str) -> Identity | None:
    """What identifies the file's current content, or None if it cannot be stat'ed.

    A mounted ConfigMap is ``snapshot.json -> ..data/snapshot.json`` with ``..data`` a symlink
    that Kubernetes re-points atomically; resolving the real path sees that swap even when the
    new file has the same size and timestamp.
    """
    try:
        real = os.path.realpath(path)
        st = os.stat(real)
    except OSError:
        return None
    return (real, st.st_dev, st.st_ino, st.st_mtime_ns, st.st_ctime_ns, st.st_size)


class Poller:
    """A daemon thread calling ``check`` every ``interval`` seconds until stopped."""

    def __init__(self, check: Callable[[], object], interval: float) -> None:
        import threading

        if interval <= 0:
            raise ValueError("poll_interval must be positive")
        self._check = check
        self._interval = interval
        self._stop: Event = threading.Event()
        self._thread: Thread = threading.Thread(
            target=self._loop, name="flagwright-snapshot-watch", daemon=True
        )
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            self._check()

    def stop(self, timeout: float | None = 5.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
