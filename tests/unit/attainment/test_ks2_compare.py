"""Gaps, trends and schools near national, over KS2 tables: hand-worked and against plain sums."""

from __future__ import annotations

import random
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from makingdata.attainment import (
    KS2_RESULTS_SCHEMA,
    gap_to_group,
    gap_to_national,
    ks2_table,
    near_national,
    trend,
)
from makingdata.disclosure import protect
from makingdata.errors import InputError
from makingdata.tables import Table

SCHOOLS = pl.DataFrame(
    {
        "urn": [100001, 100002, 100003],
        "school_name": ["A Primary", "B Primary", "C Junior"],
        "laestab": [8852001, 8852002, 8842003],
        "new_la_code": ["E10000034", "E10000034", "E06000019"],
        "la_name": ["Worcestershire", "Worcestershire", "Herefordshire"],
        "old_la_code": [885, 885, 884],
        "region_code": ["E12000005"] * 3,
        "region_name": ["West Midlands"] * 3,
    }
)
PT = "pt_read_met_expected_standard"


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


def _text(rows: list[tuple[Any, ...]], columns: list[str]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=columns, orient="row")


def test_gap_to_national_from_a_ks2_table() -> None:
    # Worcestershire: 1 of 4 met reading (25%); Herefordshire 4 of 4; England 5 of 8
    rows = [{"urn": 100001, "read_scaled_score": 99}] * 2 + [
        {"urn": 100002, "read_scaled_score": 99},
        {"urn": 100002},
    ]
    rows += [{"urn": 100003}] * 4
    t = ks2_table(_pupils(rows), SCHOOLS, levels=["la", "national"])
    g = gap_to_national(t, columns=[PT, "avg_read_scaled_score"]).collect()
    got = {
        r["new_la_code"]: (r[f"{PT}_national"], r[f"{PT}_gap_national"])
        for r in g.frame.iter_rows(named=True)
    }
    assert got == {
        None: (63.0, 0.0),
        "E10000034": (63.0, -38.0),
        "E06000019": (63.0, 37.0),
    }
    assert g.spec.other[:3] == (PT, f"{PT}_national", f"{PT}_gap_national")
    assert g.spec.counts == ()


def test_gap_to_national_matches_the_same_breakdown() -> None:
    t = _text(
        [
            ("National", None, "Total", "60"),
            ("National", None, "Male", "55"),
            ("Local authority", "E10000034", "Total", "58"),
            ("Local authority", "E10000034", "Male", "50"),
        ],
        ["geographic_level", "new_la_code", "sex", PT],
    ).with_columns(time_period=pl.lit(202425))
    g = gap_to_national(t).collect().frame
    assert g[f"{PT}_gap_national"].to_list() == ["0", "0", "-2", "-5"]


def test_a_suppressed_cell_gives_its_symbol_and_a_missing_national_gives_x() -> None:
    t = _text(
        [
            (202425, "National", None, "Total", "60", "104"),
            (202425, "National", None, "Male", "x", "103"),
            (202425, "Local authority", "E10000034", "Total", "c", "101"),
            (202425, "Local authority", "E10000034", "Male", "51", "z"),
        ],
        [
            "time_period",
            "geographic_level",
            "new_la_code",
            "sex",
            PT,
            "avg_read_scaled_score",
        ],
    )
    g = gap_to_national(t).collect().frame
    assert g[f"{PT}_gap_national"].to_list() == ["0", "x", "c", "x"]
    assert g["avg_read_scaled_score_gap_national"].to_list() == ["0", "0", "-3", "z"]


def test_a_protected_table_never_gives_a_number_for_a_suppressed_cell() -> None:
    rng = random.Random(7)
    rows = [
        {
            "urn": rng.choice([100001, 100002, 100003]),
            "read_scaled_score": rng.randint(85, 118),
            "disadvantaged": rng.random() < 0.1,
        }
        for _ in range(90)
    ]
    t = ks2_table(
        _pupils(rows), SCHOOLS, levels=["la", "national"], by=["disadvantage_status"]
    ).collect()
    p = protect(t, "public")
    ees = p.to_ees()
    suppressed = ees[PT] == "c"
    assert suppressed.any()  # the test needs a suppressed cell to mean anything
    g = gap_to_national(Table(ees, p.spec), columns=[PT]).collect().frame
    assert (g.filter(suppressed)[f"{PT}_gap_national"] == "c").all()
    # the protected numbers (suppressed cells null) give null gaps, not numbers
    gn = gap_to_national(Table(p.table, p.spec), columns=[PT]).collect().frame
    assert gn.filter(suppressed)[f"{PT}_gap_national"].null_count() == suppressed.sum()


