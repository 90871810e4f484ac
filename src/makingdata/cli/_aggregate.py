"""``makingdata aggregate`` and ``makingdata rollup``: EES attendance tables from the command line."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from makingdata._contracts import MEMBERSHIPS_SCHEMA
from makingdata.access import add_scope_arguments, apply_cli_scope
from makingdata.attendance import BREAKDOWNS, PERIODS, Cohort, attendance_table, rollup
from makingdata.disclosure import (
    AUDIENCES,
    Threshold,
    protect,
    rule_set,
    write_protected_csv,
)
from makingdata.domain import Directory
from makingdata.errors import DisclosureError, InputError
from makingdata.io import read_enrolments, read_marks, read_schools
from makingdata.publish import publish

if TYPE_CHECKING:
    from makingdata.io import ReadResult


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date (YYYY-MM-DD)"
        ) from None


def _list(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def _decimals(text: str) -> int | dict[str, int]:
    """Parse ``5`` or ``national=1,la=5,region=5``."""
    try:
        if "=" not in text:
            return int(text)
        out: dict[str, int] = {}
        for part in _list(text):
            k, v = part.split("=", 1)
            out[k.strip()] = int(v)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give places as 5 or as national=1,la=5"
        ) from None
    return out


_AUDIENCE_HELP = (
    "who receives the file: school, trust, la or dfe get the table as built "
    "(scope it with --viewer/--purpose); partner and public get it protected "
    "(small pupil counts, persistent/severe absence included, and single-school "
    "aggregates suppressed with their complements, school rows dropped, EES "
    "symbols). Without --audience the table is written unprotected only if it has "
    "no School rows and no pupil count from 1 to 5; otherwise the command stops "
    "(exit 2) and asks who the file is for: a dfe default would hand small counts to "
    "whoever runs it, a public default would silently change a trusted reader's table"
)


def _add_audience(p: argparse.ArgumentParser) -> None:
    p.add_argument("--audience", choices=AUDIENCES, default=None, help=_AUDIENCE_HELP)


def _add_outputs(p: argparse.ArgumentParser) -> None:
    """``--out`` (plain CSV) or ``--ees`` (EES data + meta), one of them."""
    out = p.add_mutually_exclusive_group(required=True)
    out.add_argument("--out", type=Path, metavar="PATH", help="write a plain CSV")
    out.add_argument(
        "--ees",
        type=Path,
        metavar="PATH",
        help="write an EES data file (lower-case name ending .csv) and its "
        ".meta.csv beside it, checked against the EES open data standards; "
        "needs --audience (partner/public: protected on the way)",
    )
    p.add_argument(
        "--complete",
        choices=("z", "0"),
        default=None,
        help="with --ees: add the missing filter combinations (z everywhere, or "
        "0 counts and z rates)",
    )


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``aggregate`` and ``rollup`` sub-commands."""
    p = sub.add_parser(
        "aggregate",
        help="build an EES attendance table from marks, enrolments and schools",
        description=(
            "Count sessions the DfE way (cohort, enrolment windows, persistent and "
            "severe absence) and write an EES-shaped table: one level or several, "
            "breakdowns with Total rows, any period."
        ),
    )
    p.add_argument("--marks", required=True, type=Path, metavar="PATH")
    p.add_argument("--enrolments", required=True, type=Path, metavar="PATH")
    p.add_argument("--schools", required=True, type=Path, metavar="PATH")
    p.add_argument(
        "--memberships",
        type=Path,
        metavar="PATH",
        help="trust memberships (urn, trust_id, trust_name, joined, left)",
    )
    p.add_argument("--from", dest="start", type=_date, metavar="DATE")
    p.add_argument("--to", dest="end", type=_date, metavar="DATE")
    p.add_argument(
        "--level",
        type=_list,
        default=["national"],
        help="school, trust, la, region, national (comma-separated; default national)",
    )
    p.add_argument(
        "--by",
        type=_list,
        default=[],
        help=f"up to two breakdowns, comma-separated: {', '.join(BREAKDOWNS)}",
    )
    p.add_argument("--period", choices=PERIODS, default="academic_year")
    p.add_argument(
        "--decimals",
        type=_decimals,
        default=1,
        help="places for percentages: 1, or per level as national=1,la=5",
    )
    p.add_argument(
        "--all-pupils",
        action="store_true",
        help="count every enrolment and session, not only DfE's cohort",
    )
    p.add_argument(
        "--key",
        help="pseudonym key for exports that carry UPNs "
        "(default: MAKINGDATA_PSEUDONYM_KEY)",
    )
    _add_outputs(p)
    _add_audience(p)
    add_scope_arguments(p, with_directory=False)
    p.set_defaults(func=run_aggregate)

    r = sub.add_parser(
        "rollup",
        help="re-derive LA, regional and national rows from a school-level table",
        description=(
            "Sum the counts of a lower-level table (such as a published school-level "
            "EES file) to higher levels and recompute the percentages."
        ),
    )
    r.add_argument("--input", required=True, type=Path, metavar="PATH")
    r.add_argument("--to", type=_list, default=["la", "region", "national"])
    r.add_argument("--by", type=_list, default=[], help="filter columns to total over")
    r.add_argument(
        "--keep", type=_list, default=[], help="columns to group on without a Total"
    )
    r.add_argument("--decimals", type=_decimals, default=None)
    r.add_argument(
        "--from-level",
        default="School",
        help="use only rows of this geographic_level (default School)",
    )
    _add_outputs(r)
    _add_audience(r)
    r.set_defaults(func=run_rollup)


