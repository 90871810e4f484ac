"""Where the command writes: results on stdout, progress and messages on stderr.

Results go to stdout with plain ``print`` so that a pipe or a test reads the
same bytes as before; rich tables are used only when stdout is a terminal.
Progress (a spinner naming the step, or a bar for ``synth``) is drawn with
rich on stderr, and only when stderr is a terminal: in a pipe, a log file or
a test, stderr carries the command's messages and nothing else.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Self

from rich.console import Console
from rich.live import Live
from rich.spinner import Spinner

if TYPE_CHECKING:
    from types import TracebackType

    from rich.table import Table

#: Set to 0 (or false/no/off) to switch progress off on a terminal too.
PROGRESS_ENV = "MAKINGDATA_PROGRESS"


def stdout_is_terminal() -> bool:
    """Whether stdout is a terminal (rich tables and colour are used only then)."""
    return sys.stdout.isatty()


def progress_console() -> Console | None:
    """Return a rich console on stderr when progress should be drawn, else ``None``."""
    if os.environ.get(PROGRESS_ENV, "").strip().lower() in {"0", "false", "no", "off"}:
        return None
    if not sys.stderr.isatty():
        return None
    return Console(file=sys.stderr)


def print_table(table: Table) -> None:
    """Print a rich table on stdout (call only when stdout is a terminal)."""
    Console(file=sys.stdout).print(table)


class Steps:
    """A spinner on stderr naming the step under way (``reading marks.csv``).

    Inert when stderr is not a terminal (or progress is switched off): it
    never writes to stdout and writes nothing to a non-terminal stderr.

    Examples
    --------
    >>> from makingdata.cli._console import Steps
    >>> with Steps("aggregate") as steps:
    ...     steps.step("counting")
    >>> steps.done
    ['counting']
    """

    def __init__(self, command: str, *, quiet: bool = False) -> None:
        self.command = command
        self.done: list[str] = []
        self._console = None if quiet else progress_console()
        self._spinner = Spinner("dots", text="")
        self._live: Live | None = None

    def __enter__(self) -> Self:
        if self._console is not None:
            # Results printed on a stdout that is not this terminal must not be
            # rerouted through the live display: redirect only when both are.
            self._live = Live(
                self._spinner,
                console=self._console,
                transient=True,
                refresh_per_second=8,
                redirect_stdout=stdout_is_terminal(),
                redirect_stderr=True,
            )
            self._live.start()
        return self

    def step(self, text: str) -> None:
        """Name the step now under way."""
        self.done.append(text)
        self._spinner.update(text=f"makingdata {self.command}: {text}")
        if self._live is not None:
            self._live.refresh()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None
