"""``makingdata check-ees``: check an EES data file and its metadata against the standards."""

# No ``from __future__ import annotations``: typer reads the annotations at run time.

import sys
from pathlib import Path
from typing import Annotated

import typer

from makingdata._atomic import atomic_path
from makingdata.cli._console import Steps
from makingdata.cli._options import exit_codes
from makingdata.errors import ExitCode
from makingdata.publish import check_ees as _check_ees


def check_ees(
    *,
    path: Annotated[Path, typer.Argument(metavar="DATA.csv", help="the data CSV")],
    meta: Annotated[
        Path | None,
        typer.Option(
            "--meta",
            metavar="PATH",
            help="the metadata file (default: NAME.meta.csv beside the data)",
            show_default=False,
        ),
    ] = None,
    problems: Annotated[
        Path | None,
        typer.Option(
            "--problems",
            metavar="PATH",
            help="write every problem (file, row, column, rule, severity, message) "
            "to this CSV",
            show_default=False,
        ),
    ] = None,
    data_dictionary: Annotated[
        bool,
        typer.Option(
            "--data-dictionary",
            help="also check filter and indicator names, and the items of its "
            "filters, against DfE's data dictionary (warnings, as DfE's screener "
            "gives for files meant for the EES API)",
        ),
    ] = False,
) -> ExitCode:
    """Check an EES data file and its .meta.csv against the open data standards.

    Apply every EES open data rule (file names, snake_case headers, time and
    geography columns, filters with Total, indicators as numbers or z/x/c/low,
    the metadata file) and list every problem, not only the first.
    """
    with Steps("check-ees") as steps:
        steps.step(f"checking {path.name}")
        report = _check_ees(path, meta=meta, data_dictionary=data_dictionary)
    print(report)
    if problems is not None:
        with atomic_path(problems, what="the problems file") as tmp:
            report.problems.write_csv(tmp)
        print(
            f"wrote {report.problems.height} problems to {problems}",
            file=sys.stderr,
        )
    return ExitCode.OK if report.ok else ExitCode.FINDINGS


def register(app: typer.Typer) -> None:
    """Add the ``check-ees`` sub-command."""
    app.command(
        "check-ees",
        short_help="check an EES data file and its .meta.csv against the open data "
        "standards",
        epilog=exit_codes(
            OK="no error (warnings allowed)",
            FINDINGS="the pair has errors",
            INPUT="the file cannot be read",
        ),
    )(check_ees)
