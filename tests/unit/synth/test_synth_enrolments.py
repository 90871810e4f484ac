"""Synthetic enrolments: contract, characteristic rates, spells, subsets."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from makingdata._contracts import ENROLMENTS_SCHEMA
from makingdata.errors import InputError
from makingdata.schemas import check_enrolments
from makingdata.synth import TARGETS, SynthData, generate

START = dt.date(2025, 9, 1)
END = dt.date(2026, 8, 31)


@pytest.fixture(scope="module")
def data() -> SynthData:
    return generate(scale=0.05, start=START, end=END, seed=21)


@pytest.fixture(scope="module")
def cohort(data: SynthData) -> pl.DataFrame:
    """Ages 5-15 (the DfE cohort), one row per enrolment."""
    return data.enrolments.filter(pl.col("age_at_31_august").is_between(5, 15))


def test_contract_and_validators(data: SynthData) -> None:
    assert dict(data.enrolments.schema) == ENROLMENTS_SCHEMA
    report = check_enrolments(data.enrolments)
    assert report.ok, report
    assert data.enrolments["urn"].is_in(data.schools["urn"].implode()).all()


def test_volume_scales_to_england(data: SynthData, cohort: pl.DataFrame) -> None:
    t = TARGETS["enrolments_5_to_15"]
    n = cohort["pupil_key"].n_unique() / data.scale
    assert t.low <= n <= t.high
    total = data.enrolments["pupil_key"].n_unique() / data.scale
    assert 8_700_000 <= total <= 9_900_000
    ages = set(data.enrolments["age_at_31_august"].unique().to_list())
    assert {4, 5, 15, 16, 17} <= ages


@pytest.mark.parametrize(
    ("name", "expr"),
    [
        ("fsm_eligible", pl.col("fsm_eligible")),
        (
            "sen_support",
            pl.col("sen_provision") == "SEN support / SEN without an EHC plan",
        ),
        ("ehc_plan", pl.col("sen_provision") == "Education, health and care plan"),
        ("looked_after", pl.col("looked_after")),
        ("child_in_need", pl.col("child_in_need")),
        ("male", pl.col("sex") == "Male"),
        ("ethnicity_white", pl.col("ethnicity_major") == "White"),
    ],
)
def test_characteristic_rates(cohort: pl.DataFrame, name: str, expr: pl.Expr) -> None:
    t = TARGETS[name]
    rate = cohort.select(expr.mean() * 100).item()
    assert t.low <= rate <= t.high, (name, rate)


def test_special_schools_are_mostly_ehc(data: SynthData) -> None:
    special = data.schools.filter(pl.col("education_phase") == "Special")["urn"]
    rate = (
        data.enrolments.filter(pl.col("urn").is_in(special.implode()))
        .select((pl.col("sen_provision") == "Education, health and care plan").mean())
        .item()
    )
    assert rate > 0.9


def test_ages_agree_with_year_group_and_birth_date(data: SynthData) -> None:
    e = data.enrolments
    yg = (
        pl.when(pl.col("year_group") == "R")
        .then(0)
        .otherwise(pl.col("year_group").cast(pl.String).cast(pl.Int64))
    )
    assert (e.select(yg + 4)["literal"] == e["age_at_31_august"].cast(pl.Int64)).all()
    aug31 = dt.date(2025, 8, 31)
    age = e.select(
        (
            pl.lit(aug31.year)
            - pl.col("date_of_birth").dt.year()
            - (
                (pl.col("date_of_birth").dt.month() > 8)
                | (
                    (pl.col("date_of_birth").dt.month() == 8)
                    & (pl.col("date_of_birth").dt.day() > 31)
                )
            ).cast(pl.Int64)
        ).alias("age")
    )["age"]
    assert (age == e["age_at_31_august"].cast(pl.Int64)).all()


def test_year_groups_by_phase(data: SynthData) -> None:
    e = data.enrolments.join(data.schools.select("urn", "education_phase"), on="urn")
    prim = e.filter(pl.col("education_phase") == "Primary")["year_group"].cast(str)
    assert set(prim.unique()) <= {"R", "1", "2", "3", "4", "5", "6"}
    sec = e.filter(pl.col("education_phase") == "Secondary")["year_group"].cast(str)
    assert set(sec.unique()) <= {"7", "8", "9", "10", "11", "12", "13"}
    assert {"9", "10"} <= set(sec.unique())


def test_movers_have_two_consecutive_spells(data: SynthData) -> None:
    e = data.enrolments
    dual_keys = e.filter(pl.col("urn").is_duplicated().over("pupil_key").not_())
    spells = (
        e.filter(pl.col("pupil_key").is_duplicated())
        .sort("pupil_key", "enrol_start")
        .group_by("pupil_key", maintain_order=True)
        .agg(
            pl.col("enrol_end").first().alias("end1"),
            pl.col("enrol_start").last().alias("start2"),
            pl.col("urn").n_unique(),
            pl.col("date_of_birth").n_unique().alias("dobs"),
        )
    )
    assert dual_keys.height > 0
    movers = spells.filter(pl.col("end1").is_not_null())
    share = movers.height / e["pupil_key"].n_unique()
    assert 0.01 <= share <= 0.06
    assert (movers["end1"] < movers["start2"]).all()
    assert (spells["urn"] == 2).all()
    assert (spells["dobs"] == 1).all()


def test_subset_by_la_equals_national_slice(data: SynthData) -> None:
    sub = generate(scale=0.05, start=START, end=END, seed=21, la=330)
    assert sub.schools["old_la_code"].unique().to_list() == [330]
    national = data.enrolments.filter(pl.col("urn").is_in(sub.schools["urn"].implode()))
    assert sub.enrolments.equals(national)


def test_subset_by_trust(data: SynthData) -> None:
    trust = (
        data.memberships.group_by("trust_id")
        .len()
        .sort("len", "trust_id", descending=[True, False])["trust_id"][0]
    )
    sub = generate(scale=0.05, start=START, end=END, seed=21, trust=trust)
    members = data.memberships.filter(pl.col("trust_id") == trust)["urn"]
    assert sorted(sub.schools["urn"].to_list()) == sorted(members.unique().to_list())
    national = data.enrolments.filter(pl.col("urn").is_in(members.implode()))
    assert sub.enrolments.equals(national)


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"scale": 0.0}, "scale"),
        ({"scale": 1.5}, "scale"),
        ({"end": dt.date(2026, 9, 2)}, "more than one academic year"),
        ({"end": dt.date(2025, 8, 1)}, "before start"),
        ({"la": 999}, "no local authority"),
        ({"la": "E99999999"}, "no local authority"),
        ({"trust": "TR00000"}, "no trust"),
        ({"seed": -1}, "seed"),
    ],
)
def test_bad_arguments_raise_input_error(
    kwargs: dict[str, object], needle: str
) -> None:
    args: dict[str, object] = {"scale": 0.01, "start": START, "end": START, "seed": 1}
    args.update(kwargs)
    with pytest.raises(InputError, match=needle):
        generate(**args)  # type: ignore[arg-type]
