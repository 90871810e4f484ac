"""The kernels from a store equal the kernels from the raw marks (property tests).

Small random data: two schools, a few pupils, six school days. A store is
filled day by day with a first enrolments export, then with a second one (a
pupil leaving, a spell registered late), and a day is re-sent with changed
marks (a correction); every kernel read from the store must give what it
gives from the final marks and enrolments.
"""

from __future__ import annotations

import datetime as dt
import warnings
from typing import TYPE_CHECKING

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from makingdata._contracts import ENROLMENTS_SCHEMA, MARKS_SCHEMA, SCHOOLS_SCHEMA
from makingdata.attendance import (
    Cohort,
    attendance_table,
    enrolment_summary,
    session_counts,
)
from makingdata.attendance._enrolments import _split_enrolments
from makingdata.errors import EmptyResultWarning
from makingdata.store import Store, ingest

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

DAYS = [dt.date(2025, 9, d) for d in (8, 9, 10, 11, 12, 15)]
URNS = [100001, 100002]
PUPILS = list(range(1, 7))
CODES = ["/", "\\", "I", "O", "L", "B", "X", "#", "U", "M"]
_SCHOOL_ROWS = {
    "urn": URNS,
    "school_name": ["North Primary", "South Secondary"],
    "laestab": [3302000, 3304000],
    "old_la_code": [330, 330],
    "new_la_code": ["E08000025"] * 2,
    "la_name": ["Birmingham"] * 2,
    "region_code": ["E12000005"] * 2,
    "region_name": ["West Midlands"] * 2,
    "education_phase": ["Primary", "Secondary"],
    "establishment_type_group": ["Academies", "Local authority maintained schools"],
}
SCHOOLS = pl.DataFrame(
    {c: _SCHOOL_ROWS.get(c, [None, None]) for c in SCHOOLS_SCHEMA}
).select(pl.col(c).cast(t) for c, t in SCHOOLS_SCHEMA.items())

day_index = st.integers(0, len(DAYS) - 1)


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, pl.DataFrame]:
    """Marks, a first and a final enrolments export, and a corrected day."""
    spells = []
    for pupil in PUPILS:
        for urn in draw(st.lists(st.sampled_from(URNS), min_size=1, max_size=2)):
            first = draw(day_index)
            last = draw(st.none() | st.integers(first, len(DAYS) - 1))
            spells.append(
                {
                    "pupil_key": pupil,
                    "urn": urn,
                    "enrol_start": DAYS[first]
                    - dt.timedelta(days=draw(st.integers(0, 3))),
                    "enrol_end": None if last is None else DAYS[last],
                    "date_of_birth": dt.date(2025 - draw(st.integers(4, 16)), 3, 1),
                    "fsm_eligible": draw(st.booleans()),
                }
            )
    final = pl.DataFrame(
        spells,
        schema={
            "pupil_key": pl.UInt64,
            "urn": pl.UInt32,
            "enrol_start": pl.Date,
            "enrol_end": pl.Date,
            "date_of_birth": pl.Date,
            "fsm_eligible": pl.Boolean,
        },
    ).unique(["pupil_key", "urn", "enrol_start"], maintain_order=True)
    # the first export: some spells not registered yet, some ends not known
    late = draw(st.lists(st.booleans(), min_size=final.height, max_size=final.height))
    open_end = draw(
        st.lists(st.booleans(), min_size=final.height, max_size=final.height)
    )
    first = final.with_columns(
        enrol_end=pl.when(pl.Series(open_end))
        .then(pl.lit(None, pl.Date))
        .otherwise(pl.col("enrol_end"))
    ).filter(~pl.Series(late))
    # marks inside the final spells, inside the first export's spells on
    # the days ingested with it (a leaver marked on until the school
    # recorded, later, an earlier leaving date), and a few strays anywhere
    slots = {}
    for spell, days in [
        *((row, DAYS) for row in final.iter_rows(named=True)),
        *((row, DAYS[:4]) for row in first.iter_rows(named=True)),
    ]:
        for day in days:
            end = spell["enrol_end"]
            if day < spell["enrol_start"] or (end is not None and day > end):
                continue
            for session in ("AM", "PM"):
                code = draw(st.none() | st.sampled_from(CODES))
                if code is not None:
                    slots[spell["urn"], spell["pupil_key"], day, session] = code
    for _ in range(draw(st.integers(0, 2))):
        stray = (
            draw(st.sampled_from(URNS)),
            draw(st.sampled_from(PUPILS)),
            DAYS[draw(day_index)],
            draw(st.sampled_from(["AM", "PM"])),
        )
        slots[stray] = draw(st.sampled_from(CODES))
    rows = [(*k, code) for k, code in slots.items()]
    marks = pl.DataFrame(rows, schema=list(MARKS_SCHEMA), orient="row")
    fixed = draw(day_index)
    changed = draw(st.sampled_from(CODES))
    corrected = marks.with_columns(
        code=pl.when((pl.col("date") == DAYS[fixed]) & (pl.col("pupil_key") % 2 == 0))
        .then(pl.lit(changed))
        .otherwise(pl.col("code"))
    )
    return {
        "marks": marks,
        "corrected": corrected.filter(pl.col("date") == DAYS[fixed]),
        "final_marks": corrected,
        "first": first,
        "final": final,
    }


