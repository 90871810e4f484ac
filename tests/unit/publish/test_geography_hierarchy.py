from __future__ import annotations

import polars as pl
import pytest

from makingdata.errors import InputError
from makingdata.publish import HIERARCHY_YEARS, geography_hierarchy, geography_lookup


@pytest.mark.parametrize("year", HIERARCHY_YEARS)
def test_each_year_nests_ward_lad_la_region(year: int) -> None:
    wards = geography_hierarchy(year)
    assert wards.height > 6_000
    assert wards["ward_code"].str.starts_with("E05").all()
    assert wards.null_count().sum_horizontal().item() == 0
    # an LAD is in one LA, an LA in one region; a row is a ward and a
    # constituency (some wards are split between two). A ward is in one LAD,
    # but for one 2022 North Yorkshire division DfE's lookup splits by
    # district ("Hunmanby & Sherburn (part Scarborough)" / "(part Ryedale)")
    assert not wards.select("ward_code", "ward_name", "pcon_code").is_duplicated().any()
    for child, parent in [("lad_code", "new_la_code"), ("new_la_code", "region_code")]:
        pairs = wards.select(child, parent).unique()
        assert not pairs[child].is_duplicated().any(), (year, child, parent)
    split = wards.select("ward_code", "lad_code").unique()
    split = set(split.filter(pl.col("ward_code").is_duplicated())["ward_code"])
    assert split == ({"E05014284"} if year == 2022 else set())
    assert set(wards["region_code"]) == {f"E1200000{i}" for i in range(1, 10)}
    assert set(wards["country_name"]) == {"England"}


@pytest.mark.parametrize(
    ("level", "key"),
    [
        ("ward", "ward_code"),
        ("pcon", "pcon_code"),
        ("lad", "lad_code"),
        ("la", "new_la_code"),
        ("region", "region_code"),
        ("country", "country_code"),
    ],
)
def test_levels_are_distinct_units(level: str, key: str) -> None:
    frame = geography_hierarchy(2024, level=level)
    assert frame.columns[0] == key
    keys = [key, "ward_name", "pcon_code"] if level == "ward" else [key]
    assert not frame.select(keys).is_duplicated().any()


def test_the_hierarchy_agrees_with_the_checkers_lookups() -> None:
    # the names the hierarchy gives are the official ones check_ees accepts
    las = geography_hierarchy(2024, level="la")
    official = geography_lookup("local_authorities.csv").select(
        "new_la_code", "old_la_code", "la_name"
    )
    assert las.join(
        official, on=["new_la_code", "old_la_code", "la_name"], how="anti"
    ).is_empty()
    assert las.height == 153  # England's upper-tier LAs in 2024
    regions = geography_hierarchy(2024, level="region")
    assert regions.join(
        geography_lookup("regions.csv"), on=["region_code", "region_name"], how="anti"
    ).is_empty()
    wards = geography_hierarchy(2019, level="ward").select("ward_code", "ward_name")
    assert wards.join(
        geography_lookup("wards.csv").select("ward_code", "ward_name"),
        on=["ward_code", "ward_name"],
        how="anti",
    ).is_empty()


def test_years_change_the_wards() -> None:
    assert set(geography_hierarchy(2017)["ward_code"]) != set(
        geography_hierarchy(2024)["ward_code"]
    )


@pytest.mark.parametrize("year", [2018, 2016, 2025, "2024", True])
def test_a_year_the_data_does_not_cover_is_refused(year: object) -> None:
    with pytest.raises(InputError, match="no geography hierarchy for"):
        geography_hierarchy(year)  # type: ignore[arg-type]


def test_an_unknown_level_is_refused() -> None:
    with pytest.raises(InputError, match="unknown level 'school'"):
        geography_hierarchy(2024, level="school")


def test_frames_are_text() -> None:
    frame = geography_hierarchy(2024, level="lad")
    assert set(frame.schema.values()) == {pl.String}
