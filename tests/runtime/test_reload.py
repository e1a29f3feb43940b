"""Reloading with real files and threads: bad reloads, symlink swaps, atomic swaps."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from flagwright.runtime import Client, Reason, Snapshot

from .bundles import bundle, flag, string_flag, write_bundle, write_text

WAIT = 10.0  # bounded waits for the watcher thread; normally it takes milliseconds


def versioned(version: str, extra: int = 0) -> dict[str, Any]:
    variants = {"one": "one", "two": "two"}
    flags = {
        "f": string_flag({"serve": version}, variants=variants, default="one"),
        "padding": string_flag(variants={"control": "x" * extra, "treatment": "y"}),
    }
    return bundle(flags)


def test_reload_swaps_and_bad_reload_keeps_last_good(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "snapshot.json"
    write_bundle(path, versioned("one"))
    with Client.from_file(path) as client:
        assert client.evaluate("f", {}).value == "one"
        first = client.snapshot
        assert first is not None
        assert client.reload() is False  # same content: nothing to swap
        bad_contents = ["{", "", '{"format": "other"}', "not json at all"]
        with caplog.at_level(logging.WARNING, logger="flagwright.runtime"):
            for bad in bad_contents:
                write_text(path, bad)
                for _ in range(3):
                    assert client.reload() is False
                    assert client.snapshot is first
                    assert client.evaluate("f", {}).value == "one"
            path.unlink()
            assert client.reload() is False
            assert client.evaluate("f", {}).value == "one"
        rejected = [r.getMessage() for r in caplog.records if "rejected" in r.getMessage()]
        assert len(rejected) == len(bad_contents) + 1  # each distinct problem once
        assert all(f"still serving {first.digest}" in m for m in rejected)
        write_bundle(path, versioned("two"))
        assert client.reload() is True
        assert client.evaluate("f", {}).value == "two"


def test_wrong_digest_reload_rejected(tmp_path: Path) -> None:
    path = tmp_path / "snapshot.json"
    write_bundle(path, versioned("one"))
    client = Client.from_file(path)
    tampered = versioned("one")
    tampered["flags"]["f"]["fallthrough"] = {"serve": "two"}  # digest not updated
    write_bundle(path, tampered)
    assert client.reload() is False
    assert client.evaluate("f", {}).value == "one"


def test_missing_then_created_file(tmp_path: Path) -> None:
    path = tmp_path / "snapshot.json"
    client = Client.from_file(path)
    assert client.value("f", {}, "caller") == "caller"
    write_bundle(path, versioned("two"))
    assert client.reload() is True
    assert client.value("f", {}, "caller") == "two"


def test_counters_survive_reloads(tmp_path: Path) -> None:
    path = tmp_path / "snapshot.json"
    write_bundle(path, versioned("one"))
    client = Client.from_file(path)
    client.evaluate("f", {})
    write_bundle(path, versioned("two"))
    assert client.reload()
    client.evaluate("f", {})
    client.evaluate("f", {})
    assert client.counters() == {("f", "one"): 1, ("f", "two"): 2}


def _configmap(directory: Path, generation: str, doc: dict[str, Any]) -> None:
    """Lay out a mounted ConfigMap the way the kubelet does and swap ``..data`` atomically."""
    target = directory / f"..{generation}"
    target.mkdir()
    write_bundle(target / "snapshot.json", doc)
    link = directory / "..data_tmp"
    link.symlink_to(target.name)
    os.replace(link, directory / "..data")
    if not (directory / "snapshot.json").is_symlink():
        (directory / "snapshot.json").symlink_to("..data/snapshot.json")


def test_configmap_symlink_swap_is_picked_up_by_the_watcher(tmp_path: Path) -> None:
    _configmap(tmp_path, "2026_01_01", versioned("one"))
    swapped = threading.Event()
    with Client.from_file(
        tmp_path / "snapshot.json",
        watch=True,
        poll_interval=0.005,
        on_reload=lambda snapshot: swapped.set(),
    ) as client:
        assert swapped.is_set()  # the initial load counts as a reload too
        swapped.clear()
        assert client.evaluate("f", {}).value == "one"
        # Same size, same mtime: only the resolved path tells the versions apart.
        _configmap(tmp_path, "2026_01_02", versioned("two"))
        old = tmp_path / "..2026_01_01" / "snapshot.json"
        new = tmp_path / "..2026_01_02" / "snapshot.json"
        assert old.stat().st_size == new.stat().st_size
        stamp = old.stat().st_mtime_ns
        os.utime(new, ns=(stamp, stamp))
        assert swapped.wait(WAIT)
        assert client.evaluate("f", {}).value == "two"


def test_watcher_ignores_bad_file_then_takes_good_one(tmp_path: Path) -> None:
    path = tmp_path / "snapshot.json"
    write_bundle(path, versioned("one"))
    swapped = threading.Event()
    with (
        _logged("rejected") as rejected,
        Client.from_file(
            path, watch=True, poll_interval=0.005, on_reload=lambda s: swapped.set()
        ) as client,
    ):
        swapped.clear()
        write_text(path, '{"truncated": ')
        assert rejected.wait(WAIT)
        assert client.evaluate("f", {}).value == "one"
        write_bundle(path, versioned("two"))
        assert swapped.wait(WAIT)
        assert client.evaluate("f", {}).value == "two"


@contextmanager
def _logged(needle: str) -> Iterator[threading.Event]:
    """An event set when the runtime logs a message containing ``needle``."""
    seen = threading.Event()

    class Spy(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if needle in record.getMessage():
                seen.set()

    logger = logging.getLogger("flagwright.runtime")
    spy = Spy()
    logger.addHandler(spy)
    try:
        yield seen
    finally:
        logger.removeHandler(spy)


def _consistency_bundle(generation: int) -> dict[str, Any]:
    """``pair`` requires ``gate``; mixing the two generations would block it (DEFAULT)."""
    on_off = {"on": True, "off": False}
    gate_default, gate_serves = ("off", "on") if generation % 2 else ("on", "off")
    flags = {
        "gate": flag({"serve": gate_serves}, variants=on_off, default=gate_default),
        "pair": string_flag(
            {"serve": "treatment"},
            variants={"control": "none", "treatment": f"gen-{generation}"},
            requires=["gate"],
        ),
        "a": string_flag(variants={"control": "x", "treatment": f"gen-{generation}"}),
    }
    return bundle(flags)


def test_concurrent_evaluations_during_swaps_never_see_a_mix(tmp_path: Path) -> None:
    path = tmp_path / "snapshot.json"
    write_bundle(path, _consistency_bundle(0))
    client = Client.from_file(path, watch=True, poll_interval=0.001)
    stop = threading.Event()
    problems: list[str] = []
    seen: set[str] = set()

    def evaluate() -> None:
        while not stop.is_set():
            result = client.evaluate("pair", {"targeting_key": "u"})
            if result.reason != Reason.STATIC:
                problems.append(repr(result))
            seen.add(result.value)
            snapshot = client.snapshot  # one reference: flag documents agree with each other
            assert snapshot is not None
            pair = snapshot.flags["pair"]["variants"]["treatment"]
            if pair != snapshot.flags["a"]["variants"]["treatment"]:
                problems.append(f"snapshot mixes {pair}")

    threads = [threading.Thread(target=evaluate) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        for generation in range(1, 61):
            write_bundle(path, _consistency_bundle(generation))
            client.reload()
    finally:
        stop.set()
        for thread in threads:
            thread.join(WAIT)
        client.close()
    assert not problems, problems[:5]
    assert client.evaluate("pair", {}).value == "gen-60"
    assert len(seen) > 1


def test_close_stops_the_watcher(tmp_path: Path) -> None:
    path = tmp_path / "snapshot.json"
    write_bundle(path, versioned("one"))
    client = Client.from_file(path, watch=True, poll_interval=0.005)
    watchers = [t for t in threading.enumerate() if t.name == "flagwright-snapshot-watch"]
    assert watchers
    client.close()
    client.close()  # idempotent
    assert not any(t.is_alive() for t in watchers)
    assert client.evaluate("f", {}).value == "one"  # still serving


def test_snapshot_can_be_shared_between_clients() -> None:
    snapshot = Snapshot.from_dict(versioned("two"))
    first, second = Client(snapshot), Client(snapshot)
    first.evaluate("f", {})
    assert second.evaluate("f", {}).value == "two"
    assert second.counters() == {("f", "two"): 1}
    assert first.counters() == {("f", "two"): 1}


def _with_broken_flag(version: str) -> dict[str, Any]:
    """A bundle whose digest is right but whose flag ``padding`` does not compile."""
    doc = versioned(version)
    doc["flags"]["padding"]["fallthrough"] = {"split": [["control", 10], ["treatment", 20]]}
    return bundle(doc["flags"])


def test_reload_with_a_flag_that_does_not_compile_keeps_the_last_good(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "snapshot.json"
    write_bundle(path, versioned("one"))
    with Client.from_file(path) as client:
        first = client.snapshot
        assert first is not None
        assert client.evaluate("padding", {"targeting_key": "u"}).reason == Reason.STATIC
        broken = _with_broken_flag("two")
        write_bundle(path, broken)
        assert Snapshot.from_file(path).digest == broken["digest"]  # the digest is fine
        with caplog.at_level(logging.WARNING, logger="flagwright.runtime"):
            assert client.reload() is False
        assert client.snapshot is first
        assert client.evaluate("f", {}).value == "one"  # not the broken bundle's "two"
        assert client.evaluate("padding", {"targeting_key": "u"}).reason == Reason.STATIC
        rejected = [r for r in caplog.records if "rejected snapshot" in r.getMessage()]
        assert len(rejected) == 1 and rejected[0].levelno == logging.ERROR
        message = rejected[0].getMessage()
        assert "1 flag(s) do not compile" in message and "'padding'" in message
        assert f"still serving {first.digest}" in message
        write_bundle(path, versioned("two"))
        assert client.reload() is True
        assert client.evaluate("f", {}).value == "two"


def test_watcher_refuses_a_bundle_with_a_broken_flag(tmp_path: Path) -> None:
    path = tmp_path / "snapshot.json"
    write_bundle(path, versioned("one"))
    swapped = threading.Event()
    with (
        _logged("do not compile") as rejected,
        Client.from_file(
            path, watch=True, poll_interval=0.005, on_reload=lambda s: swapped.set()
        ) as client,
    ):
        swapped.clear()
        write_bundle(path, _with_broken_flag("two"))
        assert rejected.wait(WAIT)
        assert not swapped.is_set()
        assert client.evaluate("f", {}).value == "one"
        write_bundle(path, versioned("two"))
        assert swapped.wait(WAIT)
        assert client.evaluate("f", {}).value == "two"


def test_first_load_with_a_broken_flag_still_serves_the_others(tmp_path: Path) -> None:
    # With nothing better to serve, a first bundle is taken and its broken flag isolated.
    path = tmp_path / "snapshot.json"
    write_bundle(path, _with_broken_flag("two"))
    client = Client.from_file(path)
    assert client.evaluate("f", {}).value == "two"
    assert client.evaluate("padding", {"targeting_key": "u"}).reason == Reason.ERROR
