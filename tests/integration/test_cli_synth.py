"""``makingdata synth`` end to end: files, progress on stderr, errors."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from makingdata._contracts import ENROLMENTS_SCHEMA, MARKS_SCHEMA, SCHOOLS_SCHEMA
from makingdata.cli import main
from makingdata.errors import ExitCode
from makingdata.schemas import KS2_RESULTS_SCHEMA, check_ks2_results, check_marks

if TYPE_CHECKING:
    from pathlib import Path

    import pytest


def test_synth_writes_a_hive_dataset(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "data"
    code = main(
        [
            "synth",
            "--scale", "0.05",
            "--start", "2025-10-20",
            "--end", "2025-10-24",
            "--out", str(out),
            "--seed", "2",
            "--la", "330",
        ]
    )  # fmt: skip
    assert code == 0
    captured = capsys.readouterr()
    assert "5/5 days" in captured.err
    assert captured.err.count("days 2025-10-2") == 5
    assert "wrote" in captured.out
    days = sorted(p.name for p in (out / "marks").iterdir())
    assert days == [f"date=2025-10-{d}" for d in range(20, 25)]
    marks = pl.scan_parquet(out / "marks", hive_partitioning=True).collect()
    assert dict(marks.schema) == MARKS_SCHEMA
    assert check_marks(marks).ok
    schools = pl.read_parquet(out / "schools.parquet")
    assert dict(schools.schema) == SCHOOLS_SCHEMA
    assert schools["old_la_code"].unique().to_list() == [330]
    assert dict(pl.read_parquet(out / "enrolments.parquet").schema) == ENROLMENTS_SCHEMA
    ks2 = pl.read_parquet(out / "ks2_results.parquet")
    assert dict(ks2.schema) == KS2_RESULTS_SCHEMA
    assert ks2.height > 0
    assert check_ks2_results(ks2).ok
    assert ks2["urn"].is_in(schools["urn"].implode()).all()
    assert f"{ks2.height:,} KS2 results" in captured.out


def test_synth_rejects_a_range_across_years(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "synth",
            "--start",
            "2025-07-01",
            "--end",
            "2025-09-10",
            "--out",
            str(tmp_path),
        ]
    )
    assert code == ExitCode.INPUT
    assert "more than one academic year" in capsys.readouterr().err