def _write(folder: Path, name: str, frame: pl.DataFrame) -> Path:
    path = folder / f"{name}.csv"
    frame.write_csv(path)
    return path


def _fill(root: Path, s: dict[str, pl.DataFrame]) -> Store:
    exports = root / "exports"
    exports.mkdir(parents=True)
    first = _write(exports, "first", s["first"])
    final = _write(exports, "final", s["final"])
    store = root / "store"
    for i, day in enumerate(DAYS):
        part = s["marks"].filter(pl.col("date") == day)
        if part.is_empty():
            continue
        ingest(store, _write(exports, f"m{i}", part), first if i < 4 else final)
    if not s["corrected"].is_empty():
        ingest(store, _write(exports, "fix", s["corrected"]), final)
    return Store.open(store)


def _frames(s: dict[str, pl.DataFrame]) -> tuple[pl.DataFrame, pl.DataFrame]:
    marks = s["final_marks"].cast(MARKS_SCHEMA)  # type: ignore[arg-type]
    enr = (
        s["final"]
        .with_columns(
            pl.lit(None).cast(t).alias(c)
            for c, t in ENROLMENTS_SCHEMA.items()
            if c not in s["final"].columns
        )
        .select(pl.col(c).cast(t) for c, t in ENROLMENTS_SCHEMA.items())
    )
    return marks, enr


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(frame.columns, nulls_last=True)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(s=scenarios())
def test_every_kernel_from_the_store_equals_the_raw_marks(
    tmp_path_factory: pytest.TempPathFactory, s: dict[str, pl.DataFrame]
) -> None:
    if s["marks"].is_empty():
        return
    store = _fill(tmp_path_factory.mktemp("prop"), s)
    marks, enr = _frames(s)
    for cohort in (Cohort.everyone(), Cohort()):
        for kw in (
            {"period": "ytd", "end": DAYS[-1]},
            {"period": "week"},
            {"period": "range", "start": DAYS[1], "end": DAYS[3]},
        ):
            raw = enrolment_summary(
                marks,
                enr,
                schools=SCHOOLS,
                cohort=cohort,
                **kw,  # type: ignore[arg-type]
            ).collect()
            got = enrolment_summary(
                store,
                enr,
                schools=SCHOOLS,
                cohort=cohort,
                **kw,  # type: ignore[arg-type]
            ).collect()
            assert_frame_equal(_sorted(got), _sorted(raw))
    table_kw = {
        "schools": SCHOOLS,
        "levels": ["national", "school"],
        "by": ["fsm_status"],
        "period": "week",
        "cohort": Cohort.everyone(),
    }
    with warnings.catch_warnings():
        # no enrolment with a mark in its spell: both paths warn alike
        warnings.simplefilter("ignore", EmptyResultWarning)
        raw_t = attendance_table(marks, enr, **table_kw).collect()  # type: ignore[arg-type]
        got_t = attendance_table(store, enr, **table_kw).collect()  # type: ignore[arg-type]
    assert_frame_equal(_sorted(got_t), _sorted(raw_t))
    for unit in ("school", "pupil"):
        raw_c = session_counts(marks.lazy(), unit=unit).collect()  # type: ignore[arg-type]
        got_c = session_counts(store, unit=unit).collect()  # type: ignore[arg-type]
        assert_frame_equal(got_c, raw_c)


