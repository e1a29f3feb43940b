"""Import sources that would crash a reader or write files validate then refuses."""

from __future__ import annotations

import json
from pathlib import Path

from .helpers import make_repo, run_cli

_FLAG = {"state": "ENABLED", "variants": {"on": True, "off": False}, "defaultVariant": "off"}


def _import(root: Path, source: Path, *extra: str) -> tuple[int, str, str]:
    ran = run_cli("-C", str(root), "import", str(source), "--from", "flagd", *extra)
    return ran.exit_code, ran.stdout, ran.stderr


def test_deep_json_is_a_positioned_error_not_a_recursion_error(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    source = tmp_path / "deep.json"
    source.write_text('{"flags": ' + "[" * 100_000, encoding="utf-8")
    code, out, err = _import(root, source)
    assert code == 1
    assert out.splitlines()[0] == (
        f"{source}:1:74: error[FW501] invalid JSON: nesting is deeper than 64 levels"
    )
    assert "internal error" not in err


def test_numbers_json_readers_cannot_hold_are_refused_where_written(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    for number, problem in [
        ("1e400", "the number 1e400 is too large for a JSON reader (not finite)"),
        ("123456789012345678901234567890", "the number 123456789012345678901234567890 does "
         "not fit a 64-bit integer"),
    ]:  # fmt: skip
        source = tmp_path / "numbers.json"
        source.write_text(
            '{"flags": {"limit": {"state": "ENABLED",\n  "variants": {"low": 1, "high": '
            + number + '}, "defaultVariant": "low"}}}',
            encoding="utf-8",
        )  # fmt: skip
        code, out, _ = _import(root, source)
        assert code == 1
        assert out.splitlines()[0] == f"{source}:2:34: error[FW501] invalid JSON: {problem}"
        assert not (root / "flags").exists()


def test_a_flag_whose_file_would_exceed_the_size_limit_is_not_written(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    big = {"on": {"items": ["x" * 100] * 12_000}, "off": {"items": []}}
    flags = {"small": _FLAG, "huge": {**_FLAG, "variants": big}}
    source = tmp_path / "flagd.json"
    source.write_text(json.dumps({"flags": flags}, indent=1), encoding="utf-8")
    code, out, _ = _import(root, source)
    assert code == 1
    first = out.splitlines()[0]
    assert first.startswith(f"{source}:11:3: error[FW513] flag 'huge' not imported: its file would")
    assert first.endswith("over the 1048576-byte limit of flagwright's files")
    assert sorted(p.name for p in (root / "flags").iterdir()) == ["small.yaml"]
    assert run_cli("-C", str(root), "validate").exit_code == 0


def test_force_never_replaces_a_folder(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    (root / "flags" / "new-banner.yaml").mkdir(parents=True)
    source = tmp_path / "flagd.json"
    source.write_text(json.dumps({"flags": {"new-banner": _FLAG}}), encoding="utf-8")
    code, _, err = _import(root, source, "--force")
    assert code == 1
    assert err == (
        f"error: not writing {root / 'flags' / 'new-banner.yaml'}: something other than a file "
        "has that name (a folder?); move it away (nothing was written)\n"
    )
    assert (root / "flags" / "new-banner.yaml").is_dir()


def test_eval_context_values_too_deep_are_a_usage_error(tmp_path: Path) -> None:
    ran = run_cli("eval", "x", "--env", "prod", "-c", "tags=" + "[" * 100_000)
    assert ran.exit_code == 2
    assert "-c tags: the JSON value's nesting is deeper than 64 levels" in ran.stderr
