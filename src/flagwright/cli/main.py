"""Entry point and the one place that maps outcomes to exit codes.

0 ok (warnings allowed) · 1 invalid input, drift or policy violation · 2 usage · 3 internal error
· 130 interrupted. A command returns its core's :class:`~flagwright.errors.Status`; errors
escaping it are mapped by their class.
"""

from __future__ import annotations

import errno
import sys
from importlib import import_module
from typing import Any, NoReturn

import click

# Imported first thing: its first look at what other processes use is when the CLI starts.
import flagwright.load.cores  # noqa: F401
from flagwright.errors import Status, UserError

ENVIRONMENT_ERRNOS = frozenset(
    {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
)
EXIT_CODES = {Status.OK: 0, Status.FAILED: 1}

# Subcommands are imported on first use so `flagwright validate` (run on every commit by
# pre-commit) does not pay for jinja2, jsonschema or kubernetes-validate.
_COMMANDS = {
    "validate": ("flagwright.cli.validate_cmd", "validate"),
    "schema": ("flagwright.cli.schema_cmd", "schema"),
    "render": ("flagwright.cli.render_cmd", "render"),
    "eval": ("flagwright.cli.eval_cmd", "eval_"),
    "explain": ("flagwright.cli.explain_cmd", "explain"),
    "diff": ("flagwright.cli.diff_cmd", "diff"),
    "log": ("flagwright.cli.log_cmd", "log"),
    "set": ("flagwright.cli.set_cmd", "set_"),
    "advance": ("flagwright.cli.advance_cmd", "advance"),
    "promote": ("flagwright.cli.promote_cmd", "promote"),
    "rollback": ("flagwright.cli.rollback_cmd", "rollback"),
    "import": ("flagwright.cli.import_cmd", "import_"),
    "progress": ("flagwright.cli.progress_cmd", "progress"),
    "init": ("flagwright.cli.init_cmd", "init"),
    "site": ("flagwright.cli.site_cmd", "site"),
}


def _version() -> str:
    # importlib.metadata costs every command tens of milliseconds: read only when shown.
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("flagwright")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"


def _show_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(f"flagwright, version {_version()}")  # click.version_option's wording
        ctx.exit()


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = _COMMANDS.get(cmd_name)
        if target is None:
            return None
        command: click.Command = getattr(import_module(target[0]), target[1])
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True,
              callback=_show_version, help="Show the version and exit.")  # fmt: skip
@click.option(
    "-C",
    "--root",
    type=click.Path(file_okay=False, exists=True),
    default=".",
    show_default=True,
    help="The config repository (the folder holding flags/ and environments/).",
)
@click.pass_context
def cli(ctx: click.Context, root: str) -> None:
    """Git as the control plane for feature flags, rollouts and environments."""
    ctx.obj = {"root": root}


def main(argv: list[str] | None = None) -> Any:
    try:
        returned = cli.main(args=argv, prog_name="flagwright", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except UserError as exc:
        if exc.diagnostics:
            from flagwright.report.diagnostics import as_text

            click.echo(as_text(exc.diagnostics), err=True, nl=False)
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(1)
    except OSError as exc:
        if exc.errno not in ENVIRONMENT_ERRNOS:
            _internal(exc)
        # Permissions, a read-only or full file system: the user's to fix, not a bug.
        where = f": {exc.filename}" if exc.filename else ""
        click.echo(f"error: {exc.strerror or exc}{where}", err=True)
        sys.exit(1)
    except Exception as exc:
        _internal(exc)
    # A command returns its result's status, or nothing when it can only succeed (or raise);
    # click itself returns the code of --help and --version.
    if isinstance(returned, Status):
        return EXIT_CODES[returned]
    return EXIT_CODES[Status.OK] if returned is None else returned


def _internal(exc: Exception) -> NoReturn:
    click.echo(
        f"internal error: {type(exc).__name__}: {exc} (flagwright {_version()}; please "
        "report this with the command you ran)",
        err=True,
    )
    sys.exit(3)
