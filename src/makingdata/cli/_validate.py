"""``makingdata validate``: check an export file and summarise the rules it broke."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from makingdata.errors import InputError
from makingdata.io import read_enrolments, read_marks, read_schools, rejects_for_csv

if TYPE_CHECKING:
    import argparse

    from makingdata.io import ReadResult

#: Exit codes: clean, rows rejected, unusable input.
EXIT_CLEAN, EXIT_REJECTED, EXIT_UNUSABLE = 0, 1, 2


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``validate`` sub-command."""
    p = sub.add_parser(
        "validate",
        help="validate a marks, enrolments or schools export",
        description=(
            "Read an export (CSV, Parquet file or hive-partitioned Parquet "
            "directory), check every row and print a summary of the rules "
            "broken. Exit 0 when every row is valid, 1 when rows were "
            "rejected, 2 when the file cannot be used at all."
        ),
    )
    p.add_argument("file", metavar="FILE", help="the export to validate")
    p.add_argument(
        "--kind",
        required=True,
        choices=["marks", "enrolments", "schools"],
        help="what the file holds",
    )
    p.add_argument(
        "--report",
        metavar="PATH",
        help="write every rejected row with its reasons here (.csv, or .parquet)",
    )
    p.add_argument(
        "--format",
        choices=["text", "json"],
        default="text",
        help="summary format on stdout (default: text)",
    )
    p.add_argument(
        "--key",
        help="pseudonym key for hashing UPNs (default: the "
        "MAKINGDATA_PSEUDONYM_KEY environment variable)",
    )
    p.add_argument("--encoding", help="text encoding of a CSV (default: detect)")
    p.add_argument(
        "--separator", default=",", help="CSV field separator (default: ',')"
    )
    p.set_defaults(func=run)


def _read(args: argparse.Namespace) -> ReadResult:
    common = {"encoding": args.encoding, "separator": args.separator}
    if args.kind == "marks":
        return read_marks(args.file, key=args.key, **common)
    if args.kind == "enrolments":
        return read_enrolments(args.file, key=args.key, **common)
    return read_schools(args.file, **common)


def _write_report(result: ReadResult, path: str) -> None:
    target = Path(path)
    try:
        if target.suffix.lower() == ".parquet":
            result.rejects.write_parquet(target)
        else:
            rejects_for_csv(result.rejects).write_csv(target)
    except OSError as err:
        raise InputError(
            f"could not write the report: {err.strerror or err}",
            path=str(target),
            hint="choose a path in a folder you can write to",
        ) from err


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


def run(args: argparse.Namespace) -> int:
    """Validate the file, print the summary, and return the exit code."""
    start = time.perf_counter()
    print(f"makingdata validate: reading {args.file} ...", file=sys.stderr, flush=True)
    result = _read(args)
    elapsed = time.perf_counter() - start
    print(
        f"makingdata validate: checked {result.n_read:,} rows in {elapsed:.1f} s",
        file=sys.stderr,
        flush=True,
    )
    if args.report:
        _write_report(result, args.report)
        print(
            f"makingdata validate: wrote {result.n_rejected:,} rejected rows to "
            f"{args.report}",
            file=sys.stderr,
        )
    if args.format == "json":
        print(_json_summary(result, args.kind, elapsed))
    else:
        print(_text_summary(result, elapsed))
    return EXIT_REJECTED if result.n_rejected else EXIT_CLEAN
