"""rollup(rounding=...): DfE's publishing rounding, after the rates."""

from __future__ import annotations

import polars as pl
import pytest

from makingdata.attendance import rollup, rounding_default
from makingdata.errors import InputError

SCHOOLS = pl.DataFrame(
    {
        "time_period": [201819] * 3,
        "time_identifier": ["Academic year"] * 3,
        "geographic_level": ["School"] * 3,
        "region_code": ["E12000001"] * 3,
        "region_name": ["North East"] * 3,
        "old_la_code": [840, 840, 841],
        "new_la_code": ["E06000047", "E06000047", "E06000005"],
        "la_name": ["County Durham", "County Durham", "Darlington"],
        "enrolments": [101, 7, 4],
        "sess_possible": [1001, 503, 402],
        "sess_overall": [41, 30, 25],
    }
)


def _rows(table: pl.DataFrame) -> dict[str, dict[str, object]]:
    return {
        r["geographic_level"]: r
        for r in table.to_dicts()
        if r["geographic_level"] != "Local authority"
    }


def test_counts_are_rounded_at_the_levels_asked_and_rates_use_the_exact_sums() -> None:
    out = rollup(
        SCHOOLS, levels=("la", "region", "national"), decimals=1,
        rounding={"region": 5, "national": 10},
    ).collect()  # fmt: skip
    rows = _rows(out)
    # 101 + 7 + 4 = 112: regional 110 (base 5), national 110 (base 10)
    assert rows["Regional"]["enrolments"] == 110
    assert rows["National"]["enrolments"] == 110
    # sessions are not rounded by default (they are not counts of pupils)
    assert rows["National"]["sess_possible"] == 1906
    # the rate is from the exact sums: 96 / 1906 = 5.04 %, not from rounded ones
    assert rows["National"]["sess_overall_percent"] == 5.0
    la = out.filter(pl.col("geographic_level") == "Local authority")
    assert sorted(la["enrolments"].to_list()) == [4, 108]  # LA level not rounded
    assert out.spec.rounded_levels == (("Regional", 5), ("National", 10))


def test_half_up_to_the_base() -> None:
    frame = SCHOOLS.with_columns(enrolments=pl.Series([100, 2, 0]))  # 102, 100
    out = rollup(frame, levels=("la",), rounding={"la": 5}).collect()
    assert sorted(out["enrolments"].to_list()) == [0, 100]
    frame = SCHOOLS.with_columns(enrolments=pl.Series([100, 3, 0]))  # 103 -> 105
    out = rollup(frame, levels=("la",), rounding={"la": 5}).collect()
    assert sorted(out["enrolments"].to_list()) == [0, 105]
    frame = SCHOOLS.with_columns(enrolments=pl.Series([10, 5, 0]))  # 15 -> 20 (base 10)
    out = rollup(frame, levels=("la",), rounding={"la": 10}).collect()
    assert sorted(out["enrolments"].to_list()) == [0, 20]


def test_chosen_columns_and_symbols_kept() -> None:
    text = SCHOOLS.with_columns(
        pl.col("enrolments").cast(pl.String), pl.col("sess_possible").cast(pl.String)
    ).with_columns(
        sess_possible=pl.when(pl.col("new_la_code") == "E06000005")
        .then(pl.lit("x"))
        .otherwise(pl.col("sess_possible"))
    )
    out = rollup(
        text, levels=("la", "national"), rounding={"national": 5},
        rounding_columns=["enrolments", "sess_possible"],
    ).collect()  # fmt: skip
    nat = out.filter(pl.col("geographic_level") == "National").row(0, named=True)
    assert nat["enrolments"] == "110"
    assert nat["sess_possible"] == "x"  # a symbol is never rounded
    durham = out.filter(pl.col("new_la_code") == "E06000047").row(0, named=True)
    assert durham["sess_possible"] == "1504"


def test_the_default_columns_are_the_counts_of_pupils() -> None:
    assert rounding_default(["t_pupils", "t_sess_possible", "num_pupils_pa"]) == [
        "t_pupils",
        "num_pupils_pa",
    ]


@pytest.mark.parametrize("base", [0, -5, 2.5, True])
def test_a_bad_base_is_an_input_error(base: object) -> None:
    with pytest.raises(InputError, match="not a whole number of 1 or more"):
        rollup(SCHOOLS, levels=("la",), rounding={"la": base})  # type: ignore[dict-item]


def test_an_unknown_column_is_an_input_error() -> None:
    with pytest.raises(InputError, match="cannot round 'pupils': it is not a count"):
        rollup(SCHOOLS, levels=("la",), rounding={"la": 5}, rounding_columns=["pupils"])


def test_an_unknown_level_is_an_input_error() -> None:
    with pytest.raises(InputError):
        rollup(SCHOOLS, levels=("la",), rounding={"county": 5})
