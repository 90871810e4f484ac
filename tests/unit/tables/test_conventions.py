"""dfeR's conventions: year formats and z for blanks."""

from __future__ import annotations

import polars as pl
import pytest

from makingdata.errors import InputError
from makingdata.tables import (
    format_ay,
    format_ay_reverse,
    format_fy,
    format_fy_reverse,
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