def _enrolments(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.lit(None).cast(t).alias(c)
        for c, t in ENROLMENTS_SCHEMA.items()
        if c not in frame.columns
    ).select(pl.col(c).cast(t) for c, t in ENROLMENTS_SCHEMA.items())


def test_a_leaving_date_recorded_late_re_derives_the_stored_days(
    tmp_path: Path,
) -> None:
    # pupil 1 is marked until Thursday; Friday's export says they left on
    # Tuesday: Wednesday's and Thursday's marks no longer fall in the spell
    spell = _enrolments(
        pl.DataFrame(
            {"pupil_key": [1, 2], "urn": [100001, 100001]},
            schema={"pupil_key": pl.UInt64, "urn": pl.UInt32},
        ).with_columns(enrol_start=pl.lit(dt.date(2025, 9, 1)))
    )
    left = spell.with_columns(
        enrol_end=pl.when(pl.col("pupil_key") == 1).then(pl.lit(DAYS[1]))
    )
    marks = pl.DataFrame(
        [(100001, 1, day, s, "/") for day in DAYS[:4] for s in ("AM", "PM")]
        + [(100001, 2, day, s, "I") for day in DAYS for s in ("AM", "PM")],
        schema=list(MARKS_SCHEMA),
        orient="row",
    ).cast(MARKS_SCHEMA)  # type: ignore[arg-type]
    first, final = _write(tmp_path, "first", spell), _write(tmp_path, "final", left)
    root = tmp_path / "store"
    ids = []
    for i, day in enumerate(DAYS):
        part = _write(tmp_path, f"m{i}", marks.filter(pl.col("date") == day))
        ids.append(ingest(root, part, first if i < 4 else final).ingest_id)
    store = Store.open(root)
    manifest = store.manifest()
    # Friday's ingest learnt of the change and re-derived the days it touches
    assert manifest["days"]["2025-09-10"]["rederived_by"] == ids[4]
    assert manifest["days"]["2025-09-11"]["rederived_by"] == ids[4]
    assert "rederived_by" not in manifest["days"]["2025-09-09"]
    # the marks after the leaving date now sit under the pupil's row for
    # marks outside every spell, not under the spell
    numbers = {
        (p, start): n
        for n, p, start in store.registry()
        .select("enrolment", "pupil_key", "enrol_start")
        .collect()
        .iter_rows()
    }
    spell_no = numbers[1, dt.date(2025, 9, 1)]
    outside = numbers[1, None]
    by_day = dict(
        store.marks()
        .filter(pl.col("pupil_key") == 1)
        .group_by("date")
        .agg(pl.col("enrolment").unique().first())
        .collect()
        .iter_rows()
    )
    assert by_day == {
        DAYS[0]: spell_no,
        DAYS[1]: spell_no,
        DAYS[2]: outside,
        DAYS[3]: outside,
    }
    kw = {"period": "ytd", "end": DAYS[-1], "cohort": Cohort.everyone()}
    raw = enrolment_summary(marks, left, **kw).collect()  # type: ignore[arg-type]
    got = enrolment_summary(store, left, **kw).collect()  # type: ignore[arg-type]
    assert_frame_equal(_sorted(got), _sorted(raw))
    assert got.filter(pl.col("pupil_key") == 1).get_column("sess_possible").item() == 4