def test_dfe_disadvantaged_gap_is_against_other_pupils_nationally() -> None:
    t = _text(
        [
            ("National", None, "Total", 62.0),
            ("National", None, "Disadvantaged", 47.0),
            ("National", None, "Disadvantaged all other", 68.0),
            ("Local authority", "E10000034", "Total", 59.0),
            ("Local authority", "E10000034", "Disadvantaged", 41.0),
            ("Local authority", "E10000034", "Disadvantaged all other", 65.0),
        ],
        ["geographic_level", "new_la_code", "disadvantage_status", PT],
    ).with_columns(time_period=pl.lit(202425))
    g = gap_to_group(t).collect().frame
    assert g.select(
        "new_la_code", f"{PT}_comparison", f"{PT}_gap_comparison"
    ).rows() == [
        (None, 68.0, -21.0),
        ("E10000034", 68.0, -27.0),  # 41 - 68: against England's other pupils
    ]
    same = gap_to_group(t, against="same").collect().frame
    assert same[f"{PT}_gap_comparison"].to_list() == [-21.0, -24.0]  # 41 - 65


def test_gap_to_group_refuses_what_it_cannot_compare() -> None:
    t = _text(
        [("National", "Total", 1.0), ("National", "Male", 2.0)],
        ["geographic_level", "sex", PT],
    )
    with pytest.raises(InputError, match="not broken down by 'disadvantage_status'"):
        gap_to_group(t)
    with pytest.raises(InputError, match="'Boys' is not a value of 'sex'"):
        gap_to_group(t, by="sex", group="Boys", comparison="Total")
    with pytest.raises(InputError, match="unknown comparison 'region'"):
        gap_to_group(t, by="sex", group="Male", comparison="Total", against="region")


def test_no_national_rows_and_unknown_columns_are_refused() -> None:
    t = _text(
        [("Local authority", "E10000034", 50.0)],
        ["geographic_level", "new_la_code", PT],
    )
    with pytest.raises(InputError, match="no national rows"):
        gap_to_national(t)
    with pytest.raises(InputError, match="no 'pt_mat_met_expected_standard' column"):
        gap_to_national(t, columns=["pt_mat_met_expected_standard"])
    with pytest.raises(InputError, match="no 'geographic_level' column"):
        gap_to_national(t.drop("geographic_level"))


def test_trend_skips_the_years_without_results_and_compares_with_england() -> None:
    t = _text(
        [
            (201819, "National", None, "65"),
            (202122, "National", None, "59"),
            (202223, "National", None, "59"),
            (201819, "Local authority", "E10000034", "60"),
            (202122, "Local authority", "E10000034", "57"),
            (202223, "Local authority", "E10000034", "c"),
            (202122, "Local authority", "E06000019", "58"),
        ],
        ["time_period", "geographic_level", "new_la_code", PT],
    )
    g = trend(t).collect().frame
    got = {
        (r["time_period"], r["new_la_code"]): (
            r["previous_period"],
            r[f"{PT}_change"],
            r[f"{PT}_change_national"],
            r[f"{PT}_change_against_national"],
        )
        for r in g.iter_rows(named=True)
    }
    assert got[(202122, None)] == (201819, "-6", "-6", "0")
    # improving faster than national: -3 against England's -6
    assert got[(202122, "E10000034")] == (201819, "-3", "-6", "3")
    assert got[(202223, "E10000034")] == (202122, "c", "0", "c")
    assert got[(201819, "E10000034")] == (None, "z", "z", "z")
    # a first year of its own has no change, even when England has one
    assert got[(202122, "E06000019")] == (None, "z", None, "z")


def test_trend_in_numbers() -> None:
    t = pl.DataFrame(
        {
            "time_period": [201819, 202223, 201819, 202223],
            "geographic_level": ["National"] * 2 + ["Local authority"] * 2,
            "new_la_code": [None, None, "E10000034", "E10000034"],
            PT: [65.0, 59.0, None, 57.0],
        }
    )
    g = trend(t).collect().frame.filter(pl.col("time_period") == 202223)
    assert g[f"{PT}_change"].to_list() == [-6.0, None]
    assert g[f"{PT}_change_against_national"].to_list() == [0.0, None]


