"""Academic-year school calendars for each local authority.

A calendar is built from rules that reproduce the usual shape of English term
dates (three terms, three half-term breaks, Christmas and Easter holidays, bank
holidays), with small deterministic variations by LA: some LAs start a day or
two later, take the October half term a week earlier, the February half term a
week later, or the Easter break after Easter rather than around it. Term dates
do not depend on the generator's seed.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import attrs
import numpy as np
import numpy.typing as npt
import polars as pl

from makingdata._calendar import (
    FRIDAY,
    MONDAY,
    THURSDAY,
    academic_year_start_september,
    easter_sunday,
    last_weekday_of_month,
    weekday_on_or_after,
)
from makingdata.errors import InputError
from makingdata.synth._directory import load_las
from makingdata.synth._hash import mix_int

if TYPE_CHECKING:
    from collections.abc import Sequence

#: One-off bank holidays in England (in addition to the regular eight).
_EXTRA_BANK_HOLIDAYS = (
    dt.date(2011, 4, 29),  # royal wedding
    dt.date(2012, 6, 5),  # diamond jubilee
    dt.date(2022, 6, 3),  # platinum jubilee
    dt.date(2022, 9, 19),  # state funeral
    dt.date(2023, 5, 8),  # coronation
)
#: Years in which a regular bank holiday moved.
_MOVED = {
    dt.date(2020, 5, 4): dt.date(2020, 5, 8),  # VE day
    dt.date(2012, 5, 28): dt.date(2012, 6, 4),
    dt.date(2022, 5, 30): dt.date(2022, 6, 2),
}

#: Number of INSET-day candidate positions in each calendar; a school uses 5.
N_INSET_CANDIDATES = 8
#: INSET days per school.
N_INSET = 5

TERM_DTYPE = pl.Enum(["Autumn", "Spring", "Summer"])


def bank_holidays(year: int) -> set[dt.date]:
    """Return England's bank holidays in calendar ``year``."""
    out: set[dt.date] = set()
    jan1 = dt.date(year, 1, 1)
    out.add(jan1 if jan1.weekday() < 5 else weekday_on_or_after(jan1, MONDAY))
    easter = easter_sunday(year)
    out.add(easter - dt.timedelta(days=2))
    out.add(easter + dt.timedelta(days=1))
    early_may = weekday_on_or_after(dt.date(year, 5, 1), MONDAY)
    out.add(_MOVED.get(early_may, early_may))
    spring = last_weekday_of_month(year, 5, MONDAY)
    out.add(_MOVED.get(spring, spring))
    out.add(last_weekday_of_month(year, 8, MONDAY))
    xmas = dt.date(year, 12, 25)
    boxing = dt.date(year, 12, 26)
    if xmas.weekday() >= 5:
        xmas = weekday_on_or_after(xmas, MONDAY)
    out.add(xmas)
    if boxing.weekday() >= 5 or boxing == xmas:
        boxing = weekday_on_or_after(xmas + dt.timedelta(days=1), MONDAY)
        if boxing == xmas:  # pragma: no cover - defensive
            boxing += dt.timedelta(days=1)
    out.add(boxing)
    out.update(d for d in _EXTRA_BANK_HOLIDAYS if d.year == year)
    return out


def _variant(la: int, year: int, salt: int, n: int) -> int:
    return mix_int(la, year, salt) % n


def _weekdays(a: dt.date, b: dt.date) -> list[dt.date]:
    n = (b - a).days + 1
    days = (a + dt.timedelta(days=i) for i in range(max(n, 0)))
    return [d for d in days if d.weekday() < 5]


@attrs.frozen
class TermDates:
    """Term and break dates of one LA for one academic year (internal)."""

    terms: tuple[tuple[str, dt.date, dt.date], ...]
    breaks: tuple[tuple[dt.date, dt.date], ...]


