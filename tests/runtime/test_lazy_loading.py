"""A bundle in the compiler's layout is loaded with its flag bodies decoded on first use."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from hashlib import sha256
from pathlib import Path
from typing import Any

import pytest

import flagwright.runtime.lazyflags as lazyflags
from flagwright.runtime import Client, Reason, Snapshot, SnapshotError

from .bundles import attr, bundle, flag, manual_rollout, rule, split, string_flag, write_text
from .test_loading import _canonical_layout

NOW = datetime(2026, 6, 1, tzinfo=UTC)
CONTEXTS = [
    {},
    {"targeting_key": "user-1", "email": "a@company.com"},
    {"targeting_key": "user-2", "country": "DE"},
    {"targeting_key": "user-3", "email": "b@example.org", "country": "US"},
]


def _doc() -> dict[str, Any]:
    return bundle(
        {
            "alpha": flag(manual_rollout(1, [30])),
            "beta": flag(rules=[rule(attr("email", "ends_with", "@company.com"), "on")]),
            "gamma": string_flag(split(control=50, treatment=50)),
            "off": flag(enabled=False),
            "needs": flag(requires=["beta"]),
        }
    )


class _CountingJson:
    """Stands in for ``json`` in lazyflags: counts the documents decoded."""

    def __init__(self) -> None:
        self.decoded: list[str] = []

    def loads(self, text: str) -> Any:
        self.decoded.append(text)
        return json.loads(text)


def _with_digest_of_bytes(text: str) -> str:
    """``text`` with its digest recomputed from its own bytes, as a broken writer might."""
    doc_digest = json.loads(text.split("\n")[0] + "}}")["digest"]
    member = f'"digest":"{doc_digest}",'
    body = text.replace(member, "", 1).replace("\n", "")
    fresh = "sha256:" + sha256(body.encode("utf-8")).hexdigest()
    return text.replace(doc_digest, fresh, 1)


def test_only_the_keys_are_decoded_at_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spy = _CountingJson()
    monkeypatch.setattr(lazyflags, "json", spy)
    path = tmp_path / "snapshot.json"
    write_text(path, _canonical_layout(_doc()))
    client = Client.from_file(path)
    assert len(spy.decoded) == 1 and '"flags":{}' in spy.decoded[0]  # the members but flags
    assert client.is_enabled("beta", {"email": "x@company.com"})
    assert len(spy.decoded) == 2 and spy.decoded[1].startswith('{"bucket_by"')


def test_lazy_and_eager_snapshots_answer_alike(tmp_path: Path) -> None:
    doc = _doc()
    path = tmp_path / "snapshot.json"
    write_text(path, _canonical_layout(doc))
    lazy, eager = Client.from_file(path), Client(doc)
    assert type(lazy.snapshot.flags).__name__ == "mappingproxy"  # type: ignore[union-attr]
    assert dict(lazy.snapshot.flags) == doc["flags"]  # type: ignore[union-attr]
    for context in CONTEXTS:
        assert lazy.evaluate_all(context) == eager.evaluate_all(context)
        for key in doc["flags"]:
            shown = lazy.explain(key, context, NOW).as_dict()
            assert shown == eager.explain(key, context, NOW).as_dict()
    assert lazy.counters() == eager.counters()
    assert lazy.evaluate("missing", {}).reason == Reason.ERROR


def test_an_edited_body_is_refused_at_load_by_the_digest(tmp_path: Path) -> None:
    text = _canonical_layout(_doc())
    path = tmp_path / "snapshot.json"
    for edited in [
        text.replace('"percent":30', '"percent":31', 1),
        text.replace('"percent":30', '"percent":30}}', 1),  # no longer JSON
        text.replace('"gamma":', '"gamma2":', 1),
    ]:
        assert edited != text
        write_text(path, edited)
        with pytest.raises(SnapshotError, match=r"digest mismatch|corrupt JSON"):
            Snapshot.from_file(path)


def test_a_body_that_is_not_json_breaks_only_its_flag(tmp_path: Path) -> None:
    # Only a writer that breaks the format can produce this: the digest matches the bytes.
    text = _canonical_layout(_doc())
    broken = _with_digest_of_bytes(text.replace('"percent":30', '"percent":30,', 1))
    path = tmp_path / "snapshot.json"
    write_text(path, broken)
    client = Client.from_file(path)
    assert client.evaluate("beta", {"email": "x@company.com"}).variant == "on"
    alpha = client.evaluate("alpha", {"targeting_key": "user-1"})
    assert alpha.reason == Reason.ERROR
    assert client.snapshot is not None
    problems = client.snapshot.validate()
    assert list(problems) == ["alpha"] and "not one JSON object" in problems["alpha"]


def test_a_reload_with_an_undecodable_body_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "snapshot.json"
    write_text(path, _canonical_layout(_doc()))
    client = Client.from_file(path)
    digest = client.snapshot.digest  # type: ignore[union-attr]
    text = _canonical_layout(_doc())
    write_text(path, _with_digest_of_bytes(text.replace('"percent":30', '"percent":31,', 1)))
    assert client.reload() is False
    assert client.snapshot.digest == digest  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "relayout",
    [
        lambda text: text.replace(',\n"gamma"', ',"gamma"', 1),  # two flags on one line
        lambda text: text.replace('"fallthrough":', '\n"fallthrough":'),  # bodies split
        lambda text: text.replace(',"', ',\n"'),  # a newline after every member
    ],
)
def test_other_newline_layouts_still_verify_and_answer_alike(tmp_path: Path, relayout: Any) -> None:
    """FORMAT.md accepts any placement of newlines; the line starts are then not flag keys."""
    doc = _doc()
    text = relayout(_canonical_layout(doc))
    path = tmp_path / "snapshot.json"
    write_text(path, text)
    snapshot = Snapshot.from_file(path)
    assert snapshot.digest == doc["digest"]
    assert sorted(snapshot.flags) == sorted(doc["flags"])
    assert dict(snapshot.flags) == doc["flags"]
    lazy, eager = Client(snapshot), Client(doc)
    for context in CONTEXTS:
        for key in doc["flags"]:
            assert lazy.evaluate(key, context) == eager.evaluate(key, context)
    assert "gamma" in Snapshot.from_file(path).flags


def test_a_hidden_flag_is_found_before_it_is_called_unknown(tmp_path: Path) -> None:
    doc = _doc()
    text = _canonical_layout(doc).replace(',\n"gamma"', ',"gamma"', 1)
    path = tmp_path / "snapshot.json"
    write_text(path, text)
    client = Client.from_file(path)
    evaluation = client.evaluate("gamma", {"targeting_key": "user-1"})
    assert evaluation == Client(doc).evaluate("gamma", {"targeting_key": "user-1"})
    assert evaluation.reason == Reason.SPLIT
