"""Benchmark: the attendance store against the raw-marks path, and how both grow with days.

Run ``python -m benchmarks.store [--scale 0.1] [--days 5,20] [--cache DIR] [--json PATH]``.

Synthetic data (``makingdata.synth``) for weekdays from 8 September 2025 is
made once into ``--cache`` (one Parquet export per day, pupil keys already
hashed as a daily feed after the boundary, and the same marks as a hive
folder ``raw/date=…``). The store is then filled one day at a time, and at
each size in ``--days`` (the number of school days ingested so far) the
year to date per enrolment (DfE cohort, persistent and severe absence) is
measured four ways:

1. ``enrolment_summary(store, …)``: the store's day counts summed by
   enrolment number;
2. ``enrolment_summary(raw marks, …)``: makingdata on the raw marks;
3. DuckDB SQL over the same raw marks (the join of marks to enrolments);
4. DuckDB SQL over the store's Parquet (counts summed by enrolment, the
   registry joined once) - what a user pointing DuckDB at the store gets.

With ``--table``, the LA x FSM weekly table (DfE cohort, from the first day
to the size's last) is measured too: ``attendance_table(store, …)``,
``attendance_table(raw marks, …)`` and DuckDB SQL over the raw marks (the
same query as ``benchmarks.attendance``); the store's table must equal the
raw path's.

Each measurement runs in its own subprocess (so that its peak RSS,
``ru_maxrss``, sees polars' and DuckDB's own allocations), three times:
the median wall time is reported, with the highest peak. Every ingest of a
day runs in its own subprocess too. The scan floor is the time to read the
raw marks' ``code`` column. The store and the raw path must give the same
rows, and both DuckDB queries as many enrolments. The script prints a table
and writes the figures as JSON (``--json``). Timings depend on the machine
and its load: quote medians and ratios.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import polars as pl

#: First school day of the synthetic data.
FIRST_DAY = dt.date(2025, 9, 8)
#: The weekly table's measurements (``--table``).
TABLE = ("table_store", "table_raw", "table_duckdb_raw")


def weekdays(first: dt.date, n: int) -> list[dt.date]:
    """The first ``n`` weekdays from ``first``."""
    out: list[dt.date] = []
    day = first
    while len(out) < n:
        if day.weekday() < 5:
            out.append(day)
        day += dt.timedelta(days=1)
    return out


def make_data(cache: Path, scale: float, n_days: int, seed: int) -> dict:
    """Write the synthetic exports into ``cache`` once; return their description."""
    from makingdata import synth

    meta_file = cache / "data.json"
    if meta_file.exists():
        meta = json.loads(meta_file.read_text())
        if meta["scale"] == scale and meta["seed"] == seed and meta["days"] >= n_days:
            return meta
    days = weekdays(FIRST_DAY, n_days)
    t0 = time.perf_counter()
    data = synth.generate(scale=scale, start=days[0], end=days[-1], seed=seed)
    cache.mkdir(parents=True, exist_ok=True)
    data.enrolments.write_parquet(cache / "enrolments.parquet")
    data.schools.write_parquet(cache / "schools.parquet")
    marks_per_day = []
    for day in days:
        m = data.marks_for(day).select("urn", "pupil_key", "date", "session", "code")
        marks_per_day.append(m.height)
        (cache / "exports").mkdir(exist_ok=True)
        m.write_parquet(cache / "exports" / f"{day}.parquet")
        folder = cache / "raw" / f"date={day}"
        folder.mkdir(parents=True, exist_ok=True)
        m.drop("date").write_parquet(folder / "part-0.parquet")
    meta = {
        "scale": scale,
        "seed": seed,
        "days": n_days,
        "first_day": str(days[0]),
        "enrolments": data.enrolments.height,
        "schools": data.schools.height,
        "marks_per_day": marks_per_day,
        "made_in_s": round(time.perf_counter() - t0, 1),
    }
    meta_file.write_text(json.dumps(meta, indent=1))
    return meta


# ---------------------------------------------------------------- one measurement


def _duck_raw(con, raw: Path, end: dt.date) -> pl.DataFrame:
    from benchmarks.attendance import q3_duckdb

    src = f"read_parquet('{raw}/**/*.parquet', hive_partitioning = true)"
    y0 = end.year if end.month >= 8 else end.year - 1
    return q3_duckdb(con, src, dt.date(y0, 8, 1), end)


def _duck_store(con, store: Path, end: dt.date) -> pl.DataFrame:
    """Year to date per enrolment from the store's Parquet: counts summed, registry joined."""
    from makingdata.store import Store

    st = Store.open(store)
    manifest = st.manifest()
    y0 = end.year if end.month >= 8 else end.year - 1
    files = [
        str(store / info["counts"])
        for day, info in manifest["days"].items()
        if dt.date(y0, 8, 1) <= dt.date.fromisoformat(day) <= end
    ]
    registry = store / manifest["registry"]
    from benchmarks.attendance import PHASES
    from makingdata.store import COUNT_CATEGORIES, REASON_COLUMNS

    # every count the kernel's summary has: the categories and each reason
    sums = ", ".join(f"sum({c}) as {c}" for c in (*COUNT_CATEGORIES, *REASON_COLUMNS))
    phases = ", ".join(f"'{p}'" for p in PHASES)
    return con.sql(
        f"""
        with c as (
          select enrolment, {sums}
          from read_parquet({files!r}) group by enrolment),
        e as (
          select r.enrolment, r.pupil_key, r.urn, r.enrol_start
          from read_parquet('{registry}') r join schools s on r.urn = s.urn
          where r.enrol_start is not null
            and cast(s.education_phase as varchar) in ({phases})
            and coalesce(s.establishment_type_group, '') <> 'Independent'
            and coalesce({y0} - year(r.date_of_birth)
                          - (month(r.date_of_birth) > 8)::int,
                          r.age_at_31_august) between 5 and 15)
        select e.pupil_key, e.urn, e.enrol_start, c.*,
               10 * c.sess_overall >= c.sess_possible as persistent_absence,
               2 * c.sess_overall >= c.sess_possible as severe_absence
        from c join e using (enrolment) where c.sess_possible > 0
        """
    ).pl()


