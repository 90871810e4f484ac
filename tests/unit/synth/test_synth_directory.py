"""The synthetic directory: schools, trusts and memberships."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from makingdata._contracts import MEMBERSHIPS_SCHEMA, SCHOOLS_SCHEMA
from makingdata.schemas import check_schools
from makingdata.synth import TARGETS
from makingdata.synth._directory import THREE_TIER_LAS, build_directory, load_las


@pytest.fixture(scope="module")
def national() -> tuple[pl.DataFrame, pl.DataFrame]:
    d = build_directory(scale=1.0, seed=11, year=2025)
    return d.schools, d.memberships


def test_frames_match_contracts(national: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    schools, memberships = national
    assert dict(schools.schema) == SCHOOLS_SCHEMA
    assert dict(memberships.schema) == MEMBERSHIPS_SCHEMA
    report = check_schools(schools)
    assert report.ok, report


def test_school_counts_follow_the_la_table(
    national: tuple[pl.DataFrame, pl.DataFrame],
) -> None:
    schools, _ = national
    t = TARGETS["schools"]
    assert t.low <= schools.height <= t.high
    las = load_las()
    per_la = schools.group_by("old_la_code").len()
    expect = las.select(
        "old_la_code",
        n=pl.col("primary_schools")
        + pl.col("secondary_schools")
        + pl.col("special_schools"),
    )
    joined = expect.join(per_la, on="old_la_code", how="left")
    assert (joined["n"] == joined["len"]).all()
    assert set(schools["region_code"].unique()) == {
        f"E1200000{i}" for i in range(1, 10)
    }


def test_phases_include_middle_and_all_through(
    national: tuple[pl.DataFrame, pl.DataFrame],
) -> None:
    schools, _ = national
    middle = schools.filter(
        pl.col("education_phase").cast(str).str.starts_with("Middle")
    )
    assert middle.height > 0
    assert set(middle["old_la_code"].unique()) <= set(THREE_TIER_LAS)
    all_through = schools.filter(pl.col("education_phase") == "All-through")
    assert 100 <= all_through.height <= 300
    names = schools.filter(pl.col("old_la_code") == THREE_TIER_LAS[0])["school_name"]
    assert names.str.contains("First School").any()
    assert names.str.contains("High School").any()


def test_identifiers_are_well_formed(
    national: tuple[pl.DataFrame, pl.DataFrame],
) -> None:
    schools, memberships = national
    assert schools["urn"].is_unique().all()
    assert schools["urn"].is_between(100000, 999999).all()
    assert schools["laestab"].is_unique().all()
    assert (schools["laestab"] // 10000 == schools["old_la_code"].cast(pl.UInt32)).all()
    assert schools["school_name"].str.contains(r"^Synthetic [A-Za-z -]+ \d+$").all()
    assert memberships["trust_id"].str.contains(r"^TR\d{5}$").all()


def test_academy_shares_and_trust_sizes(
    national: tuple[pl.DataFrame, pl.DataFrame],
) -> None:
    schools, memberships = national
    acad = schools.with_columns(
        academy=pl.col("establishment_type_group").is_in(["Academies", "Free Schools"])
    )
    share = acad.group_by("education_phase").agg(pl.col("academy").mean())
    by = dict(share.iter_rows())
    assert 0.37 <= by["Primary"] <= 0.43
    assert 0.76 <= by["Secondary"] <= 0.84
    # academies, and only academies, have a trust
    assert (acad["academy"] == acad["trust_id"].is_not_null()).all()
    current = memberships.filter(pl.col("left").is_null())
    sizes = current.group_by("trust_id").agg(n=pl.len(), las=pl.col("urn").n_unique())
    n_trusts = memberships["trust_id"].n_unique()
    assert 2000 <= n_trusts <= 3000
    assert (sizes["n"] == 1).sum() > 0.3 * sizes.height
    big = sizes.filter(pl.col("n") >= 30)["trust_id"]
    assert big.len() >= 10
    spans = (
        current.filter(pl.col("trust_id").is_in(big.implode()))
        .join(schools.select("urn", "old_la_code", "region_code"), on="urn")
        .group_by("trust_id")
        .agg(pl.col("old_la_code").n_unique(), pl.col("region_code").n_unique())
    )
    assert (spans["old_la_code"] > 1).any()
    assert (spans["region_code"] == 1).all()


def test_openings_closings_and_trust_moves(
    national: tuple[pl.DataFrame, pl.DataFrame],
) -> None:
    schools, memberships = national
    sep1, aug31 = dt.date(2025, 9, 1), dt.date(2026, 8, 31)
    assert schools.filter(pl.col("open_date").is_between(sep1, aug31)).height > 20
    assert schools.filter(pl.col("close_date").is_between(sep1, aug31)).height > 20
    moved = memberships.filter(pl.col("urn").is_duplicated()).sort("urn", "joined")
    assert moved.height > 50
    pairs = moved.group_by("urn", maintain_order=True).agg(
        pl.col("left").first(), pl.col("joined").last(), pl.col("trust_id").n_unique()
    )
    assert (pairs["left"] + dt.timedelta(days=1) == pairs["joined"]).all()
    assert (pairs["trust_id"] == 2).all()
    final = moved.group_by("urn", maintain_order=True).agg(pl.col("trust_id").last())
    check = final.join(schools.select("urn", "trust_id"), on="urn", suffix="_school")
    assert (check["trust_id"] == check["trust_id_school"]).all()


def test_small_scale_keeps_every_la() -> None:
    d = build_directory(scale=0.01, seed=11, year=2025)
    assert d.schools["old_la_code"].n_unique() == load_las().height
    assert 200 <= d.schools.height <= 400


def test_same_seed_same_directory_other_seed_differs() -> None:
    a = build_directory(scale=0.05, seed=5, year=2025).schools
    b = build_directory(scale=0.05, seed=5, year=2025).schools
    c = build_directory(scale=0.05, seed=6, year=2025).schools
    assert a.equals(b)
    assert not a.equals(c)
