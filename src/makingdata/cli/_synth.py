"""``makingdata synth``: write a synthetic data set as Parquet."""

# No ``from __future__ import annotations``: typer reads the annotations at run time.

import datetime as dt
import sys
import time
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

from makingdata import synth as _synth
from makingdata._atomic import stale_partials
from makingdata.cli._console import Steps, progress_console, stdout_is_terminal
from makingdata.cli._options import exit_codes, parse_date
from makingdata.errors import ExitCode


def _bar(done: int, total: int, width: int = 30) -> str:
    filled = width * done // max(total, 1)
    return "[" + "#" * filled + "." * (width - filled) + "]"


def synth(
    *,
    start: Annotated[
        dt.date,
        typer.Option(
            "--start", parser=parse_date, metavar="DATE", help="first date (YYYY-MM-DD)"
        ),
    ],
    end: Annotated[
        dt.date,
        typer.Option(
            "--end",
            parser=parse_date,
            metavar="DATE",
            help="last date, in the same academic year as --start",
        ),
    ],
    out: Annotated[str, typer.Option("--out", metavar="DIR", help="output folder")],
    scale: Annotated[
        float,
        typer.Option(
            "--scale", metavar="SHARE", help="share of England's schools, in (0, 1]"
        ),
    ] = 0.05,
    seed: Annotated[int, typer.Option("--seed", metavar="N", help="random seed")] = 0,
    la: Annotated[
        str | None,
        typer.Option(
            "--la",
            metavar="CODE",
            help="only this LA (e.g. 330 or E08000025)",
            show_default=False,
        ),
    ] = None,
    trust: Annotated[
        str | None,
        typer.Option(
            "--trust",
            metavar="TR#####",
            help="only the schools of this trust",
            show_default=False,
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", help="no progress output on stderr")
    ] = False,
) -> ExitCode:
    """Write synthetic schools, enrolments, daily marks and KS2 results as Parquet.

    Generate seeded synthetic national data (makingdata.synth) and write
    schools, memberships, enrolments, the calendar, the KS2 results of the
    academic year's Year 6 pupils (ks2_results.parquet) and marks
    partitioned by date (marks/date=YYYY-MM-DD/) under OUT, a new or empty
    folder. The
    data set appears at OUT only when every day is written; until then it is
    in a hidden .OUT.partial-* folder beside it. Progress goes to stderr: a
    bar on a terminal, one line per day otherwise.
    """
    t0 = time.perf_counter()
    for stale in stale_partials(out):
        # a run killed outright cannot clean up; its partial folder is not a data set
        print(
            f"makingdata synth: note: {stale} is a partial folder left by an "
            f"interrupted run, not a data set; delete it when no synth run "
            f"writes to {out}",
            file=sys.stderr,
        )
    with Steps("synth", quiet=quiet) as steps:
        steps.step("generating schools, pupils and the calendar")
        data = _synth.generate(
            scale=scale, start=start, end=end, seed=seed, la=la, trust=trust
        )
    total = len(data.dates())
    state = {"done": 0, "marks": 0}
    console = None if quiet else progress_console()

    if console is None:

        def on_day(date: dt.date, n_marks: int) -> None:
            state["done"] += 1
            state["marks"] += n_marks
            if not quiet:
                print(
                    f"{_bar(state['done'], total)} {state['done']}/{total} days "
                    f"{date.isoformat()} {state['marks']:,} marks",
                    file=sys.stderr,
                )

        written = data.write(out, on_day=on_day)
    else:
        with Progress(
            TextColumn("makingdata synth: writing days"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[date]} {task.fields[marks]} marks"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
            redirect_stdout=stdout_is_terminal(),
        ) as progress:
            task = progress.add_task("days", total=total, date="", marks="0")

            def on_day(date: dt.date, n_marks: int) -> None:
                state["done"] += 1
                state["marks"] += n_marks
                progress.update(
                    task,
                    advance=1,
                    date=date.isoformat(),
                    marks=f"{state['marks']:,}",
                )

            written = data.write(out, on_day=on_day)
    secs = time.perf_counter() - t0
    print(
        f"wrote {data.schools.height:,} schools, {data.enrolments.height:,} enrolments, "
        f"{data.ks2_results.height:,} KS2 results "
        f"and {state['marks']:,} marks over {total} days to {written} in {secs:.1f}s"
    )
    return ExitCode.OK


def register(app: typer.Typer) -> None:
    """Add the ``synth`` sub-command."""
    app.command(
        "synth",
        short_help="write synthetic schools, enrolments and daily marks as Parquet",
        epilog=exit_codes(
            OK="",
            INPUT="dates across academic years, an unknown LA or trust, an --out "
            "folder that is not empty, a write that fails (disk full)",
        ),
    )(synth)