def _report(what: str, result: ReadResult) -> None:
    rejected = result.rejects.height
    print(
        f"{what}: {result.n_read} read, {result.valid.height} valid, "
        f"{rejected} rejected",
        file=sys.stderr,
    )
    if rejected:
        print(
            f"  rejected {what} are not counted; run `makingdata validate` on "
            "the file to see every row and rule",
            file=sys.stderr,
        )


def _read_memberships(path: Path) -> pl.DataFrame:
    if not path.exists():
        raise InputError("the file does not exist", path=path, hint="check the path")
    if path.suffix.lower() == ".csv":
        frame = pl.read_csv(path, infer_schema_length=0)
    else:
        frame = pl.read_parquet(path)
    missing = [c for c in ("urn", "trust_id", "joined") if c not in frame.columns]
    if missing:
        raise InputError(
            f"the memberships file has no {missing[0]!r} column",
            path=path,
            column=missing[0],
            hint="columns: urn, trust_id, trust_name, joined, left",
        )
    for c in ("trust_name", "left"):
        if c not in frame.columns:
            frame = frame.with_columns(pl.lit(None).alias(c))
    return frame.select(
        [pl.col(c).cast(t, strict=True).alias(c) for c, t in MEMBERSHIPS_SCHEMA.items()]
    )


def run_aggregate(args: argparse.Namespace) -> int:
    """Read the inputs, build the table, write it and return 0."""
    marks = read_marks(args.marks, key=args.key)
    _report("marks", marks)
    enrolments = read_enrolments(args.enrolments, key=args.key)
    _report("enrolments", enrolments)
    schools = read_schools(args.schools)
    _report("schools", schools)
    memberships = (
        _read_memberships(args.memberships) if args.memberships is not None else None
    )
    marks_in, enrolments_in = marks.valid.lazy(), enrolments.valid.lazy()
    if args.viewer is not None or args.purpose is not None:
        # only what the viewer may see for the purpose (makingdata.access.scope)
        directory = Directory.from_frames(schools.valid, memberships)
        marks_in = apply_cli_scope(marks_in, args, directory=directory)
        enrolments_in = apply_cli_scope(enrolments_in, args, directory=directory)
    table = attendance_table(
        marks_in,
        enrolments_in,
        schools.valid.lazy(),
        memberships.lazy() if memberships is not None else None,
        levels=args.level,
        by=args.by,
        period=args.period,
        start=args.start,
        end=args.end,
        cohort=Cohort.everyone() if args.all_pupils else Cohort(),
        decimals=args.decimals,
    ).collect()
    audience = args.audience
    if audience is None and args.viewer is not None:
        # a table scoped for a school, trust, LA or DfE viewer is for that audience
        kind = str(args.viewer).split(":", 1)[0].strip().lower()
        audience = kind if kind in {"school", "trust", "la", "dfe"} else None
    _output(table.data(), args, audience=audience)
    return 0


