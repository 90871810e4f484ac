"""Benchmark: the attendance kernels against the same queries in DuckDB SQL and pandas.

Run ``python -m benchmarks.attendance [--scale 1.0] [--days 5]``.

Scenario A, one national day in memory (``makingdata.synth``; about 18 million
marks at scale 1.0): three queries, each in polars (makingdata's kernels),
DuckDB SQL and pandas, in this process on the same frames:

1. school-daily counts (every reason and category per school and date);
2. LA x FSM weekly table in DfE's cohort (ages 5-15 at 31 August, state-funded
   primary/secondary/special, sessions inside each enrolment, zero-possible
   enrolments dropped) with Total rows;
3. year-to-date persistent and severe absence per enrolment.

Scenario B, a multi-week national window written as hive-partitioned Parquet
and scanned lazily: polars' streaming engine against DuckDB reading the same
files. pandas is left out of B: the window does not fit in memory as pandas
frames within the benchmark's memory budget.

For each query the script prints wall time, input rows per second, the ratios
to DuckDB and pandas and the peak RSS, and checks that the engines agree on
every count. Timings depend on the machine and on its load.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl

from benchmarks._common import (
    gib,
    peak_rss_bytes,
    peak_rss_since_reset,
    reset_peak_rss,
)
from makingdata import synth
from makingdata.attendance import (
    attendance_table,
    enrolment_summary,
    session_counts,
)
from makingdata.codes import CODES, Category

PHASES = (
    "Primary",
    "Secondary",
    "Special",
    "All-through",
    "Middle (deemed primary)",
    "Middle (deemed secondary)",
)


def _codes(*cats: Category) -> list[str]:
    return [c.code for c in CODES.values() if c.category in cats]


COUNTED = _codes(
    Category.PRESENT, Category.AEA, Category.AUTHORISED, Category.UNAUTHORISED
)
ABSENT = _codes(Category.AUTHORISED, Category.UNAUTHORISED)
AUTH = _codes(Category.AUTHORISED)
UNAUTH = _codes(Category.UNAUTHORISED)


def _sql_list(codes: list[str]) -> str:
    return ", ".join("'" + c.replace("'", "''") + "'" for c in codes)


def _y0(day: dt.date) -> int:
    return day.year if day.month >= 8 else day.year - 1


def _last_monday_may(year: int) -> dt.date:
    d = dt.date(year, 5, 31)
    return d - dt.timedelta(days=d.weekday())


def _reason_sql() -> str:
    return ",\n".join(
        f"count(*) filter (where code = '{c.code.replace(chr(39), chr(39) * 2)}') "
        f'as "{c.dfe_reason}"'
        for c in CODES.values()
    )


def _reason_sums() -> str:
    return ", ".join(
        f'sum("{c.dfe_reason}") as "{c.dfe_reason}"' for c in CODES.values()
    )


# ---------------------------------------------------------------- query 1
def q1_polars(marks: pl.LazyFrame) -> pl.DataFrame:
    return session_counts(marks).collect(engine="streaming")


def q1_duckdb(con: duckdb.DuckDBPyConnection, marks: str) -> pl.DataFrame:
    reasons = _reason_sql()
    return con.sql(
        f"""
        select urn, date,
          count(*) filter (where code in ({_sql_list(COUNTED)})) as sess_possible,
          count(*) filter (where code in ({_sql_list(ABSENT)})) as sess_overall,
          count(*) filter (where code in ({_sql_list(AUTH)})) as sess_authorised,
          count(*) filter (where code in ({_sql_list(UNAUTH)})) as sess_unauthorised,
          {reasons}
        from {marks} group by urn, date order by urn, date
        """
    ).pl()


def _pandas_session_counts(m: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Count each code per ``keys`` and sum them into the session counts."""
    wide = (
        m.groupby([*keys, "code"], observed=True)
        .size()
        .unstack("code", fill_value=0)
        .reindex(columns=list(CODES), fill_value=0)
    )
    out = pd.DataFrame(index=wide.index)
    out["sess_possible"] = wide[COUNTED].sum(axis=1)
    out["sess_overall"] = wide[ABSENT].sum(axis=1)
    out["sess_authorised"] = wide[AUTH].sum(axis=1)
    out["sess_unauthorised"] = wide[UNAUTH].sum(axis=1)
    for c in CODES.values():
        out[c.dfe_reason] = wide[c.code]
    return out.reset_index()


