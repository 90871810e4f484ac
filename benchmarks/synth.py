"""Benchmark: one national day of synthetic session marks (makingdata.synth).

Run ``python -m benchmarks.synth [--scale 1.0] [--date 2025-11-12]``. Prints the
set-up time (directory + enrolments), the time for one day's marks, marks per
second, the time to write that day as Parquet, and the peak RSS. As a peer it
times DuckDB drawing the same number of i.i.d. codes with SQL — a naive
generator with no calendar, spells or per-pupil propensity, shown only to put
the figure in context. Timings depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

import duckdb

from benchmarks._common import gib, peak_rss_bytes
from makingdata import synth


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument(
        "--date", type=dt.date.fromisoformat, default=dt.date(2025, 11, 12)
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    t0, c0 = time.perf_counter(), time.process_time()
    data = synth.generate(
        scale=args.scale, start=args.date, end=args.date, seed=args.seed
    )
    setup, setup_cpu = time.perf_counter() - t0, time.process_time() - c0
    print(
        f"scale {args.scale}: {data.schools.height:,} schools, "
        f"{data.enrolments.height:,} enrolments; set-up {setup:.1f}s wall, "
        f"{setup_cpu:.1f}s CPU "
        f"(peak RSS so far {gib(peak_rss_bytes())})"
    )

    t1, c1 = time.perf_counter(), time.process_time()
    marks = data.marks_for(args.date)
    day, cpu = time.perf_counter() - t1, time.process_time() - c1
    n = marks.height
    print(
        f"one day ({args.date}): {n:,} marks in {day:.2f}s wall = {n / day:,.0f} marks/s "
        f"({cpu:.2f}s CPU over all threads = {n / cpu:,.0f} marks per CPU-second)"
    )

    with tempfile.TemporaryDirectory() as tmp:
        t2 = time.perf_counter()
        path = Path(tmp) / "day.parquet"
        marks.write_parquet(path, compression="zstd", compression_level=3)
        write = time.perf_counter() - t2
        size = path.stat().st_size
    print(
        f"write Parquet: {write:.2f}s, {size / 2**20:.1f} MiB ({size / n:.2f} bytes/mark)"
    )

    codes = marks["code"].cast(str).value_counts().sort("count", descending=True)
    shares = ", ".join(f"{c} {k / n:.1%}" for c, k in codes.head(6).iter_rows())
    print(f"code mix: {shares}")

    con = duckdb.connect()
    t3 = time.perf_counter()
    peer = con.execute(
        "SELECT count(*), sum(CASE WHEN r < 0.93 THEN 1 ELSE 0 END) FROM ("
        "  SELECT (i // 2)::UBIGINT AS pupil_key, i % 2 AS session, random() AS r"
        f"  FROM range({n}) t(i)) q"
    ).fetchone()
    duck = time.perf_counter() - t3
    assert peer is not None
    print(
        f"peer, DuckDB naive i.i.d. draw of {peer[0]:,} codes: {duck:.2f}s "
        f"= {peer[0] / duck:,.0f} rows/s (ratio synth/duckdb time {day / duck:.1f}x)"
    )
    print(f"peak RSS: {gib(peak_rss_bytes())}")


if __name__ == "__main__":
    main()
