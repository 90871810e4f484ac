"""Benchmark: validate a marks export (CSV and Parquet) against the floor and peers.

Run ``python -m benchmarks.validate [--rows N] [--no-peers]`` (default 1,000,000
rows; the documented figures used 10,000,000).

The export is a seeded long marks file (``upn, urn, date, session, code``, all
rows valid) written as CSV and as Parquet with text columns, plus a typed
Parquet file in the marks contract. Each task runs in a fresh process, so the
peak RSS printed is that task's own. Tasks:

* ``read_marks`` - makingdata's reader: every rule, UPN check and keyed hash,
  valid frame, rejects and report;
* ``floor`` - a plain polars query that applies the same checks (UPN shape,
  LA number and check letter on distinct UPNs, URN, date in three formats,
  session, code, code valid on date, one mark per key) and counts the valid
  rows: no hashing, no rejects frame, no report;
* ``duckdb`` - the same checks in DuckDB SQL;
* ``pandas`` - the same checks in pandas (pyarrow strings; UPNs checked once
  each with python-stdnum);
* on the typed file: ``check_marks`` (the schemas' one-pass masks) against
  ``pandera`` (``MarkRecords.validate(lazy=True)``: the same rules run by
  pandera's polars backend).

Every task must count the same number of valid rows; the script checks it.
Libraries are imported when the task process starts, before the clock runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl

from benchmarks._common import gib, marks_frame, run_isolated
from makingdata._pseudonym import upn_problem
from makingdata.codes import CODE_DTYPE, CODE_LETTERS, CODES, SESSION_DTYPE
from makingdata.domain._identifiers import _known_la_numbers
from makingdata.io import read_marks
from makingdata.schemas import MarkRecords, check_marks

KEY = "benchmark-key-scwKGMOO5bXNmvkTgtkxuZMd"
ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ0123456789"
DATES = (dt.date(2000, 1, 1), dt.date(2099, 12, 31))


def _known_las() -> list[int]:
    return sorted(_known_la_numbers())


# ---------------------------------------------------------------- tasks


def task_read_marks(path: str) -> int:
    return read_marks(path, key=KEY).n_valid


def _scan(path: str) -> pl.LazyFrame:
    if path.endswith(".csv"):
        return pl.scan_csv(path, infer_schema=False)
    return pl.scan_parquet(path)


def task_floor(path: str) -> int:
    """The same checks as one plain polars query (distinct UPNs checked in polars)."""
    lf = _scan(path).with_columns(pl.all().cast(pl.String).str.strip_chars())
    u = pl.col("upn").str.replace_all(" ", "", literal=True).str.to_uppercase()
    lf = lf.with_columns(u=u)
    index = {c: i for i, c in enumerate(ALPHABET)}
    weighted = pl.sum_horizontal(
        [
            pl.col("u")
            .str.slice(k, 1)
            .replace_strict(index, default=None, return_dtype=pl.Int32)
            * (k + 1)
            for k in range(1, 13)
        ]
    )
    letters = pl.lit(pl.Series(list(ALPHABET)))
    upns = (
        lf.select("u")
        .unique()
        .with_columns(
            ok=pl.col("u").str.contains(r"^[A-Z]\d{11}[0-9A-Z]$")
            & pl.col("u")
            .str.slice(1, 3)
            .cast(pl.Int32, strict=False)
            .is_in(_known_las())
            & (letters.gather(weighted % 23) == pl.col("u").str.slice(0, 1))
        )
    )
    d = pl.col("date")
    iso = (
        pl.when(d.str.contains(r"^\d{4}-\d{2}-\d{2}$"))
        .then(d)
        .when(
            d.str.contains(r"^\d{2}[/-]\d{2}[/-]\d{4}$")
            & (d.str.slice(2, 1) == d.str.slice(5, 1))
        )
        .then(
            pl.concat_str(
                d.str.slice(6, 4),
                pl.lit("-"),
                d.str.slice(3, 2),
                pl.lit("-"),
                d.str.slice(0, 2),
            )
        )
    )
    starts = pl.Series([CODES[c].valid_from for c in CODE_LETTERS], dtype=pl.Date)
    ends = pl.Series([CODES[c].valid_to for c in CODE_LETTERS], dtype=pl.Date)
    typed = lf.join(upns, on="u", how="left").with_columns(
        urn_n=pl.when(pl.col("urn").str.len_bytes() == 6).then(
            pl.col("urn").cast(pl.UInt32, strict=False)
        ),
        date_t=iso.str.to_date("%Y-%m-%d", strict=False),
        session_t=pl.col("session")
        .str.to_uppercase()
        .cast(SESSION_DTYPE, strict=False),
        code_t=pl.col("code").str.to_uppercase().cast(CODE_DTYPE, strict=False),
    )
    idx = pl.col("code_t").to_physical()
    s, e = pl.lit(starts).gather(idx), pl.lit(ends).gather(idx)
    ok = (
        pl.col("ok")
        & (pl.col("urn_n") >= 100_000)
        & pl.col("date_t").is_between(*DATES)
        & pl.col("session_t").is_not_null()
        & pl.col("code_t").is_not_null()
        & ~(
            (s.is_not_null() & (pl.col("date_t") < s))
            | (e.is_not_null() & (pl.col("date_t") > e))
        ).fill_null(value=True)
    )
    keys = ["u", "urn_n", "date_t", "session_t"]
    return int(
        typed.filter(ok.fill_null(value=False))
        .filter(pl.len().over(keys) == 1)
        .select(pl.len())
        .collect()
        .item()
    )


def _codes_sql_values() -> str:
    rows = []
    for c in CODE_LETTERS:
        start = CODES[c].valid_from
        end = CODES[c].valid_to
        lit = c.replace("'", "''")
        first = f"DATE '{start}'" if start else "NULL"
        last = f"DATE '{end}'" if end else "NULL"
        rows.append(f"('{lit}', {first}, {last})")
    return ",".join(rows)


def task_duckdb(path: str) -> int:
    source = (
        f"read_csv('{path}', all_varchar=true, header=true)"
        if path.endswith(".csv")
        else f"read_parquet('{path}')"
    )
    weights = " + ".join(
        f"{k + 1} * (instr('{ALPHABET}', substr(u, {k + 1}, 1)) - 1)"
        for k in range(1, 13)
    )
    las = ",".join(str(n) for n in _known_las())
    sql = f"""
    WITH raw AS (
        SELECT upper(replace(trim(upn), ' ', '')) AS u, trim(urn) AS urn, trim(date) AS d,
               upper(trim(session)) AS session, upper(trim(code)) AS code
        FROM {source}),
    upns AS (
        SELECT u, regexp_full_match(u, '[A-Z][0-9]{{11}}[0-9A-Z]')
                  AND TRY_CAST(substr(u, 2, 3) AS INTEGER) IN ({las})
                  AND substr('{ALPHABET}', (({weights}) % 23) + 1, 1) = substr(u, 1, 1) AS ok
        FROM (SELECT DISTINCT u FROM raw)),
    codes(code, valid_from, valid_to) AS (VALUES {_codes_sql_values()}),
    typed AS (
        SELECT raw.u, TRY_CAST(raw.urn AS UINTEGER) AS urn_n, raw.session, raw.code,
               CASE WHEN length(raw.urn) = 6 THEN TRY_CAST(raw.urn AS UINTEGER) END AS urn_ok,
               CASE
                 WHEN regexp_full_match(d, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}') THEN TRY_STRPTIME(d, '%Y-%m-%d')
                 WHEN regexp_full_match(d, '[0-9]{{2}}/[0-9]{{2}}/[0-9]{{4}}') THEN TRY_STRPTIME(d, '%d/%m/%Y')
                 WHEN regexp_full_match(d, '[0-9]{{2}}-[0-9]{{2}}-[0-9]{{4}}') THEN TRY_STRPTIME(d, '%d-%m-%Y')
               END::DATE AS date_t,
               upns.ok, codes.valid_from, codes.valid_to, codes.code IS NOT NULL AS known
        FROM raw JOIN upns USING (u) LEFT JOIN codes ON raw.code = codes.code),
    good AS (
        SELECT * FROM typed
        WHERE ok AND urn_ok >= 100000 AND date_t BETWEEN DATE '{DATES[0]}' AND DATE '{DATES[1]}'
          AND session IN ('AM', 'PM') AND known
          AND NOT coalesce(date_t < valid_from, false) AND NOT coalesce(date_t > valid_to, false))
    SELECT count(*) FROM (
        SELECT 1 FROM good
        QUALIFY count(*) OVER (PARTITION BY u, urn_ok, date_t, session) = 1)
    """
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    return int(con.execute(sql).fetchone()[0])  # type: ignore[index]


def task_pandas(path: str) -> int:
    if path.endswith(".csv"):
        df = pd.read_csv(path, dtype="string[pyarrow]", keep_default_na=False)
    else:
        df = pd.read_parquet(path, dtype_backend="pyarrow").astype("string[pyarrow]")
    for c in df.columns:
        df[c] = df[c].str.strip()
    u = df["upn"].str.replace(" ", "", regex=False).str.upper()
    distinct = pd.Series(u.unique())
    ok_upn = dict(
        zip(
            distinct,
            [upn_problem(x) is None if isinstance(x, str) else False for x in distinct],
            strict=True,
        )
    )
    upn_ok = u.map(ok_upn).astype(bool)
    urn = pd.to_numeric(df["urn"].where(df["urn"].str.len() == 6), errors="coerce")
    d = df["date"]
    date = pd.to_datetime(d, format="%Y-%m-%d", errors="coerce")
    date = date.fillna(pd.to_datetime(d, format="%d/%m/%Y", errors="coerce"))
    date = date.fillna(pd.to_datetime(d, format="%d-%m-%Y", errors="coerce"))
    session = df["session"].str.upper()
    code = df["code"].str.upper()
    starts = {
        c: pd.Timestamp(CODES[c].valid_from)
        for c in CODE_LETTERS
        if CODES[c].valid_from
    }
    ends = {
        c: pd.Timestamp(CODES[c].valid_to) for c in CODE_LETTERS if CODES[c].valid_to
    }
    too_early = (date < code.map(starts)).fillna(value=False)
    too_late = (date > code.map(ends)).fillna(value=False)
    ok = (
        (
            upn_ok
            & (urn >= 100_000)
            & date.between(pd.Timestamp(DATES[0]), pd.Timestamp(DATES[1]))
            & session.isin(["AM", "PM"])
            & code.isin(list(CODE_LETTERS))
            & ~too_early
            & ~too_late
        )
        .fillna(value=False)
        .astype(bool)
    )
    good = pd.DataFrame({"u": u, "urn": urn, "date": date, "session": session})[ok]
    return int((~good.duplicated(keep=False)).sum())


def task_check_marks(path: str) -> int:
    frame = pl.read_parquet(path)
    report = check_marks(frame)
    return frame.height - report.n_failing_rows


def task_pandera(path: str) -> int:
    frame = pl.read_parquet(path)
    MarkRecords.validate(frame, lazy=True)
    return frame.height


def task_read_typed(path: str) -> int:
    return read_marks(path).n_valid


# ---------------------------------------------------------------- driver


def _typed(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(
        pl.col("urn").cast(pl.UInt32),
        pl.col("upn").hash(seed=7).alias("pupil_key"),
        pl.col("date").str.to_date("%Y-%m-%d"),
        pl.col("session").cast(SESSION_DTYPE),
        pl.col("code").cast(CODE_DTYPE),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.validate")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--no-peers", action="store_true", help="skip DuckDB and pandas"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="makingdata-bench-") as tmp:
        d = Path(tmp)
        frame = marks_frame(args.rows, seed=args.seed)
        csv, parquet, typed = (
            d / "marks.csv",
            d / "marks.parquet",
            d / "marks_typed.parquet",
        )
        frame.write_csv(csv)
        frame.write_parquet(parquet)
        _typed(frame).write_parquet(typed)
        n = frame.height
        del frame
        sizes = {p.name: p.stat().st_size for p in (csv, parquet, typed)}
        print(
            f"marks export: {n:,} rows; "
            + ", ".join(f"{k} {v / 2**20:.0f} MiB" for k, v in sizes.items())
        )
        plan = [
            ("read_marks", task_read_marks, csv),
            ("floor", task_floor, csv),
            ("duckdb", task_duckdb, csv),
            ("pandas", task_pandas, csv),
            ("read_marks", task_read_marks, parquet),
            ("floor", task_floor, parquet),
            ("duckdb", task_duckdb, parquet),
            ("pandas", task_pandas, parquet),
            ("read_marks", task_read_typed, typed),
            ("check_marks", task_check_marks, typed),
            ("pandera", task_pandera, typed),
        ]
        if args.no_peers:
            plan = [p for p in plan if p[0] not in {"duckdb", "pandas"}]
        rows = []
        for name, fn, path in plan:
            valid, seconds, peak = run_isolated(fn, str(path))
            rows.append((name, path.name, valid, seconds, peak))
            print(
                f"  {name:<11} {path.name:<20} {seconds:7.2f} s  {n / seconds:>12,.0f} rows/s  peak {gib(peak)}",
                flush=True,
            )
    floors = {f: s for name, f, _, s, _ in rows if name == "floor"}
    floors["marks_typed.parquet"] = next(
        s for name, _, _, s, _ in rows if name == "check_marks"
    )
    print()
    print(
        f"{'task':<11} {'file':<20} {'valid rows':>12} {'seconds':>8} {'rows/s':>12} {'peak RSS':>10} {'x floor':>8}"
    )
    for name, file, valid, seconds, peak in rows:
        ratio = seconds / floors[file]
        print(
            f"{name:<11} {file:<20} {valid:>12,} {seconds:>8.2f} {n / seconds:>12,.0f} {gib(peak):>10} {ratio:>8.2f}"
        )
    counts = {valid for _, _, valid, _, _ in rows}
    if counts != {n}:
        print(
            f"MISMATCH: tasks disagree on the number of valid rows: {sorted(counts)}",
            file=sys.stderr,
        )
        return 1
    print(
        "\n(x floor: CSV and Parquet rows against the plain polars query on the same file;"
    )
    print(" typed rows against check_marks. Each task ran in its own process.)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