def term_dates(la: int, year: int) -> TermDates:
    """Return the terms (name, first day, last day) and half-term breaks."""
    sep1 = dt.date(year, 9, 1)
    first = weekday_on_or_after(sep1, MONDAY) if sep1.weekday() >= 5 else sep1
    if first.weekday() == MONDAY:
        # most schools skip the Monday when 1 September is a Monday
        first += dt.timedelta(days=1)
    first += dt.timedelta(days=_variant(la, year, 1, 3))
    while first.weekday() >= 5:  # pragma: no cover - the variants stay in the week
        first += dt.timedelta(days=1)
    oct_ht = last_weekday_of_month(year, 10, MONDAY)
    if _variant(la, year, 2, 7) == 0:
        oct_ht -= dt.timedelta(days=7)
    aut_end = weekday_on_or_after(dt.date(year, 12, 16), FRIDAY)

    spr_start = weekday_on_or_after(dt.date(year + 1, 1, 4), MONDAY)
    jan4 = dt.date(year + 1, 1, 4)
    if jan4.weekday() < 5:
        spr_start = jan4 if jan4.weekday() <= THURSDAY else spr_start
    feb_ht = weekday_on_or_after(dt.date(year + 1, 2, 12), MONDAY)
    if _variant(la, year, 3, 10) == 0:
        feb_ht += dt.timedelta(days=7)
    easter = easter_sunday(year + 1)
    if _variant(la, year, 4, 10) < 3:
        easter_break = (easter - dt.timedelta(days=2), easter + dt.timedelta(days=12))
    else:
        easter_break = (easter - dt.timedelta(days=6), easter + dt.timedelta(days=5))
    spr_end = easter_break[0] - dt.timedelta(days=1)
    sum_start = easter_break[1] + dt.timedelta(days=1)
    sum_start = weekday_on_or_after(sum_start, MONDAY)
    may_ht = last_weekday_of_month(year + 1, 5, MONDAY)
    sum_end = weekday_on_or_after(dt.date(year + 1, 7, 17), FRIDAY)
    sum_end -= dt.timedelta(days=_variant(la, year, 5, 3))
    terms = (
        ("Autumn", first, aut_end),
        ("Spring", spr_start, spr_end),
        ("Summer", sum_start, sum_end),
    )
    week = dt.timedelta(days=4)
    breaks = (
        (oct_ht, oct_ht + week),
        (feb_ht, feb_ht + week),
        (may_ht, may_ht + week),
    )
    return TermDates(terms=terms, breaks=breaks)


@attrs.frozen
class CalendarArrays:
    """Numpy views of every LA's calendar for one academic year (internal).

    ``day`` indexes calendar days from 1 September; ``school_day`` is the
    running index of term weekdays (INSET candidates included), or -1.
    """

    year: int
    la_codes: npt.NDArray[np.int64]
    school_day: npt.NDArray[np.int16]  # (n_la, n_days)
    inset_slot: npt.NDArray[np.int8]  # (n_la, n_days): candidate index or -1
    near_break: npt.NDArray[np.bool_]  # (n_la, n_school_days_max)
    month: npt.NDArray[np.int8]  # (n_la, n_school_days_max)
    weekday: npt.NDArray[np.int8]  # (n_la, n_school_days_max)
    first_weekdays: npt.NDArray[np.int16]  # (n_la,): school-day index of week 1 end

    @property
    def start(self) -> dt.date:
        """1 September of the academic year."""
        return dt.date(self.year, 9, 1)

    def day_index(self, date: dt.date) -> int:
        """Return the calendar-day index of ``date`` in this year."""
        return (date - self.start).days


def academic_year_of(date: dt.date) -> int:
    """Return the calendar year in which ``date``'s synthetic academic year starts.

    The synthetic year runs 1 September to 31 August (:class:`CalendarArrays`
    counts days from 1 September), the documented range rule of
    :func:`makingdata.synth.generate`.
    """
    return academic_year_start_september(date)


#: Term weekdays a school is open in a year (190 pupil days + 5 INSET days).
TERM_DAYS = 195


def _la_days(la: int, year: int) -> tuple[list[dt.date], list[int], set[int]]:
    """Return (term weekdays, INSET candidate positions, near-break positions).

    The summer term runs until the LA has 195 term weekdays (190 pupil days
    and 5 INSET days), ending between 15 and 24 July.
    """
    td = term_dates(la, year)
    hols = bank_holidays(year) | bank_holidays(year + 1)
    off: set[dt.date] = set()
    for a, b in td.breaks:
        off.update(a + dt.timedelta(days=i) for i in range((b - a).days + 1))
    days: list[dt.date] = []
    term_last: list[int] = []
    starts: list[int] = []
    terms = list(td.terms)
    name, a, _b = terms[-1]
    lo, hi = dt.date(year + 1, 7, 15), dt.date(year + 1, 7, 24)
    terms[-1] = (name, a, hi)
    for i, (_name, a, b) in enumerate(terms):
        term_days = [d for d in _weekdays(a, b) if d not in hols and d not in off]
        if i == len(terms) - 1:
            keep = max(TERM_DAYS - len(days), sum(d <= lo for d in term_days))
            term_days = term_days[:keep]
        for d in term_days:
            if not days or d - days[-1] > dt.timedelta(days=4):
                starts.append(len(days))
            days.append(d)
        term_last.append(len(days) - 1)
    # 8 candidate INSET positions: the first two days of the year, the first
    # day of each later term or half term, the last day of autumn and summer.
    cands: list[int] = []
    for c in [0, 1, *starts[1:], term_last[0], term_last[-1]]:
        if c not in cands:
            cands.append(c)
    near: set[int] = set()
    for s in starts[1:]:
        near.update({s, s + 1})
    for t in term_last:
        near.update({t, t - 1})
    for s in starts[1:]:
        near.update({s - 1, s - 2})
    return days, cands[:N_INSET_CANDIDATES], near


