"""The KS2 results frame: schema stage, row rules, rejects with reasons."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest

from makingdata.attainment import (
    KS2_RESULTS_SCHEMA,
    KS2Results,
    check_ks2_results,
    ks2_results_rules,
    validate_ks2_results,
)
from makingdata.errors import ValidationError

GOOD: dict[str, Any] = {
    "pupil_key": 1,
    "urn": 100001,
    "time_period": 202425,
    "read_scaled_score": 104,
    "mat_code": "A",
    "gps_scaled_score": 99,
    "writta_outcome": "WTS",
    "scita_outcome": "EXS",
    "disadvantaged": True,
    "sen_provision": "SEN support / SEN without an EHC plan",
    "eal": None,
    "sex": "Male",
    "looked_after": False,
    "month_of_birth": 8,
}


def _frame(*rows: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=KS2_RESULTS_SCHEMA)


def test_a_good_frame_passes() -> None:
    report = check_ks2_results(_frame(GOOD, GOOD | {"pupil_key": 2}))
    assert report.ok
    assert validate_ks2_results(_frame(GOOD)).height == 1
    assert KS2Results.name == "KS2Results"


@pytest.mark.parametrize(
    ("change", "check"),
    [
        ({"pupil_key": None}, "pupil_key_missing"),
        ({"urn": 12}, "urn_range"),
        ({"time_period": 202426}, "time_period_academic_year"),
        ({"time_period": 2024}, "time_period_academic_year"),
        ({"read_scaled_score": 79}, "read_scaled_score_range"),
        ({"gps_scaled_score": 121}, "gps_scaled_score_range"),
        ({"read_code": "B"}, "read_score_and_code"),
        ({"mat_code": None}, "mat_no_result"),
        ({"scita_outcome": "GDS"}, "scita_outcome_valid"),
        ({"scita_outcome": "PK4"}, "scita_outcome_valid"),
        ({"writta_outcome": "HNM"}, "writta_outcome_valid"),
        ({"month_of_birth": 13}, "month_of_birth_range"),
        ({"month_of_birth": 0}, "month_of_birth_range"),
    ],
)
def test_each_rule_rejects_its_rows_with_the_reason(
    change: dict[str, Any], check: str
) -> None:
    report = check_ks2_results(_frame(GOOD | {"pupil_key": 9}, GOOD | change))
    assert not report.ok
    failed = report.failures.filter(pl.col("row") == 1)["check"].to_list()
    assert any(c.startswith(check) for c in failed), failed
    # the good row is never blamed
    assert report.failures.filter(pl.col("row") == 0).is_empty()
    with pytest.raises(ValidationError) as err:
        validate_ks2_results(_frame(GOOD | {"pupil_key": 9}, GOOD | change))
    rejects = err.value.rejects
    assert rejects is not None
    assert rejects["row"].to_list() == [1]


def test_a_repeated_pupil_is_reported_on_every_row() -> None:
    report = check_ks2_results(_frame(GOOD, GOOD))
    dup = report.failures.filter(pl.col("check") == "duplicate_pupil")
    assert dup["row"].to_list() == [0, 1]


def test_a_missing_column_or_wrong_dtype_stops_at_the_schema_stage() -> None:
    report = check_ks2_results(_frame(GOOD).drop("scita_outcome"))
    assert not report.ok
    assert report.failures["check"].to_list() == ["columns_present"]
    report = check_ks2_results(
        _frame(GOOD).with_columns(pl.col("read_scaled_score").cast(pl.Float64))
    )
    assert report.failures["check"].to_list() == ["column_dtypes"]


def test_the_rules_have_unique_names() -> None:
    names = [r.name for r in ks2_results_rules()]
    assert len(names) == len(set(names))