def _table(marks, enrol, schools, end: dt.date) -> pl.DataFrame:
    """The LA x FSM weekly table (DfE cohort) from the first day to ``end``."""
    from makingdata.attendance import attendance_table

    return (
        attendance_table(
            marks,
            enrol,
            schools=schools,
            levels="la",
            by=["fsm_status"],
            period="week",
            start=FIRST_DAY,
            end=end,
            decimals=None,
        )
        .collect(engine="streaming")
        .frame
    )


def _duck_table(con, raw: Path, end: dt.date) -> pl.DataFrame:
    """The same table in DuckDB SQL over the raw marks."""
    from benchmarks.attendance import q2_duckdb

    src = f"read_parquet('{raw}/**/*.parquet', hive_partitioning = true)"
    return q2_duckdb(con, src, FIRST_DAY, end)


def one(args: argparse.Namespace) -> None:
    """Run one measurement (``--one``) and print its times and peak RSS as JSON."""
    cache, store = Path(args.cache), Path(args.cache) / "store"
    times: list[float] = []
    cpu: list[float] = []
    rows = 0
    if args.one == "ingest":
        from makingdata.store import ingest

        t, c = time.perf_counter(), time.process_time()
        ingest(
            store,
            cache / "exports" / f"{args.end}.parquet",
            cache / "enrolments.parquet",
        )
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    else:
        import duckdb

        from makingdata.attendance import enrolment_summary
        from makingdata.store import Store

        end = dt.date.fromisoformat(args.end)
        enrol = pl.scan_parquet(cache / "enrolments.parquet")
        schools = pl.scan_parquet(cache / "schools.parquet")
        con = duckdb.connect()
        con.register(
            "enrolments", pl.read_parquet(cache / "enrolments.parquet").to_arrow()
        )
        con.register("schools", pl.read_parquet(cache / "schools.parquet").to_arrow())
        raw = cache / "raw"
        # only the days ingested so far: a hive filter on the raw folder
        raw_lf = pl.scan_parquet(raw, hive_partitioning=True).filter(
            pl.col("date") <= end
        )
        tasks = {
            "store": lambda: enrolment_summary(
                Store.open(store), enrol, schools=schools, period="ytd", end=end
            ).collect(engine="streaming"),
            "raw": lambda: enrolment_summary(
                raw_lf, enrol, schools=schools, period="ytd", end=end
            ).collect(engine="streaming"),
            "duckdb_raw": lambda: _duck_raw(con, raw, end),
            "duckdb_store": lambda: _duck_store(con, store, end),
            "floor": lambda: raw_lf.select(pl.col("code").count()).collect(),
            "table_store": lambda: _table(Store.open(store), enrol, schools, end),
            "table_raw": lambda: _table(raw_lf, enrol, schools, end),
            "table_duckdb_raw": lambda: _duck_table(con, raw, end),
        }
        fn = tasks[args.one]
        for _ in range(args.repeat):
            t, c = time.perf_counter(), time.process_time()
            out = fn()
            times.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
            rows = out.height
        # the peak of the measured runs, before the check below runs the raw path
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        if args.check and args.one == "store":
            raw_out = tasks["raw"]()
            keys = ["pupil_key", "urn", "enrol_start"]
            if not out.sort(keys).equals(raw_out.sort(keys)):
                raise SystemExit("the store and the raw marks disagree")
        if args.check and args.one == "table_store":
            raw_out = tasks["table_raw"]()
            if not out.equals(raw_out):
                raise SystemExit("the store's weekly table and the raw marks' disagree")
    if args.one == "ingest":
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"times": times, "cpu": cpu, "rows": rows, "peak_rss": peak}))