def q1_pandas(marks: pd.DataFrame) -> pd.DataFrame:
    return _pandas_session_counts(marks, ["urn", "date"]).sort_values(["urn", "date"])


# ---------------------------------------------------------------- query 2
def q2_polars(marks, enrolments, schools, start, end) -> pl.DataFrame:
    return (
        attendance_table(
            marks,
            enrolments,
            schools=schools,
            levels="la",
            by=["fsm_status"],
            period="week",
            start=start,
            end=end,
            decimals=None,
        )
        .collect(engine="streaming")
        .frame
    )


def _cohort_sql(marks: str, start: dt.date, end: dt.date) -> str:
    y0 = _y0(start)
    s2 = _last_monday_may(y0 + 1)
    return f"""
    with e as (
      select row_number() over () as eid, pupil_key, urn, enrol_start, enrol_end,
        fsm_eligible,
        coalesce({y0} - year(date_of_birth)
                 - case when month(date_of_birth) > 8 then 1 else 0 end,
                 age_at_31_august) as age
      from enrolments),
    s as (select urn, old_la_code from schools
          where cast(education_phase as varchar) in ({_sql_list(list(PHASES))})
            and coalesce(establishment_type_group, '') <> 'Independent'),
    m as (
      select e.eid, m.date, m.code
      from {marks} m
      join e on m.pupil_key = e.pupil_key and m.urn = e.urn
      join s on m.urn = s.urn
      where m.date between DATE '{start}' and DATE '{end}'
        and m.date >= e.enrol_start and (e.enrol_end is null or m.date <= e.enrol_end)
        and e.age between 5 and 15
        and not (e.age = 15 and m.date >= DATE '{s2}' and m.date <= DATE '{y0 + 1}-07-31')
    )"""


def q2_duckdb(con, marks: str, start: dt.date, end: dt.date) -> pl.DataFrame:
    return con.sql(
        _cohort_sql(marks, start, end)
        + f""",
    pe as (
      select eid, date_trunc('week', date) as wk,
        count(*) filter (where code in ({_sql_list(COUNTED)})) as sess_possible,
        count(*) filter (where code in ({_sql_list(ABSENT)})) as sess_overall,
        count(*) filter (where code in ({_sql_list(AUTH)})) as sess_authorised,
        count(*) filter (where code in ({_sql_list(UNAUTH)})) as sess_unauthorised,
        {_reason_sql()}
      from m group by eid, wk having sess_possible > 0),
    j as (
      select pe.*, s.old_la_code,
        case when e.fsm_eligible then 'FSM eligible'
             else 'Not known to be FSM eligible' end as fsm_status
      from pe join e using (eid) join s on e.urn = s.urn)
    select old_la_code, cast(wk as date) as week_commencing,
      coalesce(fsm_status, 'Total') as fsm_status,
      count(*) as enrolments, sum(sess_possible) as sess_possible,
      sum(sess_overall) as sess_overall, sum(sess_authorised) as sess_authorised,
      sum(sess_unauthorised) as sess_unauthorised, {_reason_sums()}
    from j group by grouping sets ((old_la_code, wk, fsm_status), (old_la_code, wk))
    """
    ).pl()


def _pandas_cohort(marks, enrolments, schools, start, end) -> pd.DataFrame:
    y0 = _y0(start)
    s2 = pd.Timestamp(_last_monday_may(y0 + 1))
    e = enrolments[
        ["pupil_key", "urn", "enrol_start", "enrol_end", "fsm_eligible",
         "date_of_birth", "age_at_31_august"]
    ].copy()  # fmt: skip
    e["eid"] = range(len(e))
    dob = e["date_of_birth"]
    age_dob = y0 - dob.dt.year - (dob.dt.month > 8).astype("int64")
    e["age"] = age_dob.where(dob.notna(), e["age_at_31_august"])
    s = schools[
        schools["education_phase"].astype(str).isin(PHASES)
        & (schools["establishment_type_group"].fillna("") != "Independent")
    ][["urn", "old_la_code"]]
    m = marks[
        (marks["date"] >= pd.Timestamp(start)) & (marks["date"] <= pd.Timestamp(end))
    ]
    m = m.merge(e, on=["pupil_key", "urn"]).merge(s, on="urn")
    keep = (
        (m["date"] >= m["enrol_start"])
        & (m["enrol_end"].isna() | (m["date"] <= m["enrol_end"]))
        & m["age"].between(5, 15)
        & ~((m["age"] == 15) & (m["date"] >= s2))
    )
    return m[keep]


