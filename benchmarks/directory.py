"""Benchmark: ``Directory.as_of`` against the same interval join in DuckDB SQL and pandas.

Run ``python -m benchmarks.directory [--scale 0.25] [--days 2]``.

Builds a synthetic national directory (``makingdata.synth``: schools, trust
memberships with moves, LAs), generates the marks of a few school days, and
attaches each mark's school status, trust, LA and region on its date:

1. ``as_of`` on every mark (the worst case: millions of rows);
2. ``as_of`` on the distinct ``(urn, date)`` keys of the marks (the way the
   kernels should call it: aggregate early on small keys).

The peers do the same lookup against the same stretches
(``Directory.periods()``) in this process: DuckDB SQL (an interval join) and
pandas (merge on URN, then filter the interval). Every engine returns the same
columns (``urn``, ``date``, ``school_open``, ``trust_id``, ``new_la_code``,
``region_code``), and the script checks that they agree on the counts. It
prints wall time, rows per second, ratios and the peak RSS. Timings depend on
the machine and its load.
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import TYPE_CHECKING

import duckdb
import polars as pl

from benchmarks._common import gib, peak_rss_bytes, timed
from makingdata import synth
from makingdata.domain import Directory

if TYPE_CHECKING:
    import pandas as pd

OUT = ["urn", "date", "school_open", "trust_id", "new_la_code", "region_code"]
SQL = """
SELECT m.urn, m.date, p.school_open, p.trust_id, p.new_la_code, p.region_code
FROM keys AS m
LEFT JOIN periods AS p
  ON m.urn = p.urn
 AND m.date >= coalesce(p.valid_from, DATE '0001-01-01')
 AND m.date <= coalesce(p.valid_to, DATE '9999-12-31')
"""


def _pandas(keys: pd.DataFrame, periods: pd.DataFrame) -> pd.DataFrame:
    merged = keys.merge(periods, on="urn", how="left")
    lo = merged["valid_from"].isna() | (merged["valid_from"] <= merged["date"])
    hi = merged["valid_to"].isna() | (merged["date"] <= merged["valid_to"])
    return merged.loc[lo & hi, OUT]


def _summary(frame: pl.DataFrame) -> tuple[int, int, int, int]:
    return (
        frame.height,
        int(frame["school_open"].sum()),
        frame["trust_id"].null_count(),
        frame["new_la_code"].n_unique(),
    )


def _run(label: str, keys: pl.DataFrame, directory: Directory) -> None:
    periods = directory.periods()
    got, t_polars = timed(
        lambda: directory.as_of(keys.lazy()).select(OUT).collect(), repeat=2
    )
    con = duckdb.connect()
    con.register("keys", keys.to_arrow())
    con.register("periods", periods.to_arrow())
    duck, t_duck = timed(lambda: con.sql(SQL).pl(), repeat=2)
    pd_keys = keys.to_pandas()
    pd_periods = periods.select("urn", "valid_from", "valid_to", *OUT[2:]).to_pandas()
    pd_out, t_pandas = timed(lambda: _pandas(pd_keys, pd_periods), repeat=2)
    from_pandas = pl.from_pandas(pd_out).with_columns(
        pl.col("urn").cast(pl.UInt32), pl.col("date").cast(pl.Date)
    )
    assert _summary(got) == _summary(duck.cast(got.schema)), "polars and DuckDB differ"
    assert _summary(got) == _summary(from_pandas), "polars and pandas differ"
    n = keys.height
    print(f"\n{label}: {n:,} rows")
    for name, seconds in (
        ("polars Directory.as_of", t_polars),
        ("DuckDB SQL", t_duck),
        ("pandas", t_pandas),
    ):
        print(
            f"  {name:<24} {seconds:8.2f} s  {n / seconds / 1e6:7.2f} M rows/s  "
            f"x{seconds / t_polars:5.2f} of polars"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.25)
    parser.add_argument("--days", type=int, default=2)
    args = parser.parse_args(argv)
    start = dt.date(2025, 9, 8)
    data = synth.generate(
        scale=args.scale, start=start, end=start + dt.timedelta(days=args.days - 1)
    )
    directory, t_build = timed(
        lambda: Directory.from_frames(data.schools, data.memberships)
    )
    _, t_periods = timed(directory.periods)
    print(f"{directory}")
    print(f"  from_frames {t_build:.2f} s, periods (first call) {t_periods:.2f} s")
    marks = data.marks().select("urn", "date")
    _run("as_of on every mark", marks, directory)
    _run("as_of on distinct (urn, date) keys", marks.unique().sort(OUT[:2]), directory)
    print(f"\npeak RSS {gib(peak_rss_bytes())}")


if __name__ == "__main__":
    main()
