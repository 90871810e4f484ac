"""DfE's limit on extremely negative progress scores: the group's minimum replaces a more negative score."""

from __future__ import annotations

import math
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from makingdata.attainment import (
    FIRST_MINIMUM_YEAR,
    PROGRESS_MINIMUM_SCHEMA,
    PROGRESS_Z,
    progress_reference,
    progress_table,
    pupil_progress,
)
from makingdata.errors import InputError

SCHOOLS = pl.DataFrame(
    {
        "urn": [100001, 100002],
        "new_la_code": ["E10000034"] * 2,
        "region_code": ["E12000005"] * 2,
    }
)


def _results(rows: list[dict[str, Any]]) -> pl.DataFrame:
    base: dict[str, Any] = {
        "urn": 100001,
        "time_period": 202223,
        "prior_attainment_group": "12",
        "read_scaled_score": 100,
        "mat_scaled_score": 100,
    }
    return pl.DataFrame([{**base, "pupil_key": i + 1, **r} for i, r in enumerate(rows)])


# reading: group 12 averages 100 (progress -4, 0, 4), group 15 averages 110
# (-2, 2): the national standard deviation is sqrt(40 / 5) = sqrt(8).
# maths: every score 100, every progress score 0.
NATIONAL = _results(
    [
        {"prior_attainment_group": "12", "read_scaled_score": 96},
        {"prior_attainment_group": "12", "read_scaled_score": 100},
        {"prior_attainment_group": "12", "read_scaled_score": 104},
        {"prior_attainment_group": "15", "read_scaled_score": 108},
        {"prior_attainment_group": "15", "read_scaled_score": 112},
    ]
)
REF = progress_reference(NATIONAL)


