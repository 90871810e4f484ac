"""Calendar arithmetic shared by :mod:`makingdata.attendance` and :mod:`makingdata.synth`.

Easter Sunday and the weekday helpers that English bank holidays and term
dates are built from. Private: the public names are
:func:`makingdata.attendance.easter_sunday` and
:func:`makingdata.synth.bank_holidays`.
"""

from __future__ import annotations

import datetime as dt

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
