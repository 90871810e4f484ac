"""Conformance: re-derive every published LA, regional and national row of DfE's
2018/19 annual absence file (13 years) from its school rows alone.

Every count (sessions, enrolments, persistent absence, reasons, num_schools) and
every published percentage at its published places (5 at LA and region, 1 at
national) must match exactly.
"""

from __future__ import annotations

import polars as pl
import pytest

from makingdata.attendance import rollup

pytestmark = pytest.mark.real_data

#: (time, LA, region) keys of the published file and the levels to compare.
_KEYS = {
    "Local authority": ["time_period", "old_la_code", "school_type"],
    "Regional": ["time_period", "region_code", "school_type"],
    "National": ["time_period", "school_type"],
}
_DECIMALS = {"la": 5, "region": 5, "national": 1}


@pytest.fixture(scope="module")
def published(real_data_dir):
    return pl.read_parquet(real_data_dir / "parquet_cache" / "*.parquet")


def _derive(published: pl.DataFrame) -> pl.DataFrame:
    schools = published.filter(pl.col("geographic_level") == "School")
    return rollup(
        schools.lazy(),
        levels=("la", "region", "national"),
        by=["school_type"],
        keep=["year_breakdown"],
        decimals=_DECIMALS,
        zero_rate="0",  # this file publishes 0.0 for a rate over a zero denominator
    ).collect()


def _compare(published: pl.DataFrame, derived: pl.DataFrame) -> dict[str, int]:
    value_cols = [
        c
        for c in published.columns
        if c.startswith(("sess_", "enrolments", "num_schools"))
    ]
    cells = mismatches = rows = 0
    for level, keys in _KEYS.items():
        pub = published.filter(pl.col("geographic_level") == level)
        der = derived.filter(pl.col("geographic_level") == level)
        assert der.height == pub.height, level
        joined = pub.join(der, on=keys, how="left", suffix="__d")
        assert joined.height == pub.height
        rows += joined.height
        for c in value_cols:
            a, b = joined[c], joined[f"{c}__d"]
            b = b.cast(pl.String) if a.dtype == pl.String else b.cast(a.dtype)
            bad = int((a != b).fill_null(True).sum())
            if bad:
                print(level, c, bad)
            cells += joined.height
            mismatches += bad
        # geography labels are carried through unchanged
        for c in ("new_la_code", "la_name", "region_name", "year_breakdown"):
            same = (joined[c] == joined[f"{c}__d"]) | (
                joined[c].is_null() & joined[f"{c}__d"].is_null()
            )
            assert bool(same.all()), (level, c)
    return {"rows": rows, "cells": cells, "mismatches": mismatches}


def test_every_published_aggregate_is_rederived_exactly(published):
    derived = _derive(published)
    result = _compare(published, derived)
    print(
        f"\n2018/19 annual absence conformance: {result['rows']} rows, "
        f"{result['cells']} cells compared, {result['mismatches']} mismatches"
    )
    assert result["rows"] == 7828 + 520 + 52
    assert result["mismatches"] == 0


def test_a_changed_school_count_is_detected(published):
    # the comparison can fail: nudging one school's absence breaks its LA row
    schools = published.filter(pl.col("geographic_level") == "School")
    first = schools.row(0, named=True)
    nudged = published.with_columns(
        sess_overall=pl.when(
            (pl.col("geographic_level") == "School")
            & (pl.col("laestab") == first["laestab"])
            & (pl.col("time_period") == first["time_period"])
        )
        .then(pl.col("sess_overall") + 1)
        .otherwise(pl.col("sess_overall"))
    )
    result = _compare(published, _derive(nudged))
    assert result["mismatches"] > 0


def test_the_ees_standard_zero_rate_differs_only_where_the_denominator_is_zero(
    published: pl.DataFrame,
) -> None:
    # the default (z, the EES standard) leaves exactly the 0/0 rates without a
    # value, where this 2018/19 file publishes 0.0
    la = published.filter(pl.col("geographic_level") == "School")
    args = {"levels": ("la",), "by": ["school_type"], "keep": ["year_breakdown"]}
    zero = rollup(la.lazy(), zero_rate="0", **args).collect()
    z = rollup(la.lazy(), **args).collect()
    rate = "sess_overall_percent_pa_10_exact"
    differ = z.filter(pl.col(rate).is_null() & zero[rate].is_not_null())
    assert differ.height > 0
    assert (differ[rate.replace("sess_overall_percent", "sess_possible")] == 0).all()
    assert zero.filter(z[rate].is_null())[rate].to_list() == [0.0] * differ.height