def build_calendar(year: int, la_codes: Sequence[int]) -> CalendarArrays:
    """Build :class:`CalendarArrays` for ``year`` and the given LAs."""
    start = dt.date(year, 9, 1)
    n_days = (dt.date(year + 1, 9, 1) - start).days
    n_la = len(la_codes)
    per_la = [_la_days(int(la), year) for la in la_codes]
    max_sd = max(len(p[0]) for p in per_la)
    school_day = np.full((n_la, n_days), -1, dtype=np.int16)
    inset_slot = np.full((n_la, n_days), -1, dtype=np.int8)
    near = np.zeros((n_la, max_sd), dtype=np.bool_)
    month = np.zeros((n_la, max_sd), dtype=np.int8)
    weekday = np.zeros((n_la, max_sd), dtype=np.int8)
    first_weeks = np.zeros(n_la, dtype=np.int16)
    for i, (days, cands, near_set) in enumerate(per_la):
        idx = np.array([(d - start).days for d in days], dtype=np.int64)
        school_day[i, idx] = np.arange(len(days), dtype=np.int16)
        for k, pos in enumerate(cands):
            inset_slot[i, idx[pos]] = k
        for pos in near_set:
            if 0 <= pos < len(days):
                near[i, pos] = True
        month[i, : len(days)] = [d.month for d in days]
        weekday[i, : len(days)] = [d.weekday() for d in days]
        first_weeks[i] = next(
            (j for j, d in enumerate(days) if d - days[0] >= dt.timedelta(days=7)), 5
        )
    return CalendarArrays(
        year=year,
        la_codes=np.asarray(la_codes, dtype=np.int64),
        school_day=school_day,
        inset_slot=inset_slot,
        near_break=near,
        month=month,
        weekday=weekday,
        first_weekdays=first_weeks,
    )


def calendar_frame(cal: CalendarArrays) -> pl.DataFrame:
    """Return the calendar as a tidy frame: one row per LA per term weekday."""
    la_idx, day = np.nonzero(cal.school_day >= 0)
    frames = pl.DataFrame(
        {
            "old_la_code": cal.la_codes[la_idx].astype(np.uint16),
            "date": (np.datetime64(cal.start, "D") + day.astype("timedelta64[D]")),
            "school_day": cal.school_day[la_idx, day].astype(np.int16),
            "inset_candidate": cal.inset_slot[la_idx, day] >= 0,
        }
    )
    summer = pl.DataFrame(
        {
            "old_la_code": cal.la_codes.astype(np.uint16),
            "summer_start": [
                term_dates(int(la), cal.year).terms[2][1] for la in cal.la_codes
            ],
        }
    )
    jan1 = dt.date(cal.year + 1, 1, 1)
    return (
        frames.with_columns(pl.col("date").cast(pl.Date))
        .join(summer, on="old_la_code", how="left")
        .with_columns(
            term=pl.when(pl.col("date") < jan1)
            .then(pl.lit("Autumn"))
            .when(pl.col("date") < pl.col("summer_start"))
            .then(pl.lit("Spring"))
            .otherwise(pl.lit("Summer"))
            .cast(TERM_DTYPE)
        )
        .select("old_la_code", "date", "term", "school_day", "inset_candidate")
        .sort("old_la_code", "date")
    )


def school_calendar(academic_year: int, *, la: int | None = None) -> pl.DataFrame:
    """Return the synthetic term calendar of an academic year.

    One row per LA per term weekday (INSET candidates included): columns
    ``old_la_code``, ``date``, ``term``, ``school_day`` and ``inset_candidate``.
    Each LA has 195 term weekdays; every school takes 5 of its 8 INSET
    candidates as INSET days (marked ``#``), leaving 190 pupil days.

    Parameters
    ----------
    academic_year
        The calendar year in which the academic year starts (2025 = 2025/26).
    la
        Only this LA (old 3-digit code).

    Examples
    --------
    >>> from makingdata import synth
    >>> cal = synth.school_calendar(2025, la=330)
    >>> cal.height, cal["date"].min().isoformat()
    (195, '2025-09-04')
    """
    codes = load_las()["old_la_code"].to_list()
    if la is not None:
        if la not in codes:
            raise InputError(f"no local authority with old code {la!r}")
        codes = [la]
    return calendar_frame(build_calendar(academic_year, codes))
