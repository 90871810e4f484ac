"""End to end: ``makingdata aggregate`` and ``makingdata rollup``."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from makingdata import synth
from makingdata.attendance import attendance_table
from makingdata.cli import main
from makingdata.errors import ExitCode


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = synth.generate(
        scale=0.01, start=dt.date(2025, 9, 8), end=dt.date(2025, 9, 19), la=330, seed=3
    )
    root = tmp_path_factory.mktemp("agg")
    d.marks().write_parquet(root / "marks.parquet")
    d.enrolments.write_parquet(root / "enrolments.parquet")
    d.schools.write_parquet(root / "schools.parquet")
    d.memberships.write_parquet(root / "memberships.parquet")
    return root, d


def test_aggregate_writes_the_table_the_kernel_builds(files, capsys):
    root, d = files
    out = root / "table.csv"
    code = main(
        [
            "aggregate",
            "--marks", str(root / "marks.parquet"),
            "--enrolments", str(root / "enrolments.parquet"),
            "--schools", str(root / "schools.parquet"),
            "--memberships", str(root / "memberships.parquet"),
            "--from", "2025-09-08",
            "--to", "2025-09-19",
            "--level", "la,national",
            "--by", "fsm_status",
            "--period", "week",
            "--out", str(out),
        ]
    )  # fmt: skip
    assert code == 0
    err = capsys.readouterr().err
    assert "marks:" in err
    assert "rejected" in err
    got = pl.read_csv(out)
    want = attendance_table(
        d.marks(),
        d.enrolments,
        schools=d.schools,
        memberships=d.memberships,
        levels=("la", "national"),
        by=["fsm_status"],
        period="week",
        start=dt.date(2025, 9, 8),
        end=dt.date(2025, 9, 19),
    ).collect()
    assert got.height == want.height > 0
    assert got["sess_overall"].to_list() == want["sess_overall"].to_list()
    assert (
        got["sess_overall_percent"].to_list() == want["sess_overall_percent"].to_list()
    )
    assert set(got["time_identifier"]) == {"Week 37", "Week 38"}
    assert set(got["fsm_status"]) == {
        "FSM eligible",
        "Not known to be FSM eligible",
        "Total",
    }


def test_aggregate_rejects_an_unknown_breakdown(files, capsys):
    root, _ = files
    code = main(
        [
            "aggregate",
            "--marks", str(root / "marks.parquet"),
            "--enrolments", str(root / "enrolments.parquet"),
            "--schools", str(root / "schools.parquet"),
            "--by", "shoe_size",
            "--out", str(root / "x.csv"),
        ]
    )  # fmt: skip
    assert code == ExitCode.INPUT
    assert "unknown breakdown 'shoe_size'" in capsys.readouterr().err


def test_rollup_rederives_published_la_and_national_rows(real_data_dir, tmp_path):
    pub = pl.read_parquet(real_data_dir / "parquet_cache" / "*.parquet").filter(
        pl.col("time_period") == 201819
    )
    schools = pub.filter(
        pl.col("geographic_level") == "School", pl.col("old_la_code") == 330
    )
    src = tmp_path / "school_level.csv"
    schools.write_csv(src)
    out = tmp_path / "table.csv"
    code = main(
        [
            "rollup", "--input", str(src), "--to", "la", "--by", "school_type",
            "--keep", "year_breakdown", "--decimals", "5", "--out", str(out),
        ]
    )  # fmt: skip
    assert code == 0
    got = pl.read_csv(out, infer_schema_length=0)
    want = pub.filter(
        pl.col("geographic_level") == "Local authority", pl.col("old_la_code") == 330
    )
    assert got.height == want.height == 4
    joined = want.with_columns(pl.col("school_type")).join(
        got.select("school_type", "sess_overall", "enrolments_pa_10_exact",
                   "sess_overall_percent", "sess_auth_ext_holiday"),
        on="school_type", suffix="_got",
    )  # fmt: skip
    assert (joined["sess_overall"].cast(pl.String) == joined["sess_overall_got"]).all()
    assert (
        joined["enrolments_pa_10_exact"].cast(pl.String)
        == joined["enrolments_pa_10_exact_got"]
    ).all()
    assert (
        joined["sess_overall_percent"]
        == joined["sess_overall_percent_got"].cast(pl.Float64)
    ).all()
    assert (
        joined["sess_auth_ext_holiday"] == joined["sess_auth_ext_holiday_got"]
    ).all()


def test_an_empty_table_stops_the_command_and_says_why(files, capsys):
    from makingdata.errors import ExitCode

    root, _ = files
    out = root / "empty.csv"
    code = main(
        [
            "aggregate",
            "--marks", str(root / "marks.parquet"),
            "--enrolments", str(root / "enrolments.parquet"),
            "--schools", str(root / "schools.parquet"),
            "--from", "2026-01-05",
            "--to", "2026-01-09",
            "--level", "national",
            "--audience", "dfe",
            "--out", str(out),
        ]
    )  # fmt: skip
    assert code == ExitCode.INPUT
    err = capsys.readouterr().err
    assert "the attendance table is empty: no mark falls between 2026-01-05" in err
    assert "the marks run from 2025-09-08 to 2025-09-19" in err
    assert "Traceback" not in err
    assert not out.exists()


def test_rollup_of_an_la_file_from_school_rows_says_which_levels_it_has(
    tmp_path, capsys
):
    from makingdata.errors import ExitCode

    la = tmp_path / "la.csv"
    pl.DataFrame(
        {
            "time_period": [202425] * 2,
            "time_identifier": ["Academic year"] * 2,
            "geographic_level": ["Local authority", "National"],
            "country_code": ["E92000001"] * 2,
            "country_name": ["England"] * 2,
            "region_code": ["E12000001", None],
            "region_name": ["North East", None],
            "new_la_code": ["E06000047", None],
            "la_name": ["County Durham", None],
            "old_la_code": [840, None],
            "sess_possible": [1000, 1000],
            "sess_overall": [50, 50],
        }
    ).write_csv(la)
    out = tmp_path / "out.csv"
    args = ["rollup", "--input", str(la), "--to", "national", "--out", str(out)]
    assert main(args) == ExitCode.INPUT
    err = capsys.readouterr().err
    assert "the input has no School rows; it has Local authority, National" in err
    assert "--from-level 'Local authority'" in err
    assert main([*args, "--from-level", "Local authority", "--audience", "dfe"]) == 0
    got = pl.read_csv(out)
    assert got.select("sess_possible", "sess_overall_percent").rows() == [(1000, 5.0)]


_ZERO_DENOMINATOR = """\
time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,old_la_code,new_la_code,la_name,school_urn,school_name,sess_possible,sess_overall
202425,Academic year,School,E92000001,England,E12000001,North East,840,E06000047,County Durham,100001,A,0,0
202425,Academic year,School,E92000001,England,E12000001,North East,841,E06000005,Darlington,100002,B,400,20
"""


def test_rollup_zero_rate_is_z_by_default_and_0_when_asked(tmp_path, capsys):
    source = tmp_path / "schools.csv"
    source.write_text(_ZERO_DENOMINATOR)
    rate = "sess_overall_percent"

    def durham(path):
        rows = pl.read_csv(path, infer_schema=False)
        return rows.filter(pl.col("la_name") == "County Durham")[rate].to_list()

    base = [
        "rollup",
        "--input",
        str(source),
        "--to",
        "la,national",
        "--audience",
        "dfe",
    ]
    assert main([*base, "--ees", str(tmp_path / "z.csv")]) == ExitCode.OK
    assert durham(tmp_path / "z.csv") == ["z"]  # the EES standard: not applicable
    assert main([*base, "--out", str(tmp_path / "plain.csv")]) == ExitCode.OK
    assert durham(tmp_path / "plain.csv") == [None]  # blank: reads back as numbers
    dot = ["--zero-rate", ".", "--out", str(tmp_path / "dot.csv")]
    assert main([*base, *dot]) == ExitCode.OK
    assert durham(tmp_path / "dot.csv") == ["."]  # DfE's files before EES
    rows = pl.read_csv(tmp_path / "dot.csv", infer_schema=False)
    others = rows.filter(pl.col("la_name") != "County Durham")[rate]
    assert others.cast(pl.Float64).is_not_null().all()  # other rates stay numbers
    capsys.readouterr()
    dot_ees = ["--zero-rate", ".", "--ees", str(tmp_path / "dot_ees.csv")]
    assert main([*base, *dot_ees]) == 2  # an EES file writes z
    assert "EES" in capsys.readouterr().err
    assert not (tmp_path / "dot_ees.csv").exists()
    zero = ["--zero-rate", "0", "--out", str(tmp_path / "zero.csv")]
    assert main([*base, *zero]) == ExitCode.OK
    assert durham(tmp_path / "zero.csv") == ["0.0"]  # DfE's 2018/19 file
    capsys.readouterr()
    assert main([*base, "--zero-rate", "5", "--out", str(tmp_path / "x.csv")]) == 2
    assert "--zero-rate" in capsys.readouterr().err
