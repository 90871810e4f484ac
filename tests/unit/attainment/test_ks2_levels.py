"""KS2 by district, academies against maintained schools, 2-tier against 3-tier areas."""

from __future__ import annotations

from collections import Counter
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from makingdata.attainment import (
    ACADEMY,
    DISTRICT,
    KS2_RESULTS_SCHEMA,
    KS2_SCHOOL_BREAKDOWNS,
    MAINTAINED,
    THREE_TIER,
    TWO_TIER,
    ks2_table,
)
from makingdata.disclosure import audit, protect
from makingdata.errors import InputError

# A county (two districts, one of them 3-tier with a middle school) and a
# unitary authority that is its own district.
SCHOOLS = pl.DataFrame(
    {
        "urn": [100001, 100002, 100003, 100004, 100005],
        "school_name": ["A First", "B Middle", "C Primary", "D Primary", "E Primary"],
        "laestab": [8852001, 8854001, 8852002, 8852003, 8842001],
        "new_la_code": ["E10000034"] * 4 + ["E06000019"],
        "la_name": ["Worcestershire"] * 4 + ["Herefordshire"],
        "old_la_code": [885, 885, 885, 885, 884],
        "region_code": ["E12000005"] * 5,
        "region_name": ["West Midlands"] * 5,
        "lad_code": ["E07000236", "E07000236", "E07000234", "E07000234", "E06000019"],
        "lad_name": [
            "Redditch",
            "Redditch",
            "Bromsgrove",
            "Bromsgrove",
            "Herefordshire, County of",
        ],
        "education_phase": [
            "Primary",
            "Middle (deemed secondary)",
            "Primary",
            "Primary",
            "Primary",
        ],
        "establishment_type_group": [
            "Local authority maintained schools",
            "Academies",
            "Free Schools",
            "Special schools",
            "Local authority maintained schools",
        ],
        "establishment_type": [
            "Community school",
            "Academy converter",
            "Free schools",
            "Community special school",
            "Voluntary aided school",
        ],
    }
)


def _pupils(rows: list[dict[str, Any]]) -> pl.DataFrame:
    base: dict[str, Any] = {
        "urn": 100001,
        "time_period": 202425,
        "read_scaled_score": 100,
        "mat_scaled_score": 100,
        "gps_scaled_score": 100,
        "writta_outcome": "EXS",
        "scita_outcome": "EXS",
        "disadvantaged": False,
    }
    full = [{**base, "pupil_key": i + 1, **r} for i, r in enumerate(rows)]
    return pl.DataFrame(full, schema=KS2_RESULTS_SCHEMA)


def _rows(t: Any, level: str) -> dict[Any, dict[str, Any]]:
    f = t.collect().frame.filter(pl.col("geographic_level") == level)
    return {r["lad_code"]: r for r in f.iter_rows(named=True)}


def test_the_district_level_sums_its_schools_and_carries_its_la() -> None:
    # Redditch: 2 pupils (1 met); Bromsgrove: 3 pupils (3 met); Herefordshire: 1 (0)
    rows = [
        {"urn": 100001, "read_scaled_score": 99},
        {"urn": 100002},
        {"urn": 100003},
        {"urn": 100003, "read_scaled_score": 112},
        {"urn": 100004},
        {"urn": 100005, "read_scaled_score": 90},
    ]
    t = ks2_table(_pupils(rows), SCHOOLS, levels=["la", "district"])
    got = _rows(t, "Local authority district")
    assert {k: v["t_read_eligible_pupils"] for k, v in got.items()} == {
        "E07000234": 3,
        "E07000236": 2,
        "E06000019": 1,
    }
    assert got["E07000236"]["pt_read_met_expected_standard"] == 50.0
    assert got["E07000234"]["pt_read_met_higher_standard"] == 33.0
    assert got["E07000236"]["la_name"] == "Worcestershire"
    assert got["E07000236"]["lad_name"] == "Redditch"
    assert got["E07000236"]["num_schools"] == 2
    assert t.spec.levels == ("Local authority", "Local authority district")
    nest = [n for n in t.spec.nestings if n.child == DISTRICT.label]
    assert [(n.parent, n.on) for n in nest] == [("Local authority", ("new_la_code",))]


@pytest.mark.parametrize("name", ["district", "lad", "Local authority district"])
def test_the_district_level_has_three_names(name: str) -> None:
    t = ks2_table(_pupils([{}]), SCHOOLS, levels=name).collect()
    assert t.frame["geographic_level"].to_list() == ["Local authority district"]


@pytest.mark.parametrize("column", ["lad_code", "lad_name"])
def test_the_district_level_without_the_column_is_refused_by_name(column: str) -> None:
    with pytest.raises(
        InputError, match=f"the district level needs a '{column}' column"
    ) as e:
        ks2_table(_pupils([{}]), SCHOOLS.drop(column), levels=["la", "district"])
    assert e.value.column == column
    # asked for no district, the column is not needed
    ks2_table(_pupils([{}]), SCHOOLS.drop(column), levels="la").collect()


def test_an_unknown_level_names_the_district_among_the_choices() -> None:
    with pytest.raises(InputError, match="unknown level 'ward'") as e:
        ks2_table(_pupils([{}]), SCHOOLS, levels="ward")
    assert "district" in str(e.value)


