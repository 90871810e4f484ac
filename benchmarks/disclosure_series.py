"""Benchmark: a term of weekly year-to-date releases, protected alone, as a series, and with ``fixed=``.

Run ``python -m benchmarks.disclosure_series [--weeks N] [--las N] [--seed N]``.

Each week DfE-style year-to-date LA × FSM tables are released (LA, region and
England rows; ``Total``, FSM eligible, not known to be FSM eligible). Last week's
published table subtracted from this week's gives the pupils added in between:
an increment of 1 to 5 pupils is as sensitive as a cell of 1 to 5. The term is
protected three ways, on the same data:

(a) **alone**: each week ``protect(week, "public")``;
(b) **series**: ``protect(week, "public", previous=[every earlier release])``,
    the earlier releases as published (EES text read back, ``c`` unknown);
(c) **fixed**: last week's true table stacked under this week's with
    ``cumulative="week"`` and last week's release passed as ``fixed=``
    (the path before ``previous=``; it sees only the week before).

For each it prints the share of cells published (pupil-count cells of weeks
2..N: suppression is by row), the increments of 1–5 pupils recoverable by
plain subtraction of two published releases (any earlier week, either pupil
count), the increments and cells the LP audit flags
(:func:`~makingdata.disclosure.differencing` of each earlier release with this
week's), and the median seconds per week.

The data come from a seeded pupil-level count process (numpy, not
``makingdata.synth`` and the attendance kernels: the kernels would take minutes
for a term of daily marks, and the disclosure question needs only the weekly
counts). Each LA has a roll (``--rolls national``: 2,000 to 120,000 pupils, log-uniform, as England's
LAs; ``--rolls small``: 300 to 9,000, a stress case; in both, one LA in 15 is a
single small school, as the City of London and the Isles of Scilly), an FSM
share, pupils with their own absence propensity who miss sessions week by week
(10 a week), and joiners each week (0.2% of the roll on average, about 8% a
year: small LAs gain 1–5 pupils a week). Counts per week are year
to date: ``enrolments`` (pupils on roll at any time so far), possible and
absent sessions, and ``enrolments_pa_10_exact`` (pupils whose absence so far is
at least 10%).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np
import polars as pl

from makingdata.disclosure import (
    Nesting,
    ProtectedTable,
    TableSpec,
    differencing,
    protect,
    protected_columns,
    rule_set,
)

FSM = ("FSM eligible", "Not known to be FSM eligible")
COUNTS = ("enrolments", "enrolments_pa_10_exact", "sess_possible", "sess_overall")
SPEC = TableSpec(
    counts=COUNTS,
    filters=("fsm_status",),
    time=("time_period", "time_identifier"),
    nestings=(
        Nesting("National", "Regional", ("country_code",)),
        Nesting("Regional", "Local authority", ("region_code",)),
    ),
)
#: The same table with the week as its year-to-date order (for the audit and ``fixed=``).
WEEKLY = TableSpec(
    counts=COUNTS,
    filters=("fsm_status",),
    time=("time_period", "time_identifier"),
    nestings=SPEC.nestings,
    cumulative="week",
)


#: LA rolls (pupils), log-uniform between these: England's LAs, and a stress case of small ones.
ROLLS = {"national": (2_000, 120_000), "small": (300, 9_000)}
#: Joiners a week, as a share of the roll (in-year admissions, about 8% of pupils a year).
JOINERS = 0.002


def term(
    weeks: int = 13,
    las: int = 30,
    regions: int = 5,
    seed: int = 1,
    rolls_between: tuple[int, int] = ROLLS["national"],
) -> list[pl.DataFrame]:
    """Return one year-to-date LA × FSM table per week (LA, region, England rows)."""
    rng = np.random.default_rng(seed)
    low, high = rolls_between
    rolls = np.round(np.exp(rng.uniform(np.log(low), np.log(high), las))).astype(int)
    # a City of London and an Isles of Scilly: one small school each
    tiny = rng.choice(las, size=max(1, las // 15), replace=False)
    rolls[tiny] = rng.integers(150, 400, tiny.size)
    schools = np.maximum(1, rolls // 260)
    schools[tiny] = 1
    fsm_share = rng.uniform(0.12, 0.35, las)
    region = np.arange(las) % regions
    # pupils: LA, FSM flag, absence propensity, first week on roll
    la_of: list[np.ndarray] = []
    fsm_of: list[np.ndarray] = []
    start: list[np.ndarray] = []
    for i, roll in enumerate(rolls):
        joiners = rng.poisson(JOINERS * roll, weeks)
        joiners[0] = 0
        total = roll + joiners.sum()
        la_of.append(np.full(total, i))
        fsm_of.append(rng.random(total) < fsm_share[i])
        start.append(
            np.concatenate([np.zeros(roll, int), np.repeat(np.arange(weeks), joiners)])
        )
    la = np.concatenate(la_of)
    fsm = np.concatenate(fsm_of)
    first = np.concatenate(start)
    q = rng.beta(1.2, 18.0, la.size) * np.where(fsm, 1.6, 1.0)
    absent = np.zeros(la.size)
    possible = np.zeros(la.size)
    out = []
    for w in range(weeks):
        on = first <= w
        possible += np.where(on, 10, 0)
        absent += np.where(on, rng.binomial(10, np.minimum(q, 0.95)), 0)
        pa = on & (absent >= 0.1 * np.maximum(possible, 1))
        pupils = pl.DataFrame(
            {
                "la": la,
                "fsm": np.where(fsm, FSM[0], FSM[1]),
                "on": on.astype(np.int64),
                "pa": pa.astype(np.int64),
                "possible": possible.astype(np.int64),
                "absent": absent.astype(np.int64),
            }
        )
        by = (
            pupils.group_by("la", "fsm")
            .agg(
                enrolments=pl.col("on").sum(),
                enrolments_pa_10_exact=pl.col("pa").sum(),
                sess_possible=pl.col("possible").sum(),
                sess_overall=pl.col("absent").sum(),
            )
            .with_columns(
                region_code=pl.col("la").replace_strict(
                    dict(enumerate(f"E1200000{r + 1}" for r in region)),
                    return_dtype=pl.String,
                ),
                new_la_code=pl.format("E0{}", pl.col("la") + 6000001),
                num_schools=pl.col("la").replace_strict(
                    dict(enumerate(schools.tolist())), return_dtype=pl.Int64
                ),
            )
        )
        counts = list(COUNTS)
        la_rows = pl.concat(
            [
                by.rename({"fsm": "fsm_status"}),
                by.group_by("la", "region_code", "new_la_code", "num_schools")
                .agg(pl.col(c).sum() for c in counts)
                .with_columns(fsm_status=pl.lit("Total")),
            ],
            how="diagonal",
        ).with_columns(geographic_level=pl.lit("Local authority"))
        reg = (
            la_rows.group_by("region_code", "fsm_status")
            .agg([*(pl.col(c).sum() for c in counts), pl.col("num_schools").sum()])
            .with_columns(
                geographic_level=pl.lit("Regional"), new_la_code=pl.lit(None, pl.String)
            )
        )
        nat = (
            la_rows.group_by("fsm_status")
            .agg([*(pl.col(c).sum() for c in counts), pl.col("num_schools").sum()])
            .with_columns(
                geographic_level=pl.lit("National"),
                region_code=pl.lit(None, pl.String),
                new_la_code=pl.lit(None, pl.String),
            )
        )
        table = (
            pl.concat([nat, reg, la_rows.drop("la")], how="diagonal")
            .with_columns(
                time_period=pl.lit(202425, pl.Int64),
                time_identifier=pl.lit(f"Week {w + 1}"),
                country_code=pl.lit("E92000001"),
            )
            .select(
                "time_period",
                "time_identifier",
                "geographic_level",
                "country_code",
                "region_code",
                "new_la_code",
                "fsm_status",
                "num_schools",
                *counts,
            )
            .sort(
                "geographic_level",
                "region_code",
                "new_la_code",
                "fsm_status",
                nulls_last=False,
            )
        )
        out.append(table)
    return out


KEYS = ("geographic_level", "region_code", "new_la_code", "fsm_status")
#: The pupil counts the public rules protect (sessions are not protected quantities).
PUPILS = protected_columns(rule_set("public"), list(COUNTS))


def _published(p: ProtectedTable) -> pl.DataFrame:
    """The EES text of a release, as a reader of the file has it."""
    return p.to_ees()


def subtraction(releases: list[pl.DataFrame], columns: list[str]) -> int:
    """Increments of 1–5 given away by subtracting two published releases (any pair of weeks)."""
    found = 0
    for w in range(1, len(releases)):
        for p in range(w):
            both = releases[w].join(
                releases[p], on=list(KEYS), nulls_equal=True, suffix="_before"
            )
            for c in columns:
                now = both[c].cast(pl.Int64, strict=False)
                before = both[f"{c}_before"].cast(pl.Int64, strict=False)
                found += int(
                    ((now - before).is_between(1, 5)).fill_null(value=False).sum()
                )
    return found


def lp_audit(releases: list[pl.DataFrame]) -> tuple[int, int]:
    """Increments and other cells the LP audit flags, for every earlier release with each week.

    The releases are read as files (every ``c`` is sensitive) and linked as a
    series (:func:`~makingdata.disclosure.differencing` with ``series=True``),
    over the pupil counts.
    """
    increments = cells = 0
    for w in range(1, len(releases)):
        for p in range(w):
            flagged = differencing(
                releases[p], releases[w], spec=SPEC, series=True, columns=PUPILS
            ).flagged
            inc = int((flagged["symbol"] == "increment").sum())
            increments += inc
            cells += flagged.height - inc
    return increments, cells


def run(weeks: list[pl.DataFrame], method: str) -> dict[str, float]:
    """Protect a term one way; return its figures."""
    releases: list[pl.DataFrame] = []
    protected: list[ProtectedTable] = []
    seconds: list[float] = []
    published = total = 0
    for w, table in enumerate(weeks, start=1):
        started = time.perf_counter()
        if method == "alone" or w == 1:
            p = protect(table, "public", spec=SPEC)
        elif method == "series":
            p = protect(table, "public", spec=SPEC, previous=releases.copy())
        else:
            both = pl.concat(
                [
                    weeks[w - 2].with_columns(week=pl.lit(w - 1, pl.Int64)),
                    table.with_columns(week=pl.lit(w, pl.Int64)),
                ]
            )
            last = protected[-1].table.with_columns(
                week=pl.lit(w - 1, pl.Int64),
                disclosure_status=protected[-1].status["disclosure_status"],
            )
            pair = protect(both, "public", spec=WEEKLY, fixed=last)
            now = pair.status["disclosure_status"].to_numpy()[table.height :]
            pair_table = pair.table[table.height :].drop("week")
            # this week's rows of the pair, as a release of their own
            p = ProtectedTable(
                table=pair_table,
                status=pair.status[table.height :],
                audience=pair.audience,
                rules=pair.rules,
                spec=SPEC,
                report=pair.report,
                low=pair.low,
            )
            assert (now == p.status["disclosure_status"].to_numpy()).all()
        seconds.append(time.perf_counter() - started)
        protected.append(p)
        releases.append(_published(p))
        if w > 1:
            published += int((p.status["disclosure_status"] == "published").sum())
            total += p.status.height
    by_sub = subtraction(releases, PUPILS)
    lp_inc, lp_cells = lp_audit(releases)
    return {
        "share": published / max(total, 1),
        "subtraction": by_sub,
        "lp_increments": lp_inc,
        "lp_cells": lp_cells,
        "median_s": statistics.median(seconds),
    }


def true_increments(weeks: list[pl.DataFrame], columns: list[str]) -> int:
    """Increments of 1–5 between consecutive weeks in the true tables."""
    found = 0
    for w in range(1, len(weeks)):
        both = weeks[w].join(
            weeks[w - 1], on=list(KEYS), nulls_equal=True, suffix="_before"
        )
        for c in columns:
            found += int((both[c] - both[f"{c}_before"]).is_between(1, 5).sum())
    return found


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=int, default=6)
    parser.add_argument("--las", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rolls", choices=sorted(ROLLS), default="national")
    parser.add_argument("--methods", default="alone,series,fixed")
    args = parser.parse_args(argv)
    weeks = term(args.weeks, args.las, seed=args.seed, rolls_between=ROLLS[args.rolls])
    cols = protected_columns(rule_set("public"), list(COUNTS))
    print(
        f"{args.weeks} weekly LA × FSM year-to-date releases, {args.las} LAs "
        f"({args.rolls} rolls), "
        f"{weeks[0].height} rows a week; {true_increments(weeks, cols)} true "
        f"increments of 1–5 pupils between consecutive weeks ({', '.join(cols)})"
    )
    print(
        f"{'method':<8} {'published':>10} {'by subtraction':>15} "
        f"{'LP increments':>14} {'LP other cells':>15} {'median s/week':>14}"
    )
    for method in args.methods.split(","):
        r = run(weeks, method)
        print(
            f"{method:<8} {r['share']:>10.1%} {r['subtraction']:>15} "
            f"{r['lp_increments']:>14} {r['lp_cells']:>15} {r['median_s']:>14.2f}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