def test_near_national_finds_the_schools_just_short() -> None:
    t = _text(
        [
            ("National", None, "62"),
            ("School", "100001", "60"),
            ("School", "100002", "62"),
            ("School", "100003", "57"),
            ("School", "100004", "56"),
            ("School", "100005", "c"),
            ("School", "100006", "64"),
            ("Local authority", None, "61"),
        ],
        ["geographic_level", "school_urn", PT],
    ).with_columns(time_period=pl.lit(202425))
    just_short = near_national(t, column=PT, points=5).collect().frame
    assert just_short["school_urn"].to_list() == ["100001", "100003"]
    either = near_national(t, column=PT, points=2, below_only=False).collect().frame
    assert either["school_urn"].to_list() == ["100002", "100001", "100006"]
    las = near_national(t, column=PT, points=1, level="Local authority").collect()
    assert las.frame.height == 1
    with pytest.raises(InputError, match="points must be 0 or more"):
        near_national(t, column=PT, points=-1)


_VALUE = st.one_of(st.none(), st.integers(0, 100))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 3), st.sampled_from(["Total", "Male", "Female"]), _VALUE
        ),
        min_size=1,
        max_size=20,
        unique_by=lambda r: (r[0], r[1]),
    ),
    st.dictionaries(st.sampled_from(["Total", "Male", "Female"]), _VALUE),
)
def test_gap_to_national_is_a_plain_difference(
    areas: list[tuple[int, str, int | None]], national: dict[str, int | None]
) -> None:
    rows = [("National", None, s, v) for s, v in national.items()]
    rows += [("Local authority", f"E1000000{a}", s, v) for a, s, v in areas]
    if not national:
        return
    t = pl.DataFrame(
        rows, schema=["geographic_level", "new_la_code", "sex", PT], orient="row"
    ).with_columns(pl.col(PT).cast(pl.Float64), time_period=pl.lit(202425))
    g = gap_to_national(t, columns=[PT], filters=["sex"]).collect().frame
    for code, sex, gap in g.select("new_la_code", "sex", f"{PT}_gap_national").rows():
        own = (
            national.get(sex)
            if code is None
            else {(f"E1000000{a}", s): v for a, s, v in areas}[(code, sex)]
        )
        nat = national.get(sex)
        expected = None if own is None or nat is None else float(own - nat)
        assert gap == expected


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.integers(2016, 2025), st.tuples(_VALUE, _VALUE), min_size=1))
def test_trend_is_a_plain_change_against_the_same_years_of_england(
    years: dict[int, tuple[int | None, int | None]],
) -> None:
    rows = []
    for y, (nat, la) in years.items():
        rows += [(y, "National", None, nat), (y, "Local authority", "E10000034", la)]
    t = pl.DataFrame(
        rows,
        schema=["time_period", "geographic_level", "new_la_code", PT],
        orient="row",
    ).with_columns(pl.col(PT).cast(pl.Float64))
    g = trend(t).collect().frame.filter(pl.col("geographic_level") != "National")
    ys = sorted(years)
    for r in g.iter_rows(named=True):
        i = ys.index(r["time_period"])
        if i == 0:
            assert r["previous_period"] is None
            continue
        prev = ys[i - 1]
        assert r["previous_period"] == prev
        la_now, la_then = years[ys[i]][1], years[prev][1]
        nat_now, nat_then = years[ys[i]][0], years[prev][0]
        ch = None if la_now is None or la_then is None else la_now - la_then
        nch = None if nat_now is None or nat_then is None else nat_now - nat_then
        assert r[f"{PT}_change"] == ch
        assert r[f"{PT}_change_national"] == nch
        assert r[f"{PT}_change_against_national"] == (
            None if ch is None or nch is None else ch - nch
        )


def test_the_comparisons_name_their_areas() -> None:
    t = ks2_table(
        _pupils([{}, {"urn": 100003}]), SCHOOLS, levels=["school", "la", "national"]
    )
    g = gap_to_national(t).collect().frame
    assert {"la_name", "school_name", "region_name", "school_urn"} <= set(g.columns)
    la = g.filter(pl.col("geographic_level") == "Local authority")
    assert sorted(la["la_name"].to_list()) == ["Herefordshire", "Worcestershire"]
