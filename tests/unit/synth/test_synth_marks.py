"""Synthetic session marks: contract, calendar, code sets, subsets, determinism."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from makingdata._contracts import MARKS_SCHEMA
from makingdata.codes import invalid_on_date_expr
from makingdata.errors import InputError
from makingdata.schemas import check_marks, check_marks_enrolled
from makingdata.synth import SynthData, generate, school_calendar

if TYPE_CHECKING:
    from pathlib import Path

MON = dt.date(2025, 11, 10)
FRI2 = dt.date(2025, 11, 21)


@pytest.fixture(scope="module")
def fortnight() -> SynthData:
    # Birmingham at a tenth of its schools: about 40 schools, 20,000 pupils
    return generate(scale=0.1, start=MON, end=FRI2, seed=3, la=330)


@pytest.fixture(scope="module")
def marks(fortnight: SynthData) -> pl.DataFrame:
    return fortnight.marks()


def test_contract_and_validators(fortnight: SynthData, marks: pl.DataFrame) -> None:
    assert dict(marks.schema) == MARKS_SCHEMA
    report = check_marks(marks)
    assert report.ok, report
    enrolled = check_marks_enrolled(marks, fortnight.enrolments)
    assert enrolled.ok, enrolled


def test_two_sessions_per_pupil_day_on_school_days_only(
    fortnight: SynthData, marks: pl.DataFrame
) -> None:
    per = marks.group_by("urn", "pupil_key", "date").agg(
        pl.len(), pl.col("session").cast(str).sort().str.join(",")
    )
    assert (per["len"] == 2).all()
    assert (per["session"] == "AM,PM").all()
    assert marks["date"].dt.weekday().max() <= 5
    assert fortnight.dates() == [
        MON + dt.timedelta(days=i) for i in range(12) if (MON.weekday() + i) % 7 < 5
    ]
    assert fortnight.marks_for(dt.date(2025, 11, 15)).height == 0  # Saturday


def test_marks_stay_inside_enrolment_spells(
    fortnight: SynthData, marks: pl.DataFrame
) -> None:
    joined = marks.join(
        fortnight.enrolments.select("pupil_key", "urn", "enrol_start", "enrol_end"),
        on=["pupil_key", "urn"],
    ).filter(
        pl.col("date").is_between(
            "enrol_start", pl.coalesce("enrol_end", pl.lit(dt.date(2100, 1, 1)))
        )
    )
    dedup = joined.unique(["pupil_key", "urn", "date", "session"])
    assert dedup.height == marks.height


def test_every_pupil_on_roll_is_marked(
    fortnight: SynthData, marks: pl.DataFrame
) -> None:
    day = dt.date(2025, 11, 12)
    on_roll = fortnight.enrolments.filter(
        pl.col("enrol_start") <= day,
        pl.col("enrol_end").is_null() | (pl.col("enrol_end") >= day),
    )
    open_schools = fortnight.schools.filter(
        pl.col("open_date") <= day,
        pl.col("close_date").is_null() | (pl.col("close_date") >= day),
    )["urn"]
    expected = on_roll.filter(pl.col("urn").is_in(open_schools.implode())).height
    assert marks.filter(pl.col("date") == day).height == 2 * expected


def test_code_mix_is_plausible(marks: pl.DataFrame) -> None:
    counts = dict(marks["code"].cast(str).value_counts().iter_rows())
    present = counts["/"] + counts["\\"] + counts.get("L", 0)
    assert present / marks.height > 0.85
    assert counts["I"] == max(v for k, v in counts.items() if k not in "/\\L")
    for code in ("I", "O", "G", "M", "L", "U", "B", "V"):
        assert counts.get(code, 0) > 0, code


@pytest.mark.parametrize(
    ("start", "forbidden"),
    [
        (dt.date(2024, 7, 1), {"C1", "J1", "C2", "K", "Q", "Y1", "Y4", "Y7"}),
        (dt.date(2024, 9, 9), {"H", "J", "Y", "F"}),
    ],
)
def test_code_set_follows_the_date(start: dt.date, forbidden: set[str]) -> None:
    data = generate(
        scale=0.1, start=start, end=start + dt.timedelta(days=4), seed=4, la=330
    )
    m = data.marks()
    assert not set(m["code"].cast(str).unique()) & forbidden
    assert not m.select(invalid_on_date_expr().any()).item()


def test_inset_days_five_per_school_over_a_year() -> None:
    data = generate(
        scale=0.05, start=dt.date(2025, 9, 1), end=dt.date(2026, 8, 31), seed=5, la=330
    )
    cal = school_calendar(2025, la=330)
    assert cal.height == 195
    inset = pl.concat(
        m.filter(pl.col("code") == "#").select("urn", "date").unique()
        for _d, m in data.iter_marks()
    )
    per_school = inset.group_by("urn").len()
    open_all_year = data.schools.filter(
        pl.col("close_date").is_null(), pl.col("open_date") < dt.date(2025, 9, 1)
    )["urn"]
    full = per_school.filter(pl.col("urn").is_in(open_all_year.implode()))
    assert full.height == open_all_year.len()
    assert (full["len"] == 5).all()
    first_two = set(cal.sort("date")["date"].head(2).to_list())
    assert first_two <= set(inset["date"].to_list())


def test_dual_registration_marks_d_at_one_school(fortnight: SynthData) -> None:
    data = fortnight
    e = data.enrolments
    dual = e.filter(pl.col("pupil_key").is_duplicated(), pl.col("enrol_end").is_null())
    dual = dual.filter(pl.col("pupil_key").is_duplicated())
    assert dual.height > 0
    m = data.marks().filter(pl.col("pupil_key").is_in(dual["pupil_key"].implode()))
    per = m.group_by("pupil_key", "date", "session").agg(
        (pl.col("code") == "D").sum().alias("d"), pl.len()
    )
    assert (per["len"] == 2).all()
    assert (per["d"] == 1).all()


def test_subset_day_equals_national_slice() -> None:
    day = dt.date(2025, 11, 13)
    sub = generate(scale=0.01, start=day, end=day, seed=3, la=330)
    whole = generate(scale=0.01, start=day, end=day, seed=3)
    national = whole.marks_for(day).filter(
        pl.col("urn").is_in(sub.schools["urn"].implode())
    )
    assert_frame_equal(sub.marks_for(day), national)


def test_scan_marks_matches_marks(fortnight: SynthData, marks: pl.DataFrame) -> None:
    lazy = fortnight.scan_marks().filter(pl.col("code") == "I").collect()
    assert_frame_equal(lazy, marks.filter(pl.col("code") == "I"))
    assert fortnight.scan_marks().head(7).collect().height == 7


def test_out_of_range_day_raises(fortnight: SynthData) -> None:
    with pytest.raises(InputError, match="outside"):
        fortnight.marks_for(dt.date(2025, 12, 1))


def _tree(path: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(path)): p.read_bytes()
        for p in sorted(path.rglob("*"))
        if p.is_file()
    }


def test_same_seed_writes_byte_identical_parquet(tmp_path: Path) -> None:
    args = {"scale": 0.01, "start": MON, "end": MON + dt.timedelta(days=2), "la": 330}
    a = generate(seed=8, **args).write(tmp_path / "a")  # type: ignore[arg-type]
    b = generate(seed=8, **args).write(tmp_path / "b")  # type: ignore[arg-type]
    c = generate(seed=9, **args).write(tmp_path / "c")  # type: ignore[arg-type]
    ta, tb, tc = _tree(a), _tree(b), _tree(c)
    assert "marks/date=2025-11-10/part-0.parquet" in ta
    assert ta == tb
    assert (
        ta["marks/date=2025-11-10/part-0.parquet"]
        != tc["marks/date=2025-11-10/part-0.parquet"]
    )
    back = pl.scan_parquet(a / "marks", hive_partitioning=True).collect()
    assert dict(back.schema) == MARKS_SCHEMA
    assert back.height == sum(
        m.height for _d, m in generate(seed=8, **args).iter_marks()
    )  # type: ignore[arg-type]


def test_write_refuses_a_folder_with_marks(tmp_path: Path) -> None:
    data = generate(scale=0.01, start=MON, end=MON, la=330)
    data.write(tmp_path)
    with pytest.raises(InputError, match="already holds marks"):
        data.write(tmp_path)
