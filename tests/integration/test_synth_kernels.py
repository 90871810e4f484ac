"""Synthetic data through the attendance kernels: the kernel and a plain reference agree."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import polars as pl
from polars.testing import assert_frame_equal

from makingdata import attendance, synth

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
