"""``makingdata aggregate`` and ``makingdata rollup``: EES attendance tables from the command line."""

# No ``from __future__ import annotations``: typer reads the annotations at run time.

import datetime as dt
import enum
import sys
from pathlib import Path
from typing import Annotated, Literal

import polars as pl
import typer

from makingdata._contracts import MEMBERSHIPS_SCHEMA
from makingdata.access import Audience, ScopeOptions
from makingdata.attendance import (
    BREAKDOWNS,
    PERIODS,
    Cohort,
    attendance_table,
    rollup,
    rounding_default,
)
from makingdata.cli._console import Steps
from makingdata.cli._key import KeyFileOption, RefusedKeyOption, key_from_file
from makingdata.cli._options import (
    LIST_HELP,
    StrictCodeDatesOption,
    choice,
    exit_codes,
    parse_date,
    parse_decimals,
    parse_rounding,
    split_list,
)
from makingdata.cli._output import AUDIENCE_HELP, write_table
from makingdata.disclosure import ProtectedTable, protect, rule_set
from makingdata.domain import Directory
from makingdata.errors import ExitCode, InputError
from makingdata.io import ReadResult, read_enrolments, read_marks, read_schools
from makingdata.store import Store
from makingdata.tables import Table, parse_whole_region

#: Audiences a scoped table is written for without asking: the viewer's own.
_TRUSTED = frozenset({Audience.SCHOOL, Audience.TRUST, Audience.LA, Audience.DFE})


class Complete(enum.StrEnum):
    """How ``--complete`` fills the missing filter combinations."""

    Z = "z"
    ZERO = "0"


_COMPLETE: dict[Complete, Literal["z", "0"]] = {Complete.Z: "z", Complete.ZERO: "0"}

_SCOPE = "Access scope"
_OUTPUT = "Output"

AudienceOption = Annotated[
    Audience | None,
    typer.Option("--audience", help=AUDIENCE_HELP, show_default=False),
]
OutOption = Annotated[
    Path | None,
    typer.Option(
        "--out",
        metavar="PATH",
        help="write a plain CSV (give --out or --ees)",
        show_default=False,
    ),
]
EesOption = Annotated[
    Path | None,
    typer.Option(
        "--ees",
        metavar="PATH",
        help="write an EES data file (lower-case name ending .csv) and its "
        ".meta.csv beside it, checked against the EES open data standards; "
        "needs --audience (partner/public: protected on the way)",
        show_default=False,
    ),
]
CompleteOption = Annotated[
    Complete | None,
    typer.Option(
        "--complete",
        help="with --ees: add the missing filter combinations (z everywhere, or "
        "0 counts and z rates)",
        show_default=False,
    ),
]


class ZeroRate(enum.StrEnum):
    """What ``--zero-rate`` writes for a rate over a zero denominator."""

    Z = "z"
    ZERO = "0"
    DOT = "."


ZeroRateOption = Annotated[
    ZeroRate,
    typer.Option(
        "--zero-rate",
        help="a rate over a zero denominator: z (not applicable, the EES "
        "standard), 0 (0.0, as DfE's 2018/19 annual absence file) or . (as "
        "DfE's files before EES; plain CSV only: an EES file writes z)",
    ),
]
DecimalsOption = Annotated[
    str | None,
    typer.Option(
        "--decimals",
        metavar="N|LEVEL=N,...",
        help="places for percentages: 1, or per level as national=1,la=5",
        show_default=False,
    ),
]


PreviousOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--previous",
        metavar="PATH",
        help="an earlier release of this table, as written by --out or --ees "
        "(repeat, oldest first): this one is protected so that subtracting any "
        "of them gives away no count of 1 to 5 (needs --audience partner or "
        "public)",
        show_default=False,
    ),
]


def _protect_series(
    table: Table, previous: list[Path], audience: Audience | None
) -> ProtectedTable:
    """Protect ``table`` against the earlier releases read from ``previous``."""
    if audience is None or not rule_set(audience.value).needs_protection:
        raise InputError(
            "--previous protects a release for a partner or the public",
            hint="add --audience public or --audience partner, or leave --previous out",
        )
    releases: dict[str, pl.DataFrame] = {}
    for path in previous:
        if not path.is_file():
            raise InputError(
                "the earlier release does not exist", path=path, hint="check the path"
            )
        try:
            releases[str(path)] = pl.read_csv(path, infer_schema_length=0)
        except (pl.exceptions.PolarsError, UnicodeDecodeError) as err:
            raise InputError(
                f"the earlier release cannot be read as CSV: {err}",
                path=path,
                hint="pass the CSV an earlier run wrote with --out or --ees",
            ) from err
    return protect(table, audience.value, previous=releases)


