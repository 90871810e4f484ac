"""``makingdata protect`` and ``makingdata audit-table``: disclosure control from the shell."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
import polars as pl

from makingdata.disclosure import (
    AUDIENCES,
    audit,
    protect,
    protected_columns,
    rule_set,
    write_protected_csv,
)
from makingdata.errors import InputError
from makingdata.tables import TableSpec

if TYPE_CHECKING:
    import argparse


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``protect`` and ``audit-table`` sub-commands."""
    p = sub.add_parser(
        "protect",
        help="protect an EES-shaped table for an audience and write it",
        description=(
            "Suppress small counts and single-school aggregates, add complementary "
            "suppression so that nothing can be derived, and write the table with EES "
            "symbols. The table's structure (counts, filters with a Total, geographic "
            "nestings) is read from its columns."
        ),
    )
    p.add_argument("table", type=Path, help="EES-shaped CSV or Parquet table")
    p.add_argument("--audience", required=True, choices=AUDIENCES)
    p.add_argument("--out", required=True, type=Path, help="CSV to write")
    p.add_argument(
        "--filters",
        nargs="*",
        default=None,
        help="filter columns (default: the text columns that hold a 'Total')",
    )
    p.set_defaults(func=run_protect)
    a = sub.add_parser(
        "audit-table",
        help="bound every suppressed cell of a published table (exit 1 if any is recoverable)",
        description=(
            "Read a published EES CSV (with 'c', 'x', 'z' symbols) and report, for each "
            "suppressed cell, the interval of values consistent with everything published."
        ),
    )
    a.add_argument("table", type=Path, help="EES CSV with symbols")
    a.add_argument("--filters", nargs="*", default=None, help="filter columns")
    a.add_argument("--counts", nargs="*", default=None, help="count columns to audit")
    a.add_argument(
        "--audience",
        choices=("partner", "public"),
        default=None,
        help="audit the cells this audience's rules protect: the pupil counts its "
        "threshold rule names (enrolments, persistent and severe absence, ...) at its "
        "protection level, as `protect` does; use it on a table written with "
        "`makingdata protect/aggregate/rollup --audience` (default: every count column)",
    )
    a.add_argument(
        "--out", type=Path, default=None, help="write every cell's interval here (CSV)"
    )
    a.set_defaults(func=run_audit)


def _read(path: Path, *, text: bool) -> pl.DataFrame:
    if not path.exists():
        raise InputError("the file does not exist", path=path, hint="check the path")
    if path.suffix.lower() == ".parquet":
        return pl.read_parquet(path)
    return pl.read_csv(path, infer_schema=not text, infer_schema_length=10_000)


def run_protect(args: argparse.Namespace) -> int:
    """Protect the table, write it and return 0."""
    table = _read(args.table, text=False)
    spec = TableSpec.infer(table, filters=args.filters)
    protected = protect(table, args.audience, spec=spec)
    write_protected_csv(protected, args.out, audience=args.audience)
    print(protected.report, file=sys.stderr)
    return 0


def run_audit(args: argparse.Namespace) -> int:
    """Audit a published table; return 1 if a sensitive cell is recoverable or narrow."""
    table = _read(args.table, text=True)
    spec = TableSpec.infer(table, filters=args.filters)
    counts = tuple(args.counts) if args.counts else spec.counts
    protection = None
    if args.audience is not None:
        rules = rule_set(args.audience)
        counts = tuple(protected_columns(rules, counts))
        if rules.secondary is not None:
            protection = rules.secondary.protection
    spec = attrs.evolve(spec, counts=counts)
    report = audit(table, spec=spec, protection=protection)
    if args.out is not None:
        report.cells.write_csv(args.out)
    print(report)
    summary = report.cells.group_by("finding").len().sort("finding")
    for finding, n in summary.iter_rows():
        print(f"  {finding}: {n}")
    return 1 if not report.ok else 0
