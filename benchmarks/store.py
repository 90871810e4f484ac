"""Benchmark: the attendance store against the raw-marks path, side by side.

Run ``python -m benchmarks.store [--scale 0.1] [--days 5]``.

Synthetic data (``makingdata.synth``) for ``--days`` weekdays from 8 September
2025, one Parquet export per day (pupil keys already hashed, as a daily
feed after the boundary). In one process it times:

1. ``makingdata.store.ingest`` of each day (validation, enrolment numbers,
   marks and counts written, manifest committed): the median per day;
2. the year to date per enrolment (``enrolment_summary(period="ytd")``, DfE
   cohort, persistent and severe absence) from the store;
3. the same from the raw marks (hive Parquet scanned lazily) with makingdata;
4. the same in DuckDB SQL over the raw marks.

Queries 2-4 run three times each; the script prints the median wall time,
the ratios and the peak RSS of each, and checks that the store and the raw
marks give the same summary. Timings depend on the machine and its load;
this is a small scale, not the national targets of issue 18.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

import duckdb
import polars as pl

from benchmarks._common import gib, peak_rss_since_reset, reset_peak_rss
from benchmarks.attendance import _y0, q3_duckdb
from makingdata import synth
from makingdata.attendance import enrolment_summary
from makingdata.store import Store, ingest


def _weekdays(first: dt.date, n: int) -> list[dt.date]:
    out: list[dt.date] = []
    day = first
    while len(out) < n:
        if day.weekday() < 5:
            out.append(day)
        day += dt.timedelta(days=1)
    return out


def _median3(fn):
    times, peaks, result = [], [], None
    for _ in range(3):
        reset_peak_rss()
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
        peaks.append(peak_rss_since_reset())
    return result, statistics.median(times), max(peaks)


def main() -> None:  # noqa: PLR0915 - one scenario, step by step
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--days", type=int, default=5, help="weekdays to ingest")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    days = _weekdays(dt.date(2025, 9, 8), args.days)
    t0 = time.perf_counter()
    data = synth.generate(scale=args.scale, start=days[0], end=days[-1], seed=args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        raw = root / "raw"
        exports: list[Path] = []
        n_marks = 0
        for day in days:
            m = data.marks_for(day)
            n_marks += m.height
            folder = raw / f"date={day}"
            folder.mkdir(parents=True)
            path = folder / "part-0.parquet"
            m.drop("date").write_parquet(path)
            exports.append(path)
        enr_path = root / "enrolments.parquet"
        data.enrolments.write_parquet(enr_path)
        print(
            f"store benchmark: scale {args.scale}, {len(days)} weekdays "
            f"{days[0]}..{days[-1]}, {data.enrolments.height:,} enrolments, "
            f"{n_marks:,} marks (made in {time.perf_counter() - t0:.0f} s)"
        )
        store_root = root / "store"
        per_day = []
        reset_peak_rss()
        for day, path in zip(days, exports, strict=True):
            # the daily export: that day's marks, with its date column
            day_file = root / f"export-{day}.parquet"
            pl.read_parquet(path).with_columns(pl.lit(day).alias("date")).select(
                "urn", "pupil_key", "date", "session", "code"
            ).write_parquet(day_file)
            t = time.perf_counter()
            ingest(store_root, day_file, enr_path)
            per_day.append(time.perf_counter() - t)
        ingest_peak = peak_rss_since_reset()
        store = Store.open(store_root)
        size = sum(p.stat().st_size for p in store_root.rglob("*") if p.is_file())
        end = days[-1]
        enrol, schools = data.enrolments.lazy(), data.schools.lazy()
        lf = pl.scan_parquet(raw, hive_partitioning=True)

        def from_store() -> pl.DataFrame:
            return enrolment_summary(
                store, enrol, schools=schools, period="ytd", end=end
            ).collect(engine="streaming")

        def from_raw() -> pl.DataFrame:
            return enrolment_summary(
                lf, enrol, schools=schools, period="ytd", end=end
            ).collect(engine="streaming")

        con = duckdb.connect()
        con.register("enrolments", data.enrolments.to_arrow())
        con.register("schools", data.schools.to_arrow())
        src = f"read_parquet('{raw}/**/*.parquet', hive_partitioning = true)"

        def duck() -> pl.DataFrame:
            return q3_duckdb(con, src, dt.date(_y0(end), 8, 1), end)

        a, t_store, m_store = _median3(from_store)
        b, t_raw, m_raw = _median3(from_raw)
        c, t_duck, m_duck = _median3(duck)
        keys = ["pupil_key", "urn", "enrol_start"]
        if not a.sort(keys).equals(b.sort(keys)):
            raise SystemExit("the store and the raw marks disagree")
        if c.height != b.height:
            raise SystemExit(
                f"DuckDB gave {c.height:,} enrolments, makingdata {b.height:,}"
            )
        print(
            f"  ingest per day       median {statistics.median(per_day):6.2f} s  "
            f"({n_marks / len(days) / statistics.median(per_day) / 1e6:4.2f} M marks/s)  "
            f"peak {gib(ingest_peak)}  store {size / 2**20:,.0f} MiB"
        )
        for label, t, mem in (
            ("ytd from the store  ", t_store, m_store),
            ("ytd from raw marks  ", t_raw, m_raw),
            ("ytd DuckDB SQL (raw)", t_duck, m_duck),
        ):
            print(
                f"  {label} median {t:6.2f} s  ({n_marks / t / 1e6:5.1f} M marks/s)  "
                f"peak {gib(mem)}"
            )
        print(
            f"  ratios: raw/store {t_raw / t_store:4.2f}x   "
            f"DuckDB raw/store {t_duck / t_store:4.2f}x   "
            f"({a.height:,} enrolments in the year to date, store == raw)"
        )
        con.close()


if __name__ == "__main__":
    main()