def _pandas_enrolment_counts(m: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    out = _pandas_session_counts(m, keys)
    return out[out["sess_possible"] > 0]


def q2_pandas(marks, enrolments, schools, start, end) -> pd.DataFrame:
    m = _pandas_cohort(marks, enrolments, schools, start, end)
    m = m.assign(
        week_commencing=m["date"] - pd.to_timedelta(m["date"].dt.day_of_week, unit="D")
    )
    pe = _pandas_enrolment_counts(
        m, ["eid", "week_commencing", "old_la_code", "fsm_eligible"]
    )
    pe["fsm_status"] = pe["fsm_eligible"].map(
        {True: "FSM eligible", False: "Not known to be FSM eligible"}
    )
    cols = ["sess_possible", "sess_overall", "sess_authorised", "sess_unauthorised",
            *[c.dfe_reason for c in CODES.values()]]  # fmt: skip
    by = pe.groupby(["old_la_code", "week_commencing", "fsm_status"])[cols].sum()
    by["enrolments"] = pe.groupby(
        ["old_la_code", "week_commencing", "fsm_status"]
    ).size()
    tot = pe.groupby(["old_la_code", "week_commencing"])[cols].sum()
    tot["enrolments"] = pe.groupby(["old_la_code", "week_commencing"]).size()
    tot["fsm_status"] = "Total"
    return pd.concat([by.reset_index(), tot.reset_index()])


# ---------------------------------------------------------------- query 3
def q3_polars(marks, enrolments, schools, end) -> pl.DataFrame:
    return enrolment_summary(
        marks, enrolments, schools=schools, period="ytd", end=end
    ).collect(engine="streaming")


def q3_duckdb(con, marks: str, start: dt.date, end: dt.date) -> pl.DataFrame:
    return con.sql(
        _cohort_sql(marks, start, end)
        + f"""
    select e.pupil_key, e.urn,
      count(*) filter (where code in ({_sql_list(COUNTED)})) as sess_possible,
      count(*) filter (where code in ({_sql_list(ABSENT)})) as sess_overall,
      10 * sess_overall >= sess_possible as persistent_absence,
      2 * sess_overall >= sess_possible as severe_absence,
      {_reason_sql()}
    from m join e using (eid) group by e.pupil_key, e.urn having sess_possible > 0
    """
    ).pl()


def q3_pandas(marks, enrolments, schools, start, end) -> pd.DataFrame:
    m = _pandas_cohort(marks, enrolments, schools, start, end)
    pe = _pandas_enrolment_counts(m, ["pupil_key", "urn"])
    pe["persistent_absence"] = 10 * pe["sess_overall"] >= pe["sess_possible"]
    pe["severe_absence"] = 2 * pe["sess_overall"] >= pe["sess_possible"]
    return pe


# ---------------------------------------------------------------- checks
def _same(
    name: str, a: pl.DataFrame, b: pl.DataFrame, keys: list[str], cols: list[str]
) -> None:
    a = a.select(*keys, *cols).cast(dict.fromkeys(keys, pl.String)).sort(keys)
    b = b.select(*keys, *cols).cast(dict.fromkeys(keys, pl.String)).sort(keys)
    a = a.cast({c: pl.Int64 for c in cols if a.schema[c].is_integer()})
    b = b.cast({c: pl.Int64 for c in cols if b.schema[c].is_integer()})
    if a.height != b.height or not a.equals(b):
        raise AssertionError(
            f"{name}: engines disagree ({a.height} vs {b.height} rows)"
        )


#: CPU seconds of each engine in the current query (read and cleared by _ratios)
_CPU: dict[str, float] = {}


#: How many times each engine runs each query (``--repeat``); the fastest run
#: is reported.
REPEAT = 1


def _run(label: str, rows: int, fn):
    """Run one engine's query: wall and CPU seconds, rows/s, the query's peak RSS.

    CPU time is the whole process's (all threads), so on a loaded machine the
    CPU ratio is the steadier comparison of how much work each engine did.
    With ``--repeat N`` the query runs N times and the fastest run (wall) is
    reported with its CPU time; the peak RSS is the highest of the runs.
    """
    best = None
    peak = 0
    out = None
    for _ in range(REPEAT):
        out = None  # let the previous run's result go before the next run
        reset_peak_rss()
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        wall, cpu_s = time.perf_counter() - t0, time.process_time() - c0
        peak = max(peak, peak_rss_since_reset())
        if best is None or wall < best[0]:
            best = (wall, cpu_s)
    wall, cpu_s = best
    _CPU[label] = cpu_s
    runs = f" (best of {REPEAT})" if REPEAT > 1 else ""
    print(
        f"    {label:<8} {wall:8.2f} s wall {cpu_s:8.2f} s CPU  "
        f"{rows / wall / 1e6:8.1f} M rows/s  peak RSS {gib(peak)}{runs}"
    )
    return out, wall


def _ratios(t: dict[str, float]) -> None:
    cpu = dict(_CPU)
    _CPU.clear()
    parts = [
        f"{k}/polars = {v / t['polars']:.2f}x" for k, v in t.items() if k != "polars"
    ]
    line = "    wall: " + ", ".join(parts)
    if "polars" in cpu:
        line += "; CPU: " + ", ".join(
            f"{k}/polars = {v / cpu['polars']:.2f}x"
            for k, v in cpu.items()
            if k != "polars"
        )
    print(line)


def scenario_a(data: synth.SynthData, day: dt.date) -> None:
    marks = data.marks_for(day)
    enrol, schools = data.enrolments, data.schools
    n = marks.height
    print(
        f"\nA. one national day {day}: {n:,} marks, {enrol.height:,} enrolments, {schools.height:,} schools"
    )
    con = duckdb.connect()
    con.register("marks", marks.to_arrow())
    con.register("enrolments", enrol.to_arrow())
    con.register("schools", schools.to_arrow())
    pm = marks.to_pandas()
    pm["date"] = pd.to_datetime(pm["date"])
    pe = enrol.to_pandas()
    for c in ("enrol_start", "enrol_end", "date_of_birth"):
        pe[c] = pd.to_datetime(pe[c])
    ps = schools.to_pandas()
    ml = marks.lazy()

    print("  1. school-daily counts")
    t = {}
    p1, t["polars"] = _run("polars", n, lambda: q1_polars(ml))
    d1, t["duckdb"] = _run("duckdb", n, lambda: q1_duckdb(con, "marks"))
    x1, t["pandas"] = _run("pandas", n, lambda: q1_pandas(pm))
    _ratios(t)
    cols = ["sess_possible", "sess_overall", "sess_authorised", "sess_unauthorised",
            *[c.dfe_reason for c in CODES.values()]]  # fmt: skip
    _same("q1 duckdb", p1, d1, ["urn", "date"], cols)
    x1pl = pl.from_pandas(x1).with_columns(pl.col("date").cast(pl.Date))
    _same("q1 pandas", p1, x1pl, ["urn", "date"], cols)
    print("    engines agree on every count")

    print("  2. LA x FSM weekly table, DfE cohort")
    t = {}
    p2, t["polars"] = _run(
        "polars", n, lambda: q2_polars(ml, enrol.lazy(), schools.lazy(), day, day)
    )
    d2, t["duckdb"] = _run("duckdb", n, lambda: q2_duckdb(con, "marks", day, day))
    x2, t["pandas"] = _run("pandas", n, lambda: q2_pandas(pm, pe, ps, day, day))
    _ratios(t)
    cols2 = [
        "enrolments",
        "sess_possible",
        "sess_overall",
        "sess_authorised",
        "sess_unauthorised",
    ]
    keys2 = ["old_la_code", "week_commencing", "fsm_status"]
    _same("q2 duckdb", p2, d2, keys2, cols2)
    x2pl = pl.from_pandas(x2).with_columns(pl.col("week_commencing").cast(pl.Date))
    _same("q2 pandas", p2, x2pl, keys2, cols2)
    print(f"    engines agree ({p2.height} rows)")

    print("  3. year-to-date persistent / severe absence per enrolment")
    t = {}
    p3, t["polars"] = _run(
        "polars", n, lambda: q3_polars(ml, enrol.lazy(), schools.lazy(), day)
    )
    d3, t["duckdb"] = _run(
        "duckdb", n, lambda: q3_duckdb(con, "marks", dt.date(_y0(day), 8, 1), day)
    )
    x3, t["pandas"] = _run(
        "pandas", n, lambda: q3_pandas(pm, pe, ps, dt.date(_y0(day), 8, 1), day)
    )
    _ratios(t)
    cols3 = ["sess_possible", "sess_overall", "persistent_absence", "severe_absence",
             *[c.dfe_reason for c in CODES.values()]]  # fmt: skip
    _same("q3 duckdb", p3, d3, ["pupil_key", "urn"], cols3)
    _same("q3 pandas", p3, pl.from_pandas(x3), ["pupil_key", "urn"], cols3)
    print(
        f"    engines agree ({p3.height:,} enrolments, {int(p3['persistent_absence'].sum()):,} PA)"
    )
    con.close()


def scenario_b(data: synth.SynthData, root: Path, *, peers: bool = True) -> None:
    t0 = time.perf_counter()
    data.write(root)
    files = root / "marks"
    lf = pl.scan_parquet(files, hive_partitioning=True)
    n = lf.select(pl.len()).collect().item()
    print(f"\nB. national window {data.start}..{data.end}: {n:,} marks as Parquet "
          f"(written in {time.perf_counter() - t0:.0f} s)")  # fmt: skip
    con = duckdb.connect()
    con.register("enrolments", data.enrolments.to_arrow())
    con.register("schools", data.schools.to_arrow())
    src = f"read_parquet('{files}/**/*.parquet', hive_partitioning = true)"
    start, end = data.start, data.end
    enrol, schools = data.enrolments.lazy(), data.schools.lazy()
    for title, fp, fd, cols, keys in (
        ("1. school-daily counts", lambda: q1_polars(lf), lambda: q1_duckdb(con, src),
         ["sess_possible", "sess_overall"], ["urn", "date"]),
        ("2. LA x FSM weekly table", lambda: q2_polars(lf, enrol, schools, start, end),
         lambda: q2_duckdb(con, src, start, end),
         ["enrolments", "sess_possible", "sess_overall"], ["old_la_code", "week_commencing", "fsm_status"]),
        ("3. year-to-date PA/SA per enrolment", lambda: q3_polars(lf, enrol, schools, end),
         lambda: q3_duckdb(con, src, dt.date(_y0(end), 8, 1), end),
         ["sess_possible", "sess_overall", "persistent_absence"], ["pupil_key", "urn"]),
    ):  # fmt: skip
        print(f"  {title}")
        t = {}
        a, t["polars"] = _run("polars", n, fp)
        if not peers:
            _CPU.clear()
            print(f"    {a.height:,} rows out")
            continue
        b, t["duckdb"] = _run("duckdb", n, fd)
        _ratios(t)
        _same(title, a, b, keys, cols)
        print("    engines agree")
    con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument(
        "--day", type=dt.date.fromisoformat, default=dt.date(2025, 11, 12)
    )
    parser.add_argument("--days", type=int, default=5, help="weekdays in scenario B")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-a", action="store_true")
    parser.add_argument("--skip-b", action="store_true")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run each query this many times and report the fastest run",
    )
    parser.add_argument(
        "--polars-only-b",
        action="store_true",
        help="scenario B without DuckDB: how long a window polars alone handles",
    )
    args = parser.parse_args()
    global REPEAT  # noqa: PLW0603 - a command-line setting of the whole run
    REPEAT = max(1, args.repeat)
    print(
        f"polars {pl.__version__}, duckdb {duckdb.__version__}, pandas {pd.__version__}"
    )
    if not args.skip_a:
        t0 = time.perf_counter()
        one = synth.generate(
            scale=args.scale, start=args.day, end=args.day, seed=args.seed
        )
        print(f"synthetic set-up {time.perf_counter() - t0:.1f} s (scale {args.scale})")
        scenario_a(one, args.day)
        del one
    if not args.skip_b:
        end = args.day
        days = 0
        while days < args.days - 1:
            end += dt.timedelta(days=1)
            days += end.weekday() < 5
        window = synth.generate(
            scale=args.scale, start=args.day, end=end, seed=args.seed
        )
        with tempfile.TemporaryDirectory() as tmp:
            scenario_b(window, Path(tmp), peers=not args.polars_only_b)
    print(f"\npeak RSS {gib(peak_rss_bytes())}")


if __name__ == "__main__":
    main()