def _one_output(
    out: Path | None, ees: Path | None, zero_rate: ZeroRate = ZeroRate.Z
) -> None:
    if (out is None) == (ees is None):
        raise typer.BadParameter(
            "give exactly one of --out PATH (plain CSV) and --ees PATH (EES pair)",
            param_hint="'--out' / '--ees'",
        )
    if ees is not None and zero_rate is ZeroRate.DOT:
        raise typer.BadParameter(
            "'.' is the symbol of DfE's files before EES; an EES file writes z for "
            "a rate over a zero denominator (the EES standard)",
            param_hint="'--zero-rate'",
        )


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


def _marks_or_store(
    marks: Path | None, store: Path | None, enrolments: Path | None, viewer: str | None
) -> None:
    """Check that the counts come from --marks or --store, not both or neither."""
    if (marks is None) == (store is None):
        raise InputError(
            "give the marks with --marks PATH or an attendance store with "
            "--store PATH" + (", not both" if marks is not None else ""),
            hint="--store counts from a store filled by makingdata ingest",
        )
    if marks is not None and enrolments is None:
        raise InputError(
            "--marks needs --enrolments PATH",
            hint="pass the enrolments export the marks fall in",
        )
    if store is not None and viewer is not None:
        raise InputError(
            "--viewer is not supported with --store yet",
            hint="scope the marks export instead: --marks PATH --viewer ...",
        )


def _first_day(start: dt.date | None, marks: pl.DataFrame) -> dt.date | None:
    """Return the period's first day: ``--from``, else the first day with a mark."""
    if start is not None:
        return start
    first = marks.get_column("date").min() if marks.height else None
    return first if isinstance(first, dt.date) else None


