"""KS2 measures and the KS2 table: who counts in which denominator, rounding, levels, groups."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from makingdata.attainment import (
    KS2_BREAKDOWNS,
    KS2_RESULTS_SCHEMA,
    KS2_SUBJECTS,
    TA_ELIGIBLE,
    TEST_ELIGIBLE_CODES,
    KS2TeacherAssessment,
    KS2TestCode,
    ks2_table,
    round_whole,
)
from makingdata.attendance import rollup
from makingdata.errors import InputError

SCHOOLS = pl.DataFrame(
    {
        "urn": [100001, 100002, 100003],
        "school_name": ["A Primary", "B Primary", "C Junior"],
        "laestab": [8402001, 8402002, 8412003],
        "new_la_code": ["E06000047", "E06000047", "E06000005"],
        "la_name": ["County Durham", "County Durham", "Darlington"],
        "old_la_code": [840, 840, 841],
        "region_code": ["E12000001"] * 3,
        "region_name": ["North East"] * 3,
        "trust_id": ["TR00001", None, "TR00001"],
    }
)


def _pupils(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """Pupils with every KS2 column; a row gives only what differs from a pupil at EXS."""
    base: dict[str, Any] = {
        "urn": 100001,
        "time_period": 202425,
        "read_scaled_score": 100,
        "read_code": None,
        "mat_scaled_score": 100,
        "mat_code": None,
        "gps_scaled_score": 100,
        "gps_code": None,
        "writta_outcome": "EXS",
        "scita_outcome": "EXS",
        "disadvantaged": False,
        "sen_provision": "No SEN provision",
        "eal": False,
        "sex": "Female",
        "looked_after": False,
        "month_of_birth": 9,
    }
    full = [{**base, "pupil_key": i + 1, **r} for i, r in enumerate(rows)]
    return pl.DataFrame(full).cast(KS2_RESULTS_SCHEMA)  # type: ignore[arg-type]


def _national(rows: list[dict[str, Any]], **kw: Any) -> dict[str, Any]:
    t = ks2_table(_pupils(rows), SCHOOLS, levels="national", **kw).collect()
    out = t.frame.filter(
        pl.all_horizontal([pl.col(b) == "Total" for b in kw.get("by", ())] or [True])
    )
    assert out.height == 1
    return out.row(0, named=True)


@pytest.mark.parametrize("code", [c.value for c in KS2TestCode])
def test_a_test_code_counts_in_the_denominator_only_when_dfe_says_so(code: str) -> None:
    row = _national(
        [{"read_scaled_score": None, "read_code": code}, {"read_scaled_score": 105}]
    )
    expected_in = code in TEST_ELIGIBLE_CODES
    assert row["t_read_eligible_pupils"] == (2 if expected_in else 1)
    assert row["t_read_met_expected_standard"] == 1
    assert row["pt_read_met_expected_standard"] == (50.0 if expected_in else 100.0)
    # a code never enters the average scaled score
    assert row["t_read_scaled_score_pupils"] == 1
    assert row["avg_read_scaled_score"] == 105.0


def test_left_missing_future_and_past_are_not_eligible_and_the_rest_are() -> None:
    assert {str(c) for c in TEST_ELIGIBLE_CODES} == {"A", "B", "H", "J", "Q", "T", "U"}
    assert {"L", "F", "P"}.isdisjoint({str(c) for c in TA_ELIGIBLE["writta"]})
    assert {"L", "F", "P"}.isdisjoint({str(c) for c in TA_ELIGIBLE["scita"]})


@pytest.mark.parametrize(
    ("score", "expected", "higher"),
    [(80, 0, 0), (99, 0, 0), (100, 1, 0), (109, 1, 0), (110, 1, 1), (120, 1, 1)],
)
def test_thresholds_of_the_expected_and_higher_standard(
    score: int, expected: int, higher: int
) -> None:
    row = _national([{"mat_scaled_score": score}])
    assert row["t_mat_met_expected_standard"] == expected
    assert row["t_mat_met_higher_standard"] == higher


@pytest.mark.parametrize(
    ("outcome", "eligible", "expected", "higher"),
    [
        ("GDS", 1, 1, 1),
        ("EXS", 1, 1, 0),
        ("WTS", 1, 0, 0),
        ("PK6", 1, 0, 0),
        ("EM", 1, 0, 0),
        ("A", 1, 0, 0),
        ("L", 0, 0, 0),
        ("F", 0, 0, 0),
        ("P", 0, 0, 0),
    ],
)
def test_writing_teacher_assessment(
    outcome: str, eligible: int, expected: int, higher: int
) -> None:
    row = _national([{"writta_outcome": outcome}])
    assert row["t_writta_eligible_pupils"] == eligible
    assert row["t_writta_met_expected_standard"] == expected
    assert row["t_writta_met_higher_standard"] == higher


def test_science_has_no_higher_standard_and_hnm_is_not_met() -> None:
    row = _national([{"scita_outcome": "HNM"}, {"scita_outcome": "EXS"}])
    assert row["t_scita_eligible_pupils"] == 2
    assert row["pt_scita_met_expected_standard"] == 50.0
    assert "t_scita_met_higher_standard" not in row


def test_rwm_needs_all_three_eligible_and_met() -> None:
    rows = [
        {},  # met all three
        {"writta_outcome": "WTS"},  # eligible, not met
        {"mat_scaled_score": None, "mat_code": "L"},  # left: not eligible in maths
        {  # higher in all three
            "read_scaled_score": 110,
            "mat_scaled_score": 115,
            "writta_outcome": "GDS",
        },
        {"read_scaled_score": 110, "mat_scaled_score": 115},  # EXS writing: not higher
    ]
    row = _national(rows)
    assert row["t_rwm_eligible_pupils"] == 4
    assert row["t_rwm_met_expected_standard"] == 3
    assert row["t_rwm_met_higher_standard"] == 1
    assert row["pt_rwm_met_expected_standard"] == 75.0
    assert row["pt_rwm_met_higher_standard"] == 25.0


def test_percentages_round_half_up_to_whole_numbers() -> None:
    # 1 of 8 = 12.5% -> 13 (banker's rounding would give 12)
    rows = [{"read_scaled_score": 100}] + [{"read_scaled_score": 90}] * 7
    row = _national(rows)
    assert row["pt_read_met_expected_standard"] == 13.0
    # the average: (100 + 7 * 90) / 8 = 91.25 -> 91
    assert row["avg_read_scaled_score"] == 91.0


@given(st.integers(0, 400), st.integers(1, 400))
def test_round_whole_is_decimal_half_up_on_the_float(n: int, d: int) -> None:
    x = n / d * 100
    got = pl.select(round_whole(pl.lit(x))).item()
    assert got == float(Decimal(x).quantize(Decimal(1), ROUND_HALF_UP))


def test_rates_at_higher_levels_are_ratios_of_sums_not_means_of_schools() -> None:
    rows = [
        {"urn": 100001, "read_scaled_score": 100},  # school 1: 1 of 1
        *[{"urn": 100002, "read_scaled_score": 90}] * 2,  # school 2: 1 of 3
        {"urn": 100002, "read_scaled_score": 101},
    ]
    t = ks2_table(_pupils(rows), SCHOOLS, levels=["school", "la", "national"]).collect()
    f = t.frame
    assert f["geographic_level"].to_list() == [
        "National",
        "Local authority",
        "School",
        "School",
    ]
    la = f.filter(pl.col("geographic_level") == "Local authority").row(0, named=True)
    assert la["t_read_eligible_pupils"] == 4
    assert la["pt_read_met_expected_standard"] == 50.0  # 2 of 4, not (100 + 33) / 2
    schools = f.filter(pl.col("geographic_level") == "School")
    assert schools["pt_read_met_expected_standard"].to_list() == [100.0, 33.0]
    assert schools["school_name"].to_list() == ["A Primary", "B Primary"]


def test_every_level_and_the_trust() -> None:
    rows = [{"urn": u} for u in (100001, 100002, 100003)]
    t = ks2_table(
        _pupils(rows), SCHOOLS, levels=["national", "region", "la", "trust", "school"]
    ).collect()
    got = t.frame.group_by("geographic_level").agg(
        pl.len(), pl.col("t_read_eligible_pupils").sum()
    )
    assert dict(got.select("geographic_level", "len").rows()) == {
        "National": 1,
        "Regional": 1,
        "Local authority": 2,
        "MAT": 1,
        "School": 3,
    }
    trust = t.frame.filter(pl.col("geographic_level") == "MAT").row(0, named=True)
    assert trust["trust_id"] == "TR00001"
    assert trust["t_read_eligible_pupils"] == 2
    # the geography chain from the top, then the trust (as every kernel orders them)
    assert t.spec.levels == ("National", "Regional", "Local authority", "School", "MAT")


@pytest.mark.parametrize("by", list(KS2_BREAKDOWNS))
def test_each_breakdown_has_a_total_equal_to_the_sum_of_its_parts(by: str) -> None:
    rows = [
        {"disadvantaged": True, "sex": "Male", "eal": None, "looked_after": True},
        {
            "disadvantaged": False,
            "sen_provision": "SEN support / SEN without an EHC plan",
        },
        {"disadvantaged": None, "eal": True, "read_scaled_score": 90},
    ]
    t = ks2_table(_pupils(rows), SCHOOLS, levels="national", by=[by]).collect().frame
    total = t.filter(pl.col(by) == "Total")
    parts = t.filter(pl.col(by) != "Total")
    assert total.height == 1
    assert parts.height >= 2
    for c in ("t_read_eligible_pupils", "t_read_met_expected_standard"):
        assert total[c].item() == parts[c].sum()


def test_breakdown_labels() -> None:
    rows = [
        {"disadvantaged": True, "eal": True},
        {"disadvantaged": None, "eal": None},
    ]
    t = ks2_table(
        _pupils(rows), SCHOOLS, levels="national", by=["disadvantage_status"]
    ).collect()
    assert t.frame["disadvantage_status"].to_list() == [
        "Disadvantaged",
        "Disadvantaged all other",
        "Total",
    ]
    t = ks2_table(_pupils(rows), SCHOOLS, levels="national", by=["first_language"])
    assert t.collect().frame["first_language"].to_list() == [
        "Known or believed to be other than English",
        "Unclassified",
        "Total",
    ]


def test_two_breakdowns_are_crossed() -> None:
    rows = [
        {"disadvantaged": True, "sex": "Male"},
        {"disadvantaged": False, "sex": "Female"},
    ]
    t = ks2_table(
        _pupils(rows), SCHOOLS, levels="national", by=["disadvantage_status", "sex"]
    ).collect()
    # the combinations present: 2 of both, 2 + 2 with one Total, and Total x Total
    assert t.frame.height == 7
    assert t.frame.filter(
        (pl.col("disadvantage_status") == "Total") & (pl.col("sex") == "Total")
    )["t_read_eligible_pupils"].to_list() == [2]


def test_the_spec_says_what_each_column_is() -> None:
    t = ks2_table(_pupils([{}]), SCHOOLS, levels=["la", "national"], by=["sex"])
    spec = t.spec
    assert spec.filters == ("sex",)
    assert spec.indicator("pt_read_met_expected_standard").denominator == (
        "t_read_eligible_pupils"
    )
    assert spec.indicator("avg_read_scaled_score").kind == "other"
    # a sum of scores is suppressed with its row, but is not a count of pupils
    assert spec.indicator("t_read_scaled_score_sum").kind == "count"
    assert spec.protected is not None
    assert "t_read_scaled_score_sum" not in spec.protected
    assert "t_read_eligible_pupils" in spec.protected
    assert spec.indicator("num_schools").kind == "additive"
    assert spec.indicator("t_rwm_eligible_pupils").kind == "count"
    assert {r.column for r in spec.rates} == {
        f"pt_{s.name}_met_{std}_standard"
        for s in KS2_SUBJECTS
        for std in ("expected", "higher")
        if std == "expected" or s.higher
    }
    assert spec.nestings[0].parent == "National"
    assert set(t.collect().frame.columns) >= set(spec.indicators)


def test_zero_denominator_is_null() -> None:
    row = _national([{"gps_scaled_score": None, "gps_code": "L"}])
    assert row["t_gps_eligible_pupils"] == 0
    assert row["pt_gps_met_expected_standard"] is None
    assert row["avg_gps_scaled_score"] is None


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"read_scaled_score": 79}, "outside 80-120"),
        ({"gps_scaled_score": 121}, "outside 80-120"),
        ({"read_code": "A"}, "both a scaled score and a result code"),
        ({"urn": 999999}, "not in the schools frame"),
    ],
)
def test_bad_results_are_refused_with_the_reason(
    change: dict[str, Any], match: str
) -> None:
    with pytest.raises(InputError, match=match):
        ks2_table(_pupils([change]), SCHOOLS, levels="national")


def test_unknown_breakdown_level_and_missing_columns_are_refused() -> None:
    with pytest.raises(InputError, match="unknown KS2 breakdown"):
        ks2_table(_pupils([{}]), SCHOOLS, by=["ethnicity_major"])
    with pytest.raises(InputError):
        ks2_table(_pupils([{}]), SCHOOLS, levels="ward")
    with pytest.raises(InputError, match="no 'scita_outcome' column"):
        ks2_table(_pupils([{}]).drop("scita_outcome"), SCHOOLS)
    with pytest.raises(InputError, match="needs a 'eal' column"):
        ks2_table(_pupils([{}]).drop("eal"), SCHOOLS, by=["first_language"])
    with pytest.raises(InputError, match="no 'region_code' column"):
        ks2_table(_pupils([{}]), SCHOOLS.drop("region_code"))


def test_codes_are_the_enum_values_of_the_contract() -> None:
    assert KS2_RESULTS_SCHEMA["read_code"] == pl.Enum([c.value for c in KS2TestCode])
    assert KS2_RESULTS_SCHEMA["writta_outcome"] == pl.Enum(
        [c.value for c in KS2TeacherAssessment]
    )


def test_the_school_rows_roll_up_to_the_kernels_own_higher_levels() -> None:
    rows = [
        {"urn": 100001, "read_scaled_score": 100, "disadvantaged": True},
        {"urn": 100001, "read_scaled_score": None, "read_code": "B"},
        {"urn": 100002, "read_scaled_score": 111, "writta_outcome": "WTS"},
        {"urn": 100002, "mat_scaled_score": None, "mat_code": "A"},
        {"urn": 100003, "gps_scaled_score": None, "gps_code": "L"},
        {"urn": 100003, "scita_outcome": "HNM", "disadvantaged": True},
        {"urn": 100003, "writta_outcome": "GDS", "read_scaled_score": 89},
    ]
    by = ["disadvantage_status"]
    schools = ks2_table(_pupils(rows), SCHOOLS, levels="school", by=by)
    ours = ks2_table(_pupils(rows), SCHOOLS, levels=["la", "region", "national"], by=by)
    rolled = rollup(schools, levels=["la", "region", "national"], by=by, decimals=0)
    cols = [
        *ours.spec.counts,
        *ours.spec.additive,
        *(r.column for r in ours.spec.rates),
    ]
    key = ["geographic_level", "new_la_code", "region_code", "disadvantage_status"]
    a = ours.collect().frame.select(*key, *cols).sort(key, nulls_last=True)
    b = rolled.collect().frame.select(*key, *cols).sort(key, nulls_last=True)
    assert a.height == 3 * 4
    assert_frame_equal(a, b, check_dtypes=False)
