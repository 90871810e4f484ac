"""Audit DfE's own published files: what can be derived about their 'c' cells?

Relations are declared only where the published figures show they hold (each
test checks that first on the cells that are all published), so a finding is
a consequence of DfE's own arithmetic, not of an assumption.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from makingdata.disclosure import Nesting, TableSpec, audit

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.real_data
pytest.importorskip("scipy")

YTD_SESSIONS = (
    "possible_sessions",
    "present_sessions",
    "overall_absence",
    "authorised_absence",
    "unauthorised_absence",
)
ABSENCE_COUNTS = (
    "t_pupils",
    "t_sess_possible",
    "t_sess_overall",
    "t_sess_authorised",
    "t_sess_unauthorised",
    "t_pupils_pa_10_exact",
    "t_pupils_pa_50_exact",
)
# Only the regional relation can be checked (regional figures = LA sums rounded
# to 10, on every fully published cell); no national figure has all its LAs
# published, so the national relation is not assumed.
LA_NESTINGS = (Nesting("Regional", "Local authority", ("region_code",)),)


def _num(col: str) -> pl.Expr:
    return pl.col(col).cast(pl.Float64, strict=False)


def _ytd(real_data_dir: Path) -> pl.DataFrame:
    return pl.read_csv(real_data_dir / "EES_ytd_data.csv", infer_schema=False)


def test_ytd_single_school_las_are_recoverable_from_regional_totals(
    real_data_dir: Path,
) -> None:
    df = _ytd(real_data_dir)
    suppressed = df.filter(pl.col("possible_sessions") == "c")
    assert suppressed["num_schools"].unique().to_list() == [
        "1"
    ]  # DfE's single-school rule
    regions = suppressed["region_code"].unique().to_list()
    sub = df.filter(
        pl.col("geographic_level").is_in(["Regional", "Local authority"])
        & pl.col("region_code").is_in(regions)
    )
    la = sub.filter(pl.col("geographic_level") == "Local authority")
    # Evidence: in these regions, every (region, phase, column) whose LAs are all
    # published is exactly the sum of its LAs, and every LA Total is the sum of its phases.
    for col in YTD_SESSIONS:
        sums = la.group_by("region_code", "education_phase").agg(
            s=_num(col).sum(), unknown=_num(col).is_null().sum()
        )
        check = (
            sub.filter(pl.col("geographic_level") == "Regional")
            .select("region_code", "education_phase", r=_num(col))
            .join(sums, on=["region_code", "education_phase"])
            .filter(pl.col("unknown") == 0)
        )
        assert check.height > 0
        assert (check["r"] == check["s"]).all(), col
    spec = TableSpec(
        counts=YTD_SESSIONS,
        filters=("education_phase",),
        nestings=(LA_NESTINGS[0],),
        time=("time_period",),
    )
    report = audit(sub, spec=spec)
    c_cells = report.cells.filter(pl.col("symbol") == "c")
    assert c_cells.height == suppressed.height * len(YTD_SESSIONS)
    assert set(c_cells["finding"]) == {"exact"}
    # Independently: a phase cell is the regional figure minus the other LAs.
    phase = c_cells.filter(pl.col("education_phase") != "Total")
    for row in phase.iter_rows(named=True):
        others = la.filter(
            (pl.col("region_code") == row["region_code"])
            & (pl.col("education_phase") == row["education_phase"])
            & (pl.col("new_la_code") != row["new_la_code"])
        )[row["column"]]
        region = sub.filter(
            (pl.col("geographic_level") == "Regional")
            & (pl.col("region_code") == row["region_code"])
            & (pl.col("education_phase") == row["education_phase"])
        )[row["column"]]
        expected = float(region[0]) - others.cast(pl.Float64).sum()
        assert row["lo"] == row["hi"] == expected


def test_ytd_enrolments_are_protected_by_non_response_estimates(
    real_data_dir: Path,
) -> None:
    df = _ytd(real_data_dir)
    la = df.filter(pl.col("geographic_level") == "Local authority")
    sums = la.group_by("region_code", "education_phase").agg(
        s=_num("enrolments").sum(), unknown=_num("enrolments").is_null().sum()
    )
    gap = (
        df.filter(pl.col("geographic_level") == "Regional")
        .select("region_code", "education_phase", r=_num("enrolments"))
        .join(sums, on=["region_code", "education_phase"])
        .filter(pl.col("unknown") == 0)
        .select(((pl.col("r") - pl.col("s")).abs() / pl.col("r")).max())
        .item()
    )
    assert gap > 0  # regional enrolments are not sums of LAs: they include estimates
    spec = TableSpec(
        counts=("enrolments",),
        filters=("education_phase",),
        nestings=(
            Nesting("Regional", "Local authority", ("region_code",), tolerance=gap),
        ),
        time=("time_period",),
    )
    sub = df.filter(pl.col("geographic_level").is_in(["Regional", "Local authority"]))
    report = audit(sub, spec=spec, protection=6, exact=True)
    c_cells = report.cells.filter(pl.col("symbol") == "c")
    assert c_cells.height == 4
    assert set(c_cells["finding"]) == {"protected"}
    assert c_cells["width"].min() > 1000
    # by default the audit stops at an inner part of each interval, wide enough
    quick = audit(sub, spec=spec, protection=6).cells.filter(pl.col("symbol") == "c")
    assert set(quick["finding"]) == {"protected"}
    assert (quick["width"] >= 6).all()
    assert not quick["exact_interval"].any()


def _absence(real_data_dir: Path) -> pl.DataFrame:
    return pl.read_csv(real_data_dir / "absence_la.csv", infer_schema=False)


def _absence_spec(counts: tuple[str, ...]) -> TableSpec:
    return TableSpec(
        counts=counts,
        filters=("social_care_group", "phase_type_grouping"),
        nestings=LA_NESTINGS,
        rounded_levels=(("Regional", 10),),
    )


def test_absence_la_relations_hold(real_data_dir: Path) -> None:
    df = _absence(real_data_dir)
    la = df.filter(pl.col("geographic_level") == "Local authority")
    keys = ["time_period", "social_care_group", "region_code"]
    for col in ("t_pupils", "t_sess_possible"):
        sums = la.group_by([*keys, "phase_type_grouping"]).agg(
            s=_num(col).sum(), unknown=_num(col).is_null().sum()
        )
        check = (
            df.filter(pl.col("geographic_level") == "Regional")
            .select(*keys, "phase_type_grouping", r=_num(col))
            .join(sums, on=[*keys, "phase_type_grouping"])
            .filter((pl.col("unknown") == 0) & pl.col("r").is_not_null())
        )
        rounded = ((check["s"] + 5) / 10).floor() * 10  # half-up to 10
        assert check.height > 300
        assert (check["r"] == rounded).all()
        assert not (check["r"] == check["s"]).all()  # rounding, not plain sums


def test_absence_la_small_count_recovered_through_rounded_regions(
    real_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    df = _absence(real_data_dir).filter(
        (pl.col("time_period") == "202021")
        & (pl.col("social_care_group") == "CINO at 31 March")
    )
    spec = _absence_spec(("t_pupils",))
    report = audit(df, spec=spec)
    exact = report.cells.filter(pl.col("finding") == "exact")
    assert exact.height > 0
    assert (exact["lo"] > 0).all()
    # among them, counts of 1 to 5 pupils: what the suppression was for
    assert exact.filter(pl.col("lo") < 6).height > 0
    # The same bounds from the other LP path (scipy.optimize.linprog).
    from makingdata.disclosure import _solver

    exact_hs = audit(df, spec=spec, exact=True)
    assert_frame_equal(
        exact_hs.cells.select("row", "finding"), report.cells.select("row", "finding")
    )
    monkeypatch.setattr(_solver, "_highspy", lambda: None)
    again = audit(df, spec=spec, exact=True)
    assert_frame_equal(
        again.cells.select("row", "lo", "hi", "finding"),
        exact_hs.cells.select("row", "lo", "hi", "finding"),
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "counts"),
    [
        ("absence_la.csv", ABSENCE_COUNTS),
        (
            "ks2_la.csv",
            tuple(
                f"t_{s}_{k}"
                for s in ("read", "writta", "mat", "rwm", "gps", "scita")
                for k in ("eligible_pupils", "met_expected_standard")
            ),
        ),
    ],
)
def test_full_file_audit(
    real_data_dir: Path, name: str, counts: tuple[str, ...]
) -> None:
    df = pl.read_csv(real_data_dir / name, infer_schema=False)
    filters = tuple(
        c for c in ("social_care_group", "phase_type_grouping") if c in df.columns
    )
    spec = TableSpec(
        counts=counts,
        filters=filters,
        nestings=LA_NESTINGS,
        rounded_levels=(("Regional", 10),),
    )
    report = audit(df, spec=spec)
    cells = report.cells
    assert cells.filter(pl.col("symbol") == "c").height == sum(
        int((df[c] == "c").sum()) for c in counts
    )
    assert not (cells["finding"] == "inconsistent").any()
    assert (cells["lo"] <= cells["hi"]).all()


def test_legacy_x_in_the_four_year_olds_file_is_audited_as_suppression(
    real_data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # before 2020 DfE wrote x for suppressed cells: read as "not available",
    # nothing is sensitive; read as suppression, hundreds of cells come back
    from makingdata.cli import main

    source = real_data_dir / "absence_for_four_year_olds.csv"
    base = [
        "audit-table", str(source), "--filters", "school_type",
        "--counts", "enrolments,sess_possible,sess_overall",
    ]  # fmt: skip
    main(base)
    plain = capsys.readouterr().out
    assert "(0 sensitive)" in plain
    # without --rounded, DfE's regional rounding reads as inconsistent sums
    assert "inconsistent: 6" in plain
    out = tmp_path / "cells.csv"
    legacy = ["--legacy-x", "--rounded", "region=5,national=5", "--out", str(out)]
    assert main([*base, *legacy]) == 1  # findings
    cells = pl.read_csv(out)
    exact = cells.filter(pl.col("finding").str.starts_with("exact"))
    by_level = dict(exact.group_by("geographic_level").len().iter_rows())
    assert by_level == {"School": 708, "Local authority": 15}
    small = exact.filter(
        (pl.col("column") == "enrolments") & pl.col("lo").is_between(1, 5)
    )
    assert small.height == 241  # pupil counts of 1 to 5, recovered exactly
    assert (exact["lo"] == exact["hi"]).all()
