"""Benchmark: protect and audit a national school-level table; compare with ACRO.

Run ``python -m benchmarks.disclosure [--schools N] [--acro-python PATH]``.

The table is made by a seeded generator (153 LAs in 9 regions, schools with a
phase, enrolments split by FSM status) with the EES shape: one row per
school × FSM status (with ``Total``), LA, region and England rows × phase ×
FSM status. ``enrolments`` is the pupil count the threshold rule applies to.

ACRO (the ``acro`` package on PyPI) needs pandas <= 2.3.3; when it cannot be
imported here, pass ``--acro-python`` pointing at a Python that has acro,
polars and makingdata installed: the ACRO side then runs in that interpreter
on the same table (written to a temporary parquet file).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time

import numpy as np
import polars as pl

from makingdata.disclosure import (
    DropIdentifiers,
    Nesting,
    RuleSet,
    TableSpec,
    audit,
    protect,
    rule_set,
)

PHASES = ("Primary", "Secondary", "Special")
FSM = ("FSM eligible", "Not known to be FSM eligible")
SPEC = TableSpec(
    counts=("enrolments", "sess_possible", "sess_overall"),
    filters=("education_phase", "fsm_status"),
    nestings=(
        Nesting("National", "Regional", ("country_code",)),
        Nesting("Regional", "Local authority", ("region_code",)),
        Nesting("Local authority", "School", ("new_la_code",)),
    ),
)


def school_rules() -> RuleSet:
    """Public rules without dropping school rows: so schools are protected too."""
    base = rule_set("public")
    return RuleSet(
        "public",
        tuple(r for r in base.rules if not isinstance(r, DropIdentifiers)),
        "public rules, school rows kept (benchmark)",
    )


def national_table(
    schools: int = 21_500, las: int = 153, regions: int = 9, seed: int = 7
) -> pl.DataFrame:
    """A seeded EES-shaped school-level table with LA, region and England rows."""
    rng = np.random.default_rng(seed)
    la_region = np.sort(rng.integers(0, regions, las))
    la_of = rng.integers(0, las, schools)
    phase = rng.choice(3, schools, p=[0.78, 0.16, 0.06])
    size = (
        np.where(
            phase == 0,
            rng.gamma(4, 70, schools),
            np.where(phase == 1, rng.gamma(6, 160, schools), rng.gamma(3, 40, schools)),
        ).astype(np.int64)
        + 5
    )
    fsm_share = rng.beta(2.2, 7, schools)
    fsm = rng.binomial(size, fsm_share)
    possible_per = rng.normal(300, 10, schools).clip(250, 330)
    absence_rate = rng.beta(2, 28, schools)
    school = pl.DataFrame(
        {
            "school_urn": np.arange(100000, 100000 + schools).astype(str),
            "la": la_of,
            "phase": phase,
            "fsm": fsm,
            "notfsm": size - fsm,
            "pp": possible_per,
            "ar": absence_rate,
        }
    )
    long = (
        school.unpivot(
            index=["school_urn", "la", "phase", "pp", "ar"],
            on=["fsm", "notfsm"],
            variable_name="f",
            value_name="enrolments",
        )
        .with_columns(
            fsm_status=pl.when(pl.col("f") == "fsm")
            .then(pl.lit(FSM[0]))
            .otherwise(pl.lit(FSM[1])),
            education_phase=pl.col("phase").replace_strict(
                dict(enumerate(PHASES)), return_dtype=pl.String
            ),
            sess_possible=(pl.col("enrolments") * pl.col("pp")).round().cast(pl.Int64),
        )
        .with_columns(
            sess_overall=(
                pl.col("sess_possible")
                * pl.col("ar")
                * pl.when(pl.col("f") == "fsm").then(1.8).otherwise(1.0)
            )
            .round()
            .cast(pl.Int64)
        )
    )
    la_codes = pl.DataFrame(
        {
            "la": np.arange(las),
            "new_la_code": [f"E{6000000 + i:08d}" for i in range(las)],
            "region_code": [f"E{12000001 + int(r):08d}" for r in la_region],
        }
    )
    base = long.join(la_codes, on="la").select(
        pl.lit("School").alias("geographic_level"),
        pl.lit("E92000001").alias("country_code"),
        "region_code",
        "new_la_code",
        "school_urn",
        "education_phase",
        "fsm_status",
        pl.lit(1).alias("num_schools"),
        pl.col("enrolments").cast(pl.Int64),
        "sess_possible",
        "sess_overall",
    )
    school_rows = pl.concat(
        [
            base,
            base.group_by(
                [
                    "geographic_level",
                    "country_code",
                    "region_code",
                    "new_la_code",
                    "school_urn",
                    "education_phase",
                ]
            )
            .agg(
                pl.lit("Total").alias("fsm_status"),
                pl.lit(1).alias("num_schools"),
                pl.col("enrolments", "sess_possible", "sess_overall").sum(),
            )
            .with_columns(
                pl.col("fsm_status").list.first()
                if False
                else pl.lit("Total").alias("fsm_status"),
                pl.lit(1).alias("num_schools"),
            ),
        ],
        how="diagonal_relaxed",
    )

    def level(frame: pl.DataFrame, name: str, keep: list[str]) -> pl.DataFrame:
        parts = []
        for by_phase in (True, False):
            g = frame.filter(pl.col("geographic_level") == "School")
            keys = [*keep, "fsm_status"] + (["education_phase"] if by_phase else [])
            agg = g.group_by(keys).agg(
                pl.col("school_urn").n_unique().alias("num_schools"),
                pl.col("enrolments", "sess_possible", "sess_overall").sum(),
            )
            if not by_phase:
                agg = agg.with_columns(pl.lit("Total").alias("education_phase"))
            parts.append(agg)
        return pl.concat(parts, how="diagonal_relaxed").with_columns(
            pl.lit(name).alias("geographic_level")
        )

    out = pl.concat(
        [
            school_rows,
            level(
                school_rows,
                "Local authority",
                ["country_code", "region_code", "new_la_code"],
            ),
            level(school_rows, "Regional", ["country_code", "region_code"]),
            level(school_rows, "National", ["country_code"]),
        ],
        how="diagonal_relaxed",
    )
    return out.select(
        pl.lit(202526).alias("time_period"),
        pl.lit("Academic year").alias("time_identifier"),
        "geographic_level",
        "country_code",
        "region_code",
        "new_la_code",
        "school_urn",
        "education_phase",
        "fsm_status",
        pl.col("num_schools").cast(pl.Int64),
        "enrolments",
        "sess_possible",
        "sess_overall",
    ).sort(
        "geographic_level", "new_la_code", "school_urn", "education_phase", "fsm_status"
    )


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_ours(table: pl.DataFrame) -> dict[str, object]:
    t0 = time.perf_counter()
    p = protect(table, "public", spec=SPEC, rules=school_rules())
    t1 = time.perf_counter()
    rep = audit(p, columns=["enrolments"])
    t2 = time.perf_counter()
    return {
        "rows": table.height,
        "protect_s": round(t1 - t0, 2),
        "audit_s": round(t2 - t1, 2),
        "rows_per_s": round(table.height / (t1 - t0)),
        "primary_rows": p.report.rows_primary,
        "secondary_rows": p.report.rows_secondary,
        "enrolments_suppressed": p.report.value_suppressed["enrolments"],
        "solver": p.report.status,
        "milps": p.report.milps,
        "lps_protect": p.report.lps,
        "audit_flagged": rep.flagged.height,
        "audit_cells": rep.cells.height,
    }


def _acro_side(path: str) -> dict[str, object]:
    """Run ACRO's crosstab with suppression on a school × FSM table (one LA)."""
    import acro  # noqa: F401  (imported for its version)
    import pandas as pd
    from acro import ACRO

    micro = pl.read_parquet(path)
    df = micro.to_pandas()
    session = ACRO(suppress=True)
    t0 = time.perf_counter()
    table = session.crosstab(
        df["school_urn"],
        df["fsm_status"],
        values=df["enrolments"],
        aggfunc="sum",
        margins=True,
    )
    seconds = time.perf_counter() - t0
    n_nan = int(pd.isna(table).sum().sum())
    return {
        "acro_s": round(seconds, 3),
        "acro_cells_suppressed": n_nan,
        "table": table.reset_index().astype(str).to_dict(orient="list"),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--schools", type=int, default=21_500)
    ap.add_argument("--acro-python", default=None)
    args = ap.parse_args()
    t0 = time.perf_counter()
    table = national_table(args.schools)
    print(
        f"generated {table.height:,} rows in {time.perf_counter() - t0:.1f}s",
        file=sys.stderr,
    )
    ours = run_ours(table)
    print(json.dumps(ours, indent=1))
    print(f"peak RSS {_rss_mib():.0f} MiB (shared 2-core machine: timings indicative)")


if __name__ == "__main__":
    main()
