"""DfE's ks2_la.csv re-derived: every percentage from its counts, every region and England from its LAs.

The file (KS2 attainment of children in need, by LA and social care group,
2018/19 to 2024/25) publishes counts ``t_<subject>_eligible_pupils`` and
``t_<subject>_met_expected_standard`` and the percentage
``pt_<subject>_met_expected_standard``. Three checks, each with 0 mismatches:

1. an LA's percentage is its two counts' ratio, rounded half-up to a whole
   number;
2. a region's and England's counts are the sums of their LAs rounded to the
   nearest 10 (London: Inner and Outer London's LAs), and their percentages
   the ratio of the exact sums, rounded before the counts are
   (``rollup(..., rounding={"region": 10, "national": 10})``); compared where
   every LA of the area is published (a suppressed LA makes the sum ``x``);
3. where a region's published percentage differs from the ratio of its own
   rounded counts, exact counts within the rounding give it — the difference
   is the rounding, nothing else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl
import pytest

from makingdata.attainment import round_whole
from makingdata.attendance import rollup
from makingdata.tables import TableSpec

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.real_data

SUBJECTS = ("read", "writta", "mat", "rwm", "gps", "scita")
KEY = ["time_period", "geographic_level", "region_code", "social_care_group"]


@pytest.fixture(scope="module")
def ks2(real_data_dir: Path) -> pl.DataFrame:
    return pl.read_csv(real_data_dir / "ks2_la.csv", infer_schema=False)


def _num(c: str) -> pl.Expr:
    return pl.col(c).cast(pl.Int64, strict=False)


def _pt(n: pl.Expr, d: pl.Expr) -> pl.Expr:
    return round_whole(n.cast(pl.Float64) / d.cast(pl.Float64) * 100)


def test_the_spec_places_every_ks2_percentage_over_its_eligible_pupils(
    ks2: pl.DataFrame,
) -> None:
    spec = TableSpec.infer(ks2)
    rates = {r.column: (r.numerator, r.denominator) for r in spec.rates}
    assert rates == {
        f"pt_{s}_met_expected_standard": (
            f"t_{s}_met_expected_standard",
            f"t_{s}_eligible_pupils",
        )
        for s in SUBJECTS
    }
    assert spec.levels == ("National", "Regional", "Local authority")


def test_every_la_percentage_is_its_counts_ratio_rounded_half_up(
    ks2: pl.DataFrame,
) -> None:
    la = ks2.filter(pl.col("geographic_level") == "Local authority")
    compared = 0
    for s in SUBJECTS:
        n = _num(f"t_{s}_met_expected_standard")
        d = _num(f"t_{s}_eligible_pupils")
        p = pl.col(f"pt_{s}_met_expected_standard").cast(pl.Float64, strict=False)
        rows = la.filter(n.is_not_null() & (d > 0) & p.is_not_null())
        bad = rows.filter(_pt(n, d) != p)
        assert bad.is_empty(), bad.select(KEY, f"pt_{s}_met_expected_standard")
        # a published percentage never stands without its counts
        assert la.filter(p.is_not_null() & (n.is_null() | d.is_null())).is_empty()
        compared += rows.height
    assert compared == 9599


def _rolled(ks2: pl.DataFrame) -> pl.DataFrame:
    la = ks2.filter(pl.col("geographic_level") == "Local authority")
    # London (E12000007) is Inner and Outer London's LAs together
    london = la.filter(pl.col("region_code").str.starts_with("E13")).with_columns(
        region_code=pl.lit("E12000007"), region_name=pl.lit("London")
    )
    common = {"keep": ["social_care_group"], "from_level": "la", "decimals": 0}
    nat = rollup(la, levels="national", rounding={"national": 10}, **common)
    reg = rollup(
        pl.concat([la, london]), levels="region", rounding={"region": 10}, **common
    )
    assert [r.column for r in reg.spec.rates] == [
        f"pt_{s}_met_expected_standard" for s in SUBJECTS
    ]
    return pl.concat(
        [nat.collect().frame, reg.collect().frame], how="diagonal_relaxed"
    ).with_columns(pl.col("region_code").fill_null(""))


def test_regions_and_england_are_their_las_rounded_to_10(ks2: pl.DataFrame) -> None:
    pub = ks2.filter(pl.col("geographic_level") != "Local authority").with_columns(
        pl.col("region_code").fill_null("")
    )
    both = pub.join(_rolled(ks2), on=KEY, how="left", suffix="_ours", validate="1:1")
    assert both.height == pub.height == 252
    compared: dict[str, int] = {}
    for s in SUBJECTS:
        for c in (
            f"t_{s}_eligible_pupils",
            f"t_{s}_met_expected_standard",
            f"pt_{s}_met_expected_standard",
        ):
            theirs = pl.col(c).cast(pl.Float64, strict=False)
            ours = pl.col(f"{c}_ours").cast(pl.Float64, strict=False)
            rows = both.filter(theirs.is_not_null() & ours.is_not_null())
            bad = rows.filter(theirs != ours)
            assert bad.is_empty(), bad.select(*KEY, c, f"{c}_ours")
            # a number of ours is never a symbol of theirs
            assert both.filter(theirs.is_null() & ours.is_not_null()).is_empty()
            compared[c] = rows.height
    assert sum(compared.values()) == 837
    assert compared["t_read_eligible_pupils"] == 78


def test_a_regional_percentage_off_its_rounded_counts_is_explained_by_the_rounding(
    ks2: pl.DataFrame,
) -> None:
    pub = ks2.filter(pl.col("geographic_level") != "Local authority")
    off = explained = 0
    for s in SUBJECTS:
        n = _num(f"t_{s}_met_expected_standard")
        d = _num(f"t_{s}_eligible_pupils")
        p = pl.col(f"pt_{s}_met_expected_standard").cast(pl.Float64, strict=False)
        rows = pub.filter(
            n.is_not_null() & (d > 0) & p.is_not_null() & (_pt(n, d) != p)
        )
        for big_n, big_d, pt in rows.select(n, d, p).rows():
            off += 1
            # the exact sums round to the published counts: within -5..+4
            window = [
                (a, b)
                for a in range(max(big_n - 5, 0), big_n + 5)
                for b in range(max(big_d - 5, 1), big_d + 5)
                if a <= b
            ]
            frame = pl.DataFrame(window, schema=["a", "b"], orient="row")
            hits = frame.select((_pt(pl.col("a"), pl.col("b")) == pt).any()).item()
            explained += bool(hits)
    assert off == 552
    assert explained == off
