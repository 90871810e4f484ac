"""Synthetic tables for the chart tests: one LA, a term of weeks, made once."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pytest

from makingdata import synth
from makingdata.attendance import attendance_table

if TYPE_CHECKING:
    from makingdata.tables import Table

START, END = dt.date(2025, 9, 1), dt.date(2025, 11, 28)


@pytest.fixture(scope="session")
def data() -> synth.SynthData:
    return synth.generate(scale=0.01, start=START, end=END, seed=3, la=330)


@pytest.fixture(scope="session")
def weekly(data: synth.SynthData) -> Table:
    return attendance_table(
        data.marks(),
        data.enrolments,
        schools=data.schools,
        levels=["school", "la", "national"],
        period="week",
    ).collect()


@pytest.fixture(scope="session")
def by_ethnicity(data: synth.SynthData) -> Table:
    return attendance_table(
        data.marks(),
        data.enrolments,
        schools=data.schools,
        levels=["school", "la", "national"],
        by=["ethnicity_major"],
        period="range",
        start=START,
        end=END,
    ).collect()
