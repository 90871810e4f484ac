"""Benchmark: protect and audit a national school-level table; compare with ACRO.

Run ``python -m benchmarks.disclosure [--schools N] [--with-pa] [--acro-python PATH]``.

The table is made by a seeded generator (153 LAs in 9 regions, ~21,500 schools
with a phase, enrolments split by FSM status and SEN provision) with the EES
shape: one row per school × FSM × SEN (each with ``Total``), and LA, region and
England rows × phase × FSM × SEN. Two tables are released from it together, as
DfE would: by FSM status and by SEN provision (they share every total), and
are protected together. ``enrolments`` is the pupil count the threshold rule
applies to; ``--with-pa`` adds the persistently and severely absent pupils
(``enrolments_pa_10_exact``, ``enrolments_pa_50_exact``), protected pupil counts
of the public rule set too; with them most School rows are sensitive (the national
table takes minutes rather than seconds). ``--las``/``--regions`` with ``--schools``
make a slice of the country at its density. (``makingdata.synth`` generates pupil-level data;
this benchmark needs only the aggregate table, so it makes one directly.)

ACRO (the ``acro`` package on PyPI) needs pandas <= 2.3.3; when it cannot be
imported here, pass ``--acro-python`` pointing at a Python that has acro,
polars and makingdata installed: the ACRO side then runs in that interpreter
on the same table (written to a temporary parquet file).
"""

from __future__ import annotations

import argparse
import itertools
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import attrs
import numpy as np
import polars as pl

from makingdata.disclosure import (
    DropIdentifiers,
    MinimumUnits,
    Nesting,
    RuleSet,
    TableSpec,
    Threshold,
    audit,
    protect,
    protect_tables,
    protected_columns,
    rule_set,
)

