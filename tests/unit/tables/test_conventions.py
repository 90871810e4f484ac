"""dfeR's conventions: year formats and z for blanks."""

from __future__ import annotations

import math

import polars as pl
import pytest

from makingdata.errors import InputError
from makingdata.tables import (
    format_ay,
    format_ay_reverse,
    format_fy,
    format_fy_reverse,
    pretty_num,
    z_replace,
)


@pytest.mark.parametrize("year", [201617, "201617", "202526", 199900])
def test_years_round_trip(year: int | str) -> None:
    assert format_ay_reverse(format_ay(year)) == str(year)
    assert format_fy_reverse(format_fy(year)) == str(year)


@pytest.mark.parametrize("year", ["2016", "2016/17", 20161, "20161a", ""])
def test_a_year_that_is_not_six_digits_is_refused(year: int | str) -> None:
    with pytest.raises(InputError, match="six-digit"):
        format_ay(year)
    with pytest.raises(InputError, match="six-digit"):
        format_fy(year)


@pytest.mark.parametrize("text", ["201617", "2016-17", "16/17", "2016/2017"])
def test_reverse_refuses_other_spellings(text: str) -> None:
    with pytest.raises(InputError, match="written as 2016/17"):
        format_ay_reverse(text)


def test_z_replace_fills_indicators_only() -> None:
    table = pl.DataFrame(
        {
            "time_period": [202425, 202425],
            "time_identifier": ["Academic year", None],
            "geographic_level": ["National", "Regional"],
            "region_code": [None, "E12000001"],
            "lad_name": [None, None],
            "enrolments": [10, None],
            "rate": [1.5, None],
            "note": [None, "x"],
        }
    )
    out = z_replace(table, exclude=["note"])
    assert out.columns == table.columns
    assert out["enrolments"].to_list() == ["10", "z"]
    assert out["rate"].to_list() == ["1.5", "z"]
    assert out["region_code"].to_list() == [None, "E12000001"]
    assert out["lad_name"].to_list() == [None, None]
    assert out["time_identifier"].to_list() == ["Academic year", None]
    assert out["note"].to_list() == [None, "x"]
    assert z_replace(table, "x")["rate"].to_list() == ["1.5", "x"]


def test_z_replace_refuses_an_identifier_not_in_snake_case() -> None:
    table = pl.DataFrame({"Time Period": [202425], "n": [None]})
    with pytest.raises(InputError, match="rename it to 'time_period'"):
        z_replace(table)


def test_z_replace_refuses_an_empty_table() -> None:
    with pytest.raises(InputError, match="no rows"):
        z_replace(pl.DataFrame({"n": []}))


