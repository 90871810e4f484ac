"""Calendar arithmetic shared by :mod:`makingdata.attendance`, :mod:`makingdata.domain` and :mod:`makingdata.synth`.

The academic-year rule, Easter Sunday and the weekday helpers that English
bank holidays and term dates are built from. Private: the public names are
:func:`makingdata.attendance.academic_year`,
:func:`makingdata.domain.academic_year_start`,
:func:`makingdata.attendance.easter_sunday` and
:func:`makingdata.synth.bank_holidays`.

The academic year (Methodology, "The academic year of a date"): DfE's school
census and its attendance statistics put 1 August – 31 December in the autumn
term and end the summer term on 31 July, and EES labels the year by its two
calendar years (``time_period`` 202526 for 2025/26). A date in August belongs
to the academic year that *starts* that August: :func:`academic_year_start`.
The synthetic generator's window (1 September to 31 August,
:func:`academic_year_start_september`) is how it splits work into years, not a
rule of the statistics.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

#: The month an academic year starts in (DfE school census: autumn term from 1 August).
ACADEMIC_YEAR_FIRST_MONTH = 8


def academic_year_start(date: dt.date) -> int:
    """Return the calendar year in which the academic year holding ``date`` began.

    An academic year runs from 1 August to 31 July (DfE school census; EES
    ``time_period``), so 2025-08-01 and 2026-07-31 both belong to 2025/26.

    Examples
    --------
    >>> import datetime as dt
    >>> (
    ...     academic_year_start(dt.date(2025, 7, 31)),
    ...     academic_year_start(dt.date(2025, 8, 1)),
    ... )
    (2024, 2025)
    """
    return date.year if date.month >= ACADEMIC_YEAR_FIRST_MONTH else date.year - 1


def academic_year_start_expr(date: pl.Expr) -> pl.Expr:
    """Return :func:`academic_year_start` of a Date expression, as Int32.

    Examples
    --------
    >>> import datetime as dt
    >>> import polars as pl
    >>> df = pl.DataFrame({"d": [dt.date(2025, 7, 31), dt.date(2025, 8, 1)]})
    >>> df.select(academic_year_start_expr(pl.col("d")))["d"].to_list()
    [2024, 2025]
    """
    year = date.dt.year()
    return (
        pl.when(date.dt.month() >= ACADEMIC_YEAR_FIRST_MONTH)
        .then(year)
        .otherwise(year - 1)
        .cast(pl.Int32)
    )


def time_period(start_year: int) -> int:
    """Return the EES ``time_period`` of the academic year starting in ``start_year``.

    Examples
    --------
    >>> time_period(2025), time_period(2099)
    (202526, 209900)
    """
    return start_year * 100 + (start_year + 1) % 100


def academic_year_start_september(date: dt.date) -> int:
    """Return the start year of ``date``'s academic year, counting August in the year before.

    The generation window of the synthetic calendar
    (:func:`makingdata.synth.generate`, whose year runs 1 September to 31
    August, its calendar arrays counting days from 1 September). It differs from
    :func:`academic_year_start` only for dates in August.

    Examples
    --------
    >>> import datetime as dt
    >>> academic_year_start_september(dt.date(2025, 8, 31))
    2024
    >>> academic_year_start(dt.date(2025, 8, 31))
    2025
    """
    return date.year if date.month >= 9 else date.year - 1


#: ``datetime.date.weekday()`` of Monday, Thursday and Friday.
MONDAY, THURSDAY, FRIDAY = 0, 3, 4


def easter_sunday(year: int) -> dt.date:
    """Return Easter Sunday of ``year`` (Gregorian calendar, anonymous algorithm).

    Examples
    --------
    >>> from makingdata.attendance import easter_sunday
    >>> easter_sunday(2025)
    datetime.date(2025, 4, 20)
    """
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def weekday_on_or_after(d: dt.date, weekday: int) -> dt.date:
    """Return the first date on or after ``d`` that falls on ``weekday``."""
    return d + dt.timedelta(days=(weekday - d.weekday()) % 7)


def last_weekday_of_month(year: int, month: int, weekday: int) -> dt.date:
    """Return the last date of ``month`` in ``year`` that falls on ``weekday``."""
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    last = nxt - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)
