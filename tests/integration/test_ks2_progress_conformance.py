"""DfE's progress scores in ks2_la.csv: the confidence intervals re-derived from their components.

The file publishes, for reading, writing and maths, ``t_<s>_progress_eligible_pupils``
(n), ``t_<s>_progress_score`` (the sum of the pupils' scores), the average
``avg_<s>_progress_score`` and its 95% confidence limits
``avg_<s>_progress_score_lower_CI`` / ``_upper_CI``. It does not publish the
national standard deviation the limits use. The checks:

1. one standard deviation per subject and year explains the limits of every
   LA (the set of values consistent with each LA's published limits has a
   common point; it could be empty, and is not);
2. with that value, :func:`progress_interval` re-derives every LA's average
   and both limits from the sum and n: 0 mismatches (in 2018/19 the file
   gives the sum to 2 decimal places, so a mean exactly on a half is decided
   by the sum's lost digits: either side of such a tie is accepted);
3. regions and England: their n is rounded to the nearest 10; for every one,
   some n within the rounding gives the published average and limits;
4. no progress is published in the years DfE has none
   (:data:`NO_PROGRESS_YEARS`) that the file covers.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import polars as pl
import pytest

from makingdata.attainment import NO_PROGRESS_YEARS, PROGRESS_Z, progress_interval

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.real_data

SUBJECTS = ("read", "writta", "mat")
NUM = r"^-?[0-9]+(\.[0-9]+)?$"


@pytest.fixture(scope="module")
def ks2(real_data_dir: Path) -> pl.DataFrame:
    return pl.read_csv(real_data_dir / "ks2_la.csv", infer_schema=False)


def _cols(s: str) -> dict[str, str]:
    a = f"avg_{s}_progress_score"
    return {
        "n": f"t_{s}_progress_eligible_pupils",
        "tot": f"t_{s}_progress_score",
        "avg": a,
        "lo": f"{a}_lower_CI",
        "hi": f"{a}_upper_CI",
    }


def _published(ks2: pl.DataFrame, s: str, level: str) -> pl.DataFrame:
    c = _cols(s)
    return ks2.filter(
        pl.col("geographic_level") == level,
        *(pl.col(v).str.contains(NUM) for v in c.values()),
    ).select(
        "time_period",
        "la_name",
        "region_name",
        "social_care_group",
        *(pl.col(v).cast(pl.Float64).alias(k) for k, v in c.items()),
        pl.col(c["tot"]).str.contains(r"\.[0-9]{3,}$").not_().alias("sum_rounded"),
    )


def _sd_interval(rows: pl.DataFrame) -> tuple[float, float]:
    """Return the standard deviations consistent with every row's published limits."""
    lo, hi = 0.0, math.inf
    for r in rows.iter_rows(named=True):
        mean = r["tot"] / r["n"]
        slack = 0.005 / r["n"] if r["sum_rounded"] else 0.0
        k = PROGRESS_Z / math.sqrt(r["n"])
        # round2(mean + k sd) == hi  and  round2(mean - k sd) == lo, within the sum's rounding
        lo = max(
            lo,
            (r["hi"] - 0.005 - mean - slack) / k,
            (mean - slack - r["lo"] - 0.005) / k,
        )
        hi = min(
            hi,
            (r["hi"] + 0.005 - mean + slack) / k,
            (mean + slack - r["lo"] + 0.005) / k,
        )
    return lo, hi


def _derive(rows: pl.DataFrame, sd: float, *, shift: float = 0.0) -> pl.DataFrame:
    # the sum is exact; only a region's or England's n is rounded (to 10)
    avg, lo, hi = progress_interval("tot", pl.col("n") + shift, sd)
    return rows.with_columns(avg.alias("d_avg"), lo.alias("d_lo"), hi.alias("d_hi"))


def _sds(ks2: pl.DataFrame) -> dict[tuple[str, str], float]:
    out = {}
    la = {s: _published(ks2, s, "Local authority") for s in SUBJECTS}
    for s, rows in la.items():
        for year in sorted(rows["time_period"].unique()):
            lo, hi = _sd_interval(rows.filter(pl.col("time_period") == year))
            assert lo <= hi, f"no single SD explains every LA's limits: {s} {year}"
            out[(s, year)] = (lo + hi) / 2
    return out


def test_one_national_sd_per_subject_and_year_explains_every_las_limits(
    ks2: pl.DataFrame,
) -> None:
    sds = _sds(ks2)
    # the years the file publishes progress in, for each subject
    assert {y for _, y in sds} == {"201819", "202122", "202223"}
    for sd in sds.values():
        assert (
            5 < sd < 7
        )  # the spread of pupils' progress scores, in scaled score points


def test_every_las_average_and_limits_from_the_sum_and_n(ks2: pl.DataFrame) -> None:
    sds = _sds(ks2)
    checked = 0
    for s in SUBJECTS:
        rows = _published(ks2, s, "Local authority")
        for year in sorted(rows["time_period"].unique()):
            part = rows.filter(pl.col("time_period") == year)
            sd = sds[(s, year)]
            exact = _derive(part, sd)
            # a tie on a rounded sum: the sum's lost digits decide, either side is right
            up = _derive(part.with_columns(pl.col("tot") + 0.005), sd)
            down = _derive(part.with_columns(pl.col("tot") - 0.005), sd)
            for e, u, d in zip(
                exact.iter_rows(named=True),
                up.iter_rows(named=True),
                down.iter_rows(named=True),
                strict=True,
            ):
                got = {(e["d_avg"], e["d_lo"], e["d_hi"])}
                if e["sum_rounded"]:
                    got |= {
                        (u["d_avg"], u["d_lo"], u["d_hi"]),
                        (d["d_avg"], d["d_lo"], d["d_hi"]),
                    }
                assert (e["avg"], e["lo"], e["hi"]) in got, (s, year, e["la_name"])
                checked += 1
    assert checked > 3500


def test_regions_and_england_within_the_rounding_of_their_n(ks2: pl.DataFrame) -> None:
    sds = _sds(ks2)
    checked = 0
    for level in ("Regional", "National"):
        for s in SUBJECTS:
            rows = _published(ks2, s, level)
            for year in sorted(rows["time_period"].unique()):
                part = rows.filter(pl.col("time_period") == year)
                found = pl.Series([False] * part.height)
                for shift in range(-5, 6):
                    d = _derive(part, sds[(s, year)], shift=shift)
                    hit = (
                        (d["d_avg"] == d["avg"])
                        & (d["d_lo"] == d["lo"])
                        & (d["d_hi"] == d["hi"])
                    )
                    found = found | hit
                bad = part.filter(~found)
                assert bad.height == 0, (level, s, year, bad.head(3).to_dicts())
                checked += part.height
    assert checked > 300


def test_no_progress_in_the_years_dfe_publishes_none(ks2: pl.DataFrame) -> None:
    years = {int(y) for y in ks2["time_period"].unique()}
    covered = sorted(years & set(NO_PROGRESS_YEARS))
    assert covered == [201920, 202021, 202324, 202425]
    for s in SUBJECTS:
        for c in _cols(s).values():
            numbers = ks2.filter(
                pl.col("time_period").cast(pl.Int64).is_in(covered),
                pl.col(c).str.contains(NUM),
            )
            assert numbers.height == 0, (c, numbers.head(2).to_dicts())