# dfeR's own expectations (tests/testthat/test-pretty_num.R), one for one.
# R's 11^8 is 214358881; -11^8 is -(11^8).
PRETTY_NUM_CASES: list[tuple[object, dict[str, object], object]] = [
    (1, {"gbp": True, "suffix": " offer"}, "£1 offer"),
    (-1, {"dp": 2}, "-1.00"),
    (-1, {}, "-1"),
    (-1, {"prefix": "-"}, "--1"),
    (-1, {"prefix": "+/-"}, "-1"),
    (-1, {"dp": 2, "prefix": "+/-"}, "-1.00"),
    (1, {"prefix": "+/-"}, "+1"),
    (12.289009, {"dp": 2, "suffix": "%"}, "12.29%"),
    (1000, {}, "1,000"),
    (11**8, {"gbp": True, "dp": -1}, "£210 million"),
    (11**9, {"gbp": True, "dp": 3}, "£2.358 billion"),
    (-(11**8), {"gbp": True, "dp": -1}, "-£210 million"),
    (-123421421, {"dp": 2}, "-123.42 million"),
    (63.71, {"dp": 1, "nsmall": 2}, "63.70"),
    (894.1, {"dp": 2, "nsmall": 3}, "894.100"),
    (11**8, {"prefix": "+/-", "gbp": True, "dp": -1}, "+£210 million"),
    (7.8e9, {"abbreviate": False}, "7,800,000,000"),
    (7.8e9, {"dp": 1, "abbreviate": False}, "7,800,000,000.0"),
    (-3e6, {"gbp": True, "abbreviate": False}, "-£3,000,000"),
    # handles NAs
    ("x", {"ignore_na": True}, "x"),
    ("x", {}, None),
    ("x", {"alt_na": "c"}, "c"),
    # multiple values
    ([1, 2, 3, 4], {}, ["1", "2", "3", "4"]),
    ([1, 2, 3, 4], {"nsmall": 1}, ["1.0", "2.0", "3.0", "4.0"]),
    ([1.478, 7.38897, 8.37892], {"dp": 1, "nsmall": 2}, ["1.50", "7.40", "8.40"]),
    # dynamic_dp_value
    (3e9, {"dynamic_dp_value": 2}, "3 billion"),
    (10e9, {"dynamic_dp_value": 2}, "10 billion"),
    (3e6, {"dynamic_dp_value": 3}, "3 million"),
    (10e6, {"dynamic_dp_value": 3}, "10 million"),
    (1.5e9, {"gbp": True, "suffix": "%", "dynamic_dp_value": 1}, "£1.5 billion%"),
    (-3e9, {"prefix": "+/-", "dynamic_dp_value": 2}, "-3 billion"),
    (
        [1e6, 1.5e6, 2e6, 2.25e6],
        {"dynamic_dp_value": 2},
        ["1 million", "1.50 million", "2 million", "2.25 million"],
    ),
    (
        [1e9, 1.5e9, 2e9, 2.25e9],
        {"dynamic_dp_value": 2},
        ["1 billion", "1.50 billion", "2 billion", "2.25 billion"],
    ),
    (
        [-1e6, -1.5e6, -2e6],
        {"dynamic_dp_value": 2},
        ["-1 million", "-1.50 million", "-2 million"],
    ),
    (
        [1.5e9, 2e9],
        {"gbp": True, "suffix": "%", "dynamic_dp_value": 1},
        ["£1.5 billion%", "£2 billion%"],
    ),
]


@pytest.mark.parametrize(
    ("value", "options", "expected"),
    PRETTY_NUM_CASES,
    ids=[f"{v!r}-{o!r}" for v, o, _ in PRETTY_NUM_CASES],
)
def test_pretty_num_agrees_with_dfer(
    value: object, options: dict[str, object], expected: object
) -> None:
    assert pretty_num(value, **options) == expected  # type: ignore[call-overload]


def test_pretty_num_examples_of_dfer_docs() -> None:
    # dfeR's documented examples (man/pretty_num.Rd), R's output
    vector = ["3998098008", "-123421421", "c", "x"]
    assert pretty_num(vector) == ["4 billion", "-123 million", None, None]
    assert pretty_num(vector, prefix="+/-", gbp=True) == [
        "+£4 billion", "-£123 million", None, None,
    ]  # fmt: skip
    assert pretty_num(vector, ignore_na=True) == [
        "4 billion", "-123 million", "c", "x",
    ]  # fmt: skip
    assert pretty_num(pl.Series(vector), alt_na="z")[2:] == ["z", "z"]
    # R's format() shows 7 significant digits, then at least nsmall places
    assert pretty_num(1234567.891, dp=2, abbreviate=False) == "1,234,567.89"
    assert pretty_num(123456.789, dp=3, nsmall=0) == "123,456.8"
    # dfeR's round_five_up: 23/80*100 is 28.749999999999996 in binary
    assert pretty_num(23 / 80 * 100, dp=1) == "28.8"


def test_pretty_num_treats_infinity_and_nan_as_not_a_number() -> None:
    # A documented difference from dfeR (R writes "Inf billion"): a rate over a
    # zero denominator is not a number to print.
    values = [math.inf, -math.inf, math.nan, 12.0]
    assert pretty_num(values) == [None, None, None, "12"]
    assert pretty_num(values, alt_na="z") == ["z", "z", "z", "12"]
    assert pretty_num(values, ignore_na=True)[:2] == ["inf", "-inf"]  # as text


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"dp": 1.5}, "dp must be a whole number"),
        ({"nsmall": True}, "nsmall must be a whole number"),
        ({"nsmall": 21}, "nsmall must be 0 to 20"),
        ({"dynamic_dp_value": "2"}, "dynamic_dp_value must be a whole number"),
    ],
)
def test_pretty_num_refuses_bad_options(
    options: dict[str, object], message: str
) -> None:
    with pytest.raises(InputError, match=message):
        pretty_num(1, **options)  # type: ignore[call-overload]
