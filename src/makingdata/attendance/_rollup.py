"""Rollups: additive counts to school, trust, LA, region and England, in EES shape.

Counts are summed first and rates derived last, as ratio of sums (DfE: rates at
higher levels are ``sum(absence) / sum(possible)``, never a mean of school
rates). :func:`rollup` works on any frame of additive counts at a lower level —
the output of :func:`attendance_table`'s school stage, or a published
school-level EES file — so the same code re-derives DfE's published LA, regional
and national rows.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import attrs
import polars as pl

from makingdata._contracts import TABLE_TIME_COLUMNS
from makingdata.attendance._enrolments import (
    SCHOOL_CHARACTERISTICS,
    Cohort,
    EnrolmentGroups,
    characteristic_exprs,
    date_range,
    long_counts,
    window,
)
from makingdata.attendance._measures import add_rates, check_decimals
from makingdata.attendance._periods import date_table
from makingdata.attendance._sessions import (
    COUNT_COLUMNS,
    REASON_COLUMNS,
    category_columns,
)
from makingdata.codes import CODES, Category
from makingdata.errors import InputError

if TYPE_CHECKING:
    from polars._typing import EngineType

__all__ = [
    "BREAKDOWNS",
    "LEVELS",
    "Level",
    "attendance_table",
    "headline_tables",
    "rollup",
]

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

COUNTRY_CODE = "E92000001"
COUNTRY_NAME = "England"


@attrs.frozen(slots=True)
class Level:
    """A geographic level of an EES table.

    Attributes
    ----------
    name
        makingdata's short name (``"la"``).
    label
        EES ``geographic_level`` value (``"Local authority"``).
    columns
        Geography columns filled in at this level, hierarchy included, in EES
        order.
    rank
        Sort order, national first.

    Examples
    --------
    >>> from makingdata.attendance import LEVELS
    >>> LEVELS["la"].columns[-3:]
    ('new_la_code', 'la_name', 'old_la_code')
    """

    name: str
    label: str
    columns: tuple[str, ...]
    rank: int


_C = ("country_code", "country_name")
_R = ("region_code", "region_name")
_LA = ("new_la_code", "la_name", "old_la_code")
_T = ("trust_id", "trust_name")
_S = ("school_urn", "school_name", "school_laestab")

#: The levels a table can be rolled up to.
LEVELS: Mapping[str, Level] = {
    "national": Level("national", "National", _C, 0),
    "region": Level("region", "Regional", (*_C, *_R), 1),
    "la": Level("la", "Local authority", (*_C, *_R, *_LA), 2),
    "trust": Level("trust", "MAT", (*_C, *_T), 3),
    "school": Level("school", "School", (*_C, *_R, *_LA, *_S), 4),
}
_ALIASES = {
    "national": "national",
    "country": "national",
    "england": "national",
    "region": "region",
    "regional": "region",
    "la": "la",
    "local authority": "la",
    "local_authority": "la",
    "trust": "trust",
    "mat": "trust",
    "school": "school",
}
GEO_COLUMNS: tuple[str, ...] = (*_C, *_R, *_LA, *_T, *_S)
#: Identifier columns never summed.
_ID_COLUMNS = frozenset(
    {"urn", "estab", "laestab", "pupil_key", "_eid", "_pid", "geographic_level"}
)
_SYMBOLS = ("c", "x", "z", "k", "u", "low", ":", ".", "~")

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


def _level(name: str) -> Level:
    key = _ALIASES.get(str(name).strip().lower())
    if key is None:
        raise InputError(
            f"unknown level {name!r}",
            hint="use school, trust, la, region or national",
        )
    return LEVELS[key]


def _is_percent(name: str) -> bool:
    return "_percent" in name or name.endswith("_perc") or name.startswith("pt_")


def _classify(
    lf: pl.LazyFrame, reserved: set[str], indicators: Sequence[str] | None
) -> tuple[list[str], list[str]]:
    """Return (numeric count columns, string count columns with symbols)."""
    schema = lf.collect_schema()
    if indicators is not None:
        missing = [c for c in indicators if c not in schema]
        if missing:
            raise InputError(
                f"the counts frame has no {missing[0]!r} column",
                column=missing[0],
                hint="name only columns the frame has in indicators=",
            )
        num = [c for c in indicators if schema[c].is_numeric()]
        txt = [c for c in indicators if not schema[c].is_numeric()]
        return num, txt
    num = [
        c
        for c, t in schema.items()
        if t.is_numeric() and c not in reserved and not _is_percent(c)
    ]
    cand = [
        c
        for c, t in schema.items()
        if t == pl.String and c not in reserved and not _is_percent(c)
    ]
    if not cand:
        return num, []
    # a text column is a count if every value is a number or an EES symbol
    probe = lf.select(
        [
            (
                pl.col(c).is_not_null().any()
                & (
                    pl.col(c).is_null()
                    | pl.col(c).str.strip_chars().is_in(_SYMBOLS)
                    | pl.col(c)
                    .str.strip_chars()
                    .cast(pl.Int64, strict=False)
                    .is_not_null()
                ).all()
            ).alias(c)
            for c in cand
        ]
    ).collect()
    txt = [c for c in cand if probe[c][0]]
    return num, txt


def _aggs(num: Sequence[str], txt: Sequence[str]) -> list[pl.Expr]:
    out = [pl.col(c).sum().alias(c) for c in num]
    for c in txt:
        v = pl.col(c).str.strip_chars()
        n = v.cast(pl.Int64, strict=False)
        sym = pl.when(n.is_null()).then(v)
        out += [
            n.sum().alias(f"__n_{c}"),
            n.count().alias(f"__k_{c}"),
            sym.drop_nulls().n_unique().alias(f"__u_{c}"),
            sym.drop_nulls().first().alias(f"__s_{c}"),
        ]
    return out


def _finish_txt(txt: Sequence[str]) -> list[pl.Expr]:
    return [
        (
            pl.when(pl.col(f"__u_{c}") == 0)
            .then(pl.col(f"__n_{c}").cast(pl.String))
            .when((pl.col(f"__u_{c}") == 1) & (pl.col(f"__k_{c}") == 0))
            .then(pl.col(f"__s_{c}"))
            .otherwise(pl.lit("x"))
            .alias(c)
        )
        for c in txt
    ]


def _decimals_for(decimals: int | Mapping[str, int] | None, level: Level) -> int | None:
    if decimals is None or isinstance(decimals, int):
        return decimals
    for k, v in decimals.items():
        if _level(k) is level:
            return v
    return None


def rollup(  # noqa: PLR0912, PLR0915 - one query plan, step by step
    counts: pl.LazyFrame | pl.DataFrame,
    /,
    *,
    to: str | Sequence[str] = ("la", "region", "national"),
    by: Sequence[str] = (),
    keep: Sequence[str] = (),
    decimals: int | Mapping[str, int] | None = None,
    indicators: Sequence[str] | None = None,
    from_level: str | None = "School",
    memberships: pl.LazyFrame | pl.DataFrame | None = None,
    as_of: dt.date | None = None,
) -> pl.LazyFrame:
    """Re-aggregate additive counts to higher levels, with ``Total`` rows.

    Every count column is summed within each group of the target level; then
    every percentage in :data:`MEASURES` whose numerator and denominator are
    present is derived as a ratio of sums and rounded half-up.

    Parameters
    ----------
    counts
        Additive counts at a lower level: a school-level EES table (such as a
        published DfE school-level file), or :func:`attendance_table` output.
        Geography columns (``region_code``, ``old_la_code`` …) must be present
        for the levels asked; country columns default to England.
    to
        Target levels: any of ``"school"``, ``"trust"``, ``"la"``, ``"region"``,
        ``"national"``.
    by
        Filter columns to break down by; each gets a ``Total`` row, and two or
        more are crossed (every combination, totals included). Rows already
        labelled ``Total`` in the input are dropped first, so nothing is counted
        twice.
    keep
        Further columns to group on as they are, without a ``Total`` (e.g. a
        ``year_breakdown`` label).
    decimals
        Places for the percentages: one int, or a mapping of level to places
        (DfE's annual absence file: ``{"national": 1, "la": 5, "region": 5}``);
        ``None`` keeps unrounded floats.
    indicators
        The count columns to sum; default: every numeric column that is not an
        identifier, time, geography, filter or percentage column, and every text
        column whose values are all numbers or EES symbols (``c``, ``x``, ``z``,
        ``:`` …). A text column sums where every member is a number, keeps a
        symbol that every member shares, and is ``x`` otherwise.
    from_level
        If the input has a ``geographic_level`` column, only rows of this level
        are used (default ``"School"``); ``None`` uses every row.
    memberships
        Trust memberships (``MEMBERSHIPS_SCHEMA``), needed for the trust level
        when the counts carry no ``trust_id``.
    as_of
        The date on which trust membership is taken when ``memberships`` is
        used (default: today).

    Returns
    -------
    polars.LazyFrame
        EES shape: time columns, ``geographic_level``, geography columns, the
        filters, the counts, then the ``_percent`` indicators.

    Raises
    ------
    InputError
        If a level is unknown or its geography columns are missing.

    Examples
    --------
    >>> import polars as pl
    >>> from makingdata.attendance import rollup
    >>> schools = pl.LazyFrame(
    ...     {
    ...         "time_period": [201819] * 3,
    ...         "time_identifier": ["Academic year"] * 3,
    ...         "geographic_level": ["School"] * 3,
    ...         "region_code": ["E12000001"] * 3,
    ...         "region_name": ["North East"] * 3,
    ...         "old_la_code": [840, 840, 841],
    ...         "new_la_code": ["E06000047", "E06000047", "E06000005"],
    ...         "la_name": ["County Durham", "County Durham", "Darlington"],
    ...         "school_type": ["State-funded primary", "Special", "Special"],
    ...         "sess_possible": [1000, 500, 400],
    ...         "sess_overall": [40, 30, 25],
    ...     }
    ... )
    >>> out = rollup(schools, to="national", by=["school_type"], decimals=1).collect()
    >>> out.select("school_type", "sess_overall", "sess_overall_percent").rows()
    [('Special', 55, 6.1), ('State-funded primary', 40, 4.0), ('Total', 95, 5.0)]
    """
    check_decimals(decimals if isinstance(decimals, int) else None)
    if isinstance(decimals, Mapping):
        for v in decimals.values():
            check_decimals(v)
    levels = [_level(t) for t in ([to] if isinstance(to, str) else to)]
    lf = counts.lazy()
    names = lf.collect_schema().names()
    if from_level is not None and "geographic_level" in names:
        lf = lf.filter(pl.col("geographic_level") == from_level)
    renames = {}
    if "school_urn" not in names and "urn" in names:
        renames["urn"] = "school_urn"
    if "school_laestab" not in names and "laestab" in names:
        renames["laestab"] = "school_laestab"
    if renames:
        lf = lf.with_columns(pl.col(k).alias(v) for k, v in renames.items())
        names = lf.collect_schema().names()
    for c in (*by, *keep):
        if c not in names:
            raise InputError(
                f"the counts frame has no {c!r} column to group by",
                column=c,
                hint=f"choose from {names}",
            )
    if by:
        lf = lf.filter(
            ~pl.any_horizontal(
                [(pl.col(c).cast(pl.String) == "Total").fill_null(False) for c in by]
            )
        )
    if "country_code" not in names:
        lf = lf.with_columns(
            country_code=pl.lit(COUNTRY_CODE), country_name=pl.lit(COUNTRY_NAME)
        )
    time = [c for c in TABLE_TIME_COLUMNS if c in names]
    reserved = set(time) | set(GEO_COLUMNS) | set(by) | set(keep) | _ID_COLUMNS
    num, txt = _classify(lf, reserved, indicators)
    schema = lf.collect_schema()
    lf = lf.with_columns(
        [pl.col(c).cast(pl.Int64) for c in num if schema[c].is_integer()]
    )
    parts: list[pl.LazyFrame] = []
    for level in levels:
        src = lf
        geo = list(level.columns)
        have = set(src.collect_schema().names())
        if level.name == "trust" and "trust_id" not in have:
            if memberships is None:
                raise InputError(
                    "the trust level needs trust_id in the counts or a "
                    "memberships frame",
                    column="trust_id",
                    hint="pass memberships=... (MEMBERSHIPS_SCHEMA) and as_of=<date>",
                )
            day = as_of if as_of is not None else dt.date.today()
            mem = (
                memberships.lazy()
                .filter(
                    (pl.col("joined").is_null() | (pl.col("joined") <= day))
                    & (pl.col("left").is_null() | (pl.col("left") >= day))
                )
                .select(
                    pl.col("urn").cast(pl.Int64).alias("__urn"),
                    "trust_id",
                    "trust_name",
                )
                .unique(subset=["__urn"], keep="first")
            )
            src = src.with_columns(
                __urn=pl.col("school_urn").cast(pl.Int64, strict=False)
            ).join(mem, on="__urn", how="left")
            have = set(src.collect_schema().names())
        if level.name == "trust":
            if "trust_name" not in have:
                src = src.with_columns(trust_name=pl.lit(None, pl.String))
            src = src.filter(pl.col("trust_id").is_not_null())
        missing = [c for c in geo if c not in have and c != "trust_name"]
        if missing:
            raise InputError(
                f"the {level.label} level needs a {missing[0]!r} column",
                column=missing[0],
                hint="add the geography columns of that level to the counts",
            )
        base = [*time, *keep, *geo]
        for kept in _grouping_sets(by):
            g = src.group_by([*base, *kept]).agg(_aggs(num, txt))
            g = g.with_columns([pl.lit("Total").alias(c) for c in by if c not in kept])
            if txt:
                g = g.with_columns(_finish_txt(txt))
            g = g.with_columns(
                geographic_level=pl.lit(level.label), __rank=pl.lit(level.rank)
            )
            parts.append(g)
    out = pl.concat(parts, how="diagonal_relaxed")
    # rates once, on the concatenated counts: a far smaller query plan than
    # one set of rate expressions per level and grouping set
    places = {lv.label: _decimals_for(decimals, lv) for lv in levels}
    if len(set(places.values())) <= 1:
        out = add_rates(out, decimals=next(iter(places.values()), None))
    else:
        out = add_rates(out, places=places)
    cols = out.collect_schema().names()
    rates = [c for c in cols if _is_percent(c) and c not in (*num, *txt)]
    counts_out = [c for c in (*num, *txt) if c in cols]
    geo_out = [c for c in GEO_COLUMNS if c in cols]
    ordered = [*time, "geographic_level", *geo_out, *keep, *by, *counts_out, *rates]
    filters = [*keep, *by]
    sort_by: list[pl.Expr] = [pl.col(c) for c in (*time, "__rank", *geo_out)]
    for c in filters:
        # Total last within each filter, the rest in order
        sort_by += [pl.col(c).cast(pl.String) == "Total", pl.col(c)]
    return (
        out.with_columns([pl.col(c).cast(pl.String) for c in by])
        .sort(sort_by, nulls_last=True, maintain_order=True)
        .select(ordered)
    )


def _grouping_sets(by: Sequence[str]) -> list[tuple[str, ...]]:
    """Every subset of ``by`` kept as-is, largest first (the rest become Total)."""
    sets: list[tuple[str, ...]] = []
    for k in range(len(by), -1, -1):
        sets.extend(itertools.combinations(by, k))
    return sets


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
) -> pl.LazyFrame:
    """School-level additive counts with breakdown and Total rows (school stage)."""
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
        )
        for lo, hi in spans
    ]
    # each chunk numbers its own periods: offset them into one numbering
    finests, tables, offset = [], [], 0
    for rows, table, _ in stages:
        finests.append(rows.with_columns(pl.col("_pid") + offset))
        tables.append(table.with_columns(pl.col("_pid") + offset))
        offset += table.height
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
    marks: pl.LazyFrame | pl.DataFrame,
    enrolments: pl.LazyFrame | pl.DataFrame,
    schools: pl.LazyFrame | pl.DataFrame,
    memberships: pl.LazyFrame | pl.DataFrame | None = None,
    *,
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
) -> pl.LazyFrame:
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
        Marks in ``MARKS_SCHEMA``.
    enrolments
        Enrolments in ``ENROLMENTS_SCHEMA``.
    schools
        Schools in ``SCHOOLS_SCHEMA`` (geography, phase, static ``trust_id``).
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

    Returns
    -------
    polars.LazyFrame
        EES shape: time columns, ``geographic_level``, geography, filters,
        ``num_schools``, session and reason counts, ``enrolments``,
        ``enrolments_pa_10_exact`` and ``enrolments_pa_50_exact`` (persistent
        and severe absence) with the sessions of those enrolments, then the
        ``_percent`` indicators.

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
    >>> t = attendance_table(marks, enrolments, schools, by=["fsm_status"]).collect()
    >>> t.select(
    ...     "fsm_status", "enrolments", "sess_overall_percent", "enrolments_pa_10_exact"
    ... ).rows()
    [('FSM eligible', 1, 0.0, 0), ('Not known to be FSM eligible', 1, 100.0, 1), ('Total', 2, 50.0, 1)]
    """
    lv = [_level(x) for x in ([levels] if isinstance(levels, str) else levels)]
    if isinstance(decimals, int):
        check_decimals(decimals)
    wants_trust = any(x.name == "trust" for x in lv)
    # an enrolment whose school changes trust is split by trust only for the
    # trust level, so national, LA and school figures never depend on whether
    # the trust level was asked for
    groups = [
        ([x.name for x in lv if x.name != "trust"], False),
        (["trust"] if wants_trust else [], memberships is not None),
    ]
    parts: list[pl.LazyFrame] = []
    for names, split in groups:
        if not names:
            continue
        base = school_counts(
            marks.lazy(),
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
        )
        parts.append(
            rollup(
                base, to=names, keep=list(by), decimals=decimals, from_level="School"
            )
        )
    if len(parts) == 1:
        return parts[0]
    out = pl.concat(parts, how="diagonal_relaxed")
    first = parts[0].collect_schema().names()
    extra = [c for c in parts[1].collect_schema().names() if c not in first]
    cols = first[: first.index("geographic_level") + 1]
    geo = [c for c in GEO_COLUMNS if c in first or c in extra]
    rest = [c for c in first if c not in cols and c not in geo]
    return out.select(*cols, *geo, *rest)


def headline_tables(
    marks: pl.LazyFrame | pl.DataFrame,
    enrolments: pl.LazyFrame | pl.DataFrame,
    schools: pl.LazyFrame | pl.DataFrame,
    memberships: pl.LazyFrame | pl.DataFrame | None = None,
    *,
    trust_id: str | None = None,
    period: str = "ytd",
    start: dt.date | None = None,
    end: dt.date | None = None,
    by: Sequence[str] = ("fsm_status",),
    decimals: int = 1,
) -> dict[str, pl.DataFrame]:
    """Return small national, regional and one trust's headline tables.

    Meant for ``makingdata demo`` and notebooks: each table has the time and
    geography columns, the breakdown, ``enrolments``, ``sess_possible`` and the
    headline rates (overall, authorised, unauthorised absence; persistent and
    severe absence).

    Parameters
    ----------
    marks
        Marks in ``MARKS_SCHEMA``.
    enrolments
        Enrolments in ``ENROLMENTS_SCHEMA``.
    schools
        Schools in ``SCHOOLS_SCHEMA``.
    memberships
        Trust memberships in ``MEMBERSHIPS_SCHEMA`` (optional).
    trust_id
        The trust to show; default the trust with the most schools.
    period
        As for :func:`attendance_table`; default year to date.
    start
        First date counted.
    end
        Last date counted; default the last date in ``marks``.
    by
        Breakdowns (default FSM status).
    decimals
        Places for the rates.

    Returns
    -------
    dict of str to polars.DataFrame
        Keys ``"national"``, ``"regional"`` and ``"trust"`` (empty when no
        school belongs to a trust).

    Examples
    --------
    >>> import datetime as dt
    >>> from makingdata import synth
    >>> from makingdata.attendance import headline_tables
    >>> d = synth.generate(
    ...     scale=0.01, start=dt.date(2025, 9, 8), end=dt.date(2025, 9, 9), la=330
    ... )
    >>> tables = headline_tables(d.marks(), d.enrolments, d.schools, d.memberships)
    >>> sorted(tables)
    ['national', 'regional', 'trust']
    >>> tables["national"]["fsm_status"].to_list()
    ['FSM eligible', 'Not known to be FSM eligible', 'Total']
    """
    m = marks.lazy()
    if end is None:
        end = m.select(pl.col("date").max()).collect().item()
    table = attendance_table(
        m,
        enrolments,
        schools,
        memberships,
        levels=("national", "region", "trust"),
        by=by,
        period=period,
        start=start,
        end=end,
        decimals=decimals,
    ).collect()
    show = [
        c
        for c in (
            "time_period",
            "time_identifier",
            "geographic_level",
            "region_name",
            "trust_id",
            "trust_name",
            *by,
            "enrolments",
            "sess_possible",
            "sess_overall_percent",
            "sess_authorised_percent",
            "sess_unauthorised_percent",
            "enrolments_pa_10_exact_percent",
            "enrolments_pa_50_exact_percent",
        )
        if c in table.columns
    ]
    trusts = table.filter(pl.col("geographic_level") == "MAT")
    if trust_id is None and trusts.height:
        sch = schools.lazy()
        if memberships is not None:
            counts = memberships.lazy().group_by("trust_id").agg(n=pl.len())
        else:
            counts = (
                sch.filter(pl.col("trust_id").is_not_null())
                .group_by("trust_id")
                .agg(n=pl.len())
            )
        top = counts.sort(["n", "trust_id"], descending=[True, False]).first().collect()
        trust_id = top["trust_id"][0] if top.height else None
    return {
        "national": table.filter(pl.col("geographic_level") == "National").select(show),
        "regional": table.filter(pl.col("geographic_level") == "Regional").select(show),
        "trust": trusts.filter(pl.col("trust_id") == trust_id).select(show),
    }
