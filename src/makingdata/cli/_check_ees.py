"""``makingdata check-ees``: check an EES data file and its metadata against the standards."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from makingdata.publish import check_ees

if TYPE_CHECKING:
    import argparse


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``check-ees`` sub-command."""
    p = sub.add_parser(
        "check-ees",
        help="check an EES data file and its .meta.csv against the open data standards",
        description=(
            "Apply every EES open data rule (file names, snake_case headers, time and "
            "geography columns, filters with Total, indicators as numbers or z/x/c/low, "
            "the metadata file) and list every problem, not only the first. Exit 0 when "
            "there is no error (warnings allowed), 1 when there are errors."
        ),
    )
    p.add_argument("path", type=Path, metavar="PATH", help="the data CSV")
    p.add_argument(
        "--meta",
        type=Path,
        metavar="PATH",
        help="the metadata file (default: NAME.meta.csv beside the data)",
    )
    p.add_argument(
        "--problems",
        type=Path,
        metavar="PATH",
        help="write every problem (file, row, column, rule, severity, message) to this CSV",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Check the pair, print a summary per rule, return 0 (no error) or 1."""
    report = check_ees(args.path, meta=args.meta)
    print(report)
    if args.problems is not None:
        report.problems.write_csv(args.problems)
        print(
            f"wrote {report.problems.height} problems to {args.problems}",
            file=sys.stderr,
        )
    return 0 if report.ok else 1
