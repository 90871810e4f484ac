"""End to end: ``aggregate``/``rollup --ees`` write a checked EES pair; ``check-ees`` lists problems."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import polars as pl
import pytest

from makingdata import synth
from makingdata.cli import main
from makingdata.errors import ExitCode
from makingdata.publish import check_ees

if TYPE_CHECKING:
    from pathlib import Path

START, END = dt.date(2025, 9, 8), dt.date(2025, 9, 12)


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = synth.generate(scale=0.01, start=START, end=END, la=330, seed=5)
    root = tmp_path_factory.mktemp("ees_cli")
    d.marks().write_parquet(root / "marks.parquet")
    d.enrolments.write_parquet(root / "enrolments.parquet")
    d.schools.write_parquet(root / "schools.parquet")
    return root


def aggregate(root: Path, *extra: str, levels: str = "la,region,national") -> int:
    return main(
        [
            "aggregate",
            "--marks", str(root / "marks.parquet"),
            "--enrolments", str(root / "enrolments.parquet"),
            "--schools", str(root / "schools.parquet"),
            "--from", START.isoformat(),
            "--to", END.isoformat(),
            "--level", levels,
            "--by", "ethnicity_major",
            "--period", "ytd",
            *extra,
        ]
    )  # fmt: skip


def test_aggregate_writes_a_protected_public_ees_pair(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = root / "public" / "attendance_ethnicity.csv"
    assert aggregate(root, "--ees", str(out), "--audience", "public") == 0
    err = capsys.readouterr().err
    assert "protected for public" in err
    assert (root / "public" / "attendance_ethnicity.meta.csv").exists()
    assert check_ees(out).ok
    back = pl.read_csv(out, infer_schema_length=0)
    assert "c" in back["enrolments"].to_list()
    assert back.select(pl.col("enrolments").is_null().any()).item() is False


def test_aggregate_ees_needs_an_audience(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = root / "noaudience.csv"
    assert aggregate(root, "--ees", str(out)) == ExitCode.REFUSED
    assert "--audience" in capsys.readouterr().err
    assert not out.exists()


def test_aggregate_refuses_school_rows_mixed_with_la_rows(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = root / "mixed.csv"
    code = aggregate(root, "--ees", str(out), "--audience", "la", levels="school,la")
    assert code == ExitCode.INPUT
    assert "School rows" in capsys.readouterr().err
    assert not out.exists()


def test_rollup_to_ees_and_check_ees(
    root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    school = root / "school.csv"
    assert (
        aggregate(root, "--out", str(school), "--audience", "dfe", levels="school") == 0
    )
    out = tmp_path / "la_rollup.csv"
    code = main(
        [
            "rollup",
            "--input", str(school),
            "--to", "la,national",
            "--by", "ethnicity_major",
            "--ees", str(out),
            "--audience", "dfe",
            "--complete", "0",
        ]
    )  # fmt: skip
    assert code == 0
    capsys.readouterr()
    problems = tmp_path / "problems.csv"
    assert main(["check-ees", str(out), "--problems", str(problems)]) == 0
    assert "0 errors" in capsys.readouterr().out
    assert pl.read_csv(problems).filter(pl.col("severity") == "error").height == 0
    # DfE's data dictionary (the screener's API checks): warnings, exit 0
    asked = ["check-ees", str(out), "--data-dictionary", "--problems", str(problems)]
    assert main(asked) == 0
    found = pl.read_csv(problems)
    assert found.filter(pl.col("severity") == "error").height == 0
    assert found["rule"].str.starts_with("data_dict").any()


def test_check_ees_exit_code_and_problem_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "weekly.csv"
    bad.write_text(
        "time_period,time_identifier,geographic_level,country_code,country_name,enrolments\n"
        "2026,Week 52,National,E92000001,England,120\n"
        "2026,Week 53,National,E92000001,England,\n"
    )
    problems = tmp_path / "problems.csv"
    assert main(["check-ees", str(bad), "--problems", str(problems)]) == 1
    out = capsys.readouterr().out
    assert "time_identifier" in out
    found = pl.read_csv(problems)
    assert set(found["rule"].to_list()) == {
        "meta_missing",
        "time_identifier",
        "indicator_blank",
    }
