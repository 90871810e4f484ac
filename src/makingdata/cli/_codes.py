"""``makingdata codes``: print the attendance code table."""

# No ``from __future__ import annotations``: typer reads the annotations at run time.

import datetime as dt
from typing import Annotated

import typer
from rich.table import Table

from makingdata.cli._console import print_table, stdout_is_terminal
from makingdata.cli._options import exit_codes, parse_date
from makingdata.codes import CODES, Category
from makingdata.errors import ExitCode


def codes(
    *,
    category: Annotated[
        Category | None,
        typer.Option(help="only codes in this category", show_default=False),
    ] = None,
    on: Annotated[
        dt.date | None,
        typer.Option(
            parser=parse_date,
            metavar="DATE",
            help="only codes valid on this date (YYYY-MM-DD)",
        ),
    ] = None,
) -> ExitCode:
    """List attendance codes with their DfE statistical category."""
    rows = [
        c
        for c in CODES.values()
        if (category is None or c.category == category)
        and (on is None or c.is_valid_on(on))
    ]
    if stdout_is_terminal():
        table = Table("code", "category", "meaning", box=None, header_style="bold")
        for c in rows:
            table.add_row(c.code, c.category.value, c.meaning)
        print_table(table)
        return ExitCode.OK
    width = max(len(c.category.value) for c in rows) if rows else 8
    print(f"{'code':<5} {'category':<{width}}  meaning")
    for c in rows:
        print(f"{c.code:<5} {c.category.value:<{width}}  {c.meaning}")
    return ExitCode.OK


def register(app: typer.Typer) -> None:
    """Add the ``codes`` sub-command."""
    app.command(
        "codes",
        short_help="list the attendance codes and their DfE categories",
        epilog=exit_codes(OK=""),
    )(codes)
