"""Reporting periods: day, week, half term, term, academic year, year to date, range.

Every period is computed on the distinct dates of the data (a few hundred
rows), never on the marks themselves; the kernels join the small date table to
the marks by ``date``.

Term boundaries follow DfE's school census (Pupil absence statistics:
methodology §4.1, Table 6): autumn term 1 August – 31 December, spring term
1 January – Easter Sunday, summer term Easter Monday – 31 July, the summer term
split into two halves at the spring bank holiday (the last Monday of May).
DfE does not define the autumn and spring half terms; makingdata's default
starts the second half of autumn the Monday after the week beginning the last
Monday of October, and the second half of spring the Monday after the week
beginning the third Monday of February (the usual English half-term holiday
weeks). Pass a calendar to use a school's or an LA's own dates.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Literal

import polars as pl

from makingdata._calendar import (
    MONDAY,
    academic_year_start,
    academic_year_start_expr,
    easter_sunday,
    last_weekday_of_month,
    time_period,
    weekday_on_or_after,
)
from makingdata.errors import InputError

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "HALF_TERMS",
    "PERIODS",
    "Period",
    "academic_year",
    "default_calendar",
    "easter_sunday",
]

#: The periods a table can be reported over.
Period = Literal["day", "week", "half_term", "term", "academic_year", "ytd", "range"]
PERIODS: tuple[str, ...] = (
    "day",
    "week",
    "half_term",
    "term",
    "academic_year",
    "ytd",
    "range",
)
#: Half-term labels, in order within an academic year.
HALF_TERMS: tuple[str, ...] = (
    "Autumn 1",
    "Autumn 2",
    "Spring 1",
    "Spring 2",
    "Summer 1",
    "Summer 2",
)
_TERM_OF = {h: h.split()[0] + " term" for h in HALF_TERMS}


def academic_year(date: dt.date) -> int:
    """Return the EES ``time_period`` of the academic year containing ``date``.

    An academic year runs from 1 August to 31 July (DfE school census), so a
    date in August belongs to the year that starts then (Methodology, "The
    academic year of a date").

    Examples
    --------
    >>> import datetime as dt
    >>> from makingdata.attendance import academic_year
    >>> academic_year(dt.date(2025, 3, 1)), academic_year(dt.date(2025, 9, 1))
    (202425, 202526)
    >>> academic_year(dt.date(2025, 8, 1))
    202526
    """
    return time_period(academic_year_start(date))


def default_calendar(years: Iterable[int]) -> pl.DataFrame:
    """Return makingdata's default half-term start dates for academic years.

    Parameters
    ----------
    years
        First calendar years of the academic years (2024 for 2024/25).

    Returns
    -------
    polars.DataFrame
        Columns ``half_term_start`` (Date) and ``half_term`` ("Autumn 1" …
        "Summer 2"), six rows per year, sorted. Autumn 1 starts 1 August;
        Autumn 2 the Monday after the week beginning the last Monday of
        October; Spring 1 on 1 January; Spring 2 the Monday after the week
        beginning the third Monday of February; Summer 1 on Easter Monday;
        Summer 2 on the spring bank holiday (last Monday of May). The summer
        dates are DfE's census boundaries; the autumn and spring splits are a
        makingdata convention.

    Examples
    --------
    >>> from makingdata.attendance import default_calendar
    >>> default_calendar([2024])["half_term_start"].to_list()[-2:]
    [datetime.date(2025, 4, 21), datetime.date(2025, 5, 26)]
    """
    starts: list[dt.date] = []
    labels: list[str] = []
    for y in sorted(set(years)):
        easter_monday = easter_sunday(y + 1) + dt.timedelta(days=1)
        starts += [
            dt.date(y, 8, 1),
            last_weekday_of_month(y, 10, MONDAY) + dt.timedelta(days=7),
            dt.date(y + 1, 1, 1),
            weekday_on_or_after(dt.date(y + 1, 2, 15), MONDAY) + dt.timedelta(days=7),
            easter_monday,
            last_weekday_of_month(y + 1, 5, MONDAY),
        ]
        labels += list(HALF_TERMS)
    return pl.DataFrame(
        {"half_term_start": starts, "half_term": labels},
        schema={"half_term_start": pl.Date, "half_term": pl.String},
    )


def _check_calendar(calendar: pl.DataFrame) -> pl.DataFrame:
    need = {"half_term_start", "half_term"}
    missing = need - set(calendar.columns)
    if missing:
        raise InputError(
            f"the calendar has no column(s) {sorted(missing)}",
            hint="pass a frame with half_term_start (Date) and half_term "
            "('Autumn 1' … 'Summer 2'), e.g. default_calendar([2024])",
        )
    bad = calendar.filter(~pl.col("half_term").is_in(list(HALF_TERMS)))
    if bad.height:
        raise InputError(
            f"unknown half_term label {bad['half_term'][0]!r}",
            column="half_term",
            hint=f"use one of {list(HALF_TERMS)}",
        )
    return calendar.select(
        pl.col("half_term_start").cast(pl.Date), pl.col("half_term").cast(pl.String)
    ).sort("half_term_start")


def date_table(
    dates: pl.Series,
    period: str,
    *,
    start: dt.date | None,
    end: dt.date | None,
    calendar: pl.DataFrame | None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Map each distinct date to a period id, academic year and summer-2 flag.

    Returns ``(dates, periods)``: ``dates`` has ``date, _pid, _ay, _s2``;
    ``periods`` has ``_pid`` and the EES time columns of each period.
    """
    if period not in PERIODS:
        raise InputError(
            f"unknown period {period!r}", hint=f"use one of {list(PERIODS)}"
        )
    d = pl.DataFrame({"date": dates}).select(pl.col("date").cast(pl.Date)).unique()
    d = d.drop_nulls().sort("date")
    d = d.with_columns(_y0=academic_year_start_expr(pl.col("date")))
    d = d.with_columns(_ay=(pl.col("_y0") * 100 + (pl.col("_y0") + 1) % 100))
    years = d["_y0"].unique().to_list() or []
    cal = (
        _check_calendar(calendar)
        if calendar is not None
        else default_calendar(int(y) for y in years)
    )
    if d.height:
        d = d.join_asof(cal, left_on="date", right_on="half_term_start")
    else:
        d = d.with_columns(
            half_term_start=pl.lit(None, pl.Date), half_term=pl.lit(None, pl.String)
        )
    d = d.with_columns(_s2=pl.col("half_term") == "Summer 2")
    tp = pl.col("_ay").cast(pl.Int32)
    cols: dict[str, pl.Expr]
    if period == "day":
        cols = {
            "time_period": pl.col("date").dt.iso_year().cast(pl.Int32),
            "time_identifier": pl.format("Week {}", pl.col("date").dt.week()),
            "attendance_date": pl.col("date"),
        }
    elif period == "week":
        cols = {
            "time_period": pl.col("date").dt.iso_year().cast(pl.Int32),
            "time_identifier": pl.format("Week {}", pl.col("date").dt.week()),
            "week_commencing": pl.col("date")
            - pl.duration(days=pl.col("date").dt.weekday() - 1),
        }
    elif period == "half_term":
        cols = {
            "time_period": tp,
            "time_identifier": pl.col("half_term").replace_strict(_TERM_OF),
            "half_term": pl.col("half_term"),
        }
    elif period == "term":
        cols = {
            "time_period": tp,
            "time_identifier": pl.col("half_term").replace_strict(_TERM_OF),
        }
    elif period == "academic_year":
        cols = {"time_period": tp, "time_identifier": pl.lit("Academic year")}
    else:  # ytd, range: one period from start to end
        cols = {
            "time_period": tp.max(),
            "time_identifier": pl.lit("Academic year"),
            "period_start": pl.lit(start, pl.Date)
            if start is not None
            else pl.col("date").min(),
            "period_end": pl.lit(end, pl.Date)
            if end is not None
            else pl.col("date").max(),
        }
    d = d.with_columns(**cols)
    keys = list(cols)
    periods = (
        d.select(keys)
        .unique(maintain_order=True)
        .with_row_index("_pid")
        .with_columns(pl.col("_pid").cast(pl.UInt32))
    )
    dates_out = d.join(periods, on=keys, how="left", nulls_equal=True).select(
        "date", "_pid", pl.col("_ay").cast(pl.Int32), "_s2"
    )
    return dates_out, periods
