"""The ``makingdata`` command.

Built with typer (click underneath) and rich: each sub-command lives in its
own private module (``_validate``, ``_demo`` …) that exposes
``register(app)``; :mod:`makingdata.cli._app` assembles them, so adding a
command never touches another command's code.

Every outcome maps to one :class:`~makingdata.errors.ExitCode`: 0 done,
1 done with findings, 2 a bad command line, 3 a prohibited request, 4
unusable input, 5 refused to release, 70 a bug. A
:class:`~makingdata.errors.MakingDataError` is printed as one line
``makingdata CMD: error: ...`` on stderr; no traceback reaches the user
(``MAKINGDATA_DEBUG=1`` shows it). Results go to stdout, byte for byte the
same in a pipe; progress goes to stderr, and only on a terminal.

List options take comma-separated values and may be repeated
(``--by fsm_status,sex`` is ``--by fsm_status --by sex``). Shell completion:
``makingdata --install-completion``.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from typing_extensions import deprecated

from makingdata.cli._app import command, run
from makingdata.cli._options import rewrite_legacy_lists

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["build_parser", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``makingdata`` command line and return its exit code.

    Parameters
    ----------
    argv
        The arguments after the program name (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        An :class:`~makingdata.errors.ExitCode`; never raises.

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
    from makingdata.cli._app import command_names  # noqa: PLC0415 - cached

    args = list(sys.argv[1:] if argv is None else argv)
    return int(run(rewrite_legacy_lists(args, command_names())))


@deprecated(
    "makingdata.cli.build_parser is deprecated since 0.1 and will be removed in "
    "0.2: the command is built with typer now; run it with makingdata.cli.main(argv)"
)
def build_parser() -> Any:
    """Return the command (deprecated: the command is no longer an argparse parser).

    Deprecated in 0.1, removed in 0.2: run the command with :func:`main`.
    It returns the click command typer builds, whose ``main(args,
    standalone_mode=False)`` runs it.
    """
    return command()


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
