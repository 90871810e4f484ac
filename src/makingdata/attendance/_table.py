"""The attendance table builder: marks to school, trust, LA, region and England.

The school stage counts marks into one row per school, period and breakdown
group (sessions only inside each enrolment, DfE's cohort, persistent and severe
absence per enrolment and period); :func:`~makingdata.attendance.rollup` then
sums those rows to every level asked and derives the rates last.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import attrs
import polars as pl

from makingdata.attendance._args import schools_and_memberships
from makingdata.attendance._enrolments import (
    SCHOOL_CHARACTERISTICS,
    Cohort,
    EnrolmentGroups,
    characteristic_exprs,
    date_range,
    long_counts,
    window,
)
from makingdata.attendance._measures import check_decimals, check_zero_rate
from makingdata.attendance._periods import date_table
from makingdata.attendance._rollup import _grouping_sets, rollup
from makingdata.attendance._sessions import (
    COUNT_COLUMNS,
    REASON_COLUMNS,
    category_columns,
)
from makingdata.codes import CODES, Category
from makingdata.errors import EmptyResultWarning, InputError
from makingdata.store import Store
from makingdata.tables import ENGLAND, GEOGRAPHY_COLUMNS, Table, TableSpec, level
from makingdata.tables._spec import nestings_for

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Mapping, Sequence

    from polars._typing import EngineType

__all__ = ["BREAKDOWNS", "CHUNK_ENROLMENT_PERIODS", "attendance_table", "school_counts"]

COUNTRY_CODE, COUNTRY_NAME = ENGLAND

#: Default most enrolment-periods (enrolments x periods) one chunk of the
#: school stage holds; its per-enrolment stage, and so its memory, grows with it.
CHUNK_ENROLMENT_PERIODS = 20_000_000
#: Code indexes (the physical values of CODE_DTYPE) of each category total.
_CODE_INDEX: dict[str, list[int]] = {
    name: [i for i, c in enumerate(CODES.values()) if c.category in cats]
    for name, cats in {
        "possible": {
            Category.PRESENT,
            Category.AEA,
            Category.AUTHORISED,
            Category.UNAUTHORISED,
        },
        "overall": {Category.AUTHORISED, Category.UNAUTHORISED},
        "authorised": {Category.AUTHORISED},
        "unauthorised": {Category.UNAUTHORISED},
    }.items()
}
#: (code index, reason column) of the codes counted in possible sessions.
_COUNTED: list[tuple[int, str]] = [
    (i, r) for i, r in enumerate(REASON_COLUMNS) if i in set(_CODE_INDEX["possible"])
]
#: (code index, reason column) of the not-counted codes (D, Q, X, Y*, Z, #).
_NOT_COUNTED: list[tuple[int, str]] = [
    (i, r)
    for i, r in enumerate(REASON_COLUMNS)
    if i not in set(_CODE_INDEX["possible"])
]
#: Category totals kept per enrolment (for PA/SA), by _CODE_INDEX key.
_CATEGORY_SUMS: tuple[tuple[str, str], ...] = (
    ("possible", "sess_possible"),
    ("overall", "sess_overall"),
    ("authorised", "sess_authorised"),
    ("unauthorised", "sess_unauthorised"),
)
#: The enrolment column each enrolment breakdown is derived from.
_RAW_CHARACTERISTIC = {"fsm_status": "fsm_eligible"}


#: Enrolment characteristics a table can be broken down by.
BREAKDOWNS: tuple[str, ...] = (
    "fsm_status",
    "sen_provision",
    "ethnicity_major",
    "sex",
    "year_group",
    "looked_after",
    "child_in_need",
    "education_phase",
)


def _school_frame(schools: pl.LazyFrame) -> pl.LazyFrame:
    names = schools.collect_schema().names()
    cols = [
        pl.col("urn"),
        pl.col("urn").cast(pl.String).alias("school_urn"),
        (
            pl.col("school_name") if "school_name" in names else pl.lit(None, pl.String)
        ).alias("school_name"),
        (pl.col("laestab") if "laestab" in names else pl.lit(None, pl.UInt32))
        .cast(pl.String)
        .alias("school_laestab"),
    ]
    cols.extend(
        (pl.col(c) if c in names else pl.lit(None, pl.String)).alias(c)
        for c in ("region_code", "region_name", "new_la_code", "la_name", "old_la_code")
    )
    cols.append(
        (pl.col("education_phase") if "education_phase" in names else pl.lit(None))
        .cast(pl.String)
        .alias("education_phase")
    )
    cols.append(
        (pl.col("trust_id") if "trust_id" in names else pl.lit(None, pl.String)).alias(
            "__static_trust"
        )
    )
    return schools.select(cols)


def why_empty(
    marks: pl.LazyFrame,
    enrolments: pl.LazyFrame,
    *,
    start: dt.date | None,
    end: dt.date | None,
    period: str,
    cohort: Cohort,
) -> tuple[str, str]:
    """Say why counting these marks gives no rows, and what to pass instead.

    Cheap facts only, checked in the order a user would: no marks at all, no
    mark in the window, no mark inside an enrolment, then the cohort.
    """
    lo, hi, n = (
        marks.select(
            pl.col("date").min().alias("lo"),
            pl.col("date").max().alias("hi"),
            pl.len().alias("n"),
        )
        .collect()
        .row(0)
    )
    if n == 0:
        return "the marks frame has no rows", "pass the marks to count"
    a, b = window(start, end, period)
    inside = pl.lit(value=True)
    if a is not None:
        inside = inside & (pl.col("date") >= a)
    if b is not None:
        inside = inside & (pl.col("date") <= b)
    in_window = marks.filter(inside)
    if in_window.select(pl.len()).collect().item() == 0:
        return (
            f"no mark falls between {a or 'the start'} and {b or 'the end'} "
            f"(the marks run from {lo} to {hi})",
            f"pass start= and end= (--from/--to) inside {lo} .. {hi}",
        )
    keys = enrolments.select(
        pl.col("pupil_key").cast(pl.UInt64), pl.col("urn").cast(pl.UInt32)
    ).unique()
    enrolled = in_window.select(
        pl.col("pupil_key").cast(pl.UInt64), pl.col("urn").cast(pl.UInt32)
    ).join(keys, on=["pupil_key", "urn"], how="semi")
    if enrolled.select(pl.len()).collect().item() == 0:
        return (
            "no mark in the window belongs to an enrolment (no pupil_key and urn "
            "of the marks is in the enrolments frame)",
            "pass the enrolments of these schools' pupils (check that both frames "
            "were pseudonymised with the same key)",
        )
    if cohort != Cohort.everyone():
        return (
            "every enrolment with marks in the window is outside the cohort "
            f"(ages {cohort.min_age}-{cohort.max_age} at 31 August in "
            "state-funded primary, secondary and special schools, DfE's rule), "
            "or its marks fall outside its enrolment dates",
            "pass cohort=Cohort.everyone() (CLI: --all-pupils) to count every pupil",
        )
    return (
        "every mark in the window falls outside its enrolment's dates",
        "check enrol_start and enrol_end against the marks' dates",
    )


def _warn_empty(
    marks: pl.LazyFrame,
    enrolments: pl.LazyFrame,
    *,
    start: dt.date | None,
    end: dt.date | None,
    period: str,
    cohort: Cohort,
) -> None:
    why, fix = why_empty(
        marks, enrolments, start=start, end=end, period=period, cohort=cohort
    )
    warnings.warn(
        f"the attendance table is empty: {why}. What to do: {fix}.",
        EmptyResultWarning,
        stacklevel=4,
    )


def _check_by(by: Sequence[str]) -> None:
    if len(by) > 2:
        raise InputError(
            f"at most two breakdowns can be crossed, got {list(by)}",
            hint="ask for one table per pair of characteristics",
        )
    for c in by:
        if c not in BREAKDOWNS:
            raise InputError(
                f"unknown breakdown {c!r}", hint=f"use one of {list(BREAKDOWNS)}"
            )


def school_counts(
    marks: pl.LazyFrame,
    enrolments: pl.LazyFrame,
    schools: pl.LazyFrame,
    memberships: pl.LazyFrame | None = None,
    *,
    by: Sequence[str] = (),
    period: str = "academic_year",
    start: dt.date | None = None,
    end: dt.date | None = None,
    cohort: Cohort | None = None,
    calendar: pl.DataFrame | None = None,
    trust: bool = False,
    engine: EngineType = "streaming",
    chunk_enrolment_periods: int = CHUNK_ENROLMENT_PERIODS,
    weight: str | None = None,
) -> pl.LazyFrame:
    """School-level additive counts with breakdown and Total rows (school stage).

    ``weight``: a column of ``marks`` holding how many marks each row stands
    for (a store's :meth:`~makingdata.store.Store.code_counts`).
    """
    _check_by(by)
    if chunk_enrolment_periods < 1:
        raise InputError(
            f"chunk_enrolment_periods must be at least 1, got {chunk_enrolment_periods}",
            hint="leave it at its default (20 million) unless memory is short",
        )
    cohort = Cohort() if cohort is None else cohort
    enr_names = enrolments.lazy().collect_schema().names()
    enr_by = [c for c in by if c not in SCHOOL_CHARACTERISTICS]
    carry: list[str] = []
    for c in enr_by:
        src = _RAW_CHARACTERISTIC.get(c, c)
        if src not in enr_names:
            raise InputError(
                f"the enrolments frame has no {src!r} column for the {c!r} breakdown",
                column=src,
                hint="add the column (ENROLMENTS_SCHEMA) or drop the breakdown",
            )
        carry.append(src)
    # Enrolments are numbered by group (school × characteristics), so each
    # code row's group is ``_eid // stride``: no join on the code rows.
    groups = EnrolmentGroups.of(enrolments.lazy(), ["urn", *carry])
    spans = _chunks(
        marks.lazy(),
        start,
        end,
        period,
        calendar,
        enrolments=groups.enrolments,
        limit=chunk_enrolment_periods,
    )
    stages = [
        _school_stage(
            marks.lazy(),
            enrolments.lazy(),
            schools.lazy(),
            memberships.lazy() if (trust and memberships is not None) else None,
            groups,
            by=by,
            enr_by=enr_by,
            period=period,
            start=lo,
            end=hi,
            cohort=cohort,
            calendar=calendar,
            engine=engine,
            weight=weight,
        )
        for lo, hi in spans
    ]
    # each chunk numbers its own periods: offset them into one numbering
    finests, tables, offset = [], [], 0
    for rows, table, _ in stages:
        finests.append(rows.with_columns(pl.col("_pid") + offset))
        tables.append(table.with_columns(pl.col("_pid") + offset))
        offset += table.height
    if all(rows.height == 0 for rows in finests):
        _warn_empty(
            marks.lazy(),
            enrolments.lazy(),
            start=start,
            end=end,
            period=period,
            cohort=cohort,
        )
    finest = pl.concat(finests).lazy()
    periods = pl.concat(tables)
    count_cols = stages[0][2]
    parts = []
    for kept in _grouping_sets(by):
        g = finest.group_by(["_pid", *_SCHOOL_GEO, *kept]).agg(
            [pl.col(c).sum().cast(pl.Int64) for c in count_cols]
        )
        g = g.with_columns([pl.lit("Total").alias(c) for c in by if c not in kept])
        parts.append(g)
    out = pl.concat(parts, how="diagonal_relaxed").with_columns(
        num_schools=pl.lit(1, pl.Int64),
        country_code=pl.lit(COUNTRY_CODE),
        country_name=pl.lit(COUNTRY_NAME),
        geographic_level=pl.lit("School"),
    )
    time_cols = [c for c in periods.columns if c != "_pid"]
    out = out.join(periods.lazy(), on="_pid", how="left")
    return out.select(
        *time_cols,
        "geographic_level",
        "country_code",
        "country_name",
        *_SCHOOL_GEO,
        *[pl.col(c).cast(pl.String) for c in by],
        "num_schools",
        *count_cols,
    )


#: Geography columns of the school stage's rows.
_SCHOOL_GEO: tuple[str, ...] = (
    "school_urn",
    "school_name",
    "school_laestab",
    "region_code",
    "region_name",
    "new_la_code",
    "la_name",
    "old_la_code",
    "trust_id",
    "trust_name",
)


def _chunks(
    marks: pl.LazyFrame,
    start: dt.date | None,
    end: dt.date | None,
    period: str,
    calendar: pl.DataFrame | None,
    *,
    enrolments: int,
    limit: int,
) -> list[tuple[dt.date | None, dt.date | None]]:
    """Split the window into runs of whole periods for the school stage.

    No count crosses a period boundary (every total and every persistent
    absence decision is per enrolment *and period*), so the school stage can
    run chunk by chunk and its memory follows one chunk, not the window: a
    chunk holds as many whole periods as keep enrolments x periods within
    ``limit`` (at least one). A national weekly table runs two weeks at a
    time; a trust's or an LA's is one chunk. A year-to-date or range table is
    one period and one chunk.
    """
    if period in ("ytd", "range"):
        return [(start, end)]
    start, end = window(start, end, period)
    days = date_range(marks, start, end)
    if days.is_empty():
        return [(start, end)]
    dates, _ = date_table(days, period, start=start, end=end, calendar=calendar)
    spans = (
        dates.group_by("_pid")
        .agg(lo=pl.col("date").min(), hi=pl.col("date").max())
        .sort("lo")
    )
    per_chunk = max(1, limit // max(enrolments, 1))
    out: list[tuple[dt.date | None, dt.date | None]] = []
    for i, (lo, hi) in enumerate(spans.select("lo", "hi").iter_rows()):
        if i % per_chunk:
            out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return out


def _school_stage(
    marks: pl.LazyFrame,
    enrolments: pl.LazyFrame,
    schools: pl.LazyFrame,
    memberships: pl.LazyFrame | None,
    groups: EnrolmentGroups,
    *,
    by: Sequence[str],
    enr_by: Sequence[str],
    period: str,
    start: dt.date | None,
    end: dt.date | None,
    cohort: Cohort,
    calendar: pl.DataFrame | None,
    engine: EngineType,
    weight: str | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame, list[str]]:
    """Count marks into one row per school, period and breakdown group (collected).

    Returns the rows (``_pid``, geography, breakdowns, counts), the periods
    table and the count columns.
    """
    long, periods, seg = long_counts(
        marks,
        enrolments,
        schools,
        period=period,
        start=start,
        end=end,
        cohort=cohort,
        calendar=calendar,
        memberships=memberships,
        with_school=False,
        groups=groups,
        weight=weight,
    )
    n_pid = max(periods.height, 1)
    n = pl.col("n").cast(pl.Int64)
    ci = pl.col("_ci")
    gp = (pl.col("_eid") // groups.stride) * n_pid + pl.col("_pid")
    # Per enrolment and period only what PA/SA and the zero-possible rule
    # need: the four category totals and the not-counted reasons (an
    # enrolment with no possible session has only not-counted marks).
    per_e = long.group_by(
        (pl.col("_eid") * n_pid + pl.col("_pid")).alias("_kk"), *seg
    ).agg(
        *(n.filter(ci.is_in(_CODE_INDEX[k])).sum().alias(c) for k, c in _CATEGORY_SUMS),
        *(n.filter(ci == i).sum().alias(r) for i, r in _NOT_COUNTED),
    )
    if cohort.drop_zero_possible:
        per_e = per_e.filter(pl.col("sess_possible") > 0)
    # (group, period) packed in one integer key for the per-group sums
    per_e = per_e.with_columns(
        _gp=(pl.col("_kk") // n_pid // groups.stride) * n_pid + pl.col("_kk") % n_pid
    )
    has = pl.col("sess_possible") > 0
    pa = (10 * pl.col("sess_overall") >= pl.col("sess_possible")) & has
    sa = (2 * pl.col("sess_overall") >= pl.col("sess_possible")) & has
    sess = ("sess_possible", "sess_overall", "sess_authorised", "sess_unauthorised")
    pa_cols = [
        "enrolments",
        "enrolments_pa_10_exact",
        *[f"{s}_pa_10_exact" for s in sess],
        "enrolments_pa_50_exact",
        *[f"{s}_pa_50_exact" for s in sess],
    ]
    gk = ["_gp", *seg]
    per_group = per_e.group_by(gk).agg(
        pl.len().cast(pl.Int64).alias("enrolments"),
        pa.sum().cast(pl.Int64).alias("enrolments_pa_10_exact"),
        *[
            pl.col(s).filter(pa).sum().cast(pl.Int64).alias(f"{s}_pa_10_exact")
            for s in sess
        ],
        sa.sum().cast(pl.Int64).alias("enrolments_pa_50_exact"),
        *[
            pl.col(s).filter(sa).sum().cast(pl.Int64).alias(f"{s}_pa_50_exact")
            for s in sess
        ],
        *(pl.col(r).sum() for _, r in _NOT_COUNTED),
    )
    # The counted reasons straight from the code rows, per group: a
    # low-cardinality group-by (a few rows per school and period).
    counted = (
        long.filter(ci.is_in(_CODE_INDEX["possible"]))
        .group_by(gp.alias("_gp"), *seg)
        .agg(n.filter(ci == i).sum().alias(r) for i, r in _COUNTED)
    )
    wide = (
        counted.join(per_group, on=gk, how="full", coalesce=True, nulls_equal=True)
        .with_columns(pl.col(r).fill_null(0) for r in REASON_COLUMNS)
        .with_columns(pl.col(c).fill_null(0) for c in pa_cols)
        .with_columns(category_columns())
        .with_columns(
            _gid=(pl.col("_gp") // n_pid).cast(pl.UInt32),
            _pid=(pl.col("_gp") % n_pid).cast(pl.UInt32),
        )
        .join(groups.table.lazy(), on="_gid", how="left")
        .drop("_gid", "_gp")
    )
    chars = characteristic_exprs()
    wide = wide.with_columns(chars[c].alias(c) for c in enr_by)
    sch = _school_frame(schools.lazy())
    wide = wide.join(sch, on="urn", how="left")
    if not seg:
        wide = wide.with_columns(
            trust_id=pl.col("__static_trust"), trust_name=pl.lit(None, pl.String)
        )
    count_cols = [*COUNT_COLUMNS, *pa_cols]
    # The heavy stage ends here: marks -> one row per school, period and
    # breakdown group. It is collected once (streaming engine) so that every
    # grouping set and level reuses a small in-memory frame instead of
    # repeating the whole plan in each branch.
    finest = (
        wide.group_by(["_pid", *_SCHOOL_GEO, *by])
        .agg([pl.col(c).sum().cast(pl.Int64) for c in count_cols])
        .collect(engine=engine)
    )
    return finest, periods, count_cols


def attendance_table(
    marks: pl.LazyFrame | pl.DataFrame | Store,
    enrolments: pl.LazyFrame | pl.DataFrame,
    /,
    *args: pl.LazyFrame | pl.DataFrame,
    schools: pl.LazyFrame | pl.DataFrame | None = None,
    memberships: pl.LazyFrame | pl.DataFrame | None = None,
    levels: str | Sequence[str] = "national",
    by: Sequence[str] = (),
    period: str = "academic_year",
    start: dt.date | None = None,
    end: dt.date | None = None,
    cohort: Cohort | None = None,
    calendar: pl.DataFrame | None = None,
    decimals: int | Mapping[str, int] | None = 1,
    engine: EngineType = "streaming",
    chunk_enrolment_periods: int = CHUNK_ENROLMENT_PERIODS,
    zero_rate: str = "z",
) -> Table:
    r"""Build an EES attendance table from marks: levels × breakdowns × periods.

    The pipeline is additive counts first, rates last: marks are grouped by
    (enrolment, period, code) — sessions only inside each enrolment, the cohort
    rules of :class:`Cohort` applied — spread into reason and category counts,
    summarised per enrolment (persistent and severe absence), summed per school
    with breakdown and ``Total`` rows, then rolled up with :func:`rollup`.

    The heavy stage (marks to one row per school, period and breakdown group)
    runs when this function is called, with ``engine``, and is kept in memory:
    it is small (schools × periods × groups), and every level and grouping set
    then reuses it. The returned LazyFrame holds only the rollup and the rates.

    Parameters
    ----------
    marks
        Marks in ``MARKS_SCHEMA``, or a :class:`~makingdata.store.Store`:
        its stored counts are read in their place (the same table as from
        the marks the store was filled from).
    enrolments
        Enrolments in ``ENROLMENTS_SCHEMA``.
    *args
        Deprecated (0.2, removed in 0.3): ``schools`` and ``memberships`` by
        position.
    schools
        Schools in ``SCHOOLS_SCHEMA`` (geography, phase, static ``trust_id``);
        required, by keyword.
    memberships
        Trust memberships in ``MEMBERSHIPS_SCHEMA``; when given, the trust
        level follows membership as of each date (a school that moves trust
        mid-period counts in each trust for its own dates). Without it the
        static ``trust_id`` of ``schools`` is used.
    levels
        One or more of ``"school"``, ``"trust"``, ``"la"``, ``"region"``,
        ``"national"``.
    by
        Up to two of :data:`BREAKDOWNS`; two are crossed. Every breakdown gets
        ``Total`` rows.
    period
        ``"day"``, ``"week"``, ``"half_term"``, ``"term"``, ``"academic_year"``,
        ``"ytd"`` or ``"range"``.
    start
        First date counted (inclusive).
    end
        Last date counted (inclusive); required for ``"ytd"``.
    cohort
        Which enrolments and sessions count; default :class:`Cohort` (DfE).
    calendar
        Half-term start dates; default :func:`default_calendar`.
    decimals
        Places for percentages (an int, or a mapping of level to places);
        ``None`` keeps unrounded floats.
    engine
        polars engine for the heavy stage (default ``"streaming"``).
    chunk_enrolment_periods
        Memory bound of the heavy stage: it runs over runs of whole periods,
        each holding at most this many enrolments x periods (at least one
        period; default 20 million, about two national weeks). Exact whatever
        the value, since no count crosses a period boundary; lower it on a
        small machine, raise it to trade memory for fewer passes.
    zero_rate
        A rate over a zero denominator: ``"z"`` (default; no value, written
        ``z``, not applicable, as the EES standard says), ``"0"`` (0.0, as
        DfE's 2018/19 annual absence file publishes) or ``"."`` (no value,
        written ``.`` in a plain CSV, as DfE's files before EES did).

    Returns
    -------
    Table
        Lazy (:meth:`~makingdata.tables.Table.collect` runs the rollup), EES
        shape: time columns, ``geographic_level``, geography, filters,
        ``num_schools``, session and reason counts, ``enrolments``,
        ``enrolments_pa_10_exact`` and ``enrolments_pa_50_exact`` (persistent
        and severe absence) with the sessions of those enrolments, then the
        ``_percent`` indicators. Its spec says which columns are counts, rates
        (with their numerator and denominator), filters, labels and decimals.

    Examples
    --------
    >>> import datetime as dt
    >>> import polars as pl
    >>> from makingdata._contracts import (
    ...     ENROLMENTS_SCHEMA,
    ...     MARKS_SCHEMA,
    ...     SCHOOLS_SCHEMA,
    ... )
    >>> from makingdata.attendance import attendance_table
    >>> marks = pl.DataFrame(
    ...     {
    ...         "urn": [100001] * 4,
    ...         "pupil_key": [1, 1, 2, 2],
    ...         "date": [dt.date(2025, 9, 8)] * 4,
    ...         "session": ["AM", "PM"] * 2,
    ...         "code": ["/", "\\", "I", "I"],
    ...     },
    ...     schema=MARKS_SCHEMA,
    ... )
    >>> enrolments = pl.DataFrame(
    ...     {
    ...         "pupil_key": [1, 2],
    ...         "urn": [100001] * 2,
    ...         "enrol_start": [dt.date(2025, 9, 1)] * 2,
    ...         "age_at_31_august": [9, 9],
    ...         "fsm_eligible": [True, False],
    ...     },
    ...     schema={
    ...         k: ENROLMENTS_SCHEMA[k]
    ...         for k in (
    ...             "pupil_key",
    ...             "urn",
    ...             "enrol_start",
    ...             "age_at_31_august",
    ...             "fsm_eligible",
    ...         )
    ...     },
    ... ).with_columns(enrol_end=pl.lit(None, pl.Date))
    >>> schools = pl.DataFrame(
    ...     {
    ...         "urn": [100001],
    ...         "school_name": ["Demo Primary"],
    ...         "laestab": [8402000],
    ...         "old_la_code": [840],
    ...         "new_la_code": ["E06000047"],
    ...         "la_name": ["County Durham"],
    ...         "region_code": ["E12000001"],
    ...         "region_name": ["North East"],
    ...         "education_phase": ["Primary"],
    ...         "establishment_type_group": ["Academy"],
    ...     },
    ...     schema={
    ...         k: SCHOOLS_SCHEMA[k]
    ...         for k in (
    ...             "urn",
    ...             "school_name",
    ...             "laestab",
    ...             "old_la_code",
    ...             "new_la_code",
    ...             "la_name",
    ...             "region_code",
    ...             "region_name",
    ...             "education_phase",
    ...             "establishment_type_group",
    ...         )
    ...     },
    ... )
    >>> t = attendance_table(
    ...     marks, enrolments, schools=schools, by=["fsm_status"]
    ... ).collect()
    >>> t.select(
    ...     "fsm_status", "enrolments", "sess_overall_percent", "enrolments_pa_10_exact"
    ... ).rows()
    [('FSM eligible', 1, 0.0, 0), ('Not known to be FSM eligible', 1, 100.0, 1), ('Total', 2, 50.0, 1)]
    """
    schools, memberships = schools_and_memberships(
        "attendance_table", args, schools, memberships
    )
    lv = [level(x) for x in ([levels] if isinstance(levels, str) else levels)]
    if isinstance(decimals, int):
        check_decimals(decimals)
    check_zero_rate(zero_rate)
    wants_trust = any(x.name == "trust" for x in lv)
    # an enrolment whose school changes trust is split by trust only for the
    # trust level, so national, LA and school figures never depend on whether
    # the trust level was asked for
    groups = [
        ([x.name for x in lv if x.name != "trust"], False),
        (["trust"] if wants_trust else [], memberships is not None),
    ]
    # a store's marks arrive counted (one row per enrolment number, date
    # and code, weighing ``n_marks``), the spells applied date by date
    weight = None
    if isinstance(marks, Store):
        rows, weight = marks.code_counts(start=start, end=end), "n_marks"
    else:
        rows = marks.lazy()
    parts: list[Table] = []
    for names, split in groups:
        if not names:
            continue
        base = school_counts(
            rows,
            enrolments.lazy(),
            schools.lazy(),
            memberships.lazy() if memberships is not None else None,
            by=by,
            period=period,
            start=start,
            end=end,
            cohort=cohort,
            calendar=calendar,
            trust=split,
            engine=engine,
            chunk_enrolment_periods=chunk_enrolment_periods,
            weight=weight,
        )
        if names == ["trust"]:
            has_rows, in_trust = (
                base.select(pl.len() > 0, pl.col("trust_id").is_not_null().any())
                .collect()
                .row(0)
            )
            if has_rows and not in_trust:
                warnings.warn(
                    "the trust level is empty: no school with marks is in a trust "
                    + (
                        "on the dates counted (memberships)"
                        if memberships is not None
                        else "(the schools frame has no trust_id)"
                    )
                    + ". What to do: pass memberships= (urn, trust_id, trust_name, "
                    "joined, left) or schools with trust_id, or leave out the trust "
                    "level.",
                    EmptyResultWarning,
                    stacklevel=2,
                )
        names_out = base.collect_schema().names()
        counted = names_out[names_out.index("num_schools") + 1 :]
        school = Table(
            base,
            TableSpec(
                counts=counted,
                additive=("num_schools",),
                filters=list(by),
                levels=("School",),
            ),
        )
        parts.append(
            rollup(
                school,
                levels=names,
                keep=list(by),
                decimals=decimals,
                from_level="School",
                zero_rate=zero_rate,
            )
        )
    if len(parts) == 1:
        return parts[0]
    frames = [p.frame.lazy() for p in parts]
    out = pl.concat(frames, how="diagonal_relaxed")
    first = frames[0].collect_schema().names()
    extra = [c for c in frames[1].collect_schema().names() if c not in first]
    cols = first[: first.index("geographic_level") + 1]
    geo = [c for c in GEOGRAPHY_COLUMNS if c in first or c in extra]
    rest = [c for c in first if c not in cols and c not in geo]
    ordered = [*cols, *geo, *rest]
    labels = [x.label for x in sorted(lv, key=lambda x: x.rank)]
    spec = attrs.evolve(
        parts[0].spec,
        levels=labels,
        nestings=nestings_for(labels, ordered),
    )
    return Table(out.select(ordered), spec)
