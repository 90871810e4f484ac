"""Persistent and severe absence pupil counts are protected pupil counts (partner, public)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl
import pytest

from makingdata.disclosure import audit, protect, protected_columns, rule_set

if TYPE_CHECKING:
    from pathlib import Path

PA = ("enrolments_pa_10_exact", "enrolments_pa_50_exact")


@pytest.mark.parametrize("audience", ["partner", "public"])
def test_pa_and_sa_counts_are_thresholded(audience: str) -> None:
    rs = rule_set(audience)
    for c in (*PA, "t_pupils_pa_10_exact", "t_pupils_pa_50_exact"):
        assert c in rs.threshold_columns
    assert protected_columns(rs, ["sess_possible", "enrolments", *PA]) == [
        "enrolments",
        *PA,
    ]


@pytest.mark.parametrize("audience", ["school", "trust", "la", "dfe"])
def test_trusted_audiences_have_no_threshold(audience: str) -> None:
    assert rule_set(audience).threshold_columns == ()


def test_a_small_pa_count_is_suppressed_with_its_complement() -> None:
    df = pl.DataFrame(
        {
            "geographic_level": ["Local authority"] * 3,
            "new_la_code": ["E06000001"] * 3,
            "fsm_status": ["Total", "FSM eligible", "Not known to be FSM eligible"],
            "num_schools": [30] * 3,
            "enrolments": [500, 120, 380],
            "enrolments_pa_10_exact": [90, 3, 87],
            "enrolments_pa_50_exact": [10, 0, 10],
        }
    )
    p = protect(df, "public")
    ees = p.to_ees()
    assert ees["enrolments_pa_10_exact"][1] == "c"
    # the complement too, or 90 - 87 would give the 3 away
    assert ees["enrolments_pa_10_exact"][2] == "c"
    for c in ("enrolments", *PA):
        assert not ees[c].is_in([str(v) for v in range(1, 6)]).any()


def test_dfe_suppresses_pa_and_sa_counts_in_its_own_absence_file(
    real_data_dir: Path,
) -> None:
    """DfE's CIN absence file: PA/SA pupil counts are never 1..5, and some are 'c'."""
    t = pl.read_csv(real_data_dir / "absence_la.csv", infer_schema=False)
    for c in ("t_pupils_pa_10_exact", "t_pupils_pa_50_exact"):
        col = t[c]
        assert (col == "c").sum() > 0, c
        numbers = col.filter(~col.is_in(["c", "x", "z", "low"])).cast(pl.Int64)
        assert numbers.filter((numbers > 0) & (numbers < 6)).is_empty(), c
        assert (numbers == 0).any(), c  # zero is published


def test_each_column_needs_a_width_from_its_own_value() -> None:
    """A persistent-absentee cell of 1 needs a width of 6, not 10% of its enrolments.

    Hiding B next to A leaves A's persistent absentees in [0, 7] and its
    severe absentees in [0, 6] (wide enough) and its enrolments in [0, 150];
    held to 10% of A's 100 pupils, the absentee cells would need a width of 10
    and C (dearer: 100 pupils) would be hidden instead.
    """
    df = pl.DataFrame(
        {
            "geographic_level": ["Local authority"] * 4,
            "new_la_code": ["E06000001"] * 4,
            "fsm_status": ["Total", "A", "B", "C"],
            "num_schools": [30] * 4,
            "enrolments": [250, 100, 50, 100],
            "enrolments_pa_10_exact": [57, 1, 6, 50],
            "enrolments_pa_50_exact": [16, 0, 6, 10],
        }
    )
    p = protect(df, "public")
    assert p.status["disclosure_status"].to_list() == [
        "published",
        "primary",
        "secondary",
        "published",
    ]
    report = audit(p, exact=True)
    assert report.ok
    cell = report.cells.filter(
        (pl.col("column") == "enrolments_pa_10_exact") & pl.col("sensitive")
    )
    assert cell.select("lo", "hi").row(0) == (0.0, 7.0)
