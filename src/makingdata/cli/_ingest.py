"""``makingdata ingest``: add a marks export (a day or several) to an attendance store."""

# No ``from __future__ import annotations``: typer reads the annotations at run time.

import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from makingdata._atomic import atomic_path
from makingdata.cli._console import Steps
from makingdata.cli._key import KeyFileOption, RefusedKeyOption, key_from_file
from makingdata.cli._options import exit_codes
from makingdata.errors import ExitCode, InputError
from makingdata.io import rejects_for_csv
from makingdata.store import ingest


def _say(text: str) -> None:
    print(f"makingdata ingest: {text}", file=sys.stderr, flush=True)


def ingest_command(
    *,
    export: Annotated[
        str,
        typer.Argument(
            metavar="EXPORT",
            help="the marks export: CSV, Parquet file or Parquet folder",
        ),
    ],
    enrolments: Annotated[
        str,
        typer.Option(
            "--enrolments",
            metavar="PATH",
            help="the enrolments export: every spell the marks may fall in",
        ),
    ],
    store: Annotated[
        str,
        typer.Option(
            "--store", metavar="PATH", help="the store's folder (made if missing)"
        ),
    ],
    rejects: Annotated[
        str | None,
        typer.Option(
            "--rejects",
            metavar="PATH",
            help="write the rejected marks with their reasons here (.csv or "
            ".parquet); they hold the delivered UPNs",
            show_default=False,
        ),
    ] = None,
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            metavar="TEXT",
            help="what the manifest records as the source (default: EXPORT)",
            show_default=False,
        ),
    ] = None,
    key_file: KeyFileOption = None,
    _key: RefusedKeyOption = None,
) -> ExitCode:
    """Ingest a marks export into an attendance store.

    Validate the marks and enrolments, number new enrolments, store each
    day's marks and per-enrolment counts, and commit the manifest. A day
    already in the store is replaced; a failed or killed ingest leaves the
    store as it was; a second ingest is refused while one runs.
    """
    start = time.perf_counter()
    if rejects and Path(rejects).resolve() == Path(export).resolve():
        raise InputError(
            "--rejects names the export being ingested: writing it would "
            "overwrite the export",
            path=rejects,
            hint="write the rejects to another file, e.g. rejects.csv",
        )
    with Steps("ingest") as steps:
        key = key_from_file(key_file)
        result = ingest(
            store, export, enrolments, key=key, source=source, progress=steps.step
        )
        if rejects:
            steps.step(
                f"writing {result.marks.n_rejected:,} rejected marks to {rejects}"
            )
            with atomic_path(rejects, what="the rejected marks") as tmp:
                if Path(rejects).suffix.lower() == ".parquet":
                    result.marks.rejects.write_parquet(tmp)
                else:
                    rejects_for_csv(result.marks.rejects).write_csv(tmp)
    elapsed = time.perf_counter() - start
    days = ", ".join(str(d) for d in result.days)
    notes = [
        *([f"{len(result.replaced)} replaced"] if result.replaced else []),
        *([f"{len(result.unchanged)} unchanged, kept"] if result.unchanged else []),
    ]
    replaced = f" ({', '.join(notes)})" if notes else ""
    enr = result.enrolments
    enrolments_line = (
        "  enrolments unchanged since the last ingest (not read again)"
        if enr is None
        else f"  enrolments valid {enr.n_valid:,}   rejected {enr.n_rejected:,}   "
        f"new in the store {result.new_enrolments:,}"
    )
    print(
        f"{store}: ingested {len(result.days)} day(s){replaced}: {days}\n"
        f"  marks read {result.marks.n_read:,}   valid {result.marks.n_valid:,}   "
        f"rejected {result.marks.n_rejected:,}\n"
        f"{enrolments_line}\n"
        f"  ingest {result.ingest_id} in {elapsed:.1f} s"
    )
    if result.marks.n_rejected and not rejects:
        _say(
            f"{result.marks.n_rejected:,} marks were rejected: see them with "
            "--rejects PATH (or makingdata validate --kind marks)"
        )
    if result.marks.n_rejected or (enr is not None and enr.n_rejected):
        return ExitCode.FINDINGS
    return ExitCode.OK


def register(app: typer.Typer) -> None:
    """Add the ``ingest`` sub-command."""
    app.command(
        "ingest",
        short_help="add a marks export to an attendance store",
        epilog=exit_codes(
            OK="every mark and enrolment was valid and is stored",
            FINDINGS="rows were rejected (see --rejects); the valid ones are stored",
            INPUT="an export cannot be used, or the store is locked by another ingest",
        ),
    )(ingest_command)
