"""``makingdata demo``: run the data path that exists so far on built-in data."""

from __future__ import annotations

from typing import TYPE_CHECKING

from makingdata.codes import CODES, Category

if TYPE_CHECKING:
    import argparse


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``demo`` sub-command."""
    p = sub.add_parser(
        "demo",
        help="run the whole data path on built-in synthetic data",
        description=(
            "Generate synthetic data, validate it and print what each stage did."
        ),
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the demo and return 0."""
    del args
    print("makingdata demo")
    print(f"  codes: {len(CODES)} attendance codes in both code sets")
    for cat in Category:
        n = sum(1 for c in CODES.values() if c.category is cat)
        print(f"    {cat.value}: {n}")
    return 0