PHASES = ("Primary", "Secondary", "Special")
FSM = ("FSM eligible", "Not known to be FSM eligible")
SEN = ("Education, health and care plan", "SEN support", "No SEN provision")
COUNTS = (
    "enrolments",
    "sess_possible",
    "sess_overall",
    "enrolments_pa_10_exact",
    "enrolments_pa_50_exact",
)
PA_COUNTS = ("enrolments_pa_10_exact", "enrolments_pa_50_exact")
SPEC = TableSpec(
    counts=COUNTS,
    filters=("education_phase", "fsm_status", "sen_provision"),
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


def _with_totals(
    frame: pl.DataFrame, keys: list[str], filters: list[str]
) -> pl.DataFrame:
    """Add a ``Total`` category to every filter (all combinations), summing the counts."""
    parts = []
    for mask in itertools.product((False, True), repeat=len(filters)):
        totalled = [f for f, t in zip(filters, mask, strict=True) if t]
        kept = [f for f in filters if f not in totalled]
        g = frame.group_by([*keys, *kept]).agg(
            pl.col("school_urn").n_unique().alias("num_schools")
            if "school_urn" not in keys
            else pl.lit(1).alias("num_schools"),
            pl.col(*COUNTS).sum(),
        )
        parts.append(g.with_columns([pl.lit("Total").alias(f) for f in totalled]))
    return pl.concat(parts, how="diagonal_relaxed")


def national_table(
    schools: int = 21_500, las: int = 153, regions: int = 9, seed: int = 7
) -> pl.DataFrame:
    """A seeded EES-shaped table: schools, LAs, regions, England × phase × FSM × SEN."""
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
    fsm = rng.binomial(size, rng.beta(2.2, 7, schools))
    sen_fsm = rng.multinomial(fsm, [0.07, 0.22, 0.71])
    sen_not = rng.multinomial(size - fsm, [0.03, 0.11, 0.86])
    possible_per = rng.normal(300, 10, schools).clip(250, 330)
    absence_rate = rng.beta(2, 28, schools)
    # share of pupils missing >= 10% (persistent) and, of those, >= 50% (severe)
    pa_share = rng.beta(2.5, 14, schools)
    frames = []
    for f_label, sen in ((FSM[0], sen_fsm), (FSM[1], sen_not)):
        for k, s_label in enumerate(SEN):
            frames.append(
                pl.DataFrame(
                    {
                        "school_urn": np.arange(100000, 100000 + schools).astype(str),
                        "la": la_of,
                        "education_phase": np.asarray(PHASES)[phase],
                        "fsm_status": f_label,
                        "sen_provision": s_label,
                        "enrolments": sen[:, k].astype(np.int64),
                        "pp": possible_per,
                        "ar": absence_rate * (1.8 if f_label == FSM[0] else 1.0),
                        "pa": (pa_share * (1.8 if f_label == FSM[0] else 1.0)).clip(
                            0, 1
                        ),
                    }
                )
            )
    la_codes = pl.DataFrame(
        {
            "la": np.arange(las),
            "new_la_code": [f"E{6000000 + i:08d}" for i in range(las)],
            "region_code": [f"E{12000001 + int(r):08d}" for r in la_region],
        }
    )
    leaves = (
        pl.concat(frames)
        .with_columns(
            sess_possible=(pl.col("enrolments") * pl.col("pp")).round().cast(pl.Int64)
        )
        .with_columns(
            sess_overall=(pl.col("sess_possible") * pl.col("ar"))
            .round()
            .cast(pl.Int64),
            country_code=pl.lit("E92000001"),
        )
        .join(la_codes, on="la")
        .drop("la", "pp", "ar")
    )
    pa = rng.binomial(leaves["enrolments"].to_numpy(), leaves["pa"].to_numpy())
    leaves = leaves.drop("pa").with_columns(
        enrolments_pa_10_exact=pl.Series(pa, dtype=pl.Int64),
        enrolments_pa_50_exact=pl.Series(rng.binomial(pa, 0.1), dtype=pl.Int64),
    )
    geo = ["country_code", "region_code", "new_la_code", "school_urn"]
    school_rows = _with_totals(
        leaves, [*geo, "education_phase"], ["fsm_status", "sen_provision"]
    ).with_columns(geographic_level=pl.lit("School"))
    filters = ["education_phase", "fsm_status", "sen_provision"]
    levels = [
        ("Local authority", geo[:3]),
        ("Regional", geo[:2]),
        ("National", geo[:1]),
    ]
    out = pl.concat(
        [
            school_rows,
            *(
                _with_totals(leaves, keys, filters).with_columns(
                    geographic_level=pl.lit(name)
                )
                for name, keys in levels
            ),
        ],
        how="diagonal_relaxed",
    )
    return out.select(
        pl.lit(202526).alias("time_period"),
        pl.lit("Academic year").alias("time_identifier"),
        "geographic_level",
        *geo,
        *filters,
        pl.col("num_schools").cast(pl.Int64),
        *COUNTS,
    ).sort("geographic_level", "new_la_code", "school_urn", *filters)


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def release(table: pl.DataFrame) -> list[pl.DataFrame]:
    """The two tables released together: by FSM status and by SEN provision."""
    fsm = table.filter(pl.col("sen_provision") == "Total").drop("sen_provision")
    sen = table.filter(pl.col("fsm_status") == "Total").drop("fsm_status")
    return [fsm, sen]


def run_ours(table: pl.DataFrame) -> dict[str, object]:
    tables = release(table)
    counts = tuple(c for c in COUNTS if c in table.columns)
    spec = attrs.evolve(SPEC, counts=counts)
    rules = school_rules()
    guarded = protected_columns(rules, counts)
    t0 = time.perf_counter()
    protected = protect_tables(tables, "public", spec=spec, rules=rules)
    t1 = time.perf_counter()
    rep = audit(protected, columns=guarded)
    t2 = time.perf_counter()
    report = protected[0].report
    rows = sum(t.height for t in tables)
    return {
        "protected_columns": guarded,
        "rows": rows,
        "protect_s": round(t1 - t0, 2),
        "audit_s": round(t2 - t1, 2),
        "rows_per_s": round(rows / (t1 - t0)),
        "primary_rows": report.rows_primary,
        "secondary_rows": report.rows_secondary,
        "enrolments_suppressed": report.value_suppressed["enrolments"],
        "enrolments_secondary": report.value_secondary["enrolments"],
        "pa_suppressed": report.value_suppressed.get("enrolments_pa_10_exact"),
        "solver": report.status,
        "milps": report.milps,
        "lps_protect": report.lps,
        "audit_flagged": rep.flagged.height,
        "audit_cells": rep.cells.height,
        "audit_lps": rep.lps,
    }


ACRO_SCRIPT = """
import importlib.metadata, json, sys, time
import acro
import polars as pl
from acro import ACRO

micro = pl.read_parquet(sys.argv[1]).to_pandas()
session = ACRO(suppress=True)
t0 = time.perf_counter()
table = session.crosstab(micro["school_urn"], micro["fsm_status"], margins=True)
seconds = time.perf_counter() - t0
long = table.reset_index().melt(id_vars="school_urn", var_name="fsm_status", value_name="n")
long = long.astype({"school_urn": str, "fsm_status": str})
pl.from_pandas(long).write_parquet(sys.argv[2])
print("ACRO-RESULT " + json.dumps({"acro_s": seconds, "acro_version": importlib.metadata.version("acro")}))
"""


def acro_comparison(
    table: pl.DataFrame, acro_python: str, region: str | None = None
) -> dict[str, object]:
    """Protect one region's school × FSM table with ACRO and with makingdata; audit both.

    Both see the same pupils: ACRO gets one record per pupil (it tabulates
    microdata), makingdata the table of counts. ACRO's default rules are a
    threshold of 10 with zeros disclosive and no secondary suppression; ours
    are set to the same threshold (zeros stay publishable).
    """
    schools = table.filter(
        (pl.col("geographic_level") == "School")
        & (pl.col("fsm_status") != "Total")
        & (pl.col("sen_provision") == "Total")
    )
    region = region or schools["region_code"].min()
    schools = schools.filter(pl.col("region_code") == region)
    micro = schools.select(
        pl.col("school_urn").repeat_by("enrolments"),
        pl.col("fsm_status").repeat_by("enrolments"),
    ).explode(["school_urn", "fsm_status"])
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "micro.parquet", Path(tmp) / "acro.parquet"
        micro.write_parquet(src)
        t0 = time.perf_counter()
        done = subprocess.run(
            [acro_python, "-c", ACRO_SCRIPT, str(src), str(dst)],
            capture_output=True,
            text=True,
            check=False,
        )
        wall = time.perf_counter() - t0
        if done.returncode != 0:
            return {"acro_error": done.stderr.strip().splitlines()[-1:]}
        meta = json.loads(done.stdout.split("ACRO-RESULT ")[-1])
        acro_long = pl.read_parquet(dst)
    spec = TableSpec(
        counts=("n",),
        filters=("fsm_status",),
        nestings=(Nesting("Region", "School", ("region_code",)),),
        time=(),
    )

    def shape(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.select(
            pl.when(pl.col("school_urn") == "All")
            .then(pl.lit("Region"))
            .otherwise(pl.lit("School"))
            .alias("geographic_level"),
            pl.lit(region).alias("region_code"),
            pl.when(pl.col("school_urn") == "All")
            .then(None)
            .otherwise(pl.col("school_urn"))
            .alias("school_urn"),
            pl.when(pl.col("fsm_status") == "All")
            .then(pl.lit("Total"))
            .otherwise(pl.col("fsm_status"))
            .alias("fsm_status"),
            "n",
        )

    acro_table = shape(acro_long)
    acro_audit = audit(acro_table, spec=spec, protection=10)
    # makingdata on the same counts, threshold 10 like ACRO
    t1 = time.perf_counter()
    counts = micro.group_by("school_urn", "fsm_status").agg(
        pl.len().cast(pl.Int64).alias("n")
    )
    full = pl.concat(
        [
            counts,
            counts.group_by("school_urn").agg(
                pl.lit("All").alias("fsm_status"), pl.col("n").sum()
            ),
            counts.group_by("fsm_status").agg(
                pl.lit("All").alias("school_urn"), pl.col("n").sum()
            ),
            counts.select(
                pl.lit("All").alias("school_urn"),
                pl.lit("All").alias("fsm_status"),
                pl.col("n").sum(),
            ),
        ],
        how="diagonal_relaxed",
    )
    ours_in = shape(full.select("school_urn", "fsm_status", "n")).with_columns(
        num_schools=pl.lit(2)
    )
    base = school_rules()
    rules = RuleSet(
        "public",
        tuple(
            attrs.evolve(r, columns=("n",), minimum=10)
            if isinstance(r, Threshold)
            else r
            for r in base.rules
            if not isinstance(r, MinimumUnits)
        ),
        "threshold 10, as ACRO's default",
    )
    p = protect(ours_in, "public", spec=spec, rules=rules)
    ours_s = time.perf_counter() - t1
    ours_audit = audit(p, protection=10)
    acro_supp = int(acro_table["n"].is_null().sum())
    # ACRO recomputes its margins without the suppressed cells, so its own table
    # is consistent with every hidden cell being 0. Published next to the true
    # totals (any other release of the same counts: rolls, the FSM table's totals),
    # each hidden cell is the true total minus the published cells.
    truth = ours_in.select(
        "geographic_level", "school_urn", "fsm_status", pl.col("n").alias("true_n")
    )
    margins = (pl.col("fsm_status") == "Total") | (
        pl.col("geographic_level") == "Region"
    )
    acro_margins_off = int(
        acro_table.join(
            truth, on=["geographic_level", "school_urn", "fsm_status"], nulls_equal=True
        )
        .filter(margins & (pl.col("n") != pl.col("true_n")))
        .height
    )
    with_true_totals = (
        acro_table.join(
            truth, on=["geographic_level", "school_urn", "fsm_status"], nulls_equal=True
        )
        .with_columns(n=pl.when(margins).then(pl.col("true_n")).otherwise(pl.col("n")))
        .drop("true_n")
    )
    acro_true_audit = audit(with_true_totals, spec=spec, protection=10)
    return {
        "region": region,
        "pupil_records": micro.height,
        "table_cells": acro_table.height,
        "acro_version": meta["acro_version"],
        "acro_crosstab_s": round(meta["acro_s"], 2),
        "acro_subprocess_wall_s": round(wall, 2),
        "acro_cells_suppressed": acro_supp,
        "acro_audit_flagged": acro_audit.flagged.height,
        "acro_audit_findings": dict(
            acro_audit.cells.group_by("finding").len().iter_rows()
        ),
        "acro_margins_not_true_totals": acro_margins_off,
        "acro_with_true_totals_findings": dict(
            acro_true_audit.cells.group_by("finding").len().iter_rows()
        ),
        "ours_protect_s": round(ours_s, 2),
        "acro_time_over_ours": round(meta["acro_s"] / ours_s, 1),
        "ours_cells_suppressed": p.report.rows_primary + p.report.rows_secondary,
        "ours_primary": p.report.rows_primary,
        "ours_audit_flagged": ours_audit.flagged.height,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--schools", type=int, default=21_500)
    ap.add_argument(
        "--las",
        type=int,
        default=153,
        help="local authorities (with --schools: a slice of the country at its density)",
    )
    ap.add_argument("--regions", type=int, default=9)
    ap.add_argument("--acro-python", default=None)
    ap.add_argument(
        "--with-pa",
        action="store_true",
        help="add persistent/severe absentee counts (most School rows become sensitive)",
    )
    args = ap.parse_args()
    t0 = time.perf_counter()
    table = national_table(args.schools, las=args.las, regions=args.regions)
    if not args.with_pa:
        table = table.drop(*PA_COUNTS)
    print(
        f"generated {table.height:,} rows in {time.perf_counter() - t0:.1f}s",
        file=sys.stderr,
    )
    ours = run_ours(table)
    print(json.dumps(ours, indent=1))
    if args.acro_python:
        print(json.dumps(acro_comparison(table, args.acro_python), indent=1))
    else:
        try:
            import acro  # noqa: F401
        except ImportError as exc:
            print(
                f"ACRO not importable here ({exc}); pass --acro-python (ACRO needs pandas<=2.3.3)"
            )
    print(f"peak RSS {_rss_mib():.0f} MiB (shared 2-core machine: timings indicative)")


if __name__ == "__main__":
    main()