def test_the_counts_answer_by_number_when_the_enrolments_are_the_registry(
    tmp_path: Path,
) -> None:
    spells = _enrolments(
        pl.DataFrame(
            {
                "pupil_key": [1, 2, 2, 3],
                "urn": [100001, 100001, 100002, 100002],
                "enrol_start": [dt.date(2025, 9, 1)] * 3 + [DAYS[2]],
            },
            schema={"pupil_key": pl.UInt64, "urn": pl.UInt32, "enrol_start": pl.Date},
        )
    )
    marks = pl.DataFrame(
        [(100001, 1, DAYS[0], "AM", "/"), (100002, 2, DAYS[0], "AM", "I")],
        schema=list(MARKS_SCHEMA),
        orient="row",
    )
    store = ingest(
        tmp_path / "store",
        _write(tmp_path, "m", marks),
        _write(tmp_path, "e", spells),
    ).store
    assert _split_enrolments(store, spells.lazy()).is_empty()
    # a spell the registry does not have, an end it does not know, and a
    # spell given twice: those pupils and schools are counted from the marks
    changed = pl.concat(
        [
            spells.with_columns(
                enrol_end=pl.when(pl.col("pupil_key") == 1).then(pl.lit(DAYS[3]))
            ),
            spells.filter(pl.col("pupil_key") == 3),
            spells.filter(pl.col("pupil_key") == 2).with_columns(
                pl.col("urn").replace(100002, 100003), enrol_start=pl.lit(DAYS[4])
            ),
        ]
    )
    slow = _split_enrolments(store, changed.lazy()).sort("pupil_key", "urn")
    assert slow.rows() == [(1, 100001), (2, 100001), (2, 100003), (3, 100002)]


def test_the_summer_2_rule_from_the_store_equals_the_raw_marks(tmp_path: Path) -> None:
    # DfE's cohort leaves out the sessions of pupils aged 15 in the second
    # half of the summer term: a year to date across it is split by date
    days = [dt.date(2026, 5, d) for d in (20, 21, 22)] + [
        dt.date(2026, 6, d) for d in (1, 2)
    ]
    spells = _enrolments(
        pl.DataFrame(
            {
                "pupil_key": [1, 2],
                "urn": [100001, 100002],
                "enrol_start": [dt.date(2025, 9, 1)] * 2,
                "date_of_birth": [dt.date(2010, 3, 1), dt.date(2015, 3, 1)],
            },
            schema={
                "pupil_key": pl.UInt64,
                "urn": pl.UInt32,
                "enrol_start": pl.Date,
                "date_of_birth": pl.Date,
            },
        )
    )
    marks = pl.DataFrame(
        [
            (urn, pupil, day, s, "I" if day.month == 6 else "/")
            for pupil, urn in ((1, 100001), (2, 100002))
            for day in days
            for s in ("AM", "PM")
        ],
        schema=list(MARKS_SCHEMA),
        orient="row",
    ).cast(MARKS_SCHEMA)  # type: ignore[arg-type]
    store = ingest(
        tmp_path / "store", _write(tmp_path, "m", marks), _write(tmp_path, "e", spells)
    ).store
    for kw in ({"period": "ytd", "end": days[-1]}, {"period": "week"}):
        raw = enrolment_summary(marks, spells, schools=SCHOOLS, **kw).collect()  # type: ignore[arg-type]
        got = enrolment_summary(store, spells, schools=SCHOOLS, **kw).collect()  # type: ignore[arg-type]
        assert_frame_equal(_sorted(got), _sorted(raw))
    ytd = enrolment_summary(store, spells, schools=SCHOOLS, period="ytd", end=days[-1])
    possible = dict(ytd.select("pupil_key", "sess_possible").collect().iter_rows())
    assert possible == {1: 6, 2: 10}  # pupil 1 is 15: June's sessions left out
