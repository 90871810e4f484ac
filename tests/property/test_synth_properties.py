"""Properties of the synthetic generator over random seeds, LAs, years and days."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from makingdata.codes import invalid_on_date_expr
from makingdata.schemas import check_marks, check_marks_enrolled
from makingdata.synth import bank_holidays, generate, school_calendar
from makingdata.synth._directory import load_las
from makingdata.synth._hash import mix

LAS = load_las()["old_la_code"].to_list()


@settings(max_examples=25, deadline=None)
@given(
    year=st.integers(2006, 2040),
    la=st.sampled_from(LAS),
)
def test_calendar_shape(year: int, la: int) -> None:
    cal = school_calendar(year, la=la)
    dates = cal["date"].to_list()
    assert 185 <= len(dates) <= 195
    assert all(d.weekday() < 5 for d in dates)
    holidays = bank_holidays(year) | bank_holidays(year + 1)
    assert not set(dates) & holidays
    assert dates == sorted(dates)
    assert dates[0].month == 9
    assert dates[-1].month == 7
    assert cal["inset_candidate"].sum() == 8
    assert cal["inset_candidate"][0]
    assert cal["school_day"].to_list() == list(range(len(dates)))
    assert cal["term"].cast(str).unique(maintain_order=True).to_list() == [
        "Autumn",
        "Spring",
        "Summer",
    ]


@settings(max_examples=8, deadline=None)
@given(
    seed=st.integers(0, 2**31),
    la=st.sampled_from(LAS),
    day=st.dates(dt.date(2022, 9, 1), dt.date(2026, 7, 31)),
)
def test_any_day_of_any_la_is_valid(seed: int, la: int, day: dt.date) -> None:
    data = generate(scale=0.02, start=day, end=day, seed=seed, la=la)
    marks = data.marks()
    assert check_marks(marks).ok
    assert check_marks_enrolled(marks, data.enrolments).ok
    assert not marks.select(invalid_on_date_expr().any()).item()
    if day.weekday() >= 5:
        assert marks.is_empty()
    per = marks.group_by("pupil_key", "urn").len()
    assert (per["len"] == 2).all()
    # the same day generated twice is the same frame
    again = generate(scale=0.02, start=day, end=day, seed=seed, la=la).marks()
    assert marks.equals(again)


@given(st.lists(st.integers(0, 2**64 - 1), unique=True, max_size=200))
def test_mix_is_a_bijection(values: list[int]) -> None:
    arr = np.array(values, dtype=np.uint64)
    out = mix(arr)
    assert len(set(out.tolist())) == len(values)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000), la=st.sampled_from(LAS))
def test_enrolment_spells_never_overlap_at_a_school(seed: int, la: int) -> None:
    data = generate(
        scale=0.05,
        start=dt.date(2025, 9, 1),
        end=dt.date(2026, 8, 31),
        seed=seed,
        la=la,
    )
    e = data.enrolments.sort("pupil_key", "urn", "enrol_start")
    nxt = e.with_columns(
        next_start=pl.col("enrol_start").shift(-1).over("pupil_key", "urn")
    ).filter(pl.col("next_start").is_not_null())
    assert (nxt["enrol_end"] < nxt["next_start"]).all()
    assert (e["enrol_end"].is_null() | (e["enrol_end"] >= e["enrol_start"])).all()