def _output(
    table: pl.DataFrame, args: argparse.Namespace, *, audience: str | None
) -> None:
    """Write ``table`` to ``--out`` (plain CSV) or ``--ees`` (EES pair)."""
    if args.ees is None:
        _write(table, args.out, audience=audience)
        return
    if audience is None:
        raise DisclosureError(
            "an EES file needs to know who it is for",
            path=args.ees,
            hint="add --audience: school, trust, la or dfe write the table as built, "
            "partner or public protect it",
        )
    files = publish(table, args.ees, audience=audience, complete=args.complete)
    if files.protection is not None:
        print(files.protection, file=sys.stderr)
    for row in files.warnings.iter_rows(named=True):
        print(
            f"warning: {row['file']}, column {row['column']}: {row['message']}",
            file=sys.stderr,
        )
    print(
        f"wrote {files.rows} rows to {files.data} and its metadata to {files.meta}",
        file=sys.stderr,
    )


def _needs_audience(table: pl.DataFrame) -> str | None:
    """Why ``table`` may not be written without an audience (None: it may)."""
    rules = rule_set("public")
    minimum = min(
        (r.minimum for r in rules.of(Threshold) if isinstance(r, Threshold)),
        default=6,
    )
    if "geographic_level" in table.columns:
        schools = table.filter(pl.col("geographic_level") == "School").height
        if schools:
            return f"it has {schools} School rows"
    small = 0
    for c in rules.threshold_columns:
        if c in table.columns and table.schema[c].is_numeric():
            small += table.filter(pl.col(c).is_between(1, minimum - 1)).height
    if small:
        return f"it has {small} pupil counts from 1 to {minimum - 1}"
    return None


def _write(table: pl.DataFrame, out: Path, *, audience: str | None) -> None:
    """Write ``table`` for ``audience``: partner and public only ever get it protected."""
    if audience is None:
        why = _needs_audience(table)
        if why is not None:
            raise DisclosureError(
                f"no --audience given and the table cannot go to just anyone: {why}",
                path=out,
                hint="say who the file is for: --audience school, trust, la or dfe "
                "writes it as built, --audience partner or public protects it",
            )
        table.write_csv(out)
    elif rule_set(audience).needs_protection:
        protected = protect(table, audience)
        write_protected_csv(protected, out, audience=audience)
        report = protected.report
        print(report, file=sys.stderr)
        print(
            f"disclosure: {report.cells_primary + report.cells_secondary} count cells "
            f"suppressed ({report.cells_primary} primary, {report.cells_secondary} "
            f"secondary), status {report.status}",
            file=sys.stderr,
        )
        table = protected.table
    else:
        write_protected_csv(table, out, audience=audience)
    print(f"wrote {table.height} rows to {out}", file=sys.stderr)


def _read_table(path: Path) -> pl.DataFrame:
    if not path.exists():
        raise InputError("the file does not exist", path=path, hint="check the path")
    if path.suffix.lower() == ".csv":
        raw = pl.read_csv(path, infer_schema_length=0)
        # numbers become numbers; columns with symbols (c, x, :) stay text
        casts = []
        for c in raw.columns:
            col = raw[c].str.strip_chars()
            nonnull = col.drop_nulls().filter(col.drop_nulls() != "")
            if nonnull.len() == 0:
                continue
            as_int = nonnull.cast(pl.Int64, strict=False)
            if as_int.null_count() == 0:
                casts.append(pl.col(c).str.strip_chars().cast(pl.Int64, strict=False))
                continue
            as_float = nonnull.cast(pl.Float64, strict=False)
            if as_float.null_count() == 0:
                casts.append(pl.col(c).str.strip_chars().cast(pl.Float64, strict=False))
        return raw.with_columns(casts)
    return pl.read_parquet(path)


def run_rollup(args: argparse.Namespace) -> int:
    """Re-aggregate the input, write the table and return 0."""
    table = _read_table(args.input)
    out = rollup(
        table.lazy(),
        levels=args.to,
        by=args.by,
        keep=args.keep,
        decimals=args.decimals,
        from_level=args.from_level,
    ).collect()
    for column, why in out.spec.unplaced:
        print(f"makingdata rollup: note: {column!r}: {why}", file=sys.stderr)
    _output(out.data(), args, audience=args.audience)
    return 0