def aggregate(
    *,
    marks: Annotated[
        Path | None,
        typer.Option(
            "--marks", metavar="PATH", help="marks (or --store)", show_default=False
        ),
    ] = None,
    store: Annotated[
        Path | None,
        typer.Option(
            "--store",
            metavar="PATH",
            help="count from an attendance store (makingdata ingest) instead of "
            "--marks; --enrolments defaults to the store's",
            show_default=False,
        ),
    ] = None,
    enrolments: Annotated[
        Path | None,
        typer.Option(
            "--enrolments",
            metavar="PATH",
            help="enrolments (with --store: default the store's)",
            show_default=False,
        ),
    ] = None,
    schools: Annotated[
        Path,
        typer.Option(
            "--schools", metavar="PATH", help="schools (contract columns or GIAS)"
        ),
    ],
    memberships: Annotated[
        Path | None,
        typer.Option(
            "--memberships",
            metavar="PATH",
            help="trust memberships (urn, trust_id, trust_name, joined, left)",
            show_default=False,
        ),
    ] = None,
    start: Annotated[
        dt.date | None,
        typer.Option(
            "--from",
            parser=parse_date,
            metavar="DATE",
            help="first day (YYYY-MM-DD)",
            show_default=False,
        ),
    ] = None,
    end: Annotated[
        dt.date | None,
        typer.Option(
            "--to",
            parser=parse_date,
            metavar="DATE",
            help="last day (YYYY-MM-DD)",
            show_default=False,
        ),
    ] = None,
    level: Annotated[
        list[str] | None,
        typer.Option(
            "--level",
            metavar="LEVELS",
            help="school, trust, la, region, national (default national); " + LIST_HELP,
            show_default=False,
        ),
    ] = None,
    by: Annotated[
        list[str] | None,
        typer.Option(
            "--by",
            metavar="COLS",
            help=f"up to two breakdowns: {', '.join(BREAKDOWNS)}; {LIST_HELP}",
            show_default=False,
        ),
    ] = None,
    period: Annotated[
        str,
        typer.Option(
            "--period",
            parser=choice("--period", PERIODS),
            metavar="PERIOD",
            help=f"one of {', '.join(PERIODS)}",
        ),
    ] = "academic_year",
    decimals: DecimalsOption = None,
    zero_rate: ZeroRateOption = ZeroRate.Z,
    strict_code_dates: StrictCodeDatesOption = False,
    all_pupils: Annotated[
        bool,
        typer.Option(
            "--all-pupils",
            help="count every enrolment and session, not only DfE's cohort",
        ),
    ] = False,
    key_file: KeyFileOption = None,
    _key: RefusedKeyOption = None,
    out: OutOption = None,
    ees: EesOption = None,
    complete: CompleteOption = None,
    audience: AudienceOption = None,
    previous: PreviousOption = None,
    viewer: Annotated[
        str | None,
        typer.Option(
            "--viewer",
            metavar="VIEWER",
            help="who will see the output: school:URN, trust:TRnnnnn, la:CODE "
            "(3 digits or GSS), dfe, partner:NAME or public (needs --purpose)",
            show_default=False,
            rich_help_panel=_SCOPE,
        ),
    ] = None,
    purpose: Annotated[
        str | None,
        typer.Option(
            "--purpose",
            metavar="PURPOSE",
            help="why, e.g. support or monitoring",
            show_default=False,
            rich_help_panel=_SCOPE,
        ),
    ] = None,
    agreements: Annotated[
        Path | None,
        typer.Option(
            "--agreements",
            metavar="CSV",
            help="sharing agreements (urn, recipient, start, end, opt_out, "
            "legal_basis); not needed for a period from 19 August 2024, when the "
            "daily collection became statutory",
            show_default=False,
            rich_help_panel=_SCOPE,
        ),
    ] = None,
    audit_log: Annotated[
        Path | None,
        typer.Option(
            "--audit-log",
            metavar="JSONL",
            help="append the scope decisions to this audit log",
            show_default=False,
            rich_help_panel=_SCOPE,
        ),
    ] = None,
) -> ExitCode:
    """Build an EES attendance table from marks, enrolments and schools.

    Count sessions the DfE way (cohort, enrolment windows, persistent and
    severe absence) and write an EES-shaped table: one level or several,
    breakdowns with Total rows, any period. With --viewer and --purpose only
    what the viewer may see for the purpose is counted (makingdata.access).
    """
    _one_output(out, ees, zero_rate)
    places = parse_decimals(decimals)
    key = key_from_file(key_file)
    _marks_or_store(marks, store, enrolments, viewer)
    with Steps("aggregate") as steps:
        marks_in: pl.LazyFrame | Store
        first_day: dt.date | None = start
        if store is not None:
            steps.step(f"opening the store {store}")
            marks_in = Store.open(store)
        else:
            assert marks is not None  # _marks_or_store: one of them
            steps.step(f"reading {marks.name}")
            marks_read = read_marks(marks, key=key, strict_code_dates=strict_code_dates)
            _report("marks", marks_read)
            marks_in = marks_read.valid.lazy()
            first_day = _first_day(start, marks_read.valid)
        if enrolments is not None:
            steps.step(f"reading {enrolments.name}")
            enrolments_read = read_enrolments(enrolments, key=key)
            _report("enrolments", enrolments_read)
            enrolments_in = enrolments_read.valid.lazy()
        else:
            assert isinstance(marks_in, Store)
            enrolments_in = marks_in.enrolments().drop("enrolment")
        steps.step(f"reading {schools.name}")
        schools_read = read_schools(schools)
        _report("schools", schools_read)
        members = _read_memberships(memberships) if memberships is not None else None
        scoped = ScopeOptions.from_text(
            viewer,
            purpose,
            directory=(
                Directory.from_frames(schools_read.valid, members)
                if viewer is not None and purpose is not None
                else Directory([])
            ),
            agreements=agreements,
            audit_log=audit_log,
            since=first_day,
        )
        if scoped is not None and not isinstance(marks_in, Store):
            # only what the viewer may see for the purpose (makingdata.access.scope)
            steps.step(f"scoping for {scoped.viewer.label}")
            marks_in = scoped.apply(marks_in)
            enrolments_in = scoped.apply(enrolments_in)
        steps.step("counting")
        table = attendance_table(
            marks_in,
            enrolments_in,
            schools=schools_read.valid.lazy(),
            memberships=members.lazy() if members is not None else None,
            levels=split_list(level) or ["national"],
            by=split_list(by) or [],
            period=period,
            start=start,
            end=end,
            cohort=Cohort.everyone() if all_pupils else Cohort(),
            decimals=1 if places is None else places,
            zero_rate=zero_rate.value,
        ).collect()
        for_whom = audience
        if for_whom is None and scoped is not None and scoped.audience in _TRUSTED:
            # a table scoped for a school, trust, LA or DfE viewer is for that audience
            for_whom = scoped.audience
        release: Table | ProtectedTable = table
        if previous:
            steps.step(f"protecting against {len(previous)} earlier releases")
            release = _protect_series(table, previous, for_whom)
        write_table(
            release,
            out=out,
            ees=ees,
            audience=None if for_whom is None else for_whom.value,
            complete=None if complete is None else _COMPLETE[complete],
            zero_symbol="." if zero_rate is ZeroRate.DOT else None,
            steps=steps,
        )
    return ExitCode.OK


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


