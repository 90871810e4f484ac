"""Benchmark: ``makingdata.access.scope`` against the same filter in DuckDB SQL and pandas.

Run ``python -m benchmarks.access [--scale 0.02] [--days 5]``.

Synthetic marks (``makingdata.synth``) for a school-days window; every school
shares under the statutory collection, and a third of them also had a
voluntary agreement that ended with an opt-out, so the windows have gaps. For
DfE, a trust and an LA viewer the script times:

- makingdata: ``scope`` on a ``LazyFrame`` (building the allow-list from the
  Directory and the agreements, then filtering), collected;
- DuckDB SQL and pandas: the same filter, materialising the rows, given the
  allow-list already built (``urn, from, to``), i.e. only the join-and-filter
  part.

It prints wall time, marks per second, the ratios to DuckDB and pandas, and
the peak RSS, and checks that all three return the same number of rows.
Timings depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

import duckdb

from benchmarks._common import gib, peak_rss_bytes
from makingdata import synth
from makingdata.access import SharingAgreement, Viewer, allowed_windows, scope
from makingdata.domain import Directory


def _agreements(urns: list[int], start: dt.date) -> list[SharingAgreement]:
    out = [SharingAgreement(u, "DfE", dt.date(2024, 8, 19)) for u in urns]
    for i, u in enumerate(urns[::3]):
        # a voluntary stretch inside the window, ended by an opt-out
        out.append(
            SharingAgreement(
                u,
                "DfE",
                dt.date(2022, 2, 1),
                opt_out=start + dt.timedelta(days=1 + i % 3),
            )
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.02)
    parser.add_argument("--days", type=int, default=5)
    args = parser.parse_args()
    start = dt.date(2025, 9, 8)
    end = start + dt.timedelta(days=args.days - 1)
    data = synth.generate(scale=args.scale, start=start, end=end, seed=11)
    marks = data.marks()
    directory = Directory.from_frames(data.schools, data.memberships)
    urns = data.schools["urn"].to_list()
    # a third of the schools shared voluntarily and opted out inside the window
    agreements = [
        a
        for a in _agreements(urns, start)
        if not (a.urn in set(urns[::3]) and a.start == dt.date(2024, 8, 19))
    ]
    trust = data.memberships.group_by("trust_id").len().sort("len").row(-1)[0]
    la = data.schools.group_by("new_la_code").len().sort("len").row(-1)[0]
    viewers = [
        Viewer.dfe(),
        Viewer.trust(trust, directory),
        Viewer.la(la, directory),
    ]
    print(
        f"{marks.height:,} marks, {len(urns):,} schools, {len(agreements):,} "
        f"agreements, {args.days} days (shared machine: timings are indicative)"
    )
    con = duckdb.connect()
    marks_pd = marks.to_pandas()
    con.register("marks", marks.to_arrow())
    for viewer in viewers:
        t0 = time.perf_counter()
        got = scope(
            marks.lazy(),
            viewer=viewer,
            purpose="monitoring",
            directory=directory,
            agreements=agreements,
            audit=None,
        ).collect()
        ours = time.perf_counter() - t0
        windows = allowed_windows(viewer, directory=directory, agreements=agreements)
        con.register("windows", windows.to_arrow())
        t0 = time.perf_counter()
        n_duck = (
            con.sql(
                """
            select m.* from marks m join windows w on m.urn = w.urn
            where (w."from" is null or w."from" <= m.date)
              and (w."to" is null or m.date <= w."to")
            """
            )
            .to_arrow_table()
            .num_rows
        )
        duck = time.perf_counter() - t0
        t0 = time.perf_counter()
        w_pd = windows.to_pandas()
        merged = marks_pd.merge(w_pd, on="urn", how="inner")
        keep = (merged["from"].isna() | (merged["from"] <= merged["date"])) & (
            merged["to"].isna() | (merged["date"] <= merged["to"])
        )
        n_pd = len(merged[keep][marks_pd.columns])
        pand = time.perf_counter() - t0
        assert got.height == n_duck == n_pd, (got.height, n_duck, n_pd)
        print(
            f"{viewer.label:<22} {got.height:>12,} rows  makingdata {ours:6.2f} s "
            f"({marks.height / ours / 1e6:5.1f} M marks/s)  duckdb {duck:6.2f} s  "
            f"pandas {pand:6.2f} s  ratio duckdb {ours / duck:5.2f}  "
            f"pandas {ours / pand:5.2f}"
        )
    print(f"peak RSS {gib(peak_rss_bytes())}")


if __name__ == "__main__":
    main()
