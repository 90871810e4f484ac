"""Reference implementation: the KS2 attainment report a county scrutiny panel reads.

What an LA's performance team prepares for its members' scrutiny panel, here on
synthetic data so it runs anywhere. The panel (a county council's "Pupil
Attainment at KS2: Update Report") asked for:

1. the county against England, and whether it is improving faster than England
   (the trend over the years given);
2. the gaps for disadvantaged pupils (against all other pupils in England, as
   DfE defines the gap) and for pupils with SEN;
3. a breakdown by district council area;
4. 3-tier areas (first, middle and high schools) against 2-tier areas;
5. academies beside maintained schools;
6. how many schools were just short of the national figure.

The steps are those of a real system: the LA's pupils' results are read back
and validated from a file (``makingdata.io.read_ks2_results``); England's
figures stand in for DfE's published national file (here built from a
synthetic national sample, as an LA never holds England's pupils); every table
is protected for the public before it is compared (``makingdata.disclosure``):
a suppressed cell gives a suppressed gap (``c``), never a number that would
give it away. School rows never leave: the public report says how many
schools were just short of national, not which.

Each year is a separate synthetic data set (``makingdata.synth`` makes one
academic year at a time, a new set of schools each year); the LA and England
rows follow from one year to the next, schools do not. Nothing here predicts
or targets a result.

Run it::

    python examples/ks2_scrutiny/report.py --la 885 --out ks2-report

It writes CSV tables (EES-shaped text, with the GSS symbols ``c``, ``x``,
``z``) and ``summary.md`` into the folder.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from makingdata import io, synth
from makingdata.attainment import (
    ACADEMY,
    MAINTAINED,
    THREE_TIER,
    TWO_TIER,
    gap_to_group,
    gap_to_national,
    ks2_table,
    near_national,
    trend,
)
from makingdata.disclosure import protect

if TYPE_CHECKING:
    from makingdata.tables import Table

AUDIENCE = "public"
#: The headline measures: % meeting the expected standard.
MEASURES = [
    "pt_rwm_met_expected_standard",
    "pt_read_met_expected_standard",
    "pt_writta_met_expected_standard",
    "pt_mat_met_expected_standard",
]
RWM = MEASURES[0]
#: "Just short of national": within this many percentage points below England.
NEAR = 5.0


def _years(text: str) -> list[int]:
    """``2022,2023,2024``: the calendar years the academic years start in."""
    return sorted(int(y) for y in text.split(","))


def _generate(
    la: str, start_year: int, *, scale: float, national_scale: float, seed: int
) -> tuple[synth.SynthData, synth.SynthData]:
    """Return (the LA's data set, England's sample) for one academic year."""
    day = dt.date(start_year, 9, 9)
    local = synth.generate(scale=scale, start=day, end=day, seed=seed, la=la)
    england = synth.generate(scale=national_scale, start=day, end=day, seed=seed)
    return local, england


def _expected_only(table: Table) -> Table:
    """Keep the expected standard of the headline subjects: the measures the panel reads.

    The public rules suppress a whole row when any of its pupil counts is 1 to
    5; the higher standard of a small group (pupils with an EHC plan) is such
    a count, and would hide the group's expected standard with it.
    """
    frame = table.data()
    measures = [
        c
        for m in MEASURES
        for c in (
            m.replace("pt_", "t_").replace(
                "_met_expected_standard", "_eligible_pupils"
            ),
            m.replace("pt_", "t_"),
            m,
        )
    ]
    keep = [c for c in frame.columns if not c.startswith(("t_", "pt_", "avg_"))]
    return table.with_frame(frame.select(*keep, *measures))


def _published(
    local: list[tuple[pl.DataFrame, pl.DataFrame]],
    england: list[tuple[pl.DataFrame, pl.DataFrame]],
    *,
    levels: list[str],
    by: list[str],
) -> pl.DataFrame:
    """Return the LA's rows and England's rows of every year, each protected for the public.

    The LA's table and England's are protected separately (England's stands
    in for DfE's own published file), then put side by side as EES text.
    """
    parts = []
    for (results, schools), (nat_results, nat_schools) in zip(
        local, england, strict=True
    ):
        mine = _expected_only(
            ks2_table(results, schools, levels=levels, by=by).collect()
        )
        nat = _expected_only(
            ks2_table(nat_results, nat_schools, levels="national", by=by).collect()
        )
        parts.append(protect(mine, AUDIENCE).to_ees())
        parts.append(protect(nat, AUDIENCE).to_ees())
    return pl.concat(parts, how="diagonal")


def _md_table(frame: pl.DataFrame, columns: list[str], names: list[str]) -> str:
    """A small Markdown table of ``columns`` (text as published)."""
    lines = ["| " + " | ".join(names) + " |", "|" + "---|" * len(names)]
    lines.extend(
        "| " + " | ".join("" if v is None else str(v) for v in row) + " |"
        for row in frame.select(columns).iter_rows()
    )
    return "\n".join(lines)


def _write(frame: pl.DataFrame, out: Path, name: str) -> pl.DataFrame:
    frame.write_csv(out / f"{name}.csv")
    return frame


def main(argv: list[str] | None = None) -> int:  # noqa: PLR0915 - a step per table
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--la", default="885", help="the LA (old code or GSS)")
    parser.add_argument(
        "--years",
        type=_years,
        default=[2022, 2023, 2024],
        help="calendar years the academic years start in, e.g. 2022,2023,2024",
    )
    parser.add_argument("--out", type=Path, default=Path("ks2-report"))
    parser.add_argument(
        "--scale", type=float, default=1.0, help="share of the LA's schools"
    )
    parser.add_argument(
        "--national-scale", type=float, default=0.03, help="share of England's schools"
    )
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    # 1. each year's results, read back and validated as a real file would be
    local: list[tuple[pl.DataFrame, pl.DataFrame]] = []
    england: list[tuple[pl.DataFrame, pl.DataFrame]] = []
    for i, year in enumerate(args.years):
        mine, nat = _generate(
            args.la,
            year,
            scale=args.scale,
            national_scale=args.national_scale,
            seed=args.seed + i,
        )
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "ks2_results.parquet"
            mine.ks2_results.write_parquet(path)
            read = io.read_ks2_results(path)
        print(
            f"{year}/{(year + 1) % 100:02d}: {read.n_read:,} pupils read, "
            f"{read.rejects.height:,} rejected, {mine.schools.height} schools"
        )
        local.append((read.valid, mine.schools))
        england.append((nat.ks2_results, nat.schools))
    latest = [local[-1]], [england[-1]]
    la_name = local[-1][1]["la_name"][0]

    # 2. the county against England, and the trend
    overall = _published(local, england, levels=["la"], by=[])
    _write(overall, out, "la_and_england")
    gaps = gap_to_national(overall, columns=MEASURES, filters=[]).collect().frame
    _write(gaps, out, "la_gap_to_england")
    moving = trend(overall, columns=[RWM], filters=[]).collect().frame
    _write(moving, out, "la_trend")

    # 3. disadvantaged pupils: DfE's gap, against England's other pupils
    disadv = _published(local, england, levels=["la"], by=["disadvantage_status"])
    _write(disadv, out, "disadvantage")
    disadv_gap = gap_to_group(disadv, columns=MEASURES).collect().frame
    _write(disadv_gap, out, "disadvantage_gap")

    # 4. SEN: each group against the same group in England (latest year)
    sen = _published(*latest, levels=["la"], by=["sen_provision"])
    sen_gap = gap_to_national(sen, columns=MEASURES).collect().frame
    _write(sen_gap, out, "sen_gap_to_england")

    # pupils with SEN in each district: small groups, suppressed where they are
    sen_districts = _published(*latest, levels=["district", "la"], by=["sen_provision"])
    _write(sen_districts, out, "sen_districts")

    # 5. districts (latest year)
    districts = _published(*latest, levels=["district", "la"], by=[])
    _write(districts, out, "districts")
    district_gap = (
        gap_to_national(districts, columns=MEASURES, filters=[]).collect().frame
    )
    _write(district_gap, out, "districts_gap_to_england")

    # 6. 3-tier against 2-tier areas, over the years
    tiers = _published(local, england, levels=["la"], by=["area_tier"])
    _write(tiers, out, "area_tier")
    tier_trend = trend(tiers, columns=[RWM]).collect().frame
    _write(tier_trend, out, "area_tier_trend")
    tier_gap = (
        gap_to_group(
            tiers.filter(pl.col("geographic_level") == "Local authority"),
            by="area_tier",
            group=THREE_TIER,
            comparison=TWO_TIER,
            against="same",
            columns=[RWM],
        )
        .collect()
        .frame
    )
    _write(tier_gap, out, "area_tier_gap")

    # 7. academies beside maintained schools (latest year)
    types = _published(*latest, levels=["la"], by=["school_type"])
    _write(types, out, "school_type")
    type_gap = (
        gap_to_group(
            types.filter(pl.col("geographic_level") == "Local authority"),
            by="school_type",
            group=ACADEMY,
            comparison=MAINTAINED,
            against="same",
            columns=MEASURES,
        )
        .collect()
        .frame
    )
    _write(type_gap, out, "school_type_gap")

    # 8. schools just short of England: a count, never a list, in a public report
    (results, schools), (nat_results, nat_schools) = local[-1], england[-1]
    school_rows = (
        ks2_table(results, schools, levels=["school", "district"]).collect().frame
    )
    nat_row = ks2_table(nat_results, nat_schools, levels="national").collect().frame
    # England's published figure: the national row as protected for the public
    nat_public = protect(
        ks2_table(nat_results, nat_schools, levels="national").collect(), AUDIENCE
    ).to_ees()
    england_rwm = float(nat_public[RWM][0])
    near = (
        near_national(
            pl.concat([school_rows, nat_row], how="diagonal_relaxed"),
            column=RWM,
            points=NEAR,
        )
        .collect()
        .frame
    )
    near_by_district = (
        school_rows.filter(pl.col("geographic_level") == "School")
        .group_by("lad_name")
        .agg(pl.len().alias("schools_with_results"))
        .join(
            near.group_by("lad_name").agg(pl.len().alias("schools_just_short")),
            on="lad_name",
            how="left",
        )
        .with_columns(pl.col("schools_just_short").fill_null(0))
        .sort("lad_name")
    )
    _write(near_by_district, out, "schools_just_short")

    # 9. the summary the panel reads
    la_rows = gaps.filter(pl.col("geographic_level") == "Local authority")
    year_of = moving.filter(pl.col("geographic_level") == "Local authority")
    md = [
        f"# KS2 attainment in {la_name}: report to the scrutiny panel",
        "",
        "Synthetic data (makingdata.synth); every figure protected for the public "
        "(`c`: suppressed to protect small groups, `x`: not available, `z`: not "
        "applicable). Percentages are of eligible pupils, whole numbers, as DfE "
        "publishes them; gaps are in percentage points (negative: below).",
        "",
        f"## {la_name} against England",
        "",
        _md_table(
            la_rows,
            ["time_period", RWM, f"{RWM}_national", f"{RWM}_gap_national"],
            ["year", "% RWM expected", "England", "gap"],
        ),
        "",
        "### The trend: improving faster than England?",
        "",
        _md_table(
            year_of,
            [
                "time_period",
                "previous_period",
                f"{RWM}_change",
                f"{RWM}_change_national",
                f"{RWM}_change_against_national",
            ],
            ["year", "since", "change", "England's change", "against England's"],
        ),
        "",
        "## Disadvantaged pupils",
        "",
        "DfE's gap: the county's disadvantaged pupils against all other pupils in England.",
        "",
        _md_table(
            disadv_gap,
            [
                "time_period",
                "geographic_level",
                RWM,
                f"{RWM}_comparison",
                f"{RWM}_gap_comparison",
            ],
            ["year", "level", "% RWM expected", "other pupils, England", "gap"],
        ),
        "",
        "## Pupils with SEN",
        "",
        _md_table(
            sen_gap.filter(pl.col("geographic_level") == "Local authority"),
            ["sen_provision", RWM, f"{RWM}_national", f"{RWM}_gap_national"],
            ["SEN provision", "% RWM expected", "England", "gap"],
        ),
        "",
        "## Districts",
        "",
        _md_table(
            district_gap.filter(
                pl.col("geographic_level") == "Local authority district"
            ),
            ["lad_name", RWM, f"{RWM}_gap_national"],
            ["district", "% RWM expected", "gap to England"],
        ),
        "",
        "## 3-tier and 2-tier areas",
        "",
        "makingdata's definition: a district with a middle school is a 3-tier area "
        "(DfE publishes no such breakdown).",
        "",
        _md_table(
            tier_trend.filter(pl.col("geographic_level") == "Local authority"),
            ["time_period", "area_tier", RWM, f"{RWM}_change"],
            ["year", "area", "% RWM expected", "change"],
        ),
        "",
        _md_table(
            tier_gap,
            ["time_period", RWM, f"{RWM}_comparison", f"{RWM}_gap_comparison"],
            ["year", "3-tier", "2-tier", "3-tier minus 2-tier"],
        ),
        "",
        "## Academies and maintained schools",
        "",
        _md_table(
            type_gap,
            [RWM, f"{RWM}_comparison", f"{RWM}_gap_comparison"],
            ["academies", "maintained", "academies minus maintained"],
        ),
        "",
        "## Schools just short of England",
        "",
        f"{near.height} schools were within {NEAR:g} points below England's "
        f"{england_rwm:g}% (reading, writing and maths combined); the list goes to "
        "the LA's school improvement team, not into a public report.",
        "",
        _md_table(
            near_by_district,
            ["lad_name", "schools_with_results", "schools_just_short"],
            ["district", "schools with results", "just short of England"],
        ),
        "",
    ]
    (out / "summary.md").write_text("\n".join(md), encoding="utf-8")
    print(f"wrote {len(list(out.glob('*.csv')))} tables and summary.md to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
