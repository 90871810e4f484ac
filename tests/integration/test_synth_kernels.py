"""Synthetic data through the attendance kernels: the kernel and a plain reference agree."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import polars as pl
from polars.testing import assert_frame_equal

from makingdata import access, attendance, synth

if TYPE_CHECKING:
    from types import ModuleType


def test_enrolment_summary_matches_the_plain_reference(
    synth_reference: ModuleType,
) -> None:
    data = synth.generate(
        scale=0.1, start=dt.date(2025, 9, 1), end=dt.date(2025, 9, 26), seed=41, la=330
    )
    reference = synth_reference.per_enrolment(data).select(
        "pupil_key",
        "urn",
        pl.col("possible").cast(pl.Int64),
        pl.col("absent").cast(pl.Int64),
        "pa",
        "sa",
    )
    kernel = (
        attendance.enrolment_summary(
            data.marks().lazy(),
            data.enrolments.lazy(),
            schools=data.schools.lazy(),
            period="range",
            start=data.start,
            end=data.end,
        )
        .select(
            "pupil_key",
            "urn",
            pl.col("sess_possible").cast(pl.Int64).alias("possible"),
            pl.col("sess_overall").cast(pl.Int64).alias("absent"),
            pl.col("persistent_absence").alias("pa"),
            pl.col("severe_absence").alias("sa"),
        )
        .collect()
    )
    assert kernel.height > 1000
    assert_frame_equal(
        kernel.sort("pupil_key", "urn"), reference.sort("pupil_key", "urn")
    )


def test_the_birth_cohort_gives_the_same_tables_as_the_date_of_birth() -> None:
    # what a trust or LA receives from scope() instead of the date of birth
    data = synth.generate(
        scale=0.1, start=dt.date(2025, 9, 1), end=dt.date(2025, 9, 26), seed=43, la=330
    )
    exact = data.enrolments.with_columns(
        pl.lit(None, pl.UInt8).alias(
            "age_at_31_august"
        )  # ages from the birth date only
    )
    coarse = exact.with_columns(access.birth_cohort_expr("date_of_birth")).drop(
        "date_of_birth"
    )
    assert coarse["birth_cohort"].dt.day().unique().to_list() == [1]

    def table(enrolments: pl.DataFrame) -> pl.DataFrame:
        return (
            attendance.attendance_table(
                data.marks(),
                enrolments,
                schools=data.schools,
                levels="school",
                by=("year_group",),
                period="range",
                start=data.start,
                end=data.end,
            )
            .collect()
            .sort(pl.all())
        )

    want = table(exact)
    assert want["enrolments"].sum() > 1000
    assert_frame_equal(table(coarse), want)