def rollup_command(
    *,
    source: Annotated[
        Path,
        typer.Option(
            "--input", metavar="PATH", help="a lower-level EES table (CSV or Parquet)"
        ),
    ],
    to: Annotated[
        list[str] | None,
        typer.Option(
            "--to",
            metavar="LEVELS",
            help="levels to derive (default la,region,national); " + LIST_HELP,
            show_default=False,
        ),
    ] = None,
    by: Annotated[
        list[str] | None,
        typer.Option(
            "--by",
            metavar="COLS",
            help="filter columns to total over; " + LIST_HELP,
            show_default=False,
        ),
    ] = None,
    keep: Annotated[
        list[str] | None,
        typer.Option(
            "--keep",
            metavar="COLS",
            help="columns to group on without a Total; " + LIST_HELP,
            show_default=False,
        ),
    ] = None,
    decimals: DecimalsOption = None,
    zero_rate: ZeroRateOption = ZeroRate.Z,
    from_level: Annotated[
        str,
        typer.Option(
            "--from-level",
            metavar="LEVEL",
            help="use only rows of this geographic_level",
        ),
    ] = "School",
    round_: Annotated[
        str | None,
        typer.Option(
            "--round",
            metavar="LEVEL=BASE,...",
            help="DfE's publishing rounding: counts at these levels rounded half up "
            "to a multiple of the base, after the rates (region=5,national=5 for "
            "the four-year-olds file; 10 for children in need)",
            show_default=False,
        ),
    ] = None,
    round_columns: Annotated[
        list[str] | None,
        typer.Option(
            "--round-columns",
            metavar="COLS",
            help="the counts --round applies to (default: every count that is not "
            "a count of sessions); " + LIST_HELP,
            show_default=False,
        ),
    ] = None,
    whole_region: Annotated[
        list[str] | None,
        typer.Option(
            "--whole-region",
            metavar="REGION",
            help="a region to publish whole while the input's rows carry its "
            "sub-regions: london (E12000007 from Inner and Outer London, as DfE's "
            "children in need files do), or CODE:NAME=PART+PART; repeat for more",
            show_default=False,
        ),
    ] = None,
    out: OutOption = None,
    ees: EesOption = None,
    complete: CompleteOption = None,
    audience: AudienceOption = None,
    previous: PreviousOption = None,
) -> ExitCode:
    """Re-derive LA, regional and national rows from a school-level table.

    Sum the counts of a lower-level table (such as a published school-level
    EES file) to higher levels and recompute the percentages.
    """
    _one_output(out, ees, zero_rate)
    places = parse_decimals(decimals)
    rounding = parse_rounding(round_)
    rounded = split_list(round_columns)
    wholes = [parse_whole_region(w) for w in whole_region or []]
    with Steps("rollup") as steps:
        steps.step(f"reading {source.name}")
        table = _read_table(source)
        steps.step("rolling up")
        derived = rollup(
            table.lazy(),
            levels=split_list(to) or ["la", "region", "national"],
            by=split_list(by) or [],
            keep=split_list(keep) or [],
            decimals=places,
            from_level=from_level,
            zero_rate=zero_rate.value,
            rounding=rounding,
            rounding_columns=rounded,
            whole_regions=wholes,
        ).collect()
        for column, why in derived.spec.unplaced:
            print(f"makingdata rollup: note: {column!r}: {why}", file=sys.stderr)
        if rounding and rounded is None:
            chosen = rounding_default(
                [c for c in derived.spec.counts if c in derived.columns]
            )
            print(
                "makingdata rollup: note: --round applies to "
                f"{', '.join(chosen) or 'no column'} (default: the counts that are "
                "not session counts; choose with --round-columns)",
                file=sys.stderr,
            )
        release: Table | ProtectedTable = derived
        if previous:
            steps.step(f"protecting against {len(previous)} earlier releases")
            release = _protect_series(derived, previous, audience)
        write_table(
            release,
            out=out,
            ees=ees,
            audience=None if audience is None else audience.value,
            complete=None if complete is None else _COMPLETE[complete],
            zero_symbol="." if zero_rate is ZeroRate.DOT else None,
            steps=steps,
        )
    return ExitCode.OK


_EXITS = exit_codes(
    OK="the table is written",
    INPUT="",
    REFUSED="no --audience when one is needed, or out of scope",
)


def register(app: typer.Typer) -> None:
    """Add the ``aggregate`` and ``rollup`` sub-commands."""
    app.command(
        "aggregate",
        short_help="build an EES attendance table from marks, enrolments and schools",
        epilog=_EXITS,
    )(aggregate)
    app.command(
        "rollup",
        short_help="re-derive LA, regional and national rows from a school-level table",
        epilog=_EXITS,
    )(rollup_command)
