"""The typer application and the runner that maps every outcome to an :class:`ExitCode`."""

from __future__ import annotations

import functools
import importlib
import os
import sys
import traceback
import warnings
from typing import TYPE_CHECKING, Annotated, Any

import typer
import typer.main

from makingdata.errors import EmptyResultWarning, ExitCode, MakingDataError

if TYPE_CHECKING:
    from collections.abc import Sequence

#: Private modules that each register one or more sub-commands.
_COMMAND_MODULES: tuple[str, ...] = (
    "makingdata.cli._demo",
    "makingdata.cli._codes",
    "makingdata.cli._policy",
    "makingdata.cli._validate",
    "makingdata.cli._ingest",
    "makingdata.cli._access",
    "makingdata.cli._synth",
    "makingdata.cli._aggregate",
    "makingdata.cli._ks2",
    "makingdata.cli._disclosure",
    "makingdata.cli._check_ees",
    "makingdata.cli._key",
    "makingdata.cli._report",
)

#: Set to 1 to see the full traceback of an error.
DEBUG_ENV = "MAKINGDATA_DEBUG"

_HELP = (
    "Validate, count, scope, protect and publish English schools' pupil "
    "attendance data."
)
_EPILOG = (
    "\b\n"
    "Exit codes (makingdata.errors.ExitCode):\n"
    "  0   OK           done\n"
    "  1   FINDINGS     done, with findings (rows rejected, recoverable cells,\n"
    "                   EES errors, a request discouraged)\n"
    "  2   USAGE        bad command line\n"
    "  3   PROHIBITED   a data request is prohibited\n"
    "  4   INPUT        unusable input (missing or unreadable file, bad data)\n"
    "  5   REFUSED      refused to release (disclosure control, access scope)\n"
    "  70  INTERNAL     a bug in makingdata (MAKINGDATA_DEBUG=1 shows the traceback)\n"
    "  130 INTERRUPTED  stopped with Ctrl-C\n"
    "  141 BROKEN_PIPE  the reader of stdout went away\n"
    "\n"
    "\b\n"
    "List options take comma-separated values and may be repeated:\n"
    "--by fsm_status,sex is --by fsm_status --by sex.\n"
    "Shell completion: makingdata --install-completion (bash, zsh, fish,\n"
    "PowerShell), or makingdata --show-completion to see the script (both\n"
    "for the shell the command runs under)."
)


def _version(value: bool) -> None:
    if value:
        from makingdata import __version__  # noqa: PLC0415 - only when asked

        print(f"makingdata {__version__}")
        raise typer.Exit(0)


def _root(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_version,
            is_eager=True,
            help="print the version and exit",
        ),
    ] = False,
) -> None:
    if ctx.invoked_subcommand is None:
        print(ctx.get_help())
        raise typer.Exit(0)


def build_app() -> typer.Typer:
    """Return a new typer application with every sub-command registered."""
    app = typer.Typer(
        name="makingdata",
        help=_HELP,
        epilog=_EPILOG,
        add_completion=True,
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    app.callback(invoke_without_command=True)(_root)
    for name in _COMMAND_MODULES:
        importlib.import_module(name).register(app)
    return app


@functools.cache
def command() -> Any:
    """Return the click command of the application (built once)."""
    return typer.main.get_command(build_app())


@functools.cache
def command_names() -> tuple[str, ...]:
    """Return the sub-command names."""
    return tuple(sorted(command().commands))


def _command_of(args: Sequence[str]) -> str:
    names = set(command_names())
    return next((a for a in args if a in names), "")


def _debug() -> bool:
    return os.environ.get(DEBUG_ENV, "").strip().lower() not in {"", "0", "false", "no"}


def _say(command: str, text: str) -> None:
    who = f"makingdata {command}" if command else "makingdata"
    print(f"{who}: {text}", file=sys.stderr)


def _quiet_stdout() -> None:
    """Point stdout at devnull so that the interpreter's final flush cannot fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # pragma: no cover - stdout without a descriptor
        pass


def run(args: Sequence[str]) -> ExitCode | int:  # noqa: PLR0911, PLR0912 - one branch per outcome
    """Run the command line ``args`` and return its exit code; print, never raise.

    A :class:`~makingdata.errors.MakingDataError` prints one line
    ``makingdata CMD: error: ...``; so does an empty result
    (:class:`~makingdata.errors.EmptyResultWarning`, exit ``INPUT``: an
    option or a missing input emptied it); an unexpected exception prints one line
    saying it is a bug, with ``MAKINGDATA_DEBUG=1`` for the traceback.
    """
    cmd = _command_of(args)
    try:
        with warnings.catch_warnings():
            # an empty result is not a success: the command stops and says why
            warnings.simplefilter("error", EmptyResultWarning)
            rv = command().main(
                args=list(args), prog_name="makingdata", standalone_mode=False
            )
    except EmptyResultWarning as empty:
        _say(cmd, f"error: {empty}")
        return ExitCode.INPUT
    except typer.TyperException as err:  # click's own errors: bad options
        show = getattr(err, "show", None)
        if callable(show):
            show()
        else:  # pragma: no cover - every click error can show itself
            _say(cmd, f"error: {err}")
        code = getattr(err, "exit_code", ExitCode.USAGE)
        return ExitCode.USAGE if code == ExitCode.USAGE else ExitCode.INPUT
    except typer.Abort:
        _say(cmd, "aborted")
        return ExitCode.INTERRUPTED
    except SystemExit as exit_:  # completion, --install-completion, a closed pipe
        if isinstance(exit_.__context__, BrokenPipeError):
            _quiet_stdout()
            return ExitCode.BROKEN_PIPE
        return exit_.code if isinstance(exit_.code, int) else ExitCode.OK
    except MakingDataError as err:
        if _debug():
            traceback.print_exc()
        _say(cmd, f"error: {err}")
        return ExitCode.for_error(err)
    except BrokenPipeError:
        _quiet_stdout()
        return ExitCode.BROKEN_PIPE
    except OSError as err:
        if _debug():
            traceback.print_exc()
        _say(cmd, f"error: {err}")
        return ExitCode.INPUT
    except KeyboardInterrupt:  # pragma: no cover - typer turns it into Exit(130)
        return ExitCode.INTERRUPTED
    except Exception as err:
        if _debug():
            traceback.print_exc()
        message = str(err).strip().splitlines()[0] if str(err).strip() else ""
        _say(
            cmd,
            f"internal error: {type(err).__name__}: {message} -- this is a bug in "
            f"makingdata; run again with {DEBUG_ENV}=1 to see the full traceback, "
            "and please report it",
        )
        return ExitCode.INTERNAL
    if rv is None:
        return ExitCode.OK
    return rv if isinstance(rv, int) else ExitCode.OK
