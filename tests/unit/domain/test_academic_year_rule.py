"""One academic-year rule (1 August, DfE census), in makingdata._calendar."""

from __future__ import annotations

import datetime as dt

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from makingdata._calendar import (
    academic_year_start,
    academic_year_start_expr,
    academic_year_start_september,
    time_period,
)
from makingdata.attendance import academic_year
from makingdata.attendance._periods import date_table
from makingdata.domain import academic_year_start as domain_academic_year_start

DAYS = st.dates(dt.date(2006, 1, 1), dt.date(2040, 12, 31))


@given(DAYS)
def test_august_starts_the_year(day: dt.date) -> None:
    start = academic_year_start(day)
    assert dt.date(start, 8, 1) <= day <= dt.date(start + 1, 7, 31)
    assert academic_year(day) == time_period(start)


@given(st.lists(DAYS, min_size=1, max_size=30))
def test_the_expression_and_the_period_table_follow_the_same_rule(
    days: list[dt.date],
) -> None:
    s = pl.Series("d", days, dtype=pl.Date)
    got = pl.select(academic_year_start_expr(pl.lit(s)))["d"].to_list()
    assert got == [academic_year_start(d) for d in days]
    dates, _ = date_table(s, "academic_year", start=None, end=None, calendar=None)
    assert dict(zip(dates["date"], dates["_ay"], strict=True)) == {
        d: academic_year(d) for d in days
    }


@given(DAYS)
def test_the_domain_follows_the_one_rule(day: dt.date) -> None:
    assert domain_academic_year_start(day) == academic_year_start(day)


@given(DAYS)
def test_the_synthetic_window_differs_only_in_august(day: dt.date) -> None:
    # synth's generation window (1 September to 31 August) is not a statistics rule
    same = academic_year_start_september(day) == academic_year_start(day)
    assert same == (day.month != 8)
