"""Enrolment summaries over a period: possible and missed sessions, PA and SA.

The unit is the *enrolment* (one pupil at one school), as in DfE's absence
statistics: a pupil who moves school is two enrolments (attendance-domain.md
§3.3). Sessions count only between each enrolment's start and end. Persistent
absence: the enrolment missed 10% or more of its own possible sessions
(``10 * sess_overall >= sess_possible``, DfE's "exact" method since 2015/16);
severe absence: 50% or more (§3.2). Both are decided in integers, so no float
rounding can move an enrolment across the threshold.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import attrs
import polars as pl

from makingdata._calendar import ACADEMIC_YEAR_FIRST_MONTH, academic_year_start
from makingdata._contracts import EducationPhase
from makingdata.attendance._args import keyword_frames, lazy
from makingdata.attendance._periods import date_table
from makingdata.attendance._sessions import (
    COUNT_COLUMNS,
    REASON_COLUMNS,
    category_columns,
    require_columns,
)
from makingdata.errors import InputError
from makingdata.store import REASON_COLUMNS as STORED_REASONS
from makingdata.store import Store

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["Cohort", "enrolment_summary"]

#: Slots for the code in the packed group key (more than the number of codes).
_CODE_SLOTS = 64
_DFE_PHASES: frozenset[str] = frozenset(
    p.value
    for p in (
        EducationPhase.PRIMARY,
        EducationPhase.SECONDARY,
        EducationPhase.SPECIAL,
        EducationPhase.ALL_THROUGH,
        EducationPhase.MIDDLE_DEEMED_PRIMARY,
        EducationPhase.MIDDLE_DEEMED_SECONDARY,
    )
)


@attrs.frozen(slots=True, kw_only=True)
class Cohort:
    """Which enrolments and sessions count: DfE's cohort by default.

    Each rule can be switched off on its own; :meth:`everyone` switches them
    all off (every session of every enrolment, e.g. for a school's own view).

    Attributes
    ----------
    min_age
        Youngest age at 31 August (start of the academic year) counted; DfE: 5.
        ``None`` = no lower bound.
    max_age
        Oldest age at 31 August counted; DfE: 15. ``None`` = no upper bound.
    phases
        ``education_phase`` values of the schools counted; DfE counts
        state-funded primary, secondary and special schools, which in census
        phases are Primary, Middle (deemed primary), Secondary, Middle (deemed
        secondary), All-through and Special. ``None`` = every phase.
    exclude_independent
        Drop schools whose ``establishment_type_group`` is ``"Independent"``
        (DfE: state-funded only).
    drop_zero_possible
        Drop enrolments with no possible sessions in the period (DfE).
    exclude_age15_summer2
        Drop the sessions of pupils aged 15 at 31 August in the second half of
        the summer term (DfE: Year 11 pupils leave after their exams). The
        half-term boundary comes from the calendar passed to the kernel, by
        default the spring bank holiday (last Monday of May).

    Examples
    --------
    >>> from makingdata.attendance import Cohort
    >>> Cohort().max_age
    15
    >>> Cohort.everyone().phases is None
    True
    """

    min_age: int | None = 5
    max_age: int | None = 15
    phases: frozenset[str] | None = _DFE_PHASES
    exclude_independent: bool = True
    drop_zero_possible: bool = True
    exclude_age15_summer2: bool = True

    @classmethod
    def everyone(cls) -> Cohort:
        """Return a cohort with every DfE rule switched off."""
        return cls(
            min_age=None,
            max_age=None,
            phases=None,
            exclude_independent=False,
            drop_zero_possible=False,
            exclude_age15_summer2=False,
        )


#: Characteristic columns that can be breakdowns, with how to derive them.
def characteristic_exprs() -> dict[str, pl.Expr]:
    """Return the breakdown columns derivable from an enrolment row."""
    return {
        "fsm_status": pl.when(pl.col("fsm_eligible"))
        .then(pl.lit("FSM eligible"))
        .otherwise(pl.lit("Not known to be FSM eligible")),
        "sen_provision": pl.col("sen_provision").cast(pl.String).fill_null("Unknown"),
        "ethnicity_major": pl.col("ethnicity_major")
        .cast(pl.String)
        .fill_null("Unknown"),
        "sex": pl.col("sex").cast(pl.String).fill_null("Unknown"),
        "year_group": pl.col("year_group").cast(pl.String).fill_null("Unknown"),
        "looked_after": pl.when(pl.col("looked_after"))
        .then(pl.lit("Looked after"))
        .otherwise(pl.lit("Not looked after")),
        "child_in_need": pl.when(pl.col("child_in_need"))
        .then(pl.lit("Child in need"))
        .otherwise(pl.lit("Not child in need")),
    }


#: Characteristics that come from the school rather than the enrolment.
SCHOOL_CHARACTERISTICS: tuple[str, ...] = ("education_phase",)


def _age_expr() -> pl.Expr:
    """Age at 31 August of the academic year ``_ay`` (from date of birth if known)."""
    y0 = pl.col("_ay") // 100
    dob = pl.col("date_of_birth")
    after_31_aug = (dob.dt.month() > 8).cast(pl.Int32)
    from_dob = (y0 - dob.dt.year() - after_31_aug).cast(pl.Int32)
    return pl.coalesce(from_dob, pl.col("age_at_31_august").cast(pl.Int32))


def _with_birth_columns(enr: pl.LazyFrame, names: list[str]) -> pl.LazyFrame:
    """Make sure ``date_of_birth`` and ``age_at_31_august`` exist for the age rules.

    A frame scoped for a trust, LA or DfE carries ``birth_cohort`` (1
    September of the school year of birth) instead of the date of birth: it
    gives the same ages at 31 August, so it stands in for it.
    """
    e = enr
    if "date_of_birth" not in names and "birth_cohort" in names:
        e = e.rename({"birth_cohort": "date_of_birth"})
    elif "date_of_birth" not in names:
        e = e.with_columns(pl.lit(None, pl.Date).alias("date_of_birth"))
    if "age_at_31_august" not in names:
        e = e.with_columns(pl.lit(None, pl.UInt8).alias("age_at_31_august"))
    return e


def window(
    start: dt.date | None, end: dt.date | None, period: str
) -> tuple[dt.date | None, dt.date | None]:
    """Resolve the date window, filling a year-to-date start from ``end``."""
    if period == "ytd":
        if end is None:
            raise InputError(
                "a year-to-date table needs an end date",
                hint="pass end=<last date> (the --to date on the command line)",
            )
        if start is None:
            start = dt.date(academic_year_start(end), ACADEMIC_YEAR_FIRST_MONTH, 1)
    if start is not None and end is not None and start > end:
        raise InputError(
            f"the period starts after it ends ({start} > {end})",
            hint="swap the dates",
        )
    return start, end


def date_range(
    marks: pl.LazyFrame, start: dt.date | None, end: dt.date | None
) -> pl.Series:
    if start is None or end is None:
        lo, hi = (
            marks.select(
                pl.col("date").min().alias("lo"), pl.col("date").max().alias("hi")
            )
            .collect()
            .row(0)
        )
        start = start if start is not None else lo
        end = end if end is not None else hi
    if start is None or end is None:
        return pl.Series("date", [], pl.Date)
    return pl.date_range(start, end, interval="1d", eager=True).alias("date")


def long_counts(
    marks: pl.LazyFrame,
    enrolments: pl.LazyFrame,
    schools: pl.LazyFrame | None,
    *,
    period: str,
    start: dt.date | None,
    end: dt.date | None,
    cohort: Cohort,
    calendar: pl.DataFrame | None,
    memberships: pl.LazyFrame | None = None,
    carry: Sequence[str] = (),
    with_school: bool = True,
    groups: EnrolmentGroups | None = None,
    pre_aggregate: bool | None = None,
    weight: str | None = None,
) -> tuple[pl.LazyFrame, pl.DataFrame, list[str]]:
    """Count marks per (enrolment, period[, trust], code) in the cohort.

    Returns the long frame (``_eid, _pid, [trust_id, trust_name], _ci, n``,
    then ``urn`` and the enrolment columns named in ``carry`` when
    ``with_school`` or ``carry`` asks for them), the periods table (``_pid`` →
    EES time columns) and the trust segment columns.

    With ``groups``, ``_eid`` is not the enrolment's row number but encodes
    its group: ``_eid // groups.stride`` is ``_gid`` in ``groups.table``, so
    later stages reach the school and the characteristics by arithmetic
    instead of a join on every code row.

    ``pre_aggregate`` decides whether the marks are first counted per
    (enrolment, date combination, code): worth it when an enrolment has many
    marks per period (a week, a term), not when it has about two (a daily
    table, a one-day window), where the extra hash step reduces the rows by
    a few per cent. ``None`` (default) chooses: no pre-aggregation for
    ``period="day"`` or a window of one date. Without it each long row is one
    mark (``n`` = 1).

    ``weight`` names a column of ``marks`` holding how many marks each row
    stands for (a store's counts, :meth:`~makingdata.store.Store.code_counts`);
    ``None``: each row is one mark.
    """
    require_columns(
        marks,
        ["urn", "pupil_key", "date", "code"],
        what="marks",
        hint="marks need urn, pupil_key, date, session and code (MARKS_SCHEMA)",
    )
    require_columns(
        enrolments,
        ["pupil_key", "urn", "enrol_start", "enrol_end"],
        what="enrolments",
        hint="enrolments need pupil_key, urn, enrol_start and enrol_end "
        "(ENROLMENTS_SCHEMA)",
    )
    start, end = window(start, end, period)
    dates, periods = date_table(
        date_range(marks, start, end),
        period,
        start=start,
        end=end,
        calendar=calendar,
    )
    # each date's (period, academic year, summer-2) combination as a small int
    combos = (
        dates.select("_pid", "_ay", "_s2")
        .unique(maintain_order=True)
        .with_row_index("_dk")
        .with_columns(pl.col("_dk").cast(pl.UInt64))
    )
    n_dk = max(combos.height, 1)
    dates = dates.join(combos, on=["_pid", "_ay", "_s2"], nulls_equal=True)
    years = dates.get_column("_ay").unique().drop_nulls().sort().to_list()
    enr = enrolments.with_row_index("_eid")
    if groups is not None:
        enr = groups.number(enr)
    # The cohort rules are decided on the enrolments (one row per pupil and
    # school, or per pupil, school and academic year when the window spans
    # several), before a single mark is joined: the marks join then only
    # meets enrolments that count.
    eligible, by_year, age15 = _eligible(enr, schools, cohort, years)
    s2 = age15 and bool(dates.get_column("_s2").fill_null(False).any())
    lf = marks.select("urn", "pupil_key", "date", "code", *([weight] if weight else []))
    if start is not None:
        lf = lf.filter(pl.col("date") >= start)
    if end is not None:
        lf = lf.filter(pl.col("date") <= end)
    if pre_aggregate is None:
        pre_aggregate = period != "day" and dates.height > 1
    date_cols = [
        "date",
        "_dk" if pre_aggregate else "_pid",
        *(["_ay"] if by_year else []),
        *(["_s2"] if s2 else []),
    ]
    lf = lf.join(dates.lazy().select(date_cols), on="date", how="inner")
    enr_cols = ["_eid", "pupil_key", "urn", "enrol_start", "enrol_end"]
    enr_cols += [*(["_ay"] if by_year else []), *(["_a15"] if s2 else [])]
    if not pre_aggregate:
        enr_cols += [c for c in carry if c not in enr_cols]
    lf = lf.join(
        eligible.select(enr_cols),
        on=["pupil_key", "urn", *(["_ay"] if by_year else [])],
        how="inner",
    )
    inside = (
        pl.col("enrol_start").is_null() | (pl.col("date") >= pl.col("enrol_start"))
    ) & (pl.col("enrol_end").is_null() | (pl.col("date") <= pl.col("enrol_end")))
    if s2:
        inside = inside & ~(pl.col("_s2").fill_null(False) & pl.col("_a15"))
    lf = lf.filter(inside)
    seg: list[str] = []
    if memberships is not None:
        # trust as of each date, resolved on the small (urn, date) frame
        ud = lf.select("urn", "date").unique()
        mem = memberships.select("urn", "trust_id", "trust_name", "joined", "left")
        ud = ud.join(mem, on="urn", how="left").filter(
            (pl.col("joined").is_null() | (pl.col("date") >= pl.col("joined")))
            & (pl.col("left").is_null() | (pl.col("date") <= pl.col("left")))
        )
        ud = ud.select("urn", "date", "trust_id", "trust_name").unique(
            subset=["urn", "date"], keep="first"
        )
        lf = lf.join(ud, on=["urn", "date"], how="left")
        seg = ["trust_id", "trust_name"]
    out = ["_eid", "_pid", *seg, "_ci", "n"]
    if not pre_aggregate:
        # one long row per mark, the carried enrolment columns from the join
        lf = lf.with_columns(
            _ci=pl.col("code").to_physical().cast(pl.UInt8),
            n=pl.col(weight).cast(pl.UInt32) if weight else pl.lit(1, pl.UInt32),
        )
        if with_school or carry:
            out += ["urn", *carry]
        return lf.select(out), periods, seg
    # one integer key (enrolment, date combination, code): a single-key hash
    # group-by is much cheaper than a multi-column one on hundreds of millions
    # of marks
    key = (
        pl.col("_eid").cast(pl.UInt64) * n_dk + pl.col("_dk")
    ) * _CODE_SLOTS + pl.col("code").to_physical().cast(pl.UInt64)
    grouped = (
        lf.group_by(key.alias("_k"), *seg)
        .agg(n=pl.col(weight).sum().cast(pl.UInt32) if weight else pl.len())
        .with_columns(
            _eid=(pl.col("_k") // _CODE_SLOTS // n_dk).cast(
                pl.UInt32 if groups is None else pl.UInt64
            ),
            _dk=(pl.col("_k") // _CODE_SLOTS) % n_dk,
            _ci=(pl.col("_k") % _CODE_SLOTS).cast(pl.UInt8),
        )
        .join(combos.lazy().select("_dk", "_pid"), on="_dk", how="left")
    )
    if with_school or carry:
        # the school and any characteristics the caller wants, by one join on
        # the small grouped frame
        grouped = grouped.join(enr.select("_eid", "urn", *carry), on="_eid", how="left")
        out += ["urn", *carry]
    return grouped.select(out), periods, seg


@attrs.frozen(slots=True)
class EnrolmentGroups:
    """Enrolment groups (e.g. school × FSM) numbered so ``_eid`` encodes them.

    Attributes
    ----------
    columns
        The enrolment columns that make a group.
    table
        One row per group: ``_gid`` then ``columns``.
    stride
        What a group's number is multiplied by: the number of enrolments when
        ``by_row`` (no window needed), else the size of the largest group.
    by_row
        ``_eid`` is ``_gid * stride`` + the enrolment's row number (``True``)
        or + its place within its group (``False``, numbered by a window; used
        when group count × enrolments would overflow the packed keys).
    enrolments
        How many enrolments were numbered.
    """

    columns: tuple[str, ...]
    table: pl.DataFrame
    stride: int
    by_row: bool = True
    enrolments: int = 0

    @classmethod
    def of(cls, enrolments: pl.LazyFrame, columns: Sequence[str]) -> EnrolmentGroups:
        """Count the groups of ``enrolments`` (an eager step on the small frame).

        The stride is the number of enrolments (``_eid = group * n + row``,
        no window needed) unless that would put the packed code key near 64
        bits; then it is the largest group's size and the place in the group
        is numbered by a window.
        """
        cols = list(columns)
        sizes = (
            enrolments.group_by(cols)
            .agg(pl.len().alias("_n"))
            .sort(cols, nulls_last=True)
            .collect()
            .with_row_index("_gid")
        )
        counts = sizes.get_column("_n")
        total = int(counts.sum())
        biggest = int(counts.max() or 0)  # type: ignore[arg-type]
        by_row = sizes.height * max(total, 1) <= 2**40
        stride = max(total if by_row else biggest, 1)
        return cls(tuple(cols), sizes.drop("_n"), stride, by_row, total)

    def number(self, enr: pl.LazyFrame) -> pl.LazyFrame:
        """Set ``_eid`` to ``_gid * stride`` + the enrolment's row (or place in its group)."""
        cols = list(self.columns)
        place = (
            pl.col("_eid").cast(pl.UInt64)
            if self.by_row
            else pl.int_range(pl.len(), dtype=pl.UInt64).over("_gid")
        )
        return (
            enr.join(self.table.lazy(), on=cols, how="left", nulls_equal=True)
            .with_columns(_eid=pl.col("_gid").cast(pl.UInt64) * self.stride + place)
            .drop("_gid")
        )


def _eligible(
    enr: pl.LazyFrame,
    schools: pl.LazyFrame | None,
    cohort: Cohort,
    years: list[int],
) -> tuple[pl.LazyFrame, bool, bool]:
    """Apply the cohort rules to the enrolments (``_eid`` already numbered).

    Returns the eligible enrolments, whether they are split by academic year
    (``_ay``; only when age rules apply and the window spans several years)
    and whether they carry ``_a15`` (aged 15, for the summer-2 rule).
    """
    names = enr.collect_schema().names()
    e = enr
    by_year = False
    age15 = False
    if (
        cohort.min_age is not None
        or cohort.max_age is not None
        or cohort.exclude_age15_summer2
    ):
        e = _with_birth_columns(e, names)
        if len(years) > 1:
            by_year = True
            e = e.join(
                pl.LazyFrame({"_ay": years}, schema={"_ay": pl.Int32}), how="cross"
            )
        else:
            e = e.with_columns(_ay=pl.lit(years[0] if years else 0, pl.Int32))
        e = e.with_columns(_age=_age_expr())
        keep = pl.lit(True)
        if cohort.min_age is not None:
            keep = keep & (pl.col("_age") >= cohort.min_age)
        if cohort.max_age is not None:
            keep = keep & (pl.col("_age") <= cohort.max_age)
        e = e.filter(keep.fill_null(False))
        if cohort.exclude_age15_summer2:
            age15 = True
            e = e.with_columns(_a15=(pl.col("_age") == 15).fill_null(False))
    if cohort.phases is not None or cohort.exclude_independent:
        if schools is None:
            raise InputError(
                "the DfE cohort needs the schools frame (education_phase, "
                "establishment_type_group)",
                hint="pass schools=..., or cohort=Cohort(phases=None, "
                "exclude_independent=False)",
            )
        sch = schools.select("urn", "education_phase", "establishment_type_group")
        ok = pl.lit(True)
        if cohort.phases is not None:
            ok = ok & pl.col("education_phase").cast(pl.String).is_in(
                sorted(cohort.phases)
            )
        if cohort.exclude_independent:
            ok = ok & (
                pl.col("establishment_type_group").fill_null("") != "Independent"
            )
        e = e.join(sch.filter(ok.fill_null(False)).select("urn"), on="urn", how="semi")
    return e, by_year, age15


def enrolment_summary(
    marks: pl.LazyFrame | pl.DataFrame | Store,
    enrolments: pl.LazyFrame | pl.DataFrame,
    /,
    *args: pl.LazyFrame | pl.DataFrame,
    schools: pl.LazyFrame | pl.DataFrame | None = None,
    period: str = "academic_year",
    start: dt.date | None = None,
    end: dt.date | None = None,
    cohort: Cohort | None = None,
    calendar: pl.DataFrame | None = None,
    chunk_days: int | None = None,
) -> pl.LazyFrame:
    r"""Summarise each enrolment over a period: sessions, absence rate, PA and SA.

    Parameters
    ----------
    marks
        Marks in ``MARKS_SCHEMA``, or a :class:`~makingdata.store.Store`:
        its stored counts are read in their place (the same result as the
        marks the store was filled from).
    enrolments
        Enrolments in ``ENROLMENTS_SCHEMA``; each mark counts only if it falls
        between its enrolment's ``enrol_start`` and ``enrol_end`` (inclusive;
        null = open) at the same school. Marks with no enrolment are not counted.
    *args
        Deprecated (0.2, removed in 0.3): ``schools`` by position.
    schools
        Schools in ``SCHOOLS_SCHEMA``, by keyword; needed for the DfE cohort's
        phase and state-funded rules.
    period
        ``"day"``, ``"week"``, ``"half_term"``, ``"term"``, ``"academic_year"``,
        ``"ytd"`` (from 1 August to ``end``) or ``"range"`` (``start`` to
        ``end`` as one period).
    start
        First date counted (inclusive).
    end
        Last date counted (inclusive).
    cohort
        Which enrolments and sessions count; default :class:`Cohort` (DfE).
    calendar
        Half-term start dates (see :func:`default_calendar`).
    chunk_days
        Memory bound for a long single-period window (a year to date, a
        range, an academic year): the marks are counted ``chunk_days``
        calendar days at a time and each chunk's per-enrolment counts are
        added to a running total, so memory follows the enrolments, not the
        window. Exact whatever the value (counts per enrolment are sums over
        dates; persistent absence is decided on the totals). ``None``
        (default): chunks of 42 days when enrolments x days in the window
        exceed 1.2 billion (nationally, a window longer than about a term;
        a term in one pass peaks near 15 GiB), else one pass. When it
        chunks, the work is done when this function is called and the
        LazyFrame returned reads the in-memory result.

    Returns
    -------
    polars.LazyFrame
        One row per enrolment and period: ``pupil_key, urn, enrol_start``, the
        EES time columns, every count of :func:`session_counts`,
        ``overall_absence_percent`` (unrounded float64),
        ``persistent_absence`` (missed >= 10% of its own possible sessions) and
        ``severe_absence`` (>= 50%). The row order is not defined (sorting
        tens of millions of wide rows would cost more than the summary
        itself): sort the result if you need an order.

    Examples
    --------
    >>> import datetime as dt
    >>> import polars as pl
    >>> from makingdata._contracts import ENROLMENTS_SCHEMA, MARKS_SCHEMA
    >>> from makingdata.attendance import Cohort, enrolment_summary
    >>> days = [dt.date(2025, 9, d) for d in (8, 9, 10, 11, 12)]
    >>> marks = pl.LazyFrame(
    ...     {
    ...         "urn": [100001] * 10,
    ...         "pupil_key": [7] * 10,
    ...         "date": [d for d in days for _ in (0, 1)],
    ...         "session": ["AM", "PM"] * 5,
    ...         "code": ["/", "\\"] * 4 + ["I", "I"],
    ...     },
    ...     schema=MARKS_SCHEMA,
    ... )
    >>> enrolments = pl.LazyFrame(
    ...     {"pupil_key": [7], "urn": [100001], "enrol_start": [dt.date(2025, 9, 1)]},
    ...     schema={
    ...         k: ENROLMENTS_SCHEMA[k] for k in ("pupil_key", "urn", "enrol_start")
    ...     },
    ... ).with_columns(enrol_end=pl.lit(None, pl.Date))
    >>> out = enrolment_summary(marks, enrolments, cohort=Cohort.everyone()).collect()
    >>> out.select(
    ...     "sess_possible",
    ...     "sess_overall",
    ...     "overall_absence_percent",
    ...     "persistent_absence",
    ...     "severe_absence",
    ... ).row(0)
    (10, 2, 20.0, True, False)
    """
    schools = keyword_frames(
        "enrolment_summary", args, ("schools",), {"schools": schools}
    )["schools"]
    cohort = Cohort() if cohort is None else cohort
    if chunk_days is not None and chunk_days < 1:
        raise InputError(
            f"chunk_days must be at least 1, got {chunk_days}",
            hint="leave it as None (automatic) unless memory is short",
        )
    if isinstance(marks, Store):
        # the store's per-enrolment day counts, summed by enrolment number
        require_columns(
            lazy(enrolments),
            ["pupil_key", "urn", "enrol_start", "enrol_end"],
            what="enrolments",
            hint="enrolments need pupil_key, urn, enrol_start and enrol_end "
            "(ENROLMENTS_SCHEMA)",
        )
        per_enrolment, periods = _stored_per_enrolment(
            marks,
            lazy(enrolments),
            None if schools is None else lazy(schools),
            period=period,
            start=start,
            end=end,
            cohort=cohort,
            calendar=calendar,
        )
        return _summary_columns(per_enrolment, periods, cohort)
    marks, enrolments = lazy(marks), lazy(enrolments)
    schools = None if schools is None else lazy(schools)

    def counted(
        lo: dt.date | None, hi: dt.date | None
    ) -> tuple[pl.LazyFrame, pl.DataFrame]:
        long, periods, _ = long_counts(
            marks,
            enrolments,
            schools,
            period=period,
            start=lo,
            end=hi,
            cohort=cohort,
            calendar=calendar,
            carry=["pupil_key", "enrol_start"],
        )
        return long, periods

    long, periods = counted(start, end)
    # One row per enrolment and period by a single-key group-by: each reason
    # by a filtered sum over the enrolment's few code rows, its identity by
    # first() (joined to the narrow code rows, never to the wide result), and
    # the time columns looked up from the small periods table by id.
    n_pid = max(periods.height, 1)
    n = pl.col("n").cast(pl.Int64)
    identity = [pl.col(c).first() for c in ("pupil_key", "urn", "enrol_start")]

    def by_enrolment(rows: pl.LazyFrame) -> pl.LazyFrame:
        return rows.group_by(
            (pl.col("_eid").cast(pl.UInt64) * n_pid + pl.col("_pid")).alias("_kk")
        ).agg(
            *identity,
            *(
                n.filter(pl.col("_ci") == i).sum().alias(r)
                for i, r in enumerate(REASON_COLUMNS)
            ),
        )

    per_enrolment = by_enrolment(long)
    spans = (
        _fold_spans(marks, enrolments, start, end, period, chunk_days=chunk_days)
        if periods.height == 1
        else []
    )
    if len(spans) > 1:
        # one period, counted a chunk of dates at a time and added up: a
        # chunk lies inside that period, so its rows have period id 0 and the
        # same keys as the whole window's
        total: pl.DataFrame | None = None
        for lo, hi in spans:
            part = by_enrolment(counted(lo, hi)[0]).collect(engine="streaming")
            if total is None or total.is_empty():
                total = part
            elif not part.is_empty():  # a chunk without marks adds nothing
                total = (
                    pl.concat([total, part])
                    .lazy()
                    .group_by("_kk")
                    .agg(*identity, *(pl.col(r).sum() for r in REASON_COLUMNS))
                    .collect(engine="streaming")
                )
        assert total is not None
        per_enrolment = total.lazy()
    return _summary_columns(per_enrolment, periods, cohort)


def _summary_columns(
    per_enrolment: pl.LazyFrame, periods: pl.DataFrame, cohort: Cohort
) -> pl.LazyFrame:
    """From per-enrolment reason counts to the summary's columns and measures."""
    n_pid = max(periods.height, 1)
    wide = per_enrolment.with_columns(category_columns())
    if cohort.drop_zero_possible:
        wide = wide.filter(pl.col("sess_possible") > 0)
    has = pl.col("sess_possible") > 0
    pid = (pl.col("_kk") % n_pid).cast(pl.UInt32)
    time_cols = [c for c in periods.columns if c != "_pid"]
    return wide.select(
        "pupil_key",
        "urn",
        "enrol_start",
        *(
            pid.replace_strict(
                periods.get_column("_pid"),
                periods.get_column(c),
                return_dtype=periods.schema[c],
            ).alias(c)
            for c in time_cols
        ),
        *COUNT_COLUMNS,
        pl.when(has)
        .then(pl.col("sess_overall") / pl.col("sess_possible") * 100.0)
        .otherwise(0.0)
        .alias("overall_absence_percent"),
        ((10 * pl.col("sess_overall") >= pl.col("sess_possible")) & has).alias(
            "persistent_absence"
        ),
        ((2 * pl.col("sess_overall") >= pl.col("sess_possible")) & has).alias(
            "severe_absence"
        ),
    )


#: Calendar days per chunk of a long single-period summary (see chunk_days).
_FOLD_DAYS = 42
#: Enrolments x days above which a single-period summary is chunked: a
#: national window longer than about a term (9.3M enrolments x 130 days).
_FOLD_ABOVE = 1_200_000_000


def _fold_spans(
    marks: pl.LazyFrame,
    enrolments: pl.LazyFrame,
    start: dt.date | None,
    end: dt.date | None,
    period: str,
    *,
    chunk_days: int | None,
) -> list[tuple[dt.date, dt.date]]:
    """Date chunks for a single-period summary (one chunk: no folding)."""
    lo, hi = window(start, end, period)
    days = date_range(marks, lo, hi)
    if days.is_empty():
        return []
    first, last = days.min(), days.max()
    if not isinstance(first, dt.date) or not isinstance(last, dt.date):
        return []
    n_days = (last - first).days + 1
    if chunk_days is None:
        size = enrolments.select(pl.len()).collect().item()
        if size * n_days <= _FOLD_ABOVE:
            return [(first, last)]
        chunk_days = _FOLD_DAYS
    step = dt.timedelta(days=chunk_days)
    out = []
    a = first
    while a <= last:
        b = min(a + step - dt.timedelta(days=1), last)
        out.append((a, b))
        a = b + dt.timedelta(days=1)
    return out


# --- a store's counts summed by enrolment number -----------------------------
#
# A store (makingdata.store) keeps each day's counts per *enrolment number*,
# the dense number its registry gave the spell each mark fell in. When the
# enrolments a query is given are the registry's spells, a year to date is a
# sum of those counts grouped by that number, and the enrolments are joined
# once, to the summed rows, for the cohort rules and their identity: no mark
# is re-scanned and no mark is joined. Where the enrolments given differ from
# the registry for a pupil at a school (a spell the store has not seen, a
# different end date, spells that overlap, marks that fell in no spell), the
# counts of that pupil and school are re-counted through long_counts from
# Store.code_counts, which applies the given spells date by date. Both parts
# give the raw-marks result.

_KEY = ["pupil_key", "urn"]
_SPELL = ["pupil_key", "urn", "enrol_start", "enrol_end"]


def _split_enrolments(store: Store, enrolments: pl.LazyFrame) -> pl.DataFrame:
    """Return the (``pupil_key``, ``urn``) pairs the counts cannot answer by number.

    A pair can be answered from the counts summed by enrolment number when
    its spells in ``enrolments`` are exactly its rows in the registry (same
    starts and ends, no orphan row for marks outside every spell), each once,
    and none overlaps another: then every mark the store holds for the pair
    lies in the spell whose number it carries, and in no other.
    """
    reg = store.registry().select(_SPELL)
    schema = reg.collect_schema()
    given = enrolments.select(pl.col(c).cast(schema[c]) for c in _SPELL)
    spells = reg.filter(pl.col("enrol_start").is_not_null())
    prev_end = pl.col("enrol_end").shift(1).over(_KEY)
    later = pl.int_range(pl.len()).over(_KEY) > 0
    overlapping = (
        given.filter(pl.len().over(_KEY) > 1)
        .sort(_SPELL, nulls_last=True)
        .filter(later & (prev_end.is_null() | (pl.col("enrol_start") <= prev_end)))
        .select(_KEY)
    )
    orphans = reg.filter(pl.col("enrol_start").is_null()).select(_KEY)
    if _spell_print(given) == _spell_print(spells):
        # the enrolments given are the registry's spells (a fingerprint of
        # the rows: their number and two sums of their hashes), so only the
        # registry's own pairs can need the marks
        parts = [orphans, overlapping]
    else:
        twice = (
            given.group_by(_SPELL)
            .agg(pl.len().alias("_n"))
            .filter(pl.col("_n") > 1)
            .select(_KEY)
        )
        parts = [
            given.join(reg, on=_SPELL, how="anti", nulls_equal=True).select(_KEY),
            reg.join(given, on=_SPELL, how="anti", nulls_equal=True).select(_KEY),
            twice,
            overlapping,
        ]
    return pl.concat(parts).unique().collect()


def _spell_print(spells: pl.LazyFrame) -> tuple[int, ...]:
    """Rows, and sums of the high and low halves of each row's hash (order-free)."""
    h = pl.struct(_SPELL).hash(18)
    out = spells.select(
        pl.len().cast(pl.Int64).alias("n"),
        (h // 2**32).cast(pl.Int64).sum().alias("high"),
        (h % 2**32).cast(pl.Int64).sum().alias("low"),
    ).collect()
    return tuple(int(v) for v in out.row(0))


def _stored_per_enrolment(
    store: Store,
    enrolments: pl.LazyFrame,
    schools: pl.LazyFrame | None,
    *,
    period: str,
    start: dt.date | None,
    end: dt.date | None,
    cohort: Cohort,
    calendar: pl.DataFrame | None,
) -> tuple[pl.LazyFrame, pl.DataFrame]:
    """Per-enrolment reason counts from a store: ``(per_enrolment, periods)``.

    ``per_enrolment`` has ``_kk`` (``% len(periods)`` is the period id),
    ``pupil_key``, ``urn``, ``enrol_start`` and one Int64 column per reason,
    as :func:`~makingdata.attendance.enrolment_summary` builds it from
    marks.
    """
    start, end = window(start, end, period)
    stored = store.days().get_column("date")
    if start is not None:
        stored = stored.filter(stored >= start)
    if end is not None:
        stored = stored.filter(stored <= end)
    # the window the raw path would take from the marks, made explicit so
    # that both parts below number the periods alike
    if start is None and not stored.is_empty():
        start = stored.min()  # type: ignore[assignment]
    if end is None and not stored.is_empty():
        end = stored.max()  # type: ignore[assignment]
    dates, periods = date_table(stored, period, start=start, end=end, calendar=calendar)
    n_pid = max(periods.height, 1)
    reasons = [pl.col(r).cast(pl.Int64) for r in REASON_COLUMNS]
    slow_pairs = _split_enrolments(store, enrolments)

    # the general kernel for the pairs the numbers cannot answer
    slow = (
        None
        if slow_pairs.is_empty()
        else _stored_slow(
            store,
            enrolments.join(slow_pairs.lazy(), on=_KEY, how="semi"),
            schools,
            slow_pairs,
            n_pid,
            period=period,
            start=start,
            end=end,
            cohort=cohort,
            calendar=calendar,
        )
    )

    # the fast part: the counts summed by enrolment number and date group,
    # then the enrolments joined once to the summed rows
    combos = (
        dates.select("_pid", "_ay", "_s2")
        .unique(maintain_order=True)
        .with_row_index("_dk")
        .with_columns(pl.col("_dk").cast(pl.UInt64))
    )
    n_dk = max(combos.height, 1)
    day_keys = dates.join(combos, on=["_pid", "_ay", "_s2"], nulls_equal=True)
    years = day_keys.get_column("_ay").unique().drop_nulls().sort().to_list()
    enr = (
        enrolments.join(slow_pairs.lazy(), on=_KEY, how="anti")
        .join(
            store.registry().select(*_SPELL, "enrolment"),
            on=_SPELL,
            how="inner",
            nulls_equal=True,
        )
        .with_columns(_eid=pl.col("enrolment"))
    )
    eligible, by_year, age15 = _eligible(enr, schools, cohort, years)
    s2 = age15 and bool(day_keys.get_column("_s2").fill_null(False).any())
    counts = store.counts(start=start, end=end).select(
        "enrolment", "date", *STORED_REASONS
    )
    ytd_start = (
        None if end is None else window(None, end, "ytd")[0]
    )  # the academic year's first day
    if n_dk == 1 and period == "ytd" and end is not None and start == ytd_start:
        # a year to date is one file: the running totals of the last stored
        # day up to ``end``
        summed = store.year_to_date(end).select(
            "enrolment",
            pl.lit(0, pl.UInt64).alias("_dk"),
            *(pl.col(r).cast(pl.Int64) for r in REASON_COLUMNS),
        )
    elif n_dk == 1:
        summed = counts.group_by("enrolment").agg(
            pl.lit(0, pl.UInt64).alias("_dk"),
            *(pl.col(r).sum() for r in REASON_COLUMNS),
        )
    else:
        key = pl.col("enrolment").cast(pl.UInt64) * n_dk + pl.col("_dk")
        summed = (
            counts.join(day_keys.lazy().select("date", "_dk"), on="date")
            .group_by(key.alias("_k"))
            .agg(*(pl.col(r).sum() for r in REASON_COLUMNS))
            .with_columns(
                enrolment=(pl.col("_k") // n_dk).cast(pl.UInt32),
                _dk=pl.col("_k") % n_dk,
            )
        )
    rows = summed.join(combos.lazy(), on="_dk", how="left")
    cols = ["_eid", "pupil_key", "urn", "enrol_start"]
    cols += [*(["_ay"] if by_year else []), *(["_a15"] if s2 else [])]
    rows = rows.join(
        eligible.select(cols),
        left_on=["enrolment", *(["_ay"] if by_year else [])],
        right_on=["_eid", *(["_ay"] if by_year else [])],
        how="inner",
    ).with_columns(_eid=pl.col("enrolment"))
    if s2:
        rows = rows.filter(~(pl.col("_s2").fill_null(False) & pl.col("_a15")))
    kk = pl.col("_eid").cast(pl.UInt64) * n_pid + pl.col("_pid")
    if combos.get_column("_pid").is_duplicated().any():
        # summer-2 dates split a period in two: add the halves
        fast = rows.group_by(kk.alias("_kk")).agg(
            *(pl.col(c).first() for c in ("pupil_key", "urn", "enrol_start")),
            *(r.sum() for r in reasons),
        )
    else:
        # one summed row per enrolment and period already
        fast = rows.select(kk.alias("_kk"), "pupil_key", "urn", "enrol_start", *reasons)
    if slow is None:
        return fast, periods
    # the slow part's keys come after every enrolment number: no clash
    offset = (int(store.registry().select(pl.len()).collect().item()) + 1) * n_pid
    slow = slow.with_columns(pl.col("_kk") + offset)
    return pl.concat([fast, slow], how="vertical_relaxed"), periods


def _stored_slow(
    store: Store,
    enrolments: pl.LazyFrame,
    schools: pl.LazyFrame | None,
    pairs: pl.DataFrame,
    n_pid: int,
    *,
    period: str,
    start: dt.date | None,
    end: dt.date | None,
    cohort: Cohort,
    calendar: pl.DataFrame | None,
) -> pl.LazyFrame:
    """Per-enrolment reason counts of ``pairs`` from the store's code counts (spells applied by date)."""
    numbers = (
        store.registry()
        .join(pairs.lazy(), on=_KEY, how="semi")
        .select("enrolment")
        .collect()
        .get_column("enrolment")
    )
    long, _, _ = long_counts(
        store.code_counts(start=start, end=end, enrolments=numbers),
        enrolments,
        schools,
        period=period,
        start=start,
        end=end,
        cohort=cohort,
        calendar=calendar,
        carry=["pupil_key", "enrol_start"],
        weight="n_marks",
    )
    n = pl.col("n").cast(pl.Int64)
    return long.group_by(
        (pl.col("_eid").cast(pl.UInt64) * n_pid + pl.col("_pid")).alias("_kk")
    ).agg(
        *(pl.col(c).first() for c in ("pupil_key", "urn", "enrol_start")),
        *(
            n.filter(pl.col("_ci") == i).sum().alias(r)
            for i, r in enumerate(REASON_COLUMNS)
        ),
    )