def _minimums(rows: list[tuple[int, str, str, float]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema=PROGRESS_MINIMUM_SCHEMA,
        orient="row",
    )


# group 12 has a limit in reading (-6) and maths (-5); group 15 has one in
# maths only: a group without a row has no limit.
MINIMUMS = _minimums(
    [
        (202223, "read", "12", -6.0),
        (202223, "mat", "12", -5.0),
        (202223, "mat", "15", -5.0),
    ]
)


def test_a_score_more_negative_than_its_groups_minimum_is_replaced_by_it() -> None:
    mine = _results(
        [
            {"read_scaled_score": 90},  # -10 -> -6
            {"read_scaled_score": 94},  # -6, on the minimum: -6
            {"read_scaled_score": 99},  # -1: kept
            {"read_scaled_score": 120},  # +20: no limit on positive scores
            {"prior_attainment_group": "15", "read_scaled_score": 101},  # -9: no limit
            {"read_scaled_score": None},  # no result, no score
        ]
    )
    got = pupil_progress(
        mine, REF, audience="school", minimum_scores=MINIMUMS
    ).collect()
    assert got.columns == [
        "pupil_key",
        "urn",
        "time_period",
        "prior_attainment_group",
        "read_progress_score",
        "mat_progress_score",
        "read_adjusted_progress_score",
        "mat_adjusted_progress_score",
    ]
    assert got["read_progress_score"].to_list() == [-10.0, -6.0, -1.0, 20.0, -9.0, None]
    assert got["read_adjusted_progress_score"].to_list() == [
        -6.0,
        -6.0,
        -1.0,
        20.0,
        -9.0,
        None,
    ]
    assert got["mat_adjusted_progress_score"].to_list() == [0.0] * 6


def test_without_minimum_scores_the_scores_are_unadjusted_as_before() -> None:
    mine = _results([{"read_scaled_score": 90}])
    got = pupil_progress(mine, REF, audience="school").collect()
    assert "read_adjusted_progress_score" not in got.columns
    assert got["read_progress_score"].to_list() == [-10.0]


def test_school_averages_and_intervals_are_over_the_adjusted_scores_by_hand() -> None:
    mine = _results(
        [
            {"urn": 100001, "read_scaled_score": 90},  # -10 -> -6
            {"urn": 100001, "read_scaled_score": 99},  # -1
            {"urn": 100002, "read_scaled_score": 103},  # +3
        ]
    )
    sd = math.sqrt(8)

    def school(t: pl.DataFrame | pl.LazyFrame, urn: str) -> dict[str, Any]:
        assert isinstance(t, pl.DataFrame)
        return t.filter(pl.col("school_urn") == urn).row(0, named=True)

    capped = progress_table(
        mine,
        SCHOOLS,
        REF,
        audience="la",
        levels=["school", "la"],
        minimum_scores=MINIMUMS,
    ).collect()
    a = school(capped.frame, "100001")
    assert a["t_read_progress_eligible_pupils"] == 2
    assert a["t_read_progress_score"] == -7.0
    assert a["avg_read_progress_score"] == -3.5
    half = PROGRESS_Z * sd / math.sqrt(2)  # 3.9199...
    assert a["avg_read_progress_score_lower_CI"] == round(-3.5 - half, 2) == -7.42
    assert a["avg_read_progress_score_upper_CI"] == round(-3.5 + half, 2) == 0.42
    assert isinstance(capped.frame, pl.DataFrame)
    la = capped.frame.filter(pl.col("geographic_level") == "Local authority").row(
        0, named=True
    )
    assert la["t_read_progress_score"] == -4.0  # -6 - 1 + 3
    assert la["avg_read_progress_score"] == round(-4.0 / 3, 2) == -1.33

    plain = progress_table(mine, SCHOOLS, REF, audience="la", levels="school").collect()
    assert school(plain.frame, "100001")["avg_read_progress_score"] == -5.5


def _refused(minimums: pl.DataFrame, match: str) -> None:
    mine = _results([{"read_scaled_score": 90}])
    with pytest.raises(InputError, match=match):
        pupil_progress(mine, REF, audience="school", minimum_scores=minimums).collect()
    with pytest.raises(InputError, match=match):
        progress_table(
            mine, SCHOOLS, REF, audience="la", minimum_scores=minimums
        ).collect()


def test_a_positive_minimum_is_refused() -> None:
    _refused(
        _minimums([(202223, "read", "12", 1.0), (202223, "mat", "12", -5.0)]),
        "minimum progress score for 'read', group '12', 202223 is 1.0",
    )


def test_minimums_before_dfe_set_any_are_refused() -> None:
    assert FIRST_MINIMUM_YEAR == 201718
    _refused(
        _minimums(
            [
                (202223, "read", "12", -6.0),
                (202223, "mat", "12", -5.0),
                (201617, "read", "12", -6.0),
            ]
        ),
        "from 201718 only",
    )


def test_another_years_minimums_are_refused() -> None:
    _refused(
        _minimums([(201819, "read", "12", -6.0), (201819, "mat", "12", -5.0)]),
        "no 'read' rows for 202223",
    )


def test_two_minimums_for_a_group_or_a_missing_column_are_refused() -> None:
    _refused(
        _minimums(
            [
                (202223, "read", "12", -6.0),
                (202223, "read", "12", -7.0),
                (202223, "mat", "12", -5.0),
            ]
        ),
        "more than one row for 'read', group '12'",
    )
    _refused(MINIMUMS.drop("minimum_score"), "no 'minimum_score' column")


@settings(max_examples=40, deadline=None)
@given(
    scores=st.lists(st.integers(80, 120), min_size=1, max_size=12),
    minimum=st.integers(-40, 0),
)
def test_the_adjusted_score_is_the_larger_of_the_score_and_the_minimum(
    scores: list[int], minimum: int
) -> None:
    mine = _results([{"read_scaled_score": x} for x in scores])
    mins = _minimums(
        [(202223, "read", "12", float(minimum)), (202223, "mat", "12", -5.0)]
    )
    got = pupil_progress(mine, REF, audience="school", minimum_scores=mins).collect()
    # group 12's national reading average is 100
    assert got["read_progress_score"].to_list() == [float(x - 100) for x in scores]
    assert got["read_adjusted_progress_score"].to_list() == [
        float(max(x - 100, minimum)) for x in scores
    ]
    t = progress_table(
        mine, SCHOOLS, REF, audience="la", levels="school", minimum_scores=mins
    ).collect()
    assert isinstance(t.frame, pl.DataFrame)
    row = t.frame.row(0, named=True)
    assert row["t_read_progress_score"] == float(
        sum(max(x - 100, minimum) for x in scores)
    )