def test_school_type_from_the_gias_establishment_type_group() -> None:
    schools = pl.DataFrame(
        {
            "urn": list(range(100001, 100009)),
            "new_la_code": ["E10000034"] * 8,
            "region_code": ["E12000005"] * 8,
            "establishment_type_group": [
                "Academies",
                "Free Schools",
                "Local authority maintained schools",
                "Special schools",
                "Special schools",
                "Independent schools",
                None,
                "Other types",
            ],
            "establishment_type": [
                "Academy converter",
                "Free schools",
                "Community school",
                "Foundation special school",
                "Non-maintained special school",
                "Other independent school",
                None,
                "Service children's education",
            ],
        }
    )
    rows = [{"urn": u} for u in range(100001, 100009)]
    t = ks2_table(_pupils(rows), schools, levels="national", by=["school_type"])
    got = dict(
        t.collect().frame.select("school_type", "t_read_eligible_pupils").iter_rows()
    )
    assert got == {ACADEMY: 2, MAINTAINED: 2, "Other": 3, "Unclassified": 1, "Total": 8}


def test_area_tier_marks_every_school_of_a_district_with_a_middle_school() -> None:
    rows = [{"urn": u} for u in (100001, 100002, 100003, 100004, 100005)]
    t = ks2_table(_pupils(rows), SCHOOLS, levels="la", by=["area_tier"]).collect()
    got = {
        (r["la_name"], r["area_tier"]): r["t_read_eligible_pupils"]
        for r in t.frame.iter_rows(named=True)
    }
    assert got == {
        ("Herefordshire", TWO_TIER): 1,
        ("Herefordshire", "Total"): 1,
        ("Worcestershire", TWO_TIER): 2,  # Bromsgrove's two primaries
        ("Worcestershire", THREE_TIER): 2,  # Redditch: a first and a middle school
        ("Worcestershire", "Total"): 4,
    }


def test_area_tier_reads_middle_schools_without_pupils_and_null_districts() -> None:
    # the middle school has no KS2 pupils of its own here: its district is 3-tier still
    schools = SCHOOLS.with_columns(
        lad_code=pl.Series(["E07000236", "E07000236", None, "E07000234", "E06000019"])
    )
    rows = [{"urn": u} for u in (100001, 100003, 100004)]
    t = ks2_table(_pupils(rows), schools, levels="national", by=["area_tier"])
    got = dict(t.collect().frame.select("area_tier", "t_read_eligible_pupils").rows())
    assert got == {THREE_TIER: 1, TWO_TIER: 1, "Unclassified": 1, "Total": 3}


@pytest.mark.parametrize(
    ("by", "column"),
    [(b, c) for b, cols in KS2_SCHOOL_BREAKDOWNS.items() for c in cols],
)
def test_a_school_breakdown_without_its_column_is_refused_by_name(
    by: str, column: str
) -> None:
    with pytest.raises(
        InputError, match=f"the breakdown '{by}' needs a '{column}' column"
    ):
        ks2_table(_pupils([{}]), SCHOOLS.drop(column), levels="national", by=[by])


def test_school_and_pupil_breakdowns_cross() -> None:
    rows = [
        {"urn": 100002, "disadvantaged": True},
        {"urn": 100003, "disadvantaged": False},
    ]
    t = ks2_table(
        _pupils(rows),
        SCHOOLS,
        levels="national",
        by=["disadvantage_status", "school_type"],
    ).collect()
    got = {
        (r["disadvantage_status"], r["school_type"]): r["t_read_eligible_pupils"]
        for r in t.frame.iter_rows(named=True)
    }
    assert got[("Disadvantaged", ACADEMY)] == 1
    assert got[("Total", ACADEMY)] == 2  # the academy and the free school
    assert got[("Disadvantaged all other", "Total")] == 1
    assert got[("Total", "Total")] == 2


def test_a_district_table_is_protected_and_passes_the_audit() -> None:
    rows = [
        {"urn": 100001 + (i % 5), "read_scaled_score": 90 + (i * 7) % 30}
        for i in range(80)
    ]
    for levels in (["national", "la", "district"], ["la", "district", "school"]):
        t = ks2_table(
            _pupils(rows), SCHOOLS, levels=levels, by=["school_type"]
        ).collect()
        p = protect(t, "public")
        assert audit(p).ok
    # a school's row names its district; districts are keys of the spec
    schools = t.frame.filter(pl.col("geographic_level") == "School")
    assert schools["lad_code"].null_count() == 0
    assert "lad_code" in t.spec.key_columns(t.frame)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([100001, 100002, 100003, 100004, 100005]),
            st.integers(80, 120),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_district_counts_equal_a_plain_count_of_pupils(
    pupils: list[tuple[int, int]],
) -> None:
    lad = dict(zip(SCHOOLS["urn"], SCHOOLS["lad_code"], strict=True))
    tier = {"E07000236": THREE_TIER, "E07000234": TWO_TIER, "E06000019": TWO_TIER}
    rows = [{"urn": u, "read_scaled_score": s} for u, s in pupils]
    t = ks2_table(_pupils(rows), SCHOOLS, levels="district", by=["area_tier"])
    f = t.collect().frame
    eligible = Counter(lad[u] for u, _ in pupils)
    met = Counter(lad[u] for u, s in pupils if s >= 100)
    totals = f.filter(pl.col("area_tier") == "Total")
    assert dict(totals.select("lad_code", "t_read_eligible_pupils").rows()) == dict(
        eligible
    )
    got_met = dict(totals.select("lad_code", "t_read_met_expected_standard").rows())
    assert got_met == {k: met.get(k, 0) for k in eligible}
    tiers = f.filter(pl.col("area_tier") != "Total")
    assert all(
        tier[r["lad_code"]] == r["area_tier"] for r in tiers.iter_rows(named=True)
    )
