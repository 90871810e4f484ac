"""Plain-polars reference for synthetic data, shared by the synth and integration tests.

Deliberately independent of the attendance kernels: possible sessions exclude
the not-counted codes; overall absence = authorised + unauthorised sessions /
possible; an enrolment is a persistent absentee at >= 10% of its own possible
sessions and severe at >= 50%; the cohort is ages 5-15 at 31 August
(attendance-domain.md §3).

Tests reach it through the ``synth_reference`` fixture (tests/conftest.py):
with ``--import-mode=importlib`` tests/ is not importable as a package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from makingdata.codes import category_expr

if TYPE_CHECKING:
    from makingdata.synth import SynthData

#: The categories counted in possible sessions.
POSSIBLE_CATEGORIES = (
    "Present",
    "Approved educational activity",
    "Authorised",
    "Unauthorised",
)


def per_enrolment(data: SynthData) -> pl.DataFrame:
    """Sum each enrolment's sessions over the range, a day at a time."""
    acc: list[pl.DataFrame] = []
    for date, m in data.iter_marks():
        cat = category_expr("code")
        acc.append(
            m.group_by("urn", "pupil_key").agg(
                possible=cat.is_in(POSSIBLE_CATEGORIES).sum(),
                authorised=(cat == "Authorised").sum(),
                unauthorised=(cat == "Unauthorised").sum(),
                illness=(pl.col("code") == "I").sum(),
                mon_fri_absent=(
                    cat.is_in(["Authorised", "Unauthorised"]).sum()
                    if date.weekday() in (0, 4)
                    else pl.lit(0, dtype=pl.UInt32)
                ),
                mon_fri_possible=(
                    cat.is_in(POSSIBLE_CATEGORIES).sum()
                    if date.weekday() in (0, 4)
                    else pl.lit(0, dtype=pl.UInt32)
                ),
            )
        )
        if len(acc) >= 20:
            acc = [pl.concat(acc).group_by("urn", "pupil_key").sum()]
    sessions = pl.concat(acc).group_by("urn", "pupil_key").sum()
    phase = (
        pl.when(pl.col("education_phase") == "Special")
        .then(pl.lit("Special"))
        .when(
            pl.col("education_phase").is_in(["Secondary", "Middle (deemed secondary)"])
            | (
                (pl.col("education_phase") == "All-through")
                & (pl.col("age_at_31_august") >= 11)
            )
        )
        .then(pl.lit("Secondary"))
        .otherwise(pl.lit("Primary"))
    )
    return (
        data.enrolments.filter(pl.col("age_at_31_august").is_between(5, 15))
        .join(data.schools.select("urn", "education_phase"), on="urn")
        .with_columns(phase=phase)
        .join(sessions, on=["urn", "pupil_key"])
        .filter(pl.col("possible") > 0)
        .with_columns(absent=pl.col("authorised") + pl.col("unauthorised"))
        .with_columns(
            pa=pl.col("absent") >= 0.1 * pl.col("possible"),
            sa=pl.col("absent") >= 0.5 * pl.col("possible"),
        )
    )
