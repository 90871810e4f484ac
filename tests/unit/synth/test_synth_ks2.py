"""Synthetic KS2 results: valid, deterministic, consistent with the pupils, on target."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import polars as pl
import pytest

from makingdata.attainment import ks2_table
from makingdata.schemas import KS2_RESULTS_SCHEMA, check_ks2_results
from makingdata.synth import TARGETS, SynthData, generate
from makingdata.synth._districts import THREE_TIER_LADS

if TYPE_CHECKING:
    from types import ModuleType

DAY = dt.date(2024, 9, 2)


@pytest.fixture(scope="module")
def national() -> SynthData:
    """A national run at 5% (one day: the results do not depend on the range)."""
    return generate(scale=0.05, start=DAY, end=DAY, seed=0)


@pytest.fixture(scope="module")
def national_table(national: SynthData) -> pl.DataFrame:
    return (
        ks2_table(
            national.ks2_results,
            national.schools,
            levels="national",
            by=["disadvantage_status", "sen_provision", "sex"],
        )
        .collect()
        .filter(
            (
                (pl.col("disadvantage_status") == "Total").cast(pl.Int8)
                + (pl.col("sen_provision") == "Total").cast(pl.Int8)
                + (pl.col("sex") == "Total").cast(pl.Int8)
            )
            >= 2
        )
    )


def _value(table: pl.DataFrame, column: str, **where: str) -> float:
    filters = {"disadvantage_status": "Total", "sen_provision": "Total", "sex": "Total"}
    filters.update(where)
    row = table.filter(**filters)
    assert row.height == 1, (column, where)
    return float(row[column].item())


def test_schema_valid_and_one_row_per_year6_pupil(national: SynthData) -> None:
    results = national.ks2_results
    assert dict(results.schema) == KS2_RESULTS_SCHEMA
    report = check_ks2_results(results)
    assert report.ok, report
    year6 = national.enrolments.filter(pl.col("year_group") == "6")
    assert results.height == year6["pupil_key"].n_unique()
    assert set(results["pupil_key"].to_list()) == set(year6["pupil_key"].to_list())
    assert results["time_period"].unique().to_list() == [202425]


def test_consistent_with_the_synthetic_pupils(national: SynthData) -> None:
    pupils = (
        national.enrolments.filter(pl.col("year_group") == "6")
        .sort("pupil_key", "enrol_start")
        .group_by("pupil_key")
        .last()
    )
    joined = national.ks2_results.join(pupils, on="pupil_key", suffix="_e")
    assert joined.height == national.ks2_results.height
    assert (joined["urn"] == joined["urn_e"]).all()
    assert (joined["sex"] == joined["sex_e"]).all()
    assert (joined["sen_provision"] == joined["sen_provision_e"]).all()
    assert (joined["looked_after"] == joined["looked_after_e"]).all()
    assert (joined["month_of_birth"] == joined["date_of_birth"].dt.month()).all()
    # disadvantaged: FSM now, or looked after, or FSM in an earlier year
    assert joined.filter(pl.col("fsm_eligible") | pl.col("looked_after_e"))[
        "disadvantaged"
    ].all()
    share = joined["disadvantaged"].mean()
    assert isinstance(share, float)
    assert 0.27 <= share <= 0.36
    eal = joined["eal"].mean()
    assert isinstance(eal, float)
    assert 0.17 <= eal <= 0.27


def test_deterministic_and_a_subset_equals_its_part_of_the_whole(
    national: SynthData,
) -> None:
    again = generate(scale=0.05, start=DAY, end=DAY, seed=0, la=330)
    assert again.ks2_results.equals(
        generate(scale=0.05, start=DAY, end=DAY, seed=0, la=330).ks2_results
    )
    urns = national.schools.filter(pl.col("old_la_code") == 330)["urn"]
    part = national.ks2_results.filter(pl.col("urn").is_in(urns.implode()))
    assert again.ks2_results.equals(part)
    other_seed = generate(scale=0.05, start=DAY, end=DAY, seed=1, la=330)
    assert not other_seed.ks2_results.equals(again.ks2_results)


@pytest.mark.parametrize(
    ("target", "column"),
    [
        ("ks2_rwm_expected", "pt_rwm_met_expected_standard"),
        ("ks2_rwm_higher", "pt_rwm_met_higher_standard"),
        ("ks2_read_expected", "pt_read_met_expected_standard"),
        ("ks2_writta_expected", "pt_writta_met_expected_standard"),
        ("ks2_mat_expected", "pt_mat_met_expected_standard"),
        ("ks2_gps_expected", "pt_gps_met_expected_standard"),
        ("ks2_scita_expected", "pt_scita_met_expected_standard"),
        ("ks2_read_higher", "pt_read_met_higher_standard"),
        ("ks2_writta_higher", "pt_writta_met_higher_standard"),
        ("ks2_mat_higher", "pt_mat_met_higher_standard"),
        ("ks2_gps_higher", "pt_gps_met_higher_standard"),
        ("ks2_read_average", "avg_read_scaled_score"),
        ("ks2_mat_average", "avg_mat_scaled_score"),
        ("ks2_gps_average", "avg_gps_scaled_score"),
    ],
)
def test_national_rates_within_the_target_bands(
    national_table: pl.DataFrame, target: str, column: str
) -> None:
    t = TARGETS[target]
    assert t.low <= _value(national_table, column) <= t.high, t


@pytest.mark.parametrize(
    ("target", "where"),
    [
        ("ks2_rwm_girls", {"sex": "Female"}),
        ("ks2_rwm_boys", {"sex": "Male"}),
        ("ks2_rwm_disadvantaged", {"disadvantage_status": "Disadvantaged"}),
        (
            "ks2_rwm_not_disadvantaged",
            {"disadvantage_status": "Disadvantaged all other"},
        ),
        (
            "ks2_rwm_sen_support",
            {"sen_provision": "SEN support / SEN without an EHC plan"},
        ),
        ("ks2_rwm_ehc_plan", {"sen_provision": "Education, health and care plan"}),
    ],
)
def test_group_rates_within_the_target_bands(
    national_table: pl.DataFrame, target: str, where: dict[str, str]
) -> None:
    t = TARGETS[target]
    got = _value(national_table, "pt_rwm_met_expected_standard", **where)
    assert t.low <= got <= t.high, (t, got)


def test_gaps_run_the_published_way(national_table: pl.DataFrame) -> None:
    rwm = "pt_rwm_met_expected_standard"
    dis = _value(national_table, rwm, disadvantage_status="Disadvantaged")
    other = _value(national_table, rwm, disadvantage_status="Disadvantaged all other")
    published = (
        TARGETS["ks2_rwm_not_disadvantaged"].value
        - TARGETS["ks2_rwm_disadvantaged"].value
    )
    assert abs((other - dis) - published) <= 4
    none = _value(national_table, rwm, sen_provision="No SEN provision")
    support = _value(
        national_table, rwm, sen_provision="SEN support / SEN without an EHC plan"
    )
    ehc = _value(national_table, rwm, sen_provision="Education, health and care plan")
    assert none > support > ehc
    for subject in ("read", "writta", "gps"):
        column = f"pt_{subject}_met_expected_standard"
        girls = _value(national_table, column, sex="Female")
        boys = _value(national_table, column, sex="Male")
        assert girls > boys, subject


def test_result_codes_at_low_rates(national: SynthData) -> None:
    results = national.ks2_results
    coded = results.select(
        pl.mean_horizontal(
            *(pl.col(f"{s}_code").is_not_null() for s in ("read", "mat", "gps"))
        )
    ).to_series()
    share = 100 * float(coded.mean())  # type: ignore[arg-type]
    t = TARGETS["ks2_test_code_share"]
    assert t.low <= share <= t.high, share
    codes = set(results["read_code"].drop_nulls().cast(pl.String).to_list())
    assert {"A", "B"} <= codes
    # working below the standard of the test: mostly pupils with an EHC plan
    below = results.filter(pl.col("read_code") == "B")
    ehc = (below["sen_provision"] == "Education, health and care plan").mean()
    assert isinstance(ehc, float)
    assert ehc > 0.5
    outcomes = set(results["writta_outcome"].cast(pl.String).to_list())
    assert {"GDS", "EXS", "WTS", "PK6"} <= outcomes


def test_attainment_falls_with_absence(synth_reference: ModuleType) -> None:
    """Pupils persistently absent in the autumn term attain less, from the marks."""
    data = generate(
        scale=0.05, start=dt.date(2024, 9, 2), end=dt.date(2024, 12, 20), seed=3, la=330
    )
    per = synth_reference.per_enrolment(data)
    pupils = per.group_by("pupil_key").agg(
        pl.col("absent").sum(), pl.col("possible").sum()
    )
    joined = data.ks2_results.join(pupils, on="pupil_key").with_columns(
        pa=pl.col("absent") >= 0.1 * pl.col("possible"),
        rwm=(pl.col("read_scaled_score") >= 100)
        & (pl.col("mat_scaled_score") >= 100)
        & pl.col("writta_outcome").cast(pl.String).is_in(["EXS", "GDS"]),
    )
    by = dict(
        joined.group_by("pa")
        .agg(pl.col("rwm").fill_null(value=False).mean())
        .iter_rows()
    )
    assert joined.filter("pa").height >= 50
    assert by[True] < by[False] - 0.15, by


def test_districts_and_tiers_reach_the_results(national: SynthData) -> None:
    joined = national.ks2_results.join(
        national.schools.select("urn", "lad_code", "lad_name"), on="urn"
    )
    assert joined["lad_code"].null_count() == 0
    assert joined["lad_name"].null_count() == 0
    # Worcestershire in full: its three-tier districts sit KS2 in middle schools
    worcs = generate(scale=1.0, start=DAY, end=DAY, seed=0, la=885)
    joined = worcs.ks2_results.join(
        worcs.schools.select("urn", "lad_code", "education_phase"), on="urn"
    ).with_columns(
        middle=pl.col("education_phase").cast(pl.String).str.starts_with("Middle"),
        three_tier=pl.col("lad_code").is_in(THREE_TIER_LADS),
    )
    assert joined["lad_code"].n_unique() == 6
    middle = joined.filter("middle")
    assert middle.height > 0
    assert middle["three_tier"].all()
    in_three = joined.filter("three_tier")
    assert in_three["middle"].mean() > 0.9  # type: ignore[operator]
    assert not joined.filter(~pl.col("three_tier"))["middle"].any()


def test_ks2_table_runs_at_every_level(national: SynthData) -> None:
    table = ks2_table(
        national.ks2_results,
        national.schools,
        levels=["school", "trust", "la", "region", "national"],
        by=["disadvantage_status"],
    ).collect()
    levels = set(table["geographic_level"].to_list())
    assert {"School", "Local authority", "Regional", "National"} <= levels
