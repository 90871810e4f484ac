"""The ``makingdata`` command.

Each sub-command lives in its own private module (``_validate``, ``_demo`` …)
that exposes ``register(subparsers)``; this module only assembles them, so
adding a command never touches another command's code.

Exit codes follow the command's own contract (``validate``: 0 clean, 1 rows
rejected, 2 unusable input). A :class:`~makingdata.errors.MakingDataError`
that escapes a command is printed as one line on stderr and exits 2.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import TYPE_CHECKING

from makingdata import __version__
from makingdata.errors import MakingDataError

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["build_parser", "main"]

#: Private modules that each register one or more sub-commands.
_COMMAND_MODULES: tuple[str, ...] = (
    "makingdata.cli._demo",
    "makingdata.cli._codes",
    "makingdata.cli._policy",
    "makingdata.cli._validate",
    "makingdata.cli._access",
    "makingdata.cli._synth",
    "makingdata.cli._aggregate",
    "makingdata.cli._disclosure",
    "makingdata.cli._check_ees",
)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every sub-command registered."""
    parser = argparse.ArgumentParser(
        prog="makingdata",
        description=(
            "Validate, count, scope, protect and publish English schools' "
            "pupil attendance data."
        ),
    )
    parser.add_argument(
        "--version", action="version", version=f"makingdata {__version__}"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``makingdata`` command line and return its exit code.

    Examples
    --------
    >>> from makingdata.cli import main
    >>> main(["codes", "--category", "Unauthorised"])  # doctest: +NORMALIZE_WHITESPACE
    code  category      meaning
    G     Unauthorised  Holiday not granted by the school, or days in excess of leave granted
    N     Unauthorised  Reason for absence not yet established
    O     Unauthorised  Absent in other or unknown circumstances
    U     Unauthorised  Arrived in school after the register closed
    0
    """
    parser = build_parser()
    args = parser.parse_args(list(argv) if argv is not None else None)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        code: int = args.func(args)
    except MakingDataError as err:
        print(f"makingdata {args.command}: error: {err}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (``makingdata ... | head``): stop quietly, and
        # point stdout at devnull so the interpreter's final flush cannot fail.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    return code


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
