from __future__ import annotations

import attrs
import polars as pl
import pytest

from makingdata.attendance import rollup
from makingdata.errors import InputError
from makingdata.tables import (
    LONDON,
    SUB_REGION_LEVEL,
    TableSpec,
    WholeRegion,
    parse_whole_region,
    read_published,
    split_regions,
)


def _las() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "time_period": ["202425"] * 4,
            "geographic_level": ["Local authority"] * 4,
            "region_code": ["E13000001", "E13000001", "E13000002", "E12000001"],
            "region_name": [
                "Inner London",
                "Inner London",
                "Outer London",
                "North East",
            ],
            "new_la_code": ["E09000001", "E09000002", "E09000003", "E06000047"],
            "la_name": ["A", "B", "C", "D"],
            "old_la_code": ["201", "202", "203", "840"],
            "t_pupils": [3, 4, 12, 20],
        }
    )


def test_rollup_adds_the_whole_region_beside_its_sub_regions() -> None:
    out = (
        rollup(
            _las(),
            levels=("region", "national"),
            from_level="Local authority",
            whole_regions=[LONDON],
            rounding={"region": 10},
        )
        .collect()
        .data()
    )
    got = dict(zip(out["region_name"], out["t_pupils"], strict=True))
    # London is rounded from its exact sum (19 -> 20), not from its rounded
    # parts (10 + 10); England is summed once
    assert got == {
        "London": 20,
        "Inner London": 10,
        "Outer London": 10,
        "North East": 20,
        None: 39,
    }


def test_rollup_without_whole_regions_has_no_london_row() -> None:
    out = rollup(_las(), levels="region", from_level="Local authority").collect()
    assert "E12000007" not in out["region_code"].to_list()


def test_rollup_refuses_a_whole_region_that_is_not_one() -> None:
    with pytest.raises(InputError, match="whole_regions takes WholeRegion values"):
        rollup(
            _las(), levels="region", from_level="Local authority",
            whole_regions=["london"],  # type: ignore[list-item]
        )  # fmt: skip


def test_whole_region_needs_other_parts() -> None:
    with pytest.raises(InputError, match="needs sub-regions other than itself"):
        WholeRegion("E12000007", "London", ("E12000007",))
    with pytest.raises(InputError, match="needs sub-regions other than itself"):
        WholeRegion("E12000007", "London", ())


@pytest.mark.parametrize(
    "text", ["london", " LONDON ", "E12000007:London=E13000001+E13000002"]
)
def test_parse_whole_region(text: str) -> None:
    assert parse_whole_region(text) == LONDON


@pytest.mark.parametrize("text", ["", "E12000007=E13000001", "E12000007:London="])
def test_parse_whole_region_refuses(text: str) -> None:
    with pytest.raises(InputError, match="cannot read a whole region"):
        parse_whole_region(text)


def _published() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "time_period": ["202425"] * 5,
            "geographic_level": [
                "National",
                "Regional",
                "Regional",
                "Regional",
                "Local authority",
            ],
            "country_code": ["E92000001"] * 5,
            "region_code": [None, "E12000007", "E13000001", "E13000002", "E13000001"],
            "new_la_code": [None, None, None, None, "E09000001"],
            "t_pupils": ["30", "30", "c", "c", "12"],
        }
    )


def test_split_regions_links_sub_regions_to_the_whole_region() -> None:
    spec = attrs.evolve(
        TableSpec.infer(_published()), rounded_levels=(("Regional", 5),)
    )
    frame, spec = split_regions(_published(), spec, [LONDON])
    assert frame["geographic_level"].to_list() == [
        "National", "Regional", SUB_REGION_LEVEL, SUB_REGION_LEVEL, "Local authority",
    ]  # fmt: skip
    assert frame["whole_region_code"].to_list() == [
        None,
        *["E12000007"] * 3,
        "E12000007",
    ]
    pairs = {(n.parent, n.child, n.on) for n in spec.nestings}
    assert pairs == {
        ("National", "Regional", ("country_code",)),
        ("Regional", "Local authority", ("region_code",)),
        (SUB_REGION_LEVEL, "Local authority", ("region_code",)),
        ("Regional", SUB_REGION_LEVEL, ("whole_region_code",)),
    }
    assert spec.levels == ("National", "Regional", SUB_REGION_LEVEL, "Local authority")
    assert spec.rounded_levels == (("Regional", 5), (SUB_REGION_LEVEL, 5))


def test_split_regions_leaves_sub_regions_when_the_whole_is_not_published() -> None:
    t = _published().filter(pl.col("region_code") != "E12000007")
    spec = TableSpec.infer(t)
    frame, got = split_regions(t, spec, [LONDON])
    assert frame.equals(t)
    assert got == spec


def test_split_regions_needs_region_code() -> None:
    t = _published().drop("region_code")
    with pytest.raises(InputError, match="no region_code column"):
        split_regions(t, TableSpec.infer(t), [LONDON])


def test_read_published_declares_legacy_x_rounding_and_sub_regions() -> None:
    t = _published().with_columns(pl.col("t_pupils").replace("c", "x"))
    plain = read_published(t)
    assert plain.data()["t_pupils"].to_list() == ["30", "30", "x", "x", "12"]
    assert plain.spec.rounded_levels == ()
    table = read_published(
        t, legacy_x=True, rounded={"region": 10, "national": 10}, whole_regions=[LONDON]
    )
    assert table.data()["t_pupils"].to_list() == ["30", "30", "c", "c", "12"]
    assert ("National", 10) in table.spec.rounded_levels
    assert (SUB_REGION_LEVEL, 10) in table.spec.rounded_levels


@pytest.mark.parametrize("base", [0, -5, True, 2.5])
def test_read_published_refuses_a_bad_base(base: object) -> None:
    with pytest.raises(InputError, match="is not a whole number of 1 or more"):
        read_published(_published(), rounded={"region": base})  # type: ignore[dict-item]


def test_read_published_refuses_an_unknown_level() -> None:
    with pytest.raises(InputError, match="unknown level 'ward'"):
        read_published(_published(), rounded={"ward": 5})
