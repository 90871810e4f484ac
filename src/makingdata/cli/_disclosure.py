"""``makingdata protect`` and ``makingdata audit-table``: disclosure control from the shell."""

# No ``from __future__ import annotations``: typer reads the annotations at run time.

import enum
from pathlib import Path
from typing import Annotated

import attrs
import polars as pl
import typer

from makingdata._atomic import atomic_path
from makingdata.access import Audience
from makingdata.cli._console import Steps
from makingdata.cli._options import LIST_HELP, exit_codes, parse_rounding, split_list
from makingdata.cli._output import write_table
from makingdata.disclosure import (
    audit,
    protect,
    protected_columns,
    rule_set,
)
from makingdata.errors import ExitCode, InputError
from makingdata.tables import TableSpec, parse_whole_region, read_published


class Guarded(enum.StrEnum):
    """The audiences whose rules protect cells (``audit-table --audience``)."""

    PARTNER = "partner"
    PUBLIC = "public"


def _read(path: Path, *, text: bool) -> pl.DataFrame:
    if not path.exists():
        raise InputError("the file does not exist", path=path, hint="check the path")
    if path.suffix.lower() == ".parquet":
        return pl.read_parquet(path)
    return pl.read_csv(path, infer_schema=not text, infer_schema_length=10_000)


FiltersOption = Annotated[
    list[str] | None,
    typer.Option(
        "--filters",
        metavar="COLS",
        help="filter columns (default: the text columns that hold a 'Total'); "
        + LIST_HELP,
        show_default=False,
    ),
]


def protect_command(
    *,
    table: Annotated[
        Path,
        typer.Argument(metavar="TABLE", help="EES-shaped CSV or Parquet table"),
    ],
    audience: Annotated[
        Audience, typer.Option("--audience", help="who receives the file")
    ],
    out: Annotated[Path, typer.Option("--out", metavar="PATH", help="CSV to write")],
    filters: FiltersOption = None,
) -> ExitCode:
    """Protect an EES-shaped table for an audience and write it.

    Suppress small counts and single-school aggregates, add complementary
    suppression so that nothing can be derived, and write the table with EES
    symbols. The table's structure (counts, filters with a Total, geographic
    nestings) is read from its columns.
    """
    with Steps("protect") as steps:
        steps.step(f"reading {table.name}")
        frame = _read(table, text=False)
        spec = TableSpec.infer(frame, filters=split_list(filters))
        steps.step(f"protecting for {audience.value}")
        protected = protect(frame, audience.value, spec=spec)
        write_table(protected, out=out, audience=audience.value, steps=steps)
    return ExitCode.OK


def audit_table(
    *,
    table: Annotated[
        Path, typer.Argument(metavar="PUBLISHED.csv", help="EES CSV with symbols")
    ],
    filters: FiltersOption = None,
    counts: Annotated[
        list[str] | None,
        typer.Option(
            "--counts",
            metavar="COLS",
            help="count columns to audit (default: every count column); " + LIST_HELP,
            show_default=False,
        ),
    ] = None,
    audience: Annotated[
        Guarded | None,
        typer.Option(
            "--audience",
            help="audit the cells this audience's rules protect: the pupil counts "
            "its threshold rule names (enrolments, persistent and severe absence, "
            "...) at its protection level, as `protect` does; use it on a table "
            "written with `makingdata protect/aggregate/rollup --audience` "
            "(default: every count column)",
            show_default=False,
        ),
    ] = None,
    legacy_x: Annotated[
        bool,
        typer.Option(
            "--legacy-x",
            help="read x in the count columns as suppressed (c), as DfE's files "
            "before 2020 used it; by default x is 'not available' and not audited",
        ),
    ] = False,
    rounded: Annotated[
        str | None,
        typer.Option(
            "--rounded",
            metavar="LEVEL=BASE,...",
            help="levels whose counts the file publishes rounded (region=5,"
            "national=5): their cells stand for an interval, not a value",
            show_default=False,
        ),
    ] = None,
    whole_region: Annotated[
        list[str] | None,
        typer.Option(
            "--whole-region",
            metavar="REGION",
            help="a region the file publishes whole beside the sub-regions its LAs "
            "carry: london (E12000007 = E13000001 + E13000002, as DfE's children in "
            "need files), or CODE:NAME=PART+PART; repeat for more. England is then "
            "the sum of the whole regions, the sub-regions that of their LAs; the "
            "sub-regions' cells are reported at level 'Regional (sub-region)'",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="PATH",
            help="write every cell's interval here (CSV)",
            show_default=False,
        ),
    ] = None,
) -> ExitCode:
    """Bound every suppressed cell of a published table.

    Read a published EES CSV (with 'c', 'x', 'z' symbols) and report, for each
    suppressed cell, the interval of values consistent with everything
    published. For a file from before 2020, where x meant suppressed, pass
    --legacy-x; for levels published rounded, --rounded; for a region
    published whole beside its sub-regions (London), --whole-region.
    """
    with Steps("audit-table") as steps:
        steps.step(f"reading {table.name}")
        frame = _read(table, text=True)
        wanted = split_list(counts)
        published = read_published(
            frame,
            filters=split_list(filters),
            counts=wanted or None,
            legacy_x=legacy_x,
            rounded=parse_rounding(rounded),
            whole_regions=[parse_whole_region(w) for w in whole_region or []],
        )
        frame = published.data()
        spec = published.spec
        columns = spec.counts
        protection = None
        if audience is not None:
            rules = rule_set(audience.value)
            columns = tuple(protected_columns(rules, columns))
            if rules.secondary is not None:
                protection = rules.secondary.protection
        spec = attrs.evolve(spec, counts=columns)
        steps.step(f"auditing the suppressed cells of {len(columns)} count columns")
        report = audit(frame, spec=spec, protection=protection)
        if out is not None:
            steps.step(f"writing {out.name}")
            with atomic_path(out, what="the audit report") as tmp:
                report.cells.write_csv(tmp)
    print(report)
    summary = report.cells.group_by("finding").len().sort("finding")
    for finding, n in summary.iter_rows():
        print(f"  {finding}: {n}")
    return ExitCode.OK if report.ok else ExitCode.FINDINGS


def register(app: typer.Typer) -> None:
    """Add the ``protect`` and ``audit-table`` sub-commands."""
    app.command(
        "protect",
        short_help="protect an EES-shaped table for an audience and write it",
        epilog=exit_codes(
            OK="", INPUT="", REFUSED="the table cannot be protected for the audience"
        ),
    )(protect_command)
    app.command(
        "audit-table",
        short_help="bound every suppressed cell of a published table (exit 1 if any "
        "is recoverable)",
        epilog=exit_codes(
            OK="no sensitive cell is recoverable or narrower than required",
            FINDINGS="a sensitive cell is recoverable or narrower than required",
            INPUT="",
        ),
    )(audit_table)
