"""``makingdata synth``: write a synthetic data set as Parquet."""

from __future__ import annotations

import datetime as dt
import sys
import time
from typing import TYPE_CHECKING

from makingdata import synth

if TYPE_CHECKING:
    import argparse


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``synth`` sub-command."""
    p = sub.add_parser(
        "synth",
        help="write synthetic schools, enrolments and daily marks as Parquet",
        description=(
            "Generate seeded synthetic national data (makingdata.synth) and write "
            "schools, memberships, enrolments, the calendar and marks partitioned "
            "by date (marks/date=YYYY-MM-DD/) under OUT. Progress goes to stderr."
        ),
    )
    p.add_argument(
        "--scale",
        type=float,
        default=0.05,
        help="share of England's schools, in (0, 1] (default 0.05)",
    )
    p.add_argument(
        "--start",
        type=dt.date.fromisoformat,
        required=True,
        metavar="DATE",
        help="first date (YYYY-MM-DD)",
    )
    p.add_argument(
        "--end",
        type=dt.date.fromisoformat,
        required=True,
        metavar="DATE",
        help="last date, in the same academic year as --start",
    )
    p.add_argument("--out", required=True, metavar="DIR", help="output folder")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--la", metavar="CODE", help="only this LA (e.g. 330 or E08000025)")
    p.add_argument("--trust", metavar="TR#####", help="only the schools of this trust")
    p.add_argument("--quiet", action="store_true", help="no progress output on stderr")
    p.set_defaults(func=run)


def _bar(done: int, total: int, width: int = 30) -> str:
    filled = width * done // max(total, 1)
    return "[" + "#" * filled + "." * (width - filled) + "]"


def run(args: argparse.Namespace) -> int:
    """Generate, write and print a one-line summary; return 0."""
    t0 = time.perf_counter()
    data = synth.generate(
        scale=args.scale,
        start=args.start,
        end=args.end,
        seed=args.seed,
        la=args.la,
        trust=args.trust,
    )
    total = len(data.dates())
    state = {"done": 0, "marks": 0}
    tty = sys.stderr.isatty()

    def on_day(date: dt.date, n_marks: int) -> None:
        state["done"] += 1
        state["marks"] += n_marks
        if args.quiet:
            return
        line = (
            f"{_bar(state['done'], total)} {state['done']}/{total} days "
            f"{date.isoformat()} {state['marks']:,} marks"
        )
        print(("\r" + line) if tty else line, end="" if tty else "\n", file=sys.stderr)

    out = data.write(args.out, on_day=on_day)
    if tty and not args.quiet:
        print(file=sys.stderr)
    secs = time.perf_counter() - t0
    print(
        f"wrote {data.schools.height:,} schools, {data.enrolments.height:,} enrolments "
        f"and {state['marks']:,} marks over {total} days to {out} in {secs:.1f}s"
    )
    return 0
