"""Session counts: marks to additive counts per unit and date.

Marks are first grouped on small keys with their code (``group_by(keys, code)``),
then the per-code counts are spread into one column per reason and summed into
DfE's categories. Possible sessions are present + approved educational activity
+ authorised + unauthorised absence; the not-counted codes (D, Q, X, Y, Y1–Y7,
Z, #) are kept in their own reason columns and ``sess_not_counted`` and never
enter possible sessions (attendance-domain.md §1, §3.1; DfE in-year data:
``possible_sessions = overall_attendance + overall_absence``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import polars as pl

from makingdata.codes import CODE_DTYPE, CODES, Category
from makingdata.errors import InputError
from makingdata.store import Store

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Sequence

__all__ = [
    "COUNT_COLUMNS",
    "REASON_COLUMNS",
    "SESSION_COLUMNS",
    "session_counts",
]

#: One column per code, DfE's in-year name (``reason_i_authorised_illness`` …).
REASON_COLUMNS: tuple[str, ...] = tuple(c.dfe_reason for c in CODES.values())
#: The category counts, in output order.
SESSION_COLUMNS: tuple[str, ...] = (
    "sess_possible",
    "sess_attendance",
    "sess_present",
    "sess_aea",
    "sess_overall",
    "sess_authorised",
    "sess_unauthorised",
    "sess_late",
    "sess_not_counted",
)
#: Every count column a session-count frame carries.
COUNT_COLUMNS: tuple[str, ...] = (*SESSION_COLUMNS, *REASON_COLUMNS, "reason_present")


def _sum_of(columns: Sequence[str]) -> pl.Expr:
    return pl.sum_horizontal([pl.col(c) for c in columns]).cast(pl.Int64)


def _reasons(cat: Category) -> list[str]:
    return [c.dfe_reason for c in CODES.values() if c.category is cat]


def spread_codes(grouped: pl.LazyFrame, keys: Sequence[str]) -> pl.LazyFrame:
    """Turn ``keys + [code, n]`` rows into one row per key with every count column.

    The code may be given as ``code`` (:data:`~makingdata.codes.CODE_DTYPE`) or
    as its physical index ``_ci``.
    """
    names = grouped.collect_schema().names()
    ci = pl.col("_ci") if "_ci" in names else pl.col("code").to_physical()
    # one filtered sum per code inside a single group-by (what polars' own
    # lazy pivot builds): no per-code column is ever materialised
    n = pl.col("n").cast(pl.Int64)
    wide = grouped.group_by(list(keys)).agg(
        n.filter(ci == i).sum().alias(r) for i, r in enumerate(REASON_COLUMNS)
    )
    return wide.with_columns(category_columns()).select(
        *keys, *SESSION_COLUMNS, *REASON_COLUMNS, "reason_present"
    )


def category_columns() -> list[pl.Expr]:
    """Expressions deriving the category counts from the reason columns."""
    present = _sum_of(_reasons(Category.PRESENT))
    aea = _sum_of(_reasons(Category.AEA))
    auth = _sum_of(_reasons(Category.AUTHORISED))
    unauth = _sum_of(_reasons(Category.UNAUTHORISED))
    return [
        (present + aea + auth + unauth).alias("sess_possible"),
        (present + aea).alias("sess_attendance"),
        present.alias("sess_present"),
        aea.alias("sess_aea"),
        (auth + unauth).alias("sess_overall"),
        auth.alias("sess_authorised"),
        unauth.alias("sess_unauthorised"),
        _sum_of([CODES["L"].dfe_reason, CODES["U"].dfe_reason]).alias("sess_late"),
        _sum_of(_reasons(Category.NOT_COUNTED)).alias("sess_not_counted"),
        _sum_of([CODES["/"].dfe_reason, CODES["\\"].dfe_reason]).alias(
            "reason_present"
        ),
    ]


def require_columns(
    frame: pl.LazyFrame, columns: Sequence[str], *, what: str, hint: str
) -> None:
    """Raise :class:`InputError` naming the first missing column."""
    have = set(frame.collect_schema().names())
    for c in columns:
        if c not in have:
            raise InputError(
                f"the {what} frame has no {c!r} column", column=c, hint=hint
            )


def session_counts(
    marks: pl.LazyFrame | Store,
    /,
    *,
    unit: Literal["school", "pupil"] = "school",
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> pl.LazyFrame:
    r"""Count sessions per school (or pupil) and date, by DfE category and reason.

    Every mark is counted once, in its reason column and its category. This
    kernel counts the marks as they are; to count only the DfE cohort, or only
    sessions inside each enrolment, use :func:`enrolment_summary` or
    :func:`attendance_table`, which apply those rules.

    Parameters
    ----------
    marks
        Marks in ``MARKS_SCHEMA`` (``urn, pupil_key, date, session, code``),
        or a :class:`~makingdata.store.Store`: its stored counts are read in
        their place (the same counts as from the marks it was filled from).
    unit
        ``"school"`` (rows per ``urn, date``) or ``"pupil"`` (rows per
        ``urn, pupil_key, date``).
    start
        First date to count (inclusive); ``None`` = no lower bound.
    end
        Last date to count (inclusive); ``None`` = no upper bound.

    Returns
    -------
    polars.LazyFrame
        The keys, then ``sess_possible`` (present + AEA + authorised +
        unauthorised), ``sess_attendance`` (present + AEA), ``sess_present``
        (``/``, ``\``, ``L``), ``sess_aea``, ``sess_overall`` (authorised +
        unauthorised), ``sess_authorised``, ``sess_unauthorised``,
        ``sess_late`` (``L`` + ``U``), ``sess_not_counted`` (D, Q, X, Y,
        Y1–Y7, Z, ``#``), one ``reason_*`` column per code (DfE's names) and
        ``reason_present`` (``/`` + ``\``). All counts are Int64 and additive.

    Raises
    ------
    InputError
        If ``unit`` is unknown or a column is missing.

    Examples
    --------
    >>> import datetime as dt
    >>> import polars as pl
    >>> from makingdata.attendance import session_counts
    >>> from makingdata._contracts import MARKS_SCHEMA
    >>> marks = pl.LazyFrame(
    ...     {
    ...         "urn": [100001] * 4,
    ...         "pupil_key": [1, 1, 2, 2],
    ...         "date": [dt.date(2025, 9, 8)] * 4,
    ...         "session": ["AM", "PM", "AM", "PM"],
    ...         "code": ["/", "\\", "I", "#"],
    ...     },
    ...     schema=MARKS_SCHEMA,
    ... )
    >>> out = session_counts(marks).collect()
    >>> out.select(
    ...     "sess_possible", "sess_present", "sess_overall", "sess_not_counted"
    ... ).row(0)
    (3, 2, 1, 1)
    """
    if unit not in ("school", "pupil"):
        raise InputError(
            f"unit must be 'school' or 'pupil', got {unit!r}",
            hint="count per school (default) or per pupil",
        )
    keys = ["urn", "date"] if unit == "school" else ["urn", "pupil_key", "date"]
    if isinstance(marks, Store):
        # the day counts per enrolment number, summed to the unit's keys
        grouped = (
            marks.code_counts(start=start, end=end)
            .group_by([*keys, "code"])
            .agg(n=pl.col("n_marks").sum())
        )
        return spread_codes(grouped, keys).sort(keys)
    require_columns(
        marks,
        [*keys, "code"],
        what="marks",
        hint="marks need urn, pupil_key, date, session and code (MARKS_SCHEMA)",
    )
    lf = marks
    if start is not None:
        lf = lf.filter(pl.col("date") >= start)
    if end is not None:
        lf = lf.filter(pl.col("date") <= end)
    schema = lf.collect_schema()
    if unit == "pupil" or not (
        schema["date"] == pl.Date
        and schema["urn"] in (pl.UInt8, pl.UInt16, pl.UInt32)
        and schema["code"] == CODE_DTYPE
    ):
        grouped = lf.group_by([*keys, "code"]).agg(n=pl.len())
    else:
        grouped = _school_date_code_counts(lf)
    return spread_codes(grouped, keys).sort(keys)


#: Dates packed into the school-day key: days since 1970 within +-2**25
#: (years about -89,900 to 93,800).
_DAY_BITS = 26


def _school_date_code_counts(lf: pl.LazyFrame) -> pl.LazyFrame:
    """Count marks per (urn, date, code) through one packed integer key.

    A single-column integer group-by is much cheaper than grouping on three
    columns: ``urn`` (32 bits), the day (26 bits) and the code's index
    (6 bits) fill a UInt64. A date outside the packable range (none in real
    data) is counted by the plain three-column group-by instead, so every
    mark is counted whatever its date. (Only for a ``Date`` column, a
    ``urn`` of at most 32 bits and codes of :data:`CODE_DTYPE`; other types
    take the plain group-by.)
    """
    urn_type = lf.collect_schema()["urn"]
    half = 2 ** (_DAY_BITS - 1)
    days = pl.col("date").cast(pl.Int32).cast(pl.Int64)
    fits = (days >= -half) & (days < half)
    slots = 2 ** (_DAY_BITS + 6)
    key = (
        pl.col("urn").cast(pl.UInt64) * slots
        + (days + half).cast(pl.UInt64) * 64
        + pl.col("code").to_physical().cast(pl.UInt64)
    )
    packed = (
        lf.filter(fits)
        .group_by(key.alias("_k"))
        .agg(n=pl.len())
        .select(
            urn=(pl.col("_k") // slots).cast(urn_type),
            date=((pl.col("_k") % slots // 64).cast(pl.Int64) - half)
            .cast(pl.Int32)
            .cast(pl.Date),
            _ci=(pl.col("_k") % 64).cast(pl.UInt8),
            n="n",
        )
    )
    rest = (
        lf.filter(~fits)
        .group_by("urn", "date", "code")
        .agg(n=pl.len())
        .select("urn", "date", _ci=pl.col("code").to_physical().cast(pl.UInt8), n="n")
    )
    return pl.concat([packed, rest])
