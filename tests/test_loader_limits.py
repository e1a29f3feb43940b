"""The fast YAML reader: YAML 1.2 scalars, the resource limits, tags, encodings and empty input."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus_helpers import TODAY
from flagwright.check.repository import validate_repository
from flagwright.codes import Code
from flagwright.load.repository import load_repository
from flagwright.load.resolve import resolve_positions
from flagwright.load.yamlio import (
    MAX_DEPTH,
    MAX_EXPANDED_NODES,
    MAX_FILE_BYTES,
    YamlError,
    decode,
    load_documents,
)


def load_one(text: str) -> object:
    docs = load_documents(text)
    assert len(docs) == 1
    return docs[0]


def error_of(text: str) -> YamlError:
    with pytest.raises(YamlError) as info:
        load_documents(text)
    return info.value


# --- YAML 1.2 core schema --------------------------------------------------------------------


@pytest.mark.parametrize(
    "word", ["on", "off", "yes", "no", "y", "n", "On", "OFF", "Yes", "NO", "Y", "N"]
)
def test_yaml_1_1_booleans_stay_strings(word: str) -> None:
    assert load_one(f"v: {word}") == {"v": word}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("true", True),
        ("False", False),
        ("TRUE", True),
        ("010", 10),
        ("0o17", 15),
        ("0x1F", 31),
        ("-12", -12),
        ("+7", 7),
        ("1e3", 1000.0),
        ("0.5", 0.5),
        (".5", 0.5),
        ("~", None),
        ("null", None),
        ("", None),
        ("2026-11-20", "2026-11-20"),
        ("2026-11-20T10:00:00Z", "2026-11-20T10:00:00Z"),
        ("1_000", "1_000"),
        ("0o8", "0o8"),
        ("NaN", "NaN"),
        ("!!str 010", "010"),
        ("'on'", "on"),
    ],
)
def test_core_schema_scalars(text: str, value: object) -> None:
    loaded = load_one(f"v: {text}")
    assert loaded == {"v": value}
    assert type(loaded["v"]) is type(value)  # type: ignore[index]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: .inf", "'.inf' is not a finite number; JSON cannot hold it"),
        ("a: -.Inf", "'-.Inf' is not a finite number; JSON cannot hold it"),
        ("a: .nan", "'.nan' is not a finite number; JSON cannot hold it"),
        ("a: 1e400", "'1e400' is not a finite number; JSON cannot hold it"),
        ("a: 9223372036854775808", "'9223372036854775808' does not fit a 64-bit integer"),
        ("a: 0x" + "f" * 4000, "'0xfffffffffffffffffffffffffffffffffff...' is too large a number"),
    ],
)
def test_numbers_json_cannot_hold_are_rejected_where_they_are_written(
    text: str, message: str
) -> None:
    # Every value may reach a JSON bundle or export: rejecting here beats a crash in render.
    error = error_of(text)
    assert (error.code, error.message, error.line, error.col) == (Code.YAML_SYNTAX, message, 1, 4)
    assert load_one("a: 9223372036854775807\nb: -1.5e3") == {"a": 2**63 - 1, "b": -1500.0}


def test_yaml_1_2_words_work_as_variant_names_and_values(tmp_path: Path) -> None:
    """The positive side of FW103 for `enabled: yes`: on/off/yes/no are plain names."""
    (tmp_path / "flags").mkdir()
    (tmp_path / "flags" / "a.yaml").write_text(
        "kind: Flag\nkey: a\ndescription: d\nowner: o\ntype: string\n"
        "variants: {yes: 'y', no: n, on: 'on', off: off}\ndefault: no\n"
    )
    result = validate_repository(tmp_path, today=TODAY)
    assert result.diagnostics == []
    flag = result.index.flags["a"].model
    assert flag.variants == {"yes": "y", "no": "n", "on": "on", "off": "off"}
    assert flag.default == "no"


# --- limits ----------------------------------------------------------------------------------


def test_size_limit_on_bytes() -> None:
    with pytest.raises(YamlError) as info:
        decode(b"#" * (MAX_FILE_BYTES + 1))
    assert info.value.code is Code.FILE_TOO_LARGE
    assert (info.value.line, info.value.col) == (1, 1)
    assert info.value.message == (
        f"file is {MAX_FILE_BYTES + 1} bytes; the limit is {MAX_FILE_BYTES} bytes"
    )
    assert decode(b"#" * MAX_FILE_BYTES) == "#" * MAX_FILE_BYTES


def test_file_over_the_size_limit_is_reported(tmp_path: Path) -> None:
    (tmp_path / "flags").mkdir()
    big = "kind: Flag\n" + "# padding\n" * (MAX_FILE_BYTES // 10 + 1)
    (tmp_path / "flags" / "big.yaml").write_text(big)
    diagnostics = validate_repository(tmp_path, today=TODAY).diagnostics
    assert [str(d) for d in diagnostics] == [
        f"flags/big.yaml:1:1: error[FW004] file is {len(big)} bytes; "
        f"the limit is {MAX_FILE_BYTES} bytes"
    ]


def test_unreadable_file_is_reported(tmp_path: Path) -> None:
    # Running as root defeats chmod, so a file listed but not present stands in for one that
    # vanished or cannot be opened between listing and reading.
    repo = load_repository(tmp_path, files=["flags/gone.yaml"])
    diagnostics = resolve_positions(repo.findings.items, repo.texts)
    assert [str(d) for d in diagnostics] == [
        "flags/gone.yaml:1:1: error[FW011] cannot read file: No such file or directory"
    ]


def _laughs(levels: int) -> str:
    text = 'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    for i in range(1, levels):
        text += f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]\n"
    return text


def test_alias_expansion_is_refused() -> None:
    # Nine levels of ten would be 10⁹ nodes; it must be refused, not expanded (the timing is
    # measured by the benchmark, not here).
    error = error_of(_laughs(9))
    assert error.code is Code.ALIAS_LIMIT
    assert (error.line, error.col) == (5, 5)  # a4, 10⁵ strings: the first node past the limit
    assert str(MAX_EXPANDED_NODES) in error.message


def test_alias_expansion_under_the_limit_loads() -> None:
    loaded = load_one(_laughs(3))
    assert isinstance(loaded, dict)
    assert len(loaded["a2"]) == 10  # type: ignore[index]


def _flow(depth: int) -> str:
    return "v: " + "[" * (depth - 1) + "]" * (depth - 1)


def test_depth_at_the_limit_loads() -> None:
    # The root mapping is level 1, so MAX_DEPTH - 1 brackets make exactly MAX_DEPTH levels.
    assert isinstance(load_one(_flow(MAX_DEPTH)), dict)


def test_depth_one_past_the_limit_is_refused() -> None:
    error = error_of(_flow(MAX_DEPTH + 1))
    assert error.code is Code.TOO_DEEP
    assert (error.line, error.col) == (1, 3 + MAX_DEPTH)
    assert error.message == f"nesting is deeper than {MAX_DEPTH} levels"


def test_depth_limit_holds_in_a_large_file() -> None:
    # Over a thousand nesting characters takes the event-stream path instead of the node walk;
    # the limit and the position must be the same.
    padding = "".join(f"k{i}: [x]\n" for i in range(600))
    error = error_of(padding + _flow(MAX_DEPTH + 1))
    assert error.code is Code.TOO_DEEP
    assert (error.line, error.col) == (601, 3 + MAX_DEPTH)


@pytest.mark.parametrize("opener", ["[", "{"])
def test_100k_nested_flow_collections_do_not_crash(opener: str) -> None:
    error = error_of("v: " + opener * 100_000)
    assert error.code is Code.TOO_DEEP
    assert error.line == 1


def test_deep_block_sequences_are_refused() -> None:
    error = error_of("v:\n  " + "- " * 10_000 + "x\n")
    assert error.code is Code.TOO_DEEP
    assert (error.line, error.col) == (2, 3 + 2 * (MAX_DEPTH - 1))  # level MAX_DEPTH + 1


def test_deep_block_mappings_are_refused() -> None:
    text = "".join(" " * i + f"k{i}:\n" for i in range(MAX_DEPTH + 1)) + " " * 70 + "x\n"
    error = error_of(text)
    assert error.code is Code.TOO_DEEP
    assert error.line == MAX_DEPTH + 1


# --- tags ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("!!python/object:os.system x", "!!python/object:os.system"),
        ("!!python/object/apply:os.system [ls]", "!!python/object/apply:os.system"),
        ("!!python/name:os.system ''", "!!python/name:os.system"),
        ("!!binary aGk=", "!!binary"),
        ("!!set {a}", "!!set"),
        ("!!timestamp 2026-01-01", "!!timestamp"),
        ("!vault secret", "!vault"),
    ],
)
def test_unsupported_tags(text: str, shown: str) -> None:
    error = error_of(f"kind: Flag\nkey: {text}\n")
    assert error.code is Code.UNSUPPORTED_TAG
    assert (error.line, error.col) == (2, 6)
    assert error.message == (
        f"tag {shown!r} is not supported: only plain YAML (mappings, lists, strings, numbers, "
        "booleans, null) is allowed"
    )


def test_standard_tags_are_allowed() -> None:
    assert load_one("a: !!str 1\nb: !!int '7'\nc: !!float 1\nd: !!map {}\ne: !!seq []") == {
        "a": "1",
        "b": 7,
        "c": 1.0,
        "d": {},
        "e": [],
    }


# --- encodings and empty input ---------------------------------------------------------------


def test_bom_is_dropped() -> None:
    assert decode(b"\xef\xbb\xbfkind: Flag\n") == "kind: Flag\n"
    assert load_one(decode(b"\xef\xbb\xbfkind: Flag\n")) == {"kind": "Flag"}


def test_invalid_utf8_position() -> None:
    with pytest.raises(YamlError) as info:
        decode(b"a: 1\nb: caf\xc3(\n")
    assert info.value.code is Code.ENCODING
    assert (info.value.line, info.value.col) == (2, 7)
    assert info.value.message == "invalid UTF-8 byte 0xc3; save the file as UTF-8"


def test_utf16_is_not_utf8() -> None:
    with pytest.raises(YamlError) as info:
        decode("kind: Flag\n".encode("utf-16"))
    assert info.value.code is Code.ENCODING


@pytest.mark.parametrize(
    ("text", "docs"),
    [("", []), ("# only a comment\n", []), ("---\n", [None]), ("---\n---\n", [None, None])],
)
def test_empty_documents(text: str, docs: list[object]) -> None:
    assert load_documents(text) == docs


def test_empty_and_comment_files_give_no_diagnostics(tmp_path: Path) -> None:
    (tmp_path / "flags").mkdir()
    (tmp_path / "flags" / "empty.yaml").write_text("")
    (tmp_path / "flags" / "comment.yaml").write_text("# nothing yet\n---\n")
    assert validate_repository(tmp_path, today=TODAY).diagnostics == []


def test_duplicate_key_names_both_lines() -> None:
    error = error_of("a: 1\nb:\n  c: 1\n  c: 2\n")
    assert error.code is Code.DUPLICATE_KEY
    assert (error.line, error.col) == (4, 3)
    assert error.message == "duplicate key 'c': first defined at line 3"


def test_non_scalar_key_is_a_syntax_error() -> None:
    error = error_of("? [a, b]\n: 1\n")
    assert error.code is Code.YAML_SYNTAX
    assert error.message == "a mapping key must be a scalar"


@pytest.mark.parametrize(
    ("text", "message", "col"),
    [
        ("a: !!int abc\n", "'abc' cannot be read as !!int", 4),
        ("a: !!bool maybe\n", "'maybe' cannot be read as !!bool", 4),
        ("a: !!float x\n", "'x' cannot be read as !!float", 4),
    ],
)
def test_a_value_that_does_not_fit_its_explicit_tag_is_a_syntax_error(
    text: str, message: str, col: int
) -> None:
    with pytest.raises(YamlError) as caught:
        load_documents(text)
    assert (caught.value.code, caught.value.message, caught.value.line, caught.value.col) == (
        Code.YAML_SYNTAX, message, 1, col,
    )  # fmt: skip
