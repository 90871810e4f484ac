"""``makingdata codes``: print the attendance code table."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from makingdata.codes import CODES, Category

if TYPE_CHECKING:
    import argparse


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``codes`` sub-command."""
    p = sub.add_parser(
        "codes",
        help="list the attendance codes and their DfE categories",
        description="List attendance codes with their DfE statistical category.",
    )
    p.add_argument(
        "--category",
        choices=[c.value for c in Category],
        help="only codes in this category",
    )
    p.add_argument(
        "--on",
        type=dt.date.fromisoformat,
        metavar="DATE",
        help="only codes valid on this date (YYYY-MM-DD)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the table and return 0."""
    rows = [
        c
        for c in CODES.values()
        if (args.category is None or c.category == args.category)
        and (args.on is None or c.is_valid_on(args.on))
    ]
    width = max(len(c.category.value) for c in rows) if rows else 8
    print(f"{'code':<5} {'category':<{width}}  meaning")
    for c in rows:
        print(f"{c.code:<5} {c.category.value:<{width}}  {c.meaning}")
    return 0
