"""Conversions between lists of domain records and the contract frames.

Records are for small data (tests, hand-built examples, a school's own
handful of rows); kernels work on frames. Each conversion is exact: a list of
records turned into a frame and back gives the same records.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

import polars as pl

from makingdata._contracts import (
    ENROLMENTS_SCHEMA,
    MARKS_SCHEMA,
    MEMBERSHIPS_SCHEMA,
    SCHOOLS_OPTIONAL,
    SCHOOLS_SCHEMA,
)
from makingdata.domain._organisations import (
    LocalAuthority,
    Region,
    School,
    TrustMembership,
)
from makingdata.domain._pupils import Enrolment
from makingdata.domain._records import AttendanceRecord
from makingdata.errors import InputError, MakingDataError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

__all__ = [
    "enrolments_to_frame",
    "frame_to_enrolments",
    "frame_to_memberships",
    "frame_to_records",
    "frame_to_schools",
    "memberships_to_frame",
    "records_to_frame",
    "schools_to_frame",
]

T = TypeVar("T")

#: Optional extra column of a schools frame: GIAS ``PreviousLA (code)``.
PREVIOUS_LA = "previous_la_code"


def conform(
    frame: pl.DataFrame,
    schema: Mapping[str, pl.DataType],
    *,
    name: str,
    optional: Mapping[str, pl.DataType] | None = None,
    nullable: Sequence[str] = (),
) -> pl.DataFrame:
    """Select and cast the contract columns of ``frame``, or raise InputError.

    Extra columns are left out; ``optional`` columns are kept when present;
    contract columns named in ``nullable`` are null when absent.
    """
    if not isinstance(frame, pl.DataFrame):
        raise InputError(
            f"expected a polars DataFrame of {name}, got a {type(frame).__name__}",
            hint="collect a LazyFrame first, or build the frame with polars",
        )
    absent = [c for c in nullable if c in schema and c not in frame.columns]
    if absent:
        frame = frame.with_columns(pl.lit(None, schema[c]).alias(c) for c in absent)
    missing = [c for c in schema if c not in frame.columns]
    if missing:
        raise InputError(
            f"the {name} frame has no column(s) {', '.join(repr(c) for c in missing)}",
            column=missing[0],
            hint=f"a {name} frame needs the columns {', '.join(schema)}",
        )
    wanted = dict(schema)
    wanted.update({c: t for c, t in (optional or {}).items() if c in frame.columns})
    exprs = []
    for col, dtype in wanted.items():
        try:
            frame.select(pl.col(col).cast(dtype, strict=True))
        except pl.exceptions.PolarsError:
            raise InputError(
                f"the {name} column {col!r} ({frame.schema[col]}) cannot be read as {dtype}",
                column=col,
                hint=f"give {col!r} values that fit {dtype}",
            ) from None
        exprs.append(pl.col(col).cast(dtype, strict=True))
    return frame.select(exprs)


def build_rows(frame: pl.DataFrame, build: Callable[[dict[str, Any]], T]) -> list[T]:
    """Build one object per row; errors name the (0-based) row."""
    out: list[T] = []
    for index, row in enumerate(frame.iter_rows(named=True)):
        try:
            out.append(build(row))
        except MakingDataError as err:
            raise type(err)(
                err.message, row=index, column=err.column, hint=err.hint
            ) from err
    return out


def _frame(
    columns: dict[str, list[Any]], schema: Mapping[str, pl.DataType]
) -> pl.DataFrame:
    return pl.DataFrame(columns, schema=dict(schema))


# ------------------------------------------------------------------------- marks


def records_to_frame(records: Iterable[AttendanceRecord]) -> pl.DataFrame:
    """Return attendance records as a ``marks`` frame (``MARKS_SCHEMA``), in order.

    Examples
    --------
    >>> import datetime as dt
    >>> from makingdata.domain import AttendanceRecord, records_to_frame
    >>> day = dt.date(2024, 9, 2)
    >>> marks = records_to_frame(
    ...     [
    ...         AttendanceRecord(123456, 1, day, "AM", "/"),
    ...         AttendanceRecord(123456, 1, day, "PM", "I"),
    ...     ]
    ... )
    >>> marks.height
    2
    >>> marks.rows()
    [(123456, 1, datetime.date(2024, 9, 2), 'AM', '/'), (123456, 1, datetime.date(2024, 9, 2), 'PM', 'I')]
    """
    rows = list(records)
    return _frame(
        {
            "urn": [r.urn for r in rows],
            "pupil_key": [r.pupil_key for r in rows],
            "date": [r.date for r in rows],
            "session": [r.session for r in rows],
            "code": [r.code for r in rows],
        },
        MARKS_SCHEMA,
    )


def frame_to_records(
    frame: pl.DataFrame, *, check_code_dates: bool = True
) -> list[AttendanceRecord]:
    """Return the rows of a ``marks`` frame as :class:`AttendanceRecord` objects.

    Meant for small frames (one object per row). Columns beyond
    ``MARKS_SCHEMA`` are ignored.

    Parameters
    ----------
    frame
        A marks frame; columns are cast to ``MARKS_SCHEMA``.
    check_code_dates
        Refuse codes used outside their validity dates (see
        :class:`AttendanceRecord`).

    Raises
    ------
    InputError
        If a column is missing or cannot be cast, or a row is invalid; the
        message names the 0-based row.

    Examples
    --------
    >>> import datetime as dt
    >>> import polars as pl
    >>> from makingdata.domain import frame_to_records
    >>> df = pl.DataFrame(
    ...     {
    ...         "urn": [123456],
    ...         "pupil_key": [1],
    ...         "date": [dt.date(2024, 9, 2)],
    ...         "session": ["AM"],
    ...         "code": ["J"],
    ...     }
    ... )
    >>> frame_to_records(df)
    Traceback (most recent call last):
    ...
    makingdata.errors.InputError: row 0, column 'code': code 'J' (Interview (before 19 Aug 2024, an approved educational activity)) is not valid on 2024-09-02: it was in use until 2024-08-18. What to do: record the mark with a code of the set in force on that day, or pass check_code_dates=False to load historic data as it is.
    >>> frame_to_records(df, check_code_dates=False)[0].code
    'J'
    """
    data = conform(frame, MARKS_SCHEMA, name="marks")
    return build_rows(
        data, lambda row: AttendanceRecord(**row, check_code_dates=check_code_dates)
    )


# -------------------------------------------------------------------- enrolments


def enrolments_to_frame(enrolments: Iterable[Enrolment]) -> pl.DataFrame:
    """Return enrolments as an ``enrolments`` frame (``ENROLMENTS_SCHEMA``), in order.

    Examples
    --------
    >>> import datetime as dt
    >>> from makingdata.domain import Enrolment, enrolments_to_frame
    >>> e = Enrolment(
    ...     1,
    ...     123456,
    ...     dt.date(2024, 9, 2),
    ...     date_of_birth=dt.date(2017, 5, 1),
    ...     year_group="3",
    ...     fsm_eligible=True,
    ...     sen_provision="SEN support / SEN without an EHC plan",
    ...     looked_after=False,
    ...     child_in_need=False,
    ... )
    >>> enrolments_to_frame([e]).select(
    ...     "age_at_31_august", "year_group", "fsm_eligible"
    ... ).row(0)
    (7, '3', True)
    """
    rows = list(enrolments)
    columns: dict[str, list[Any]] = {
        name: [getattr(r, name) for r in rows] for name in ENROLMENTS_SCHEMA
    }
    for name in ("year_group", "sex", "ethnicity_major", "sen_provision"):
        columns[name] = [v.value for v in columns[name]]
    return _frame(columns, ENROLMENTS_SCHEMA)


def frame_to_enrolments(frame: pl.DataFrame) -> list[Enrolment]:
    """Return the rows of an ``enrolments`` frame as :class:`Enrolment` objects.

    A null ``age_at_31_august`` is derived from ``date_of_birth`` when that is
    given.

    Raises
    ------
    InputError
        If a column is missing or cannot be cast, or a row is invalid; the
        message names the 0-based row.

    Examples
    --------
    >>> import datetime as dt
    >>> import polars as pl
    >>> from makingdata.domain import frame_to_enrolments
    >>> df = pl.DataFrame(
    ...     {
    ...         "pupil_key": [1],
    ...         "urn": [123456],
    ...         "enrol_start": [dt.date(2024, 9, 2)],
    ...         "enrol_end": [None],
    ...         "date_of_birth": [dt.date(2017, 5, 1)],
    ...         "age_at_31_august": [None],
    ...         "year_group": ["3"],
    ...         "sex": ["Male"],
    ...         "ethnicity_major": ["White"],
    ...         "fsm_eligible": [False],
    ...         "sen_provision": ["No SEN provision"],
    ...         "looked_after": [False],
    ...         "child_in_need": [False],
    ...     }
    ... )
    >>> frame_to_enrolments(df)[0].age_at_31_august
    7
    """
    data = conform(frame, ENROLMENTS_SCHEMA, name="enrolments")

    def build(row: dict[str, Any]) -> Enrolment:
        if row["age_at_31_august"] is None:
            del row["age_at_31_august"]
        return Enrolment(**row)

    return build_rows(data, build)


# ----------------------------------------------------------------------- schools


def schools_to_frame(
    schools: Iterable[School],
    *,
    trust_ids: Mapping[int, str | None] | None = None,
    with_previous_la: bool = False,
) -> pl.DataFrame:
    """Return schools as a ``schools`` frame (``SCHOOLS_SCHEMA``), in order.

    Parameters
    ----------
    schools
        The schools.
    trust_ids
        The trust id to write for each URN (a :class:`School` does not hold its
        trust: trusts change over time, see :class:`Directory`). Missing URNs
        get null.
    with_previous_la
        Also write the ``previous_la_code`` column (after the contract columns).

    Examples
    --------
    >>> from makingdata.domain import LocalAuthority, Region, School, schools_to_frame
    >>> la = LocalAuthority(
    ...     885, "E10000034", "Worcestershire", Region("E12000005", "West Midlands")
    ... )
    >>> frame = schools_to_frame(
    ...     [School(123456, "Example Primary", 8852001, la, "Primary")],
    ...     trust_ids={123456: "TR00092"},
    ... )
    >>> frame.select(
    ...     "urn", "laestab", "new_la_code", "trust_id", "education_phase"
    ... ).row(0)
    (123456, 8852001, 'E10000034', 'TR00092', 'Primary')
    """
    rows = list(schools)
    trusts = trust_ids or {}
    columns: dict[str, list[Any]] = {
        "urn": [s.urn for s in rows],
        "school_name": [s.name for s in rows],
        "laestab": [s.laestab for s in rows],
        "old_la_code": [s.la.old_la_code for s in rows],
        "new_la_code": [s.la.new_la_code for s in rows],
        "la_name": [s.la.name for s in rows],
        "region_code": [s.la.region.code for s in rows],
        "region_name": [s.la.region.name for s in rows],
        "trust_id": [trusts.get(s.urn) for s in rows],
        "education_phase": [None if s.phase is None else s.phase.value for s in rows],
        "establishment_type": [s.establishment_type for s in rows],
        "establishment_type_group": [s.establishment_type_group for s in rows],
        "open_date": [s.open_date for s in rows],
        "close_date": [s.close_date for s in rows],
        "lad_code": [s.lad_code for s in rows],
        "lad_name": [s.lad_name for s in rows],
    }
    schema = dict(SCHOOLS_SCHEMA)
    if with_previous_la:
        columns[PREVIOUS_LA] = [s.previous_la_code for s in rows]
        schema[PREVIOUS_LA] = pl.UInt16()
    return _frame(columns, schema)


def school_from_row(
    row: Mapping[str, Any],
    las: Mapping[str, LocalAuthority] | None = None,
    cache: dict[tuple[Any, ...], LocalAuthority] | None = None,
) -> School:
    """Build a School from one schools-frame row (a dict).

    ``cache`` keeps one LocalAuthority per distinct set of LA columns, so a
    frame of thousands of schools builds about 150 LA objects, not one per row.
    """
    la_key = (
        row["old_la_code"],
        row["new_la_code"],
        row["la_name"],
        row["region_code"],
        row["region_name"],
    )
    la = None if cache is None else cache.get(la_key)
    if la is None:
        la = LocalAuthority(
            row["old_la_code"],
            row["new_la_code"],
            row["la_name"],
            Region(row["region_code"], row["region_name"]),
        )
        known = (las or {}).get(la.new_la_code)
        if known is not None and known.old_la_code != la.old_la_code:
            raise InputError(
                f"LA {la.new_la_code} has old code {la.old_la_code} in the schools "
                f"frame but {known.old_la_code} ({known.name}) in the LA table",
                column="old_la_code",
                hint="correct old_la_code, or pass local_authorities= with the right table",
            )
        if cache is not None:
            cache[la_key] = la
    return School(
        row["urn"],
        row["school_name"],
        row["laestab"],
        la,
        row["education_phase"],
        establishment_type=row["establishment_type"],
        establishment_type_group=row["establishment_type_group"],
        open_date=row["open_date"],
        close_date=row["close_date"],
        previous_la_code=row.get(PREVIOUS_LA),
        lad_code=row.get("lad_code"),
        lad_name=row.get("lad_name"),
    )


def frame_to_schools(frame: pl.DataFrame) -> list[School]:
    """Return the rows of a ``schools`` frame as :class:`School` objects.

    The ``trust_id`` column is not part of a :class:`School` (use
    :meth:`Directory.from_frames` to keep trusts). An optional
    ``previous_la_code`` column (GIAS ``PreviousLA (code)``) is read when
    present; ``lad_code`` and ``lad_name`` (the district) are null when the
    frame has no such columns.

    Raises
    ------
    InputError
        If a column is missing or cannot be cast, or a row is invalid; the
        message names the 0-based row.

    Examples
    --------
    >>> import polars as pl
    >>> from makingdata.domain import frame_to_schools
    >>> df = pl.DataFrame(
    ...     {
    ...         "urn": [123456],
    ...         "school_name": ["Example Primary"],
    ...         "laestab": [8852001],
    ...         "old_la_code": [885],
    ...         "new_la_code": ["E10000034"],
    ...         "la_name": ["Worcestershire"],
    ...         "region_code": ["E12000005"],
    ...         "region_name": ["West Midlands"],
    ...         "trust_id": [None],
    ...         "education_phase": ["Primary"],
    ...         "establishment_type": [None],
    ...         "establishment_type_group": [None],
    ...         "open_date": [None],
    ...         "close_date": [None],
    ...     }
    ... )
    >>> frame_to_schools(df)[0].la.name
    'Worcestershire'
    """
    data = conform(
        frame,
        SCHOOLS_SCHEMA,
        name="schools",
        optional={PREVIOUS_LA: pl.UInt16()},
        nullable=SCHOOLS_OPTIONAL,
    )
    cache: dict[tuple[Any, ...], LocalAuthority] = {}
    return build_rows(data, lambda row: school_from_row(row, None, cache))


# ------------------------------------------------------------------- memberships


def memberships_to_frame(memberships: Iterable[TrustMembership]) -> pl.DataFrame:
    """Return trust memberships as a ``memberships`` frame (``MEMBERSHIPS_SCHEMA``).

    Examples
    --------
    >>> import datetime as dt
    >>> from makingdata.domain import TrustMembership, memberships_to_frame
    >>> m = TrustMembership(
    ...     123456, "TR00092", dt.date(2014, 9, 1), trust_name="A Trust"
    ... )
    >>> memberships_to_frame([m]).row(0)
    (123456, 'TR00092', 'A Trust', datetime.date(2014, 9, 1), None)
    """
    rows = list(memberships)
    return _frame(
        {
            "urn": [m.urn for m in rows],
            "trust_id": [m.trust_id for m in rows],
            "trust_name": [m.trust_name for m in rows],
            "joined": [m.joined for m in rows],
            "left": [m.left for m in rows],
        },
        MEMBERSHIPS_SCHEMA,
    )


def frame_to_memberships(frame: pl.DataFrame) -> list[TrustMembership]:
    """Return the rows of a ``memberships`` frame as :class:`TrustMembership` objects.

    Raises
    ------
    InputError
        If a column is missing or cannot be cast, or a row is invalid; the
        message names the 0-based row.

    Examples
    --------
    >>> import datetime as dt
    >>> import polars as pl
    >>> from makingdata.domain import frame_to_memberships
    >>> df = pl.DataFrame(
    ...     {
    ...         "urn": [123456],
    ...         "trust_id": ["TR00092"],
    ...         "trust_name": [None],
    ...         "joined": [dt.date(2014, 9, 1)],
    ...         "left": [None],
    ...     }
    ... )
    >>> frame_to_memberships(df)[0].trust_id
    'TR00092'
    """
    data = conform(frame, MEMBERSHIPS_SCHEMA, name="memberships")
    return build_rows(
        data,
        lambda row: TrustMembership(
            row["urn"],
            row["trust_id"],
            row["joined"],
            row["left"],
            trust_name=row["trust_name"],
        ),
    )
