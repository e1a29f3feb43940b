"""`flagwright validate` through the command line: exit codes, output formats, internal errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from syrupy.assertion import SnapshotAssertion
from tests import cli_runner
from tests.cli_runner import Ran

import flagwright.check.repository
from corpus_helpers import CORPUS, TODAY, describe
from flagwright.codes import Severity
from flagwright.diagnostics import Diagnostic
from flagwright.report.diagnostics import as_github

MANY = CORPUS / "many-problems"
RunCli = Callable[..., Ran]


@pytest.fixture
def run_cli() -> RunCli:
    """Run the CLI and check the exit code, showing stdout and stderr when it is not as expected."""

    def run(*args: str, exit_code: int = 0) -> Ran:
        result = cli_runner.run_cli(*args)
        assert result.exit_code == exit_code, describe(result)
        assert "Traceback" not in result.stdout + result.stderr, describe(result)
        return result

    return run


def _validate(root: Path, *extra: str) -> list[str]:
    return ["-C", str(root), "validate", "--today", TODAY.isoformat(), *extra]


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


GOOD = {
    "flags/a.yaml": (
        "kind: Flag\nkey: a\ndescription: A\nowner: me\nenvironments:\n  dev: {serve: on}\n"
    ),
    "environments/dev.yaml": (
        "kind: Environment\nname: dev\n"
        "argocd: {project: shop, destination: {name: in-cluster}, namespace: shop-dev}\n"
    ),
    "environments/repository.yaml": "kind: Repository\nurl: https://example.com/c.git\n",
}


# --- exit codes ------------------------------------------------------------------------------


def test_valid_repository_exits_0(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli(*_validate(_write(tmp_path, GOOD)))
    assert result.stdout == "3 files, 3 documents: no problems\n"
    assert result.stderr == ""


def test_only_warnings_exit_0(run_cli: RunCli) -> None:
    result = run_cli(*_validate(CORPUS / "unreachable-rule-warning"), exit_code=0)
    assert result.stdout.splitlines()[-1] == "0 errors, 1 warning"


def test_stale_flag_is_a_warning_and_an_error_with_strict(run_cli: RunCli) -> None:
    case = CORPUS / "stale-flag"
    assert "warning[FW224]" in run_cli(*_validate(case), exit_code=0).stdout
    assert "error[FW224]" in run_cli(*_validate(case, "--strict"), exit_code=1).stdout


def test_errors_exit_1(run_cli: RunCli) -> None:
    result = run_cli(*_validate(MANY), exit_code=1)
    assert result.stdout.splitlines()[-1] == "2 errors, 2 warnings"


def test_unknown_option_exits_2(run_cli: RunCli) -> None:
    result = run_cli(*_validate(MANY, "--frobnicate"), exit_code=2)
    assert "No such option '--frobnicate'" in result.stderr
    assert result.stdout == ""


def test_bad_format_value_exits_2(run_cli: RunCli) -> None:
    result = run_cli(*_validate(MANY, "--format", "xml"), exit_code=2)
    assert "Invalid value for '--format': 'xml' is not one of 'github', 'json', 'text'." in (
        result.stderr
    )


def test_missing_root_exits_2(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("-C", str(tmp_path / "nope"), "validate", exit_code=2)
    assert "does not exist" in result.stderr


def test_internal_error_exits_3_with_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(flagwright.check.repository, "run_checks", broken)
    # Through main(), the real entry point: it alone maps unexpected exceptions to exit 3.
    result = cli_runner.run_cli(*_validate(MANY))
    out, err = result.stdout, result.stderr
    assert result.exit_code == 3, (out, err)
    assert out == ""
    assert err.startswith("internal error: RuntimeError: boom (flagwright ")
    assert err.endswith("; please report this with the command you ran)\n")
    assert err.count("\n") == 1
    assert "Traceback" not in err


def _exit_code_of_main(args: list[str]) -> int:
    """What the console script exits with."""
    return cli_runner.run_cli(*args).exit_code


def test_main_exits_1_on_errors_and_0_when_clean(tmp_path: Path) -> None:
    assert _exit_code_of_main(_validate(MANY)) == 1
    assert _exit_code_of_main(_validate(_write(tmp_path, GOOD))) == 0
    assert _exit_code_of_main(_validate(MANY, "--format", "xml")) == 2


# --- output formats --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "github", "json"])
def test_format_snapshot(run_cli: RunCli, snapshot: SnapshotAssertion, fmt: str) -> None:
    result = run_cli(*_validate(MANY, "--format", fmt), exit_code=1)
    assert result.stdout == snapshot
    assert result.stderr == ""


def test_json_output_fields(run_cli: RunCli) -> None:
    records = json.loads(run_cli(*_validate(MANY, "--format", "json"), exit_code=1).stdout)
    assert len(records) == 4
    for record in records:
        assert list(record) == ["path", "line", "col", "severity", "code", "message"]
        assert isinstance(record["line"], int)
        assert isinstance(record["col"], int)
    assert records[2] == {
        "path": "flags/checkout.yaml",
        "line": 15,
        "col": 26,
        "severity": "error",
        "code": "FW204",
        "message": "unknown variant 'treatmnt'; did you mean 'treatment'?",
    }


def test_json_output_when_clean_is_an_empty_list(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli(*_validate(_write(tmp_path, GOOD), "--format", "json"))
    assert json.loads(result.stdout) == []


def test_github_output_when_clean_is_empty(run_cli: RunCli, tmp_path: Path) -> None:
    assert run_cli(*_validate(_write(tmp_path, GOOD), "--format", "github")).stdout == ""


def test_github_escapes_properties_and_message() -> None:
    diagnostic = Diagnostic("flags/a,b:c.yaml", 1, 2, "FW104", Severity.ERROR, "50%\nnext")
    assert as_github([diagnostic]) == (
        "::error file=flags/a%2Cb%3Ac.yaml,line=1,col=2,title=FW104::50%25%0Anext\n"
    )


def test_version_is_the_installed_distributions(run_cli: RunCli) -> None:
    from importlib.metadata import version

    ran = run_cli("--version")
    assert (ran.exit_code, ran.stdout) == (0, f"flagwright, version {version('flagwright')}\n")
