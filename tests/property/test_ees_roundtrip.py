"""Property: any EES-shaped table written by write_ees reads back equal, nulls as symbols."""

from __future__ import annotations

import tempfile
from pathlib import Path

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from makingdata.publish import check_ees, write_ees

SEX = ("Total", "Female", "Male")
REGIONS = (("E12000001", "North East"), ("E12000007", "London"))

counts = st.one_of(st.none(), st.integers(min_value=0, max_value=10**9))
rates = st.one_of(
    st.none(),
    st.floats(min_value=0, max_value=100, allow_nan=False).map(lambda x: round(x, 3)),
)


@st.composite
def tables(draw: st.DrawFn) -> pl.DataFrame:
    regions = draw(st.lists(st.sampled_from(REGIONS), unique=True, max_size=2))
    units = [("National", None, None), *(("Regional", c, n) for c, n in regions)]
    rows = [
        {
            "time_period": 202526,
            "time_identifier": "Academic year",
            "geographic_level": level,
            "country_code": "E92000001",
            "country_name": "England",
            "region_code": code,
            "region_name": name,
            "sex": sex,
            "enrolments": draw(counts),
            "sess_overall_percent": draw(rates),
        }
        for level, code, name in units
        for sex in SEX
    ]
    return pl.DataFrame(
        rows,
        schema_overrides={
            "region_code": pl.String,
            "region_name": pl.String,
            "enrolments": pl.Int64,
            "sess_overall_percent": pl.Float64,
        },
    )


@settings(max_examples=30)
@given(tables())
def test_written_table_reads_back_equal_up_to_symbols(table: pl.DataFrame) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        files = write_ees(table, Path(tmp) / "by_sex.csv", audience="dfe")
        assert check_ees(files.data).ok
        back = pl.read_csv(files.data, infer_schema_length=0)
    assert back.columns == table.columns
    assert back.height == table.height
    assert back.select(
        pl.all().exclude("region_code", "region_name").is_null().any()
    ).row(0) == (False,) * (back.width - 2)
    enrol = back["enrolments"]
    assert enrol.filter(enrol == "x").len() == table["enrolments"].null_count()
    got = enrol.replace("x", None).cast(pl.Int64)
    assert got.to_list() == table["enrolments"].to_list()
    rate = back["sess_overall_percent"].replace("x", None).cast(pl.Float64)
    assert rate.to_list() == table["sess_overall_percent"].to_list()
