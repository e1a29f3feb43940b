"""Bundle verification with real files: every way a file can be bad, and the digest."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

from flagwright.runtime import Client, Reason, Snapshot, SnapshotError, compute_digest
from flagwright.runtime.snapshot import canonical_bytes

from .bundles import bundle, flag, string_flag, write_bundle, write_text


def good_doc() -> dict[str, Any]:
    return bundle({"f": flag(), "s": string_flag(), "ünï": string_flag()})


def pretty(doc: dict[str, Any]) -> str:
    return json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def test_compute_digest_follows_format_md() -> None:
    import hashlib

    doc = good_doc()
    body = {k: v for k, v in doc.items() if k != "digest"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert canonical_bytes(doc) == text.encode("utf-8")
    assert compute_digest(doc) == "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert compute_digest(doc) == doc["digest"]  # the digest key itself is ignored


def test_good_file_loads_with_metadata(tmp_path: Path) -> None:
    path = tmp_path / "snapshot.json"
    doc = good_doc()
    write_bundle(path, doc)
    snapshot = Snapshot.from_file(path)
    assert snapshot.environment == "prod"
    assert snapshot.digest == doc["digest"]
    assert snapshot.source_digest == doc["source_digest"]
    assert set(snapshot.flags) == {"f", "s", "ünï"}
    with pytest.raises(AttributeError):
        snapshot.digest = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    "render",
    [
        pytest.param(lambda d: json.dumps(d), id="compact-ascii"),
        pytest.param(lambda d: json.dumps(d, indent=4), id="indent-4"),
        pytest.param(lambda d: pretty(d).replace("\n", "\r\n"), id="crlf"),
    ],
)
def test_files_written_differently_still_verify(tmp_path: Path, render: Any) -> None:
    """The digest covers the content, not the layout of the file."""
    doc = good_doc()
    doc["flags"]["s"]["variants"]["treatment"] = 'quote": and \\ backslash'
    doc["digest"] = compute_digest(doc)
    path = tmp_path / "snapshot.json"
    write_text(path, render(doc))
    assert Snapshot.from_file(path).digest == doc["digest"]


def test_digest_catches_edits_inside_strings(tmp_path: Path) -> None:
    doc = good_doc()
    doc["flags"]["s"]["variants"]["treatment"] = 'a": b'
    doc["digest"] = compute_digest(doc)
    text = pretty(doc)
    write_text(tmp_path / "ok.json", text)
    assert Snapshot.from_file(tmp_path / "ok.json").digest == doc["digest"]
    # Editing the string content (an extra space) must be caught.
    write_text(tmp_path / "edited.json", text.replace('a\\": b', 'a\\":  b'))
    with pytest.raises(SnapshotError, match="digest mismatch"):
        Snapshot.from_file(tmp_path / "edited.json")


def _truncated(text: str) -> str:
    return text[: len(text) // 2]


def _corrupt(text: str) -> str:
    middle = len(text) // 2
    return text[:middle] + "}}garbage{{" + text[middle:]


def _wrong_digest(text: str) -> str:
    return text.replace('"treatment": "v2"', '"treatment": "v3"')


def _reformat(change: Any) -> Any:
    def render(text: str) -> str:
        doc = json.loads(text)
        change(doc)
        return pretty(doc)

    return render


BAD_FILES = {
    "truncated": (_truncated, "truncated JSON"),
    "corrupt": (_corrupt, "corrupt JSON"),
    "empty": (lambda text: "", "empty file"),
    "not-utf8": (lambda text: "\udcff", "not UTF-8"),
    "wrong-digest": (_wrong_digest, "digest mismatch"),
    "unknown-format": (
        _reformat(lambda d: d.update(format="flagwright.snapshot/v2")),
        "unknown format",
    ),
    "unknown-bucketing": (_reformat(lambda d: d.update(bucketing="flagd-v1")), "bucketing"),
    "no-flags": (_reformat(lambda d: d.pop("flags")), "'flags' must be an object"),
    "array": (lambda text: "[]", "must be a JSON object"),
    # A JSON escape can spell a lone surrogate, which has no UTF-8 form to hash the digest over.
    "lone-surrogate": (
        lambda text: text.replace('"environment": "', '"environment": "\\ud800', 1),
        "not valid Unicode",
    ),
}


def _write_bad(path: Path, kind: str) -> str:
    render, message = BAD_FILES[kind]
    text = render(pretty(good_doc()))
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    return message


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_bad_files_are_rejected_with_a_reason(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "snapshot.json"
    message = _write_bad(path, kind)
    with pytest.raises(SnapshotError, match=message) as info:
        Snapshot.from_file(path)
    assert str(path) in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match="cannot read"):
        Snapshot.from_file(tmp_path / "nope.json")


@pytest.mark.parametrize("kind", [*sorted(BAD_FILES), "missing"])
def test_client_never_good_serves_error_and_logs_once(
    tmp_path: Path, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "snapshot.json"
    if kind != "missing":
        _write_bad(path, kind)
    with caplog.at_level(logging.WARNING, logger="flagwright.runtime"):
        client = Client.from_file(path)
        for _ in range(10):
            assert client.evaluate("f", {}) == _error()
            assert client.value("f", {}, "fallback") == "fallback"
            assert client.is_enabled("f", {}) is False
            assert client.reload() is False
    assert client.snapshot is None
    rejected = [r for r in caplog.records if "rejected snapshot" in r.getMessage()]
    assert len(rejected) == 1 and rejected[0].levelno == logging.ERROR
    assert len([r for r in caplog.records if "no snapshot loaded" in r.getMessage()]) == 1


def _error() -> Any:
    from flagwright.runtime import Evaluation

    return Evaluation(None, None, Reason.ERROR, None)


def test_from_dict_copies_and_verifies() -> None:
    doc = good_doc()
    client = Client(doc)
    doc["flags"]["f"]["enabled"] = False  # later changes to the caller's dict do not leak in
    assert client.evaluate("f", {}).reason == Reason.STATIC
    doc["digest"] = "sha256:" + "0" * 64
    with pytest.raises(SnapshotError, match="digest mismatch"):
        Client(doc)
    with pytest.raises(SnapshotError):
        Client({"format": "flagwright.snapshot/v1"})


def test_broken_flag_is_isolated(tmp_path: Path) -> None:
    doc = good_doc()
    doc["flags"]["f"]["fallthrough"] = {"split": [["on", 10], ["off", 20]]}  # not out of 10000
    doc["flags"]["s"]["default"] = "nope"
    doc["digest"] = compute_digest(doc)
    write_bundle(tmp_path / "snapshot.json", doc)
    client = Client.from_file(tmp_path / "snapshot.json")
    assert client.evaluate("f", {}).reason == Reason.ERROR
    assert client.evaluate("f", {}).value is False  # the flag's default is still known
    assert client.evaluate("s", {}).value is None  # no usable default
    assert client.evaluate("ünï", {}).reason == Reason.STATIC
    assert client.snapshot is not None
    problems = client.snapshot.validate()
    assert set(problems) == {"f", "s"} and "sum to 10000" in problems["f"]


def _canonical_layout(doc: dict[str, Any]) -> str:
    # The compiler's layout (FORMAT.md), written here without importing the compiler.
    compact = {"sort_keys": True, "separators": (",", ":"), "ensure_ascii": False}
    head = {k: v for k, v in doc.items() if k != "flags"}
    flags = ",\n".join(
        f"{json.dumps(k, ensure_ascii=False)}:{json.dumps(v, **compact)}"  # type: ignore[arg-type]
        for k, v in sorted(doc["flags"].items())
    )
    text = json.dumps({**head, "flags": {}}, **compact)  # type: ignore[arg-type]
    return text.replace('"flags":{}', '"flags":{\n' + flags + "\n}") + "\n"


def test_canonical_layout_verifies_from_the_bytes_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = good_doc()
    path = tmp_path / "snapshot.json"
    write_text(path, _canonical_layout(doc))
    import flagwright.runtime.snapshot as snapshot_module

    def no_reserialising(_doc: object) -> str:
        raise AssertionError("the canonical layout must not be re-serialised to verify it")

    monkeypatch.setattr(snapshot_module, "compute_digest", no_reserialising)
    assert Snapshot.from_file(path).digest == doc["digest"]


def test_canonical_layout_with_an_edited_flag_line_is_rejected(tmp_path: Path) -> None:
    doc = good_doc()
    text = _canonical_layout(doc)
    path = tmp_path / "snapshot.json"
    write_text(path, text.replace('"default":"off"', '"default":"on"', 1))
    with pytest.raises(SnapshotError, match="digest mismatch"):
        Snapshot.from_file(path)
