"""protect() then audit() on tables made by makingdata's own attendance kernels.

The invariant: ``audit(protect(t, audience)).ok`` for every table the kernels
produce, at every level combination, with and without breakdowns; and a
partner or the public never receives a school row or a school identifier.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import polars as pl
import pytest

from makingdata import attendance, disclosure, synth
from makingdata.tables import TIME_COLUMNS, TableSpec

if TYPE_CHECKING:
    from collections.abc import Sequence

START = dt.date(2025, 9, 8)
END = dt.date(2025, 9, 12)
SCHOOL_IDS = ("school_urn", "urn", "school_name", "school_laestab", "laestab")


@pytest.fixture(scope="module")
def data() -> synth.SynthData:
    return synth.generate(scale=0.01, start=START, end=END, seed=7, la=330)


def table(
    data: synth.SynthData, levels: Sequence[str], by: Sequence[str]
) -> pl.DataFrame:
    return attendance.attendance_table(
        data.marks(),
        data.enrolments,
        schools=data.schools,
        memberships=data.memberships,
        levels=levels,
        by=by,
        period="ytd",
        start=START,
        end=END,
    ).collect()


LEVELS = [
    ("la", "region", "national"),
    ("la", "national"),
    ("school", "la"),
    ("school", "la", "region", "national"),
    ("trust",),
    ("school", "trust"),
    ("school", "trust", "la", "national"),
]


@pytest.mark.parametrize("levels", LEVELS, ids="+".join)
@pytest.mark.parametrize("by", [(), ("fsm_status",), ("sex", "fsm_status")], ids=str)
def test_public_release_of_a_kernel_table_passes_its_audit(
    data: synth.SynthData, levels: tuple[str, ...], by: tuple[str, ...]
) -> None:
    t = table(data, levels, by)
    p = disclosure.protect(t, "public")
    report = disclosure.audit(p)
    assert report.ok, report.flagged
    # every primary cell of every protected column (the pupil counts) was audited
    guarded = disclosure.protected_columns(p.rules, p.spec.counts)
    assert guarded == list(PUPIL_COUNTS)
    sens = report.cells.filter(pl.col("sensitive"))
    assert sens.height == p.report.rows_primary * len(guarded)
    assert set(sens["column"].to_list()) <= set(PUPIL_COUNTS)
    assert_no_small_pupil_count(p)


PUPIL_COUNTS = ("enrolments", "enrolments_pa_10_exact", "enrolments_pa_50_exact")


def assert_no_small_pupil_count(p: disclosure.ProtectedTable, minimum: int = 6) -> None:
    """No published pupil count (all, PA, SA) lies in 1..minimum-1."""
    for c in PUPIL_COUNTS:
        shown = p.table[c].drop_nulls()
        small = shown.filter((shown > 0) & (shown < minimum))
        assert small.is_empty(), (c, small.to_list())
        ees = p.to_ees()[c]
        assert not ees.is_in([str(v) for v in range(1, minimum)]).any(), c


@pytest.mark.parametrize("audience", ["public", "partner"])
def test_no_school_row_or_identifier_leaves(
    data: synth.SynthData, audience: str
) -> None:
    t = table(data, ("school", "la", "region", "national"), ("sex", "fsm_status"))
    assert t.filter(pl.col("geographic_level") == "School").height > 0
    p = disclosure.protect(t, audience)
    assert not (p.table["geographic_level"] == "School").any()
    assert not [c for c in SCHOOL_IDS if c in p.table.columns]
    assert not [c for c in SCHOOL_IDS if c in p.to_ees().columns]
    assert p.report.rows_secondary > 0  # the breakdown needs complements
    assert disclosure.audit(p).ok
    assert_no_small_pupil_count(p)


def test_kernel_rate_columns_are_rates_not_counts(data: synth.SynthData) -> None:
    t = table(data, ("la", "national"), ("fsm_status",))
    spec = TableSpec.infer(t)
    assert not [c for c in spec.counts if "percent" in c]
    rates = {r.column: (r.numerator, r.denominator) for r in spec.rates}
    assert rates["sess_overall_percent_pa_10_exact"] == (
        "sess_overall_pa_10_exact",
        "sess_possible_pa_10_exact",
    )
    assert rates["enrolments_pa_10_exact_percent"] == (
        "enrolments_pa_10_exact",
        "enrolments",
    )
    assert rates["sess_overall_percent"] == ("sess_overall", "sess_possible")


def test_every_rate_of_a_suppressed_row_is_hidden(data: synth.SynthData) -> None:
    t = table(data, ("la", "region", "national"), ("sex", "fsm_status"))
    p = disclosure.protect(t, "public")
    hidden = p.status["disclosure_status"] != "published"
    assert hidden.any()
    rate_cols = [c for c in t.columns if "percent" in c]
    assert "sess_overall_percent_pa_50_exact" in rate_cols
    shown = p.table.filter(hidden).select(
        pl.any_horizontal(pl.col(rate_cols).is_not_null())
    )
    assert not shown.to_series().any()
    ees = p.to_ees().filter(hidden)
    assert (ees["sess_overall_percent_pa_10_exact"] == "c").all()


@pytest.mark.parametrize(
    "period", ["day", "week", "half_term", "term", "academic_year", "ytd", "range"]
)
def test_every_period_of_the_kernels_is_keyed_and_protected(
    data: synth.SynthData, period: str
) -> None:
    t = attendance.attendance_table(
        data.marks(),
        data.enrolments,
        schools=data.schools,
        memberships=data.memberships,
        levels=("school", "la", "national"),
        by=("sex",),
        period=period,
        start=START,
        end=END,
    ).collect()
    spec = TableSpec.infer(t)
    assert not t.select(spec.key_columns(t)).is_duplicated().any()
    report = disclosure.audit(disclosure.protect(t, "public"))
    assert report.ok, report.flagged


def test_spec_knows_every_period_column_of_the_kernels() -> None:
    from makingdata.attendance._periods import PERIODS, date_table

    days = pl.Series("date", [START, END], pl.Date)
    for period in PERIODS:
        _, periods = date_table(days, period, start=START, end=END, calendar=None)
        written = set(periods.columns) - {"_pid"}
        assert written <= set(TIME_COLUMNS), (period, written)