def _measure(
    cache: Path, what: str, end: dt.date, repeat: int, check: bool = False
) -> dict:
    cmd = [
        sys.executable, "-m", "benchmarks.store", "--cache", str(cache),
        "--one", what, "--end", str(end), "--repeat", str(repeat),
    ]  # fmt: skip
    if check:
        cmd.append("--check")
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- the run


def main() -> None:  # noqa: PLR0915 - one scenario, step by step
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=0.02)
    parser.add_argument(
        "--days", default="3,5", help="sizes: school days ingested, comma-separated"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cache", default=None, help="data folder (default: a temp)")
    parser.add_argument("--json", default=None, help="write the figures here")
    parser.add_argument(
        "--table", action="store_true", help="also the LA x FSM weekly table"
    )
    parser.add_argument("--one", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--end", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--check", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        one(args)
        return
    import tempfile

    sizes = sorted({int(x) for x in args.days.split(",")})
    tmp = None
    if args.cache is None:
        tmp = tempfile.TemporaryDirectory()
        cache = Path(tmp.name)
    else:
        cache = Path(args.cache)
    meta = make_data(cache, args.scale, sizes[-1], args.seed)
    days = weekdays(FIRST_DAY, sizes[-1])
    print(
        f"store benchmark: scale {args.scale}, {meta['enrolments']:,} enrolments, "
        f"{statistics.median(meta['marks_per_day']):,.0f} marks a day, "
        f"{len(days)} weekdays {days[0]}..{days[-1]} "
        f"(data made once in {meta['made_in_s']} s)",
        flush=True,
    )
    store = cache / "store"
    if store.exists():
        import shutil

        shutil.rmtree(store)
    ingests: list[dict] = []
    results: list[dict] = []
    for i, day in enumerate(days, 1):
        r = _measure(cache, "ingest", day, 1)
        ingests.append(
            {
                "day": str(day),
                "seconds": r["times"][0],
                "cpu_s": r["cpu"][0],
                "peak_rss": r["peak_rss"],
            }
        )
        if i not in sizes:
            continue
        n_marks = sum(meta["marks_per_day"][:i])
        size = sum(p.stat().st_size for p in store.rglob("*") if p.is_file())
        row: dict = {"days": i, "marks": n_marks, "store_bytes": size}
        recent = ingests[-min(5, len(ingests)) :]
        row["ingest_median_s"] = statistics.median(x["seconds"] for x in recent)
        row["ingest_median_cpu_s"] = statistics.median(x["cpu_s"] for x in recent)
        row["ingest_peak_rss"] = max(x["peak_rss"] for x in recent)
        whats = ["store", "raw", "duckdb_raw", "duckdb_store", "floor"]
        if args.table:
            whats += ["table_store", "table_raw", "table_duckdb_raw"]
        for what in whats:
            r = _measure(
                cache, what, day, args.repeat, check=what in ("store", "table_store")
            )
            row[what] = {
                "median_s": statistics.median(r["times"]),
                "median_cpu_s": statistics.median(r["cpu"]),
                "times": r["times"],
                "rows": r["rows"],
                "peak_rss": r["peak_rss"],
            }
        if not (
            row["raw"]["rows"]
            == row["duckdb_raw"]["rows"]
            == row["duckdb_store"]["rows"]
        ):
            raise SystemExit(
                f"rows differ: raw {row['raw']['rows']}, DuckDB raw "
                f"{row['duckdb_raw']['rows']}, DuckDB store {row['duckdb_store']['rows']}"
            )
        results.append(row)
        _print_row(row, meta)
        _save(args, meta, days, ingests, results)
    out = _save(args, meta, days, ingests, results)
    print()
    print(markdown(out))
    if tmp is not None:
        tmp.cleanup()


def _save(args: argparse.Namespace, meta: dict, days, ingests, results) -> dict:
    """The figures so far, written to ``--json`` after every size (a long run keeps what it measured)."""
    out = {
        "benchmark": "store",
        "scale": args.scale,
        "seed": args.seed,
        "enrolments": meta["enrolments"],
        "marks_per_day": meta["marks_per_day"][: len(days)],
        "repeat": args.repeat,
        "ingests": ingests,
        "sizes": results,
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1) + "\n")
    return out


def _gib(n: float) -> str:
    return f"{n / 2**30:.2f} GiB"


def _print_row(row: dict, meta: dict) -> None:
    per_day = statistics.median(meta["marks_per_day"])
    print(
        f"  {row['days']:>3} days, {row['marks']:,} marks: ingest {row['ingest_median_s']:.2f} s/day "
        f"(cpu {row['ingest_median_cpu_s']:.2f} s) "
        f"({per_day / row['ingest_median_s'] / 1e6:.2f} M marks/s, peak {_gib(row['ingest_peak_rss'])}), "
        f"store {row['store_bytes'] / 2**20:,.0f} MiB",
        flush=True,
    )
    for what in ("store", "raw", "duckdb_raw", "duckdb_store", "floor", *TABLE):
        if what not in row:
            continue
        m = row[what]
        print(
            f"      {what:<13} {m['median_s']:7.2f} s (cpu {m['median_cpu_s']:6.2f} s)  "
            f"({row['marks'] / m['median_s'] / 1e6:7.1f} M marks/s) "
            f" peak {_gib(m['peak_rss'])}  rows {m['rows']:,}",
            flush=True,
        )
    s = row["store"]["median_s"]
    print(
        f"      ratios to the store: raw {row['raw']['median_s'] / s:.1f}x, DuckDB raw "
        f"{row['duckdb_raw']['median_s'] / s:.1f}x, DuckDB store {row['duckdb_store']['median_s'] / s:.1f}x",
        flush=True,
    )


def markdown(out: dict) -> str:
    """The figures as a Markdown table (one row per size)."""
    lines = [
        "| school days | marks | ingest / day | year to date: store | raw makingdata | "
        "DuckDB raw | DuckDB store | scan floor | raw ÷ store | DuckDB raw ÷ store | "
        "peak RSS store / raw / DuckDB raw |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in out["sizes"]:
        s = r["store"]["median_s"]
        lines.append(
            f"| {r['days']} | {r['marks'] / 1e6:,.1f}M | {r['ingest_median_s']:.2f} s | "
            f"{s:.2f} s | {r['raw']['median_s']:.2f} s | {r['duckdb_raw']['median_s']:.2f} s | "
            f"{r['duckdb_store']['median_s']:.2f} s | {r['floor']['median_s']:.2f} s | "
            f"{r['raw']['median_s'] / s:.1f}x | {r['duckdb_raw']['median_s'] / s:.1f}x | "
            f"{_gib(r['store']['peak_rss'])} / {_gib(r['raw']['peak_rss'])} / "
            f"{_gib(r['duckdb_raw']['peak_rss'])} |"
        )
    table = [r for r in out["sizes"] if "table_store" in r]
    if table:
        lines += [
            "",
            "| school days | marks | LA x FSM weekly table: store | raw makingdata | "
            "DuckDB raw | raw ÷ store | DuckDB raw ÷ store | peak RSS store / raw |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for r in table:
            s = r["table_store"]["median_s"]
            lines.append(
                f"| {r['days']} | {r['marks'] / 1e6:,.1f}M | {s:.2f} s | "
                f"{r['table_raw']['median_s']:.2f} s | "
                f"{r['table_duckdb_raw']['median_s']:.2f} s | "
                f"{r['table_raw']['median_s'] / s:.1f}x | "
                f"{r['table_duckdb_raw']['median_s'] / s:.1f}x | "
                f"{_gib(r['table_store']['peak_rss'])} / {_gib(r['table_raw']['peak_rss'])} |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
