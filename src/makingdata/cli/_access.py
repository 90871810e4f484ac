"""``makingdata audit-log show``: print the audit log of scope decisions."""

# No ``from __future__ import annotations``: typer reads the annotations at run time.

import json
from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich.table import Table

from makingdata.access import read_audit_log
from makingdata.cli._console import print_table, stdout_is_terminal
from makingdata.cli._options import exit_codes
from makingdata.errors import ExitCode

_SHOWN = (
    "line",
    "time",
    "action",
    "decision",
    "viewer",
    "purpose_asked",
    "frame_kind",
    "rows_in",
    "rows_out",
    "schools_in_scope",
    "reason",
)


def show(
    *,
    path: Annotated[Path, typer.Argument(metavar="PATH", help="the JSON-lines log")],
    viewer: Annotated[
        str | None,
        typer.Option(
            "--viewer",
            metavar="VIEWER",
            help="only this viewer (e.g. trust:TR01234, la:E06000065, public)",
            show_default=False,
        ),
    ] = None,
    refusals: Annotated[
        bool, typer.Option("--refusals", help="only refused requests")
    ] = False,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="print the selected decisions as JSON lines instead of a table",
        ),
    ] = False,
) -> ExitCode:
    """Print the decisions in an audit log, oldest first."""
    log = read_audit_log(path)
    if viewer is not None:
        wanted = viewer.strip().casefold()
        log = log.filter(pl.col("viewer").str.to_lowercase() == wanted)
    if refusals:
        log = log.filter(pl.col("decision") == "refused")
    if as_json:
        for row in log.drop("line").iter_rows(named=True):
            print(json.dumps({k: v for k, v in row.items() if v is not None}))
        return ExitCode.OK
    shown = log.select(_SHOWN).with_columns(pl.all().cast(pl.String).fill_null(""))
    if stdout_is_terminal():
        table = Table(*_SHOWN, box=None, header_style="bold")
        for values in shown.iter_rows():
            table.add_row(*values)
        print_table(table)
        print(f"{shown.height} decision(s)")
        return ExitCode.OK
    widths = {
        c: max([len(c), *(len(v) for v in shown.get_column(c).to_list())])
        for c in _SHOWN
        if c != "reason"
    }
    print("  ".join(f"{c:<{w}}" for c, w in widths.items()) + "  reason")
    for row in shown.iter_rows(named=True):
        print(
            "  ".join(f"{row[c]:<{w}}" for c, w in widths.items())
            + "  "
            + row["reason"]
        )
    print(f"{shown.height} decision(s)")
    return ExitCode.OK


def register(app: typer.Typer) -> None:
    """Add the ``audit-log`` sub-command (with its ``show`` action)."""
    group = typer.Typer(
        help="Read the append-only audit log that makingdata.access.scope writes: "
        "who asked for what, for which purpose, what they got, and every refusal.",
        short_help="read the audit log of access decisions",
        rich_markup_mode=None,
        no_args_is_help=True,
    )
    group.command(
        "show",
        short_help="print the decisions, oldest first",
        epilog=exit_codes(OK="", INPUT="no audit log at the path, or a bad line"),
    )(show)
    app.add_typer(group, name="audit-log")
