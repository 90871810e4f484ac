"""``makingdata validate``: check an export file and summarise the rules it broke."""

# No ``from __future__ import annotations``: typer reads the annotations at run time.

import enum
import json
import sys
import time
from pathlib import Path
from typing import Annotated

import polars as pl
import typer

from makingdata._atomic import atomic_path
from makingdata.cli._console import Steps
from makingdata.cli._key import KeyFileOption, RefusedKeyOption, key_from_file
from makingdata.cli._options import StrictCodeDatesOption, exit_codes
from makingdata.errors import ExitCode, InputError
from makingdata.io import (
    ReadResult,
    read_enrolments,
    read_marks,
    read_schools,
    rejects_for_csv,
)


class Kind(enum.StrEnum):
    """What an export holds."""

    MARKS = "marks"
    ENROLMENTS = "enrolments"
    SCHOOLS = "schools"


class Summary(enum.StrEnum):
    """Summary formats."""

    TEXT = "text"
    JSON = "json"


def _read(
    file: str,
    kind: Kind,
    *,
    key: bytes | None,
    encoding: str | None,
    separator: str,
    strict_code_dates: bool = False,
) -> ReadResult:
    if kind is Kind.MARKS:
        return read_marks(
            file,
            key=key,
            encoding=encoding,
            separator=separator,
            strict_code_dates=strict_code_dates,
        )
    if kind is Kind.ENROLMENTS:
        return read_enrolments(file, key=key, encoding=encoding, separator=separator)
    return read_schools(file, encoding=encoding, separator=separator)


def _write_report(result: ReadResult, path: str, *, source: str) -> None:
    target = Path(path)
    src = Path(source)
    if target.exists() and (
        target.resolve() == src.resolve() or src.resolve() in target.resolve().parents
    ):
        raise InputError(
            "--report names the export being validated: writing the report would "
            "overwrite it",
            path=str(target),
            hint="write the report to another file, e.g. rejects.csv",
        )
    # written beside the target under a partial name, renamed when complete
    with atomic_path(target, what="the rejects report") as tmp:
        if target.suffix.lower() == ".parquet":
            result.rejects.write_parquet(tmp)
        else:
            rejects_for_csv(result.rejects).write_csv(tmp)


def _text_summary(result: ReadResult, elapsed: float) -> str:
    checks = result.report.checks
    failing = checks.filter(pl.col("result").is_in(["FAIL", "WARNING"]))
    layout = f", {result.layout}" if result.layout else ""
    encoding = f", {result.encoding}" if result.encoding else ""
    lines = [
        f"{result.path} ({result.format}{layout}{encoding})",
        f"  rows read {result.n_read:,}   valid {result.n_valid:,}   "
        f"rejected {result.n_rejected:,}   ({elapsed:.1f} s)",
    ]
    if failing.height:
        width = max(len(c) for c in failing["check"].to_list())
        lines.append(f"  {'rule':<{width}}  {'result':<7} {'rows':>10}  column")
        for check, column, res, n in failing.select(
            "check", "column", "result", "n_failing"
        ).iter_rows():
            lines.append(f"  {check:<{width}}  {res:<7} {n:>10,}  {column or ''}")
        # Warnings (weekend dates, padded short lines ...) say why, with lines.
        for check, message in (
            failing.filter(pl.col("result") == "WARNING")
            .select("check", "message")
            .iter_rows()
        ):
            lines.append(f"  {check}: {message}")
    n_pass = checks.filter(pl.col("result") == "PASS").height
    lines.append(f"  {n_pass} of {checks.height} rules passed on every row")
    return "\n".join(lines)


def _json_summary(result: ReadResult, kind: str, elapsed: float) -> str:
    payload = {
        "path": result.path,
        "kind": kind,
        "format": result.format,
        "layout": result.layout,
        "encoding": result.encoding,
        "n_read": result.n_read,
        "n_valid": result.n_valid,
        "n_rejected": result.n_rejected,
        "seconds": round(elapsed, 3),
        "checks": result.report.checks.with_columns(
            pl.col("result").cast(pl.String)
        ).to_dicts(),
    }
    return json.dumps(payload, indent=2)


def validate(
    *,
    file: Annotated[str, typer.Argument(metavar="FILE", help="the export to validate")],
    kind: Annotated[Kind, typer.Option("--kind", help="what the file holds")],
    report: Annotated[
        str | None,
        typer.Option(
            "--report",
            metavar="PATH",
            help="write every rejected row with its reasons here (.csv, or .parquet)",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        Summary,
        typer.Option("--format", help="summary format on stdout (default: text)"),
    ] = Summary.TEXT,
    key_file: KeyFileOption = None,
    _key: RefusedKeyOption = None,
    encoding: Annotated[
        str | None,
        typer.Option(
            "--encoding",
            metavar="ENC",
            help="text encoding of a CSV (default: detect)",
            show_default=False,
        ),
    ] = None,
    separator: Annotated[
        str, typer.Option("--separator", metavar="SEP", help="CSV field separator")
    ] = ",",
    strict_code_dates: StrictCodeDatesOption = False,
) -> ExitCode:
    """Validate a marks, enrolments or schools export.

    Read an export (CSV, Parquet file or hive-partitioned Parquet directory),
    check every row and print a summary of the rules broken.
    """
    start = time.perf_counter()
    print(f"makingdata validate: reading {file} ...", file=sys.stderr, flush=True)
    with Steps("validate") as steps:
        steps.step(f"reading and checking {Path(file).name}")
        key = key_from_file(key_file)
        result = _read(
            file,
            kind,
            key=key,
            encoding=encoding,
            separator=separator,
            strict_code_dates=strict_code_dates,
        )
        elapsed = time.perf_counter() - start
        if report:
            steps.step(f"writing {result.n_rejected:,} rejected rows to {report}")
            _write_report(result, report, source=file)
    print(
        f"makingdata validate: checked {result.n_read:,} rows in {elapsed:.1f} s",
        file=sys.stderr,
        flush=True,
    )
    if report:
        print(
            f"makingdata validate: wrote {result.n_rejected:,} rejected rows to "
            f"{report}",
            file=sys.stderr,
        )
    if fmt is Summary.JSON:
        print(_json_summary(result, kind.value, elapsed))
    else:
        print(_text_summary(result, elapsed))
    return ExitCode.FINDINGS if result.n_rejected else ExitCode.OK


def register(app: typer.Typer) -> None:
    """Add the ``validate`` sub-command."""
    app.command(
        "validate",
        short_help="validate a marks, enrolments or schools export",
        epilog=exit_codes(
            OK="every row is valid",
            FINDINGS="rows were rejected (see --report)",
            INPUT="the file cannot be used at all",
        ),
    )(validate)
