"""`flagwright import` on the command line: exit codes, overwriting, errors with positions."""

from __future__ import annotations

import json
from pathlib import Path

from syrupy.assertion import SnapshotAssertion

from .helpers import TESTBED, make_repo, run_cli

FLAGD = {
    "flags": {
        "new-banner": {
            "state": "ENABLED",
            "variants": {"on": True, "off": False},
            "defaultVariant": "off",
            "targeting": {
                "if": [
                    {"in": ["@acme.com", {"var": "email"}]},
                    "on",
                    {"sem_ver": [{"var": "app_version"}, ">=", "2.3.0"]},
                    {"fractional": [["on", 25], ["off", 75]]},
                    {"<": [{"var": "$flagd.timestamp"}, 1798761600]},
                    "off",
                    "on",
                ]
            },
        }
    }
}


def _write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def test_imports_and_validates(tmp_path: Path, snapshot: SnapshotAssertion) -> None:
    root = make_repo(tmp_path / "repo")
    source = _write(tmp_path / "flagd.json", FLAGD)
    ran = run_cli("-C", str(root), "import", str(source), "--from", "flagd")
    assert (ran.exit_code, ran.stdout) == (0, f"{root / 'flags' / 'new-banner.yaml'}: written\n")
    assert ran.stderr == "imported 1 flag(s) into 'prod': 1 file(s) written, 0 unchanged\n"
    text = (root / "flags" / "new-banner.yaml").read_text(encoding="utf-8")
    assert text == snapshot
    assert run_cli("-C", str(root), "validate").exit_code == 0


def test_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    source = _write(tmp_path / "flagd.json", FLAGD)
    target = root / "flags" / "new-banner.yaml"
    target.parent.mkdir()
    target.write_text("kind: Flag\n", encoding="utf-8")
    ran = run_cli("-C", str(root), "import", str(source), "--from", "flagd")
    assert ran.exit_code == 1
    assert ran.stderr == (
        f"error: not overwriting {target}: the file exists; pass --force to replace it "
        "(nothing was written)\n"
    )
    assert target.read_text(encoding="utf-8") == "kind: Flag\n"
    forced = run_cli("-C", str(root), "import", str(source), "--from", "flagd", "--force")
    assert forced.exit_code == 0
    assert target.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=")
    again = run_cli("-C", str(root), "import", str(source), "--from", "flagd")
    assert (again.exit_code, again.stdout) == (0, "")  # identical files are left alone
    assert "0 file(s) written, 1 unchanged" in again.stderr


def test_unrepresentable_flags_are_reported_and_exit_1(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    ran = run_cli(
        "-C", str(root), "import", str(TESTBED / "flags" / "disabled-flags.json"), "--from", "flagd"
    )
    assert ran.exit_code == 1
    lines = ran.stdout.splitlines()
    assert lines[0] == (
        f"{TESTBED / 'flags' / 'disabled-flags.json'}:4:16: error[FW506] flag "
        "'disabled-boolean-flag' not imported: flagd serves the caller's code default for a "
        "DISABLED flag; flagwright serves a variant of the flag, so the flag is not imported (set "
        "it ENABLED with the variant you want served, or write the flag by hand)"
    )
    assert lines[-1] == "6 errors, 0 warnings"
    assert not (root / "flags").exists()


def test_bad_names_are_never_written(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    flag = FLAGD["flags"]["new-banner"]
    source = _write(tmp_path / "f.json", {"flags": {"../x": flag, "My Flag": flag}})
    ran = run_cli(
        "-C", str(root), "import", str(source), "--from", "flagd", "--out", str(tmp_path / "out")
    )
    assert ran.exit_code == 1
    assert [line.split(": error")[0] for line in ran.stdout.splitlines()[:2]] == [
        f"{source}:3:5",
        f"{source}:55:5",
    ]
    assert "error[FW503] flag '../x' not imported" in ran.stdout
    assert not (tmp_path / "x.yaml").exists() and not (tmp_path / "out").exists()


def test_malformed_json_exits_1_with_its_position(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    source = tmp_path / "broken.json"
    source.write_text('{\n  "flags": {\n    "a": {"state": "ENABLED",}\n  }\n}\n', encoding="utf-8")
    ran = run_cli("-C", str(root), "import", str(source), "--from", "flagd")
    assert ran.exit_code == 1
    assert ran.stdout.splitlines()[0] == (
        f"{source}:3:30: error[FW501] invalid JSON: Expecting property name enclosed in double "
        "quotes"
    )


def test_duplicate_keys_are_reported_at_the_second(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    source = tmp_path / "dup.json"
    source.write_text('{"flags": {},\n "flags": {}}\n', encoding="utf-8")
    ran = run_cli("-C", str(root), "import", str(source), "--from", "flagd")
    assert ran.exit_code == 1
    assert ran.stdout.splitlines()[0] == f"{source}:2:2: error[FW501] duplicate key 'flags'"


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    source = _write(tmp_path / "flagd.json", FLAGD)
    bad_from = run_cli("-C", str(root), "import", str(source), "--from", "launchdarkly")
    assert bad_from.exit_code == 2
    assert "Invalid value for '--from'" in bad_from.stderr
    missing = run_cli("-C", str(root), "import", str(tmp_path / "nope.json"), "--from", "flagd")
    assert missing.exit_code == 2
    assert "does not exist" in missing.stderr


def test_env_is_required_when_the_repository_has_several(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", ("dev", "prod"))
    source = _write(tmp_path / "flagd.json", FLAGD)
    ran = run_cli("-C", str(root), "import", str(source), "--from", "flagd")
    assert (ran.exit_code, ran.stderr) == (
        1,
        "error: pass --env: the imported flags need an environment (dev, prod)\n",
    )
    unknown = run_cli("-C", str(root), "import", str(source), "--from", "flagd", "--env", "prd")
    assert (unknown.exit_code, unknown.stderr) == (
        1,
        "error: unknown environment 'prd'; did you mean 'prod'?\n",
    )
    ok = run_cli("-C", str(root), "import", str(source), "--from", "flagd", "--env", "dev")
    assert ok.exit_code == 0
    assert "  dev:\n" in (root / "flags" / "new-banner.yaml").read_text(encoding="utf-8")
