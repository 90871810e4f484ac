"""write_ees: kernel tables round-trip through check_ees; no unprotected exit; symbols, not blanks."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from makingdata import attendance, disclosure, synth
from makingdata.errors import DisclosureError, ExportError
from makingdata.publish import check_ees, ees_meta, write_ees

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

START = dt.date(2025, 9, 8)
END = dt.date(2025, 9, 12)


@pytest.fixture(scope="module")
def data() -> synth.SynthData:
    return synth.generate(scale=0.01, start=START, end=END, seed=11, la=330)


def kernel_table(
    data: synth.SynthData,
    levels: Sequence[str],
    by: Sequence[str] = (),
    period: str = "ytd",
) -> pl.DataFrame:
    return attendance.attendance_table(
        data.marks(),
        data.enrolments,
        schools=data.schools,
        memberships=data.memberships,
        levels=levels,
        by=by,
        period=period,
        start=START,
        end=END,
    ).collect()


def small() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "time_period": [202526] * 3,
            "time_identifier": ["Academic year"] * 3,
            "geographic_level": ["National"] * 3,
            "country_code": ["E92000001"] * 3,
            "country_name": ["England"] * 3,
            "fsm_status": ["Total", "FSM eligible", "Not known to be FSM eligible"],
            "num_schools": [4, 4, 4],
            "enrolments": [300, 90, 210],
            "sess_possible": [3000, 900, 2100],
            "sess_overall": [150, 60, 90],
            "sess_overall_percent": [5.0, 6.7, 4.3],
        }
    )


@pytest.mark.parametrize(
    ("levels", "by", "period"),
    [
        (("la", "region", "national"), ("fsm_status",), "ytd"),
        (("national",), ("sex", "fsm_status"), "week"),
        (("school",), ("sen_provision",), "ytd"),
        (("trust",), (), "day"),
        (("la",), ("education_phase",), "half_term"),
    ],
    ids=str,
)
def test_kernel_tables_round_trip_without_errors(
    tmp_path: Path,
    data: synth.SynthData,
    levels: tuple[str, ...],
    by: tuple[str, ...],
    period: str,
) -> None:
    t = kernel_table(data, levels, by, period)
    files = write_ees(t, tmp_path / "attendance.csv", audience="dfe")
    report = check_ees(files.data)
    assert report.ok, report
    # only the API's 50-character limit on three of DfE's own reason names
    assert set(report.warnings["rule"].to_list()) <= {"col_name_length"}
    back = pl.read_csv(files.data, infer_schema_length=0)
    assert back.columns == t.columns
    assert back.height == t.height
    for col in ("enrolments", "sess_possible", "sess_overall"):
        assert back[col].cast(pl.Int64).to_list() == t[col].to_list()
    meta = pl.read_csv(files.meta, infer_schema_length=0)
    described = set(meta["col_name"].to_list())
    assert not described & {"time_period", "geographic_level", "country_code"}
    assert {"enrolments", "sess_overall_percent"} <= described
    assert set(by) <= described | {c for c in by if t[c].n_unique() < 2}


def test_public_needs_a_protected_table(tmp_path: Path) -> None:
    out = tmp_path / "fsm.csv"
    with pytest.raises(DisclosureError, match="unprotected"):
        write_ees(small(), out, audience="public")
    with pytest.raises(DisclosureError, match="unprotected"):
        write_ees(small().lazy(), out, audience="partner")
    assert not out.exists()
    assert not (tmp_path / "fsm.meta.csv").exists()


def test_a_table_protected_for_another_audience_is_refused(tmp_path: Path) -> None:
    p = disclosure.protect(small(), "partner")
    with pytest.raises(DisclosureError, match="protected for 'partner'"):
        write_ees(p, tmp_path / "fsm.csv", audience="public")


def test_protected_table_is_written_with_its_symbols_and_meta(
    tmp_path: Path, data: synth.SynthData
) -> None:
    t = kernel_table(data, ("school", "la"), ("ethnicity_major",))
    p = disclosure.protect(t, "public")
    assert p.report.rows_primary > 0
    files = write_ees(p, tmp_path / "la_fsm.csv", audience="public")
    back = pl.read_csv(files.data, infer_schema_length=0)
    expected = p.to_ees()
    assert back.height == expected.height
    assert back["enrolments"].to_list() == expected["enrolments"].to_list()
    assert "c" in back["enrolments"].to_list()
    assert "School" not in back["geographic_level"].to_list()
    assert "school_urn" not in back.columns
    meta = pl.read_csv(files.meta, infer_schema_length=0)
    derived = ees_meta(expected)
    assert_frame_equal(meta, derived, check_dtypes=False)
    assert check_ees(files.data).ok


def test_protect_on_the_way(tmp_path: Path) -> None:
    with pytest.warns(DeprecationWarning, match=r"makingdata\.publish\.publish"):
        files = write_ees(
            small(), tmp_path / "fsm.csv", audience="public", protect=True
        )
    assert files.protection is not None
    assert files.protection.audience == "public"
    back = pl.read_csv(files.data, infer_schema_length=0)
    # 90 FSM pupils are not small: nothing is suppressed, the values stay
    assert back["enrolments"].to_list() == ["300", "90", "210"]


def test_a_public_table_may_go_to_a_partner(tmp_path: Path) -> None:
    files = write_ees(
        disclosure.protect(small(), "public"), tmp_path / "fsm.csv", audience="partner"
    )
    assert files.rows == 3


def test_trusted_audiences_get_the_table_as_given(tmp_path: Path) -> None:
    t = small().with_columns(enrolments=pl.Series([300, 2, 298]))
    for audience in ("school", "trust", "la", "dfe"):
        files = write_ees(t, tmp_path / f"fsm_{audience}.csv", audience=audience)
        back = pl.read_csv(files.data, infer_schema_length=0)
        assert back["enrolments"].to_list() == ["300", "2", "298"]
        assert files.protection is None


def test_nulls_become_symbols_never_blanks(tmp_path: Path) -> None:
    t = small().with_columns(
        enrolments=pl.Series([300, None, 210]),
        sess_possible=pl.Series([3000, 0, 2100]),
        sess_overall_percent=pl.Series([5.0, None, None]),
    )
    files = write_ees(t, tmp_path / "fsm.csv", audience="dfe")
    back = pl.read_csv(files.data, infer_schema_length=0)
    assert back["enrolments"].to_list() == ["300", "x", "210"]
    # a rate whose denominator is 0 is not applicable; another null is unavailable
    assert back["sess_overall_percent"].to_list() == ["5.0", "z", "x"]
    assert back.select(pl.all().is_null().any()).row(0) == (False,) * back.width
    files = write_ees(t, tmp_path / "fsm2.csv", audience="dfe", null_symbol="c")
    back = pl.read_csv(files.data, infer_schema_length=0)
    assert back["enrolments"].to_list() == ["300", "c", "210"]


def test_week_53_is_refused_with_its_row(tmp_path: Path) -> None:
    t = small().with_columns(
        time_period=pl.lit(2026),
        time_identifier=pl.Series(["Week 52", "Week 53", "Week 52"]),
    )
    out = tmp_path / "weekly.csv"
    with pytest.raises(ExportError, match="Week 53") as err:
        write_ees(t, out, audience="dfe")
    assert (err.value.path, err.value.row, err.value.column) == (
        str(out),
        3,
        "time_identifier",
    )
    assert "week 52" in (err.value.hint or "")
    assert not out.exists()


def test_bad_file_name_is_refused(tmp_path: Path) -> None:
    for name in (
        "Attendance.csv",
        "attendance table.csv",
        "attendance.txt",
        "x.meta.csv",
    ):
        with pytest.raises(ExportError, match="not an EES data file name"):
            write_ees(small(), tmp_path / name, audience="dfe")
    assert list(tmp_path.iterdir()) == []


def test_school_rows_with_other_levels_are_refused(
    tmp_path: Path, data: synth.SynthData
) -> None:
    t = kernel_table(data, ("school", "la"))
    with pytest.raises(ExportError, match="School rows") as err:
        write_ees(t, tmp_path / "mixed.csv", audience="dfe")
    assert err.value.column == "geographic_level"
    first_school = t.with_row_index().filter(pl.col("geographic_level") == "School")
    assert err.value.row == int(first_school["index"][0]) + 2
    # each level alone is fine
    for level in ("School", "Local authority"):
        write_ees(
            t.filter(pl.col("geographic_level") == level),
            tmp_path / f"{level.lower().replace(' ', '_')}.csv",
            audience="dfe",
        )


def test_filter_without_total_is_refused(tmp_path: Path) -> None:
    t = small().filter(pl.col("fsm_status") != "Total")
    with pytest.raises(ExportError, match="no 'Total' row") as err:
        write_ees(t, tmp_path / "fsm.csv", audience="dfe")
    assert err.value.column == "fsm_status"


def test_inconsistent_geography_is_refused(tmp_path: Path) -> None:
    t = small().with_columns(
        region_code=pl.lit("E12000001"), region_name=pl.lit("North East")
    )
    with pytest.raises(
        ExportError, match="leave the columns of lower levels blank"
    ) as err:
        write_ees(t, tmp_path / "fsm.csv", audience="dfe")
    assert (err.value.row, err.value.column) == (2, "region_code")
    t = small().with_columns(geographic_level=pl.lit("Regional"))
    with pytest.raises(ExportError, match="no 'region_code' column"):
        write_ees(t, tmp_path / "fsm.csv", audience="dfe")


def test_complete_the_matrix(tmp_path: Path) -> None:
    t = pl.concat(
        [
            small(),
            small().with_columns(
                geographic_level=pl.lit("Regional"),
                region_code=pl.lit("E12000001"),
                region_name=pl.lit("North East"),
            ),
        ],
        how="diagonal_relaxed",
    ).filter(
        ~(
            (pl.col("geographic_level") == "Regional")
            & (pl.col("fsm_status") == "FSM eligible")
        )
    )
    with pytest.raises(ExportError, match="complete"):
        write_ees(t, tmp_path / "bad.csv", audience="dfe", complete="y")  # type: ignore[arg-type]
    plain = write_ees(t, tmp_path / "plain.csv", audience="dfe")
    assert (plain.rows, plain.rows_completed) == (5, 0)
    for fill, counts in (("0", "0"), ("z", "z")):
        files = write_ees(
            t, tmp_path / f"full_{fill}.csv", audience="dfe", complete=fill
        )  # type: ignore[arg-type]
        assert (files.rows, files.rows_completed) == (6, 1)
        back = pl.read_csv(files.data, infer_schema_length=0)
        added = back.filter(
            (pl.col("geographic_level") == "Regional")
            & (pl.col("fsm_status") == "FSM eligible")
        ).row(0, named=True)
        assert added["region_code"] == "E12000001"
        assert (added["enrolments"], added["sess_overall_percent"]) == (counts, "z")
        assert check_ees(files.data).ok


def test_meta_overrides_and_decimals(tmp_path: Path) -> None:
    files = write_ees(
        small(),
        tmp_path / "fsm.csv",
        audience="dfe",
        meta={
            "enrolments": {"label": "Pupils on roll", "indicator_grouping": "Pupils"}
        },
        decimals={"sess_overall_percent": 2},
    )
    meta = pl.read_csv(files.meta, infer_schema_length=0)
    row = meta.filter(pl.col("col_name") == "enrolments").row(0, named=True)
    assert (row["label"], row["indicator_grouping"], row["indicator_dp"]) == (
        "Pupils on roll",
        "Pupils",
        "0",
    )
    rate = meta.filter(pl.col("col_name") == "sess_overall_percent").row(0, named=True)
    assert (rate["indicator_unit"], rate["indicator_dp"]) == ("%", "2")
    frame_override = pl.DataFrame(
        {"col_name": ["fsm_status"], "filter_hint": ["Pick one"]}
    )
    files = write_ees(
        small(), tmp_path / "fsm2.csv", audience="dfe", meta=frame_override
    )
    meta = pl.read_csv(files.meta, infer_schema_length=0)
    assert meta.filter(pl.col("col_name") == "fsm_status")["filter_hint"].to_list() == [
        "Pick one"
    ]
    with pytest.raises(ExportError, match="does not have"):
        write_ees(
            small(),
            tmp_path / "fsm3.csv",
            audience="dfe",
            meta={"pupils": {"label": "x"}},
        )


def test_derived_decimals_and_units() -> None:
    meta = ees_meta(small())
    rows = {r["col_name"]: r for r in meta.iter_rows(named=True)}
    assert rows["sess_overall_percent"]["indicator_dp"] == "1"
    assert rows["sess_overall_percent"]["indicator_unit"] == "%"
    assert rows["enrolments"]["indicator_dp"] == "0"
    assert rows["fsm_status"]["col_type"] == "Filter"
    assert "time_period" not in rows
    assert len({r["label"] for r in rows.values()}) == len(rows)


def test_period_filters_need_no_total(tmp_path: Path) -> None:
    # two half terms (and a half-term week with no marks): half_term is a
    # period column, a filter in EES terms, but it has no Total row
    start, end = dt.date(2025, 10, 13), dt.date(2025, 11, 7)
    d = synth.generate(scale=0.005, start=start, end=end, seed=3, la=330)
    t = attendance.attendance_table(
        d.marks(),
        d.enrolments,
        schools=d.schools,
        levels=("la", "national"),
        by=("sex",),
        period="half_term",
        start=start,
        end=end,
    ).collect()
    assert t["half_term"].n_unique() == 2
    files = write_ees(t, tmp_path / "half_terms.csv", audience="dfe", complete="z")
    assert files.rows_completed == 0
    meta = pl.read_csv(files.meta, infer_schema_length=0)
    assert "half_term" in meta["col_name"].to_list()
    assert check_ees(files.data).ok
