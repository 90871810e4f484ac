"""rollup on published tables: DfE's rounding after the rates, published Total rows kept."""

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


def _las(term: list[str], possible: list[int], schools: list[int]) -> pl.DataFrame:
    n = len(term)
    return pl.DataFrame(
        {
            "time_period": [202425] * n,
            "time_identifier": ["Academic year"] * n,
            "geographic_level": ["Local authority"] * n,
            "region_code": ["E12000001"] * n,
            "region_name": ["North East"] * n,
            "old_la_code": [840] * (n // 2) + [841] * (n - n // 2),
            "new_la_code": ["E06000047"] * (n // 2) + ["E06000005"] * (n - n // 2),
            "la_name": ["County Durham"] * (n // 2) + ["Darlington"] * (n - n // 2),
            "term": term,
            "num_schools": schools,
            "sess_possible": possible,
            "sess_overall": [p // 20 for p in possible],
        }
    )


def test_a_published_total_term_is_kept_not_recomputed_from_the_terms() -> None:
    # the full-year Total includes a summer term no row publishes on its own
    las = _las(
        ["Autumn", "Spring", "Total"] * 2,
        [400, 300, 1000, 200, 100, 500],
        [3, 3, 3, 2, 2, 2],
    )
    out = rollup(las, levels="national", by=["term"], from_level="Local authority")
    rows = {r["term"]: r for r in out.collect().to_dicts()}
    assert rows["Total"]["sess_possible"] == 1500  # not 1000 (the sum of the terms)
    assert rows["Autumn"]["sess_possible"] == 600
    assert rows["Total"]["num_schools"] == 5


def test_a_school_in_two_groups_is_one_school_in_the_total() -> None:
    schools = SCHOOLS.with_columns(fsm_status=pl.lit("FSM eligible"))
    rows = pl.concat(
        [
            schools,
            schools.with_columns(fsm_status=pl.lit("Not eligible")),
            schools.with_columns(
                fsm_status=pl.lit("Total"),
                enrolments=pl.col("enrolments") * 2,
                sess_possible=pl.col("sess_possible") * 2,
                sess_overall=pl.col("sess_overall") * 2,
            ),
        ]
    ).with_columns(num_schools=pl.lit(1, pl.Int64))
    out = rollup(rows, levels="national", by=["fsm_status"]).collect()
    got = {r["fsm_status"]: r for r in out.to_dicts()}
    assert got["Total"]["num_schools"] == 3  # three schools, not six group rows
    assert got["Total"]["enrolments"] == 2 * 112
    assert got["FSM eligible"]["num_schools"] == 3


def test_without_total_rows_the_total_is_the_sum_of_the_parts() -> None:
    las = _las(["Autumn", "Spring"] * 2, [400, 300, 200, 100], [3, 3, 2, 2])
    out = rollup(las, levels="national", by=["term"], from_level="Local authority")
    rows = {r["term"]: r for r in out.collect().to_dicts()}
    assert rows["Total"]["sess_possible"] == 1000


def test_dfer_rounding_differs_from_the_exact_rule_on_52_of_501500_rates() -> None:
    import numpy as np

    from makingdata.attendance import round_five_up, round_half_up

    b = np.concatenate([np.full(k + 1, k) for k in range(1, 1001)])
    a = np.concatenate([np.arange(k + 1) for k in range(1, 1001)])
    rates = pl.DataFrame({"a": a, "b": b}).select(r=pl.col("a") / pl.col("b") * 100)
    assert rates.height == 501_500
    both = rates.select(exact=round_half_up("r", 1), dfer=round_five_up("r", 1))
    differ = both.filter(pl.col("exact") != pl.col("dfer"))
    assert differ.height == 52
    # every difference is dfeR rounding up where the binary value is just below a half
    assert (differ["dfer"] > differ["exact"]).all()


def test_a_rate_over_a_zero_denominator() -> None:
    from makingdata.attendance import rate_expr

    frame = pl.DataFrame({"n": [0, 3], "d": [0, 4]})
    assert frame.select(rate_expr("n", "d").alias("p"))["p"].to_list() == [None, 75.0]
    zero = frame.select(rate_expr("n", "d", zero_rate="0").alias("p"))["p"].to_list()
    assert zero == [0.0, 75.0]
    dot = frame.select(rate_expr("n", "d", zero_rate=".").alias("p"))["p"].to_list()
    assert dot == [None, 75.0]  # no value, written . in a plain CSV
    with pytest.raises(InputError, match=r"zero_rate must be 'z', '0' or '\.'"):
        rate_expr("n", "d", zero_rate="-")
    with pytest.raises(InputError, match="zero_rate"):
        rollup(SCHOOLS, levels=("la",), zero_rate="0.0")
