"""End to end: ``makingdata rollup/aggregate --previous`` — a weekly release protected against the last ones."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import polars as pl
import pytest

from makingdata import synth
from makingdata.cli import main
from makingdata.disclosure import differencing
from makingdata.errors import ExitCode

if TYPE_CHECKING:
    from pathlib import Path

pytest.importorskip("scipy")

FSM = ("FSM eligible", "Not known to be FSM eligible")
KEYS = ["geographic_level", "region_code", "new_la_code", "fsm_status"]
LAS = (
    (805, "E06000001", "Hartlepool"),
    (841, "E06000005", "Darlington"),
    (840, "E06000047", "County Durham"),
)


def schools(week: int, added: dict[tuple[int, str], int]) -> pl.DataFrame:
    """A school-level year-to-date table: 3 LAs of 4 schools, by FSM status."""
    rows = []
    for la in range(3):
        for s in range(4):
            for status in FSM:
                base = 40 + 10 * s if status == FSM[0] else 200 + 15 * s
                extra = added.get((la, status), 0) if s == 0 else 0
                rows.append(
                    {
                        "time_period": 2025,
                        "time_identifier": f"Week {week}",
                        "geographic_level": "School",
                        "country_code": "E92000001",
                        "country_name": "England",
                        "region_code": "E12000001",
                        "region_name": "North East",
                        "old_la_code": LAS[la][0],
                        "new_la_code": LAS[la][1],
                        "la_name": LAS[la][2],
                        "school_urn": 100000 + 10 * la + s,
                        "school_name": f"School {la}{s}",
                        "fsm_status": status,
                        "num_schools": 1,
                        "enrolments": base + extra,
                    }
                )
    return pl.DataFrame(rows)


# week 2 adds 3 FSM pupils in LA 0, 2 in LA 1, and 10 others in each LA
WEEK1 = schools(1, {})
WEEK2 = schools(
    2,
    {
        (0, FSM[0]): 3,
        (1, FSM[0]): 2,
        (0, FSM[1]): 10,
        (1, FSM[1]): 10,
        (2, FSM[1]): 10,
    },
)


def rollup(source: Path, out: Path, *extra: str) -> int:
    return main(
        [
            "rollup",
            "--input", str(source),
            "--to", "la,region,national",
            "--by", "fsm_status",
            "--audience", "public",
            "--out", str(out),
            *extra,
        ]
    )  # fmt: skip


def given_away(earlier: Path, later: Path) -> list[int]:
    a = pl.read_csv(earlier, infer_schema_length=0)
    b = pl.read_csv(later, infer_schema_length=0)
    both = a.join(b, on=KEYS, nulls_equal=True, suffix="_later")
    diff = both["enrolments_later"].cast(pl.Int64, strict=False) - both[
        "enrolments"
    ].cast(pl.Int64, strict=False)
    return sorted(diff.filter(diff.is_between(1, 5)).to_list())


@pytest.fixture
def weeks(tmp_path: Path) -> Path:
    WEEK1.write_csv(tmp_path / "schools_week1.csv")
    WEEK2.write_csv(tmp_path / "schools_week2.csv")
    assert rollup(tmp_path / "schools_week1.csv", tmp_path / "week1.csv") == 0
    return tmp_path


def test_rollup_alone_gives_away_the_increments(weeks: Path) -> None:
    assert rollup(weeks / "schools_week2.csv", weeks / "week2.csv") == 0
    # LA 0 and LA 1, and the region and England (3 + 2)
    assert given_away(weeks / "week1.csv", weeks / "week2.csv") == [2, 3, 5, 5]


def test_rollup_previous_protects_the_increments(
    weeks: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = rollup(
        weeks / "schools_week2.csv",
        weeks / "week2.csv",
        "--previous",
        str(weeks / "week1.csv"),
    )
    assert code == 0, capsys.readouterr().err
    assert given_away(weeks / "week1.csv", weeks / "week2.csv") == []
    report = differencing(
        pl.read_csv(weeks / "week1.csv", infer_schema_length=0),
        pl.read_csv(weeks / "week2.csv", infer_schema_length=0),
        series=True,
        columns=["enrolments"],
    )
    assert report.ok, report.flagged
    # the increments that are safe to give away are given away: LA 2 did not move
    week2 = pl.read_csv(weeks / "week2.csv", infer_schema_length=0)
    la2 = week2.filter(pl.col("new_la_code") == "E06000047")
    assert "c" not in la2["enrolments"].to_list()


def test_ees_files_are_read_back_as_earlier_releases(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    WEEK1.write_csv(tmp_path / "schools_week1.csv")
    WEEK2.write_csv(tmp_path / "schools_week2.csv")
    ees = ("--complete", "z")
    for n, extra in ((1, ()), (2, ("--previous", str(tmp_path / "week1.csv")))):
        code = main(
            [
                "rollup",
                "--input", str(tmp_path / f"schools_week{n}.csv"),
                "--to", "la,region,national",
                "--by", "fsm_status",
                "--audience", "public",
                "--ees", str(tmp_path / f"week{n}.csv"),
                *ees,
                *extra,
            ]
        )  # fmt: skip
        assert code == 0
        assert (tmp_path / f"week{n}.meta.csv").exists()
        # the protection report is printed whether protected here or before
        assert "disclosure:" in capsys.readouterr().err
    assert given_away(tmp_path / "week1.csv", tmp_path / "week2.csv") == []


def test_a_previous_file_that_does_not_match_is_refused(
    weeks: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = weeks / "by_sex.csv"
    pl.read_csv(weeks / "week1.csv", infer_schema_length=0).rename(
        {"fsm_status": "sex"}
    ).write_csv(other)
    code = rollup(
        weeks / "schools_week2.csv", weeks / "week2.csv", "--previous", str(other)
    )
    err = capsys.readouterr().err
    assert code == ExitCode.INPUT
    assert str(other) in err
    assert "'fsm_status'" in err
    assert "Traceback" not in err
    assert not (weeks / "week2.csv").exists()


def test_previous_needs_a_protected_audience(
    weeks: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "rollup",
            "--input", str(weeks / "schools_week2.csv"),
            "--by", "fsm_status",
            "--audience", "la",
            "--out", str(weeks / "week2.csv"),
            "--previous", str(weeks / "week1.csv"),
        ]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == ExitCode.INPUT
    assert "--previous protects a release for a partner or the public" in err
    missing = rollup(
        weeks / "schools_week2.csv",
        weeks / "week2.csv",
        "--previous",
        str(weeks / "nowhere.csv"),
    )
    assert missing == ExitCode.INPUT
    assert "nowhere.csv" in capsys.readouterr().err


START = dt.date(2025, 9, 8)


def test_aggregate_previous_end_to_end(tmp_path: Path) -> None:
    d = synth.generate(
        scale=0.01, start=START, end=dt.date(2025, 9, 19), la=330, seed=3
    )
    d.marks().write_parquet(tmp_path / "marks.parquet")
    d.enrolments.write_parquet(tmp_path / "enrolments.parquet")
    d.schools.write_parquet(tmp_path / "schools.parquet")

    def aggregate(to: dt.date, out: Path, *extra: str) -> int:
        return main(
            [
                "aggregate",
                "--marks", str(tmp_path / "marks.parquet"),
                "--enrolments", str(tmp_path / "enrolments.parquet"),
                "--schools", str(tmp_path / "schools.parquet"),
                "--from", START.isoformat(),
                "--to", to.isoformat(),
                "--level", "la,national",
                "--by", "fsm_status",
                "--period", "ytd",
                "--audience", "public",
                "--out", str(out),
                *extra,
            ]
        )  # fmt: skip

    assert aggregate(dt.date(2025, 9, 12), tmp_path / "week1.csv") == 0
    previous = ("--previous", str(tmp_path / "week1.csv"))
    assert aggregate(dt.date(2025, 9, 19), tmp_path / "week2.csv", *previous) == 0
    pupils = ["enrolments", "enrolments_pa_10_exact", "enrolments_pa_50_exact"]
    a = pl.read_csv(tmp_path / "week1.csv", infer_schema_length=0)
    b = pl.read_csv(tmp_path / "week2.csv", infer_schema_length=0)
    keys = [c for c in KEYS if c in a.columns]
    both = a.join(b, on=keys, nulls_equal=True, suffix="_later")
    for c in pupils:
        diff = both[f"{c}_later"].cast(pl.Int64, strict=False) - both[c].cast(
            pl.Int64, strict=False
        )
        assert not diff.is_between(1, 5).fill_null(value=False).any(), c
    assert differencing(a, b, series=True, columns=pupils).ok
