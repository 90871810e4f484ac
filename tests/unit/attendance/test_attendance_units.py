"""Unit tests of the attendance kernels: periods, cohort rules, trusts, errors."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from makingdata._contracts import ENROLMENTS_SCHEMA, MARKS_SCHEMA, SCHOOLS_SCHEMA
from makingdata.attendance import (
    Cohort,
    academic_year,
    attendance_table,
    default_calendar,
    easter_sunday,
    enrolment_summary,
    rate_expr,
    rollup,
    round_half_up,
    session_counts,
)
from makingdata.errors import InputError

URN_A, URN_B = 100001, 100002


def _marks(rows):
    return pl.DataFrame(
        rows, schema=["urn", "pupil_key", "date", "session", "code"], orient="row"
    ).cast(MARKS_SCHEMA)


def _enrol(rows):
    cols = [
        "pupil_key",
        "urn",
        "enrol_start",
        "enrol_end",
        "age_at_31_august",
        "fsm_eligible",
    ]
    return pl.DataFrame(
        rows, schema={c: ENROLMENTS_SCHEMA[c] for c in cols}, orient="row"
    )


def _schools(phase="Secondary", group="Academy"):
    rows = [
        (u, f"S{u}", 8400000 + i, 840, "E06000047", "County Durham", "E12000001",
         "North East", None, phase, group)
        for i, u in enumerate((URN_A, URN_B))
    ]  # fmt: skip
    cols = ["urn", "school_name", "laestab", "old_la_code", "new_la_code", "la_name",
            "region_code", "region_name", "trust_id", "education_phase",
            "establishment_type_group"]  # fmt: skip
    return pl.DataFrame(rows, schema={c: SCHOOLS_SCHEMA[c] for c in cols}, orient="row")


def _days(start, n):
    return [start + dt.timedelta(days=i) for i in range(n)]


# ---------------------------------------------------------------- periods
def test_easter_and_default_calendar():
    assert easter_sunday(2024) == dt.date(2024, 3, 31)
    assert easter_sunday(2019) == dt.date(2019, 4, 21)
    cal = default_calendar([2024])
    assert cal["half_term"].to_list() == [
        "Autumn 1", "Autumn 2", "Spring 1", "Spring 2", "Summer 1", "Summer 2"
    ]  # fmt: skip
    assert cal["half_term_start"].to_list() == [
        dt.date(2024, 8, 1),
        dt.date(2024, 11, 4),  # Monday after the week of Mon 28 Oct
        dt.date(2025, 1, 1),
        dt.date(2025, 2, 24),  # Monday after the week of Mon 17 Feb
        dt.date(2025, 4, 21),  # Easter Monday
        dt.date(2025, 5, 26),  # spring bank holiday
    ]
    assert academic_year(dt.date(2025, 7, 31)) == 202425
    assert academic_year(dt.date(2025, 8, 1)) == 202526


@pytest.mark.parametrize(
    ("period", "identifiers"),
    [
        ("week", ["Week 21", "Week 23"]),
        ("half_term", ["Summer term", "Summer term"]),
        ("term", ["Summer term"]),
        ("academic_year", ["Academic year"]),
    ],
)
def test_period_labels(period, identifiers):
    # Fri 23 May and Tue 3 June 2025: either side of the spring bank holiday
    days = [dt.date(2025, 5, 23), dt.date(2025, 6, 3)]
    marks = _marks([(URN_A, 1, d, "AM", "/") for d in days])
    enrol = _enrol([(1, URN_A, dt.date(2024, 9, 1), None, 9, False)])
    out = enrolment_summary(
        marks.lazy(), enrol.lazy(), cohort=Cohort.everyone(), period=period
    ).collect()
    # the kernel leaves the row order undefined
    time_cols = ("time_period", "time_identifier", "week_commencing", "half_term")
    out = out.sort([c for c in time_cols if c in out.columns])
    assert out["time_identifier"].to_list() == identifiers
    if period == "half_term":
        assert out["half_term"].to_list() == ["Summer 1", "Summer 2"]
    if period == "week":
        assert out["week_commencing"].to_list() == [
            dt.date(2025, 5, 19),
            dt.date(2025, 6, 2),
        ]
        assert out["time_period"].to_list() == [2025, 2025]


def test_ytd_needs_an_end_date_and_starts_on_1_august():
    marks = _marks(
        [
            (URN_A, 1, dt.date(2025, 7, 30), "AM", "I"),
            (URN_A, 1, dt.date(2025, 9, 2), "AM", "/"),
        ]
    )
    enrol = _enrol([(1, URN_A, dt.date(2024, 9, 1), None, 9, False)])
    with pytest.raises(InputError, match="year-to-date table needs an end date"):
        enrolment_summary(
            marks.lazy(), enrol.lazy(), period="ytd", cohort=Cohort.everyone()
        )
    out = enrolment_summary(
        marks.lazy(),
        enrol.lazy(),
        period="ytd",
        end=dt.date(2025, 9, 30),
        cohort=Cohort.everyone(),
    ).collect()
    assert out.select("sess_possible", "sess_overall", "period_start").row(0) == (
        1,
        0,
        dt.date(2025, 8, 1),
    )


# ---------------------------------------------------------------- cohort
def test_dfe_cohort_rules_each_switchable():
    summer2 = dt.date(2025, 6, 10)
    spring = dt.date(2025, 3, 10)
    rows = [
        (URN_A, 1, spring, "AM", "I"),  # age 15: counted
        (URN_A, 1, summer2, "AM", "I"),  # age 15 in summer 2: not counted
        (URN_A, 2, spring, "AM", "I"),  # age 4: not in the cohort
        (URN_A, 3, spring, "AM", "#"),  # only a not-counted mark: zero possible
    ]
    marks = _marks(rows).lazy()
    enrol = _enrol([
        (1, URN_A, dt.date(2020, 9, 1), None, 15, False),
        (2, URN_A, dt.date(2020, 9, 1), None, 4, False),
        (3, URN_A, dt.date(2020, 9, 1), None, 10, False),
    ]).lazy()  # fmt: skip
    sch = _schools().lazy()
    dfe = enrolment_summary(marks, enrol, schools=sch).collect()
    assert dfe.select("pupil_key", "sess_possible").rows() == [(1, 1)]
    keep15 = enrolment_summary(
        marks, enrol, schools=sch, cohort=Cohort(exclude_age15_summer2=False)
    ).collect()
    assert keep15.select("pupil_key", "sess_possible").rows() == [(1, 2)]
    all_ages = (
        enrolment_summary(marks, enrol, schools=sch, cohort=Cohort(min_age=None))
        .collect()
        .sort("pupil_key")
    )
    assert all_ages["pupil_key"].to_list() == [1, 2]
    zeros = enrolment_summary(
        marks, enrol, schools=sch, cohort=Cohort(drop_zero_possible=False)
    ).collect()
    assert zeros.filter(pl.col("pupil_key") == 3).select(
        "sess_possible", "sess_not_counted"
    ).row(0) == (0, 1)
    # independent and nursery schools are outside DfE's cohort
    assert (
        enrolment_summary(marks, enrol, schools=_schools(group="Independent").lazy())
        .collect()
        .height
        == 0
    )
    assert (
        enrolment_summary(marks, enrol, schools=_schools(phase="Nursery").lazy())
        .collect()
        .height
        == 0
    )
    with pytest.raises(InputError, match="needs the schools frame"):
        enrolment_summary(marks, enrol)


def test_persistent_and_severe_absence_thresholds_are_exact():
    days = _days(dt.date(2025, 9, 8), 5)
    # 20 possible sessions: 2 absent = exactly 10% (PA); 10 absent = 50% (SA)
    rows = []
    for p, absent in ((1, 1), (2, 2), (3, 10)):
        codes = ["I"] * absent + ["/"] * (20 - absent)
        slots = [(d, s) for d in _days(dt.date(2025, 9, 8), 10) for s in ("AM", "PM")]
        rows += [(URN_A, p, d, s, c) for (d, s), c in zip(slots, codes, strict=True)]
    del days
    enrol = _enrol([(p, URN_A, dt.date(2025, 9, 1), None, 9, False) for p in (1, 2, 3)])
    out = (
        enrolment_summary(
            _marks(rows).lazy(), enrol.lazy(), cohort=Cohort.everyone(), period="range"
        )
        .collect()
        .sort("pupil_key")
    )
    assert out.select("pupil_key", "persistent_absence", "severe_absence").rows() == [
        (1, False, False), (2, True, False), (3, True, True)
    ]  # fmt: skip


# ---------------------------------------------------------------- trusts
def test_trust_membership_follows_the_date_and_leaves_other_levels_alone():
    days = [dt.date(2025, 9, 8), dt.date(2025, 9, 9)]
    marks = _marks(
        [(URN_A, 1, d, "AM", c) for d, c in zip(days, ["/", "I"], strict=True)]
    )
    enrol = _enrol([(1, URN_A, dt.date(2025, 9, 1), None, 9, False)])
    mem = pl.DataFrame(
        {
            "urn": [URN_A, URN_A],
            "trust_id": ["TR00001", "TR00002"],
            "trust_name": ["One", "Two"],
            "joined": [dt.date(2010, 1, 1), dt.date(2025, 9, 9)],
            "left": [dt.date(2025, 9, 8), None],
        }
    ).cast({"urn": pl.UInt32})
    t = attendance_table(
        marks, enrol, schools=_schools(), memberships=mem, levels=("national", "trust"), period="range",
        cohort=Cohort.everyone(), decimals=None,
    ).collect()  # fmt: skip
    nat = t.filter(pl.col("geographic_level") == "National")
    assert nat.select("enrolments", "sess_possible", "sess_overall").row(0) == (1, 2, 1)
    mats = t.filter(pl.col("geographic_level") == "MAT").sort("trust_id")
    assert mats.select("trust_id", "trust_name", "sess_possible", "sess_overall").rows() == [
        ("TR00001", "One", 1, 0), ("TR00002", "Two", 1, 1)
    ]  # fmt: skip


def test_rollup_to_trust_from_memberships_as_of_a_date():
    counts = pl.DataFrame(
        {"urn": [URN_A, URN_B], "sess_possible": [10, 30], "sess_overall": [1, 3]}
    )
    mem = pl.DataFrame(
        {"urn": [URN_A, URN_B], "trust_id": ["TR00001", "TR00001"], "trust_name": ["One"] * 2,
         "joined": [dt.date(2020, 1, 1), dt.date(2025, 1, 1)], "left": [None, None]}
    )  # fmt: skip
    early = rollup(
        counts, levels="trust", memberships=mem, as_of=dt.date(2024, 1, 1)
    ).collect()
    assert early.select("trust_id", "sess_possible").rows() == [("TR00001", 10)]
    late = rollup(
        counts, levels="trust", memberships=mem, as_of=dt.date(2025, 6, 1), decimals=1
    ).collect()
    assert late.select("sess_possible", "sess_overall_percent").row(0) == (40, 10.0)
    with pytest.raises(InputError, match="trust level needs trust_id"):
        rollup(counts, levels="trust")


# ---------------------------------------------------------------- rollup
def test_rollup_symbols_and_totals():
    counts = pl.DataFrame(
        {
            "region_code": ["E1", "E1", "E2"],
            "region_name": ["A", "A", "B"],
            "phase": ["P", "S", "P"],
            "sess_possible": [100, 200, 300],
            "sess_x": ["5", "c", "7"],
            "sess_y": [":", ":", ":"],
            "enrolments": [10, 20, 30],
            "enrolments_pa_10_exact": [1, 2, 3],
            "school_total": [None, "Total", None],
        }
    )
    out = rollup(
        counts, levels=("region", "national"), by=["phase"], decimals=1
    ).collect()
    nat = out.filter(pl.col("geographic_level") == "National")
    assert nat.select("phase", "sess_possible", "sess_x", "sess_y").rows() == [
        ("P", 400, "12", ":"), ("S", 200, "c", ":"), ("Total", 600, "x", ":")
    ]  # fmt: skip
    assert nat["enrolments_pa_10_exact_percent"].to_list() == [10.0, 10.0, 10.0]
    assert "school_total" not in out.columns
    assert out.columns[:5] == [
        "geographic_level",
        "country_code",
        "country_name",
        "region_code",
        "region_name",
    ]


def test_rollup_drops_input_total_rows_so_nothing_counts_twice():
    counts = pl.DataFrame({"phase": ["P", "S", "Total"], "sess_possible": [1, 2, 3]})
    out = rollup(counts, levels="national", by=["phase"]).collect()
    assert out.filter(pl.col("phase") == "Total")["sess_possible"].item() == 3


# ---------------------------------------------------------------- errors
def test_input_errors_name_the_problem():
    marks = _marks([(URN_A, 1, dt.date(2025, 9, 8), "AM", "/")])
    with pytest.raises(InputError, match="unit must be 'school' or 'pupil'"):
        session_counts(marks.lazy(), unit="class")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="has no 'code' column"):
        session_counts(marks.lazy().drop("code"))
    with pytest.raises(InputError, match="decimals must be between 0 and 15"):
        round_half_up("x", 16)
    with pytest.raises(InputError, match="decimals must be an int"):
        rate_expr("a", "b", 1.5)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="unknown level 'ward'"):
        rollup(pl.DataFrame({"sess_possible": [1]}), levels="ward")
    with pytest.raises(InputError, match="unknown breakdown 'shoe_size'"):
        attendance_table(marks, _enrol([]), schools=_schools(), by=["shoe_size"])
    with pytest.raises(InputError, match="at most two breakdowns"):
        attendance_table(
            marks,
            _enrol([]),
            schools=_schools(),
            by=["sex", "fsm_status", "year_group"],
        )
    with pytest.raises(InputError, match="unknown period 'fortnight'"):
        enrolment_summary(
            marks.lazy(),
            _enrol([]).lazy(),
            period="fortnight",
            cohort=Cohort.everyone(),
        )
    with pytest.raises(InputError, match="starts after it ends"):
        enrolment_summary(
            marks.lazy(),
            _enrol([]).lazy(),
            start=dt.date(2025, 9, 9),
            end=dt.date(2025, 9, 1),
            cohort=Cohort.everyone(),
        )


def test_session_counts_per_pupil():
    marks = _marks([(URN_A, 1, dt.date(2025, 9, 8), "AM", "L"), (URN_A, 1, dt.date(2025, 9, 8), "PM", "U"),
                    (URN_A, 2, dt.date(2025, 9, 8), "AM", "V")])  # fmt: skip
    out = session_counts(marks.lazy(), unit="pupil").collect()
    assert out.select("pupil_key", "sess_present", "sess_late", "sess_unauthorised", "sess_aea", "sess_attendance").rows() == [
        (1, 1, 2, 1, 0, 1), (2, 0, 0, 0, 1, 1)
    ]  # fmt: skip


def test_headline_tables_for_the_demo():
    from makingdata.attendance import headline_tables

    days = [dt.date(2025, 9, 8), dt.date(2025, 9, 9)]
    marks = _marks(
        [
            (u, p, d, "AM", c)
            for u, p in ((URN_A, 1), (URN_B, 2))
            for d, c in zip(days, ["/", "I"], strict=True)
        ]
    )
    enrol = _enrol(
        [
            (1, URN_A, dt.date(2025, 9, 1), None, 9, True),
            (2, URN_B, dt.date(2025, 9, 1), None, 9, False),
        ]
    )
    mem = pl.DataFrame(
        {"urn": [URN_A], "trust_id": ["TR00007"], "trust_name": ["Seven"],
         "joined": [dt.date(2020, 1, 1)], "left": [None]},
        schema={"urn": pl.UInt32, "trust_id": pl.String, "trust_name": pl.String,
                "joined": pl.Date, "left": pl.Date},
    )  # fmt: skip
    tables = headline_tables(marks, enrol, schools=_schools(), memberships=mem)
    assert set(tables) == {"national", "regional", "trust"}
    nat = tables["national"].filter(pl.col("fsm_status") == "Total")
    assert nat.select("enrolments", "sess_possible", "sess_overall_percent").row(0) == (
        2,
        4,
        50.0,
    )
    trust = tables["trust"]
    assert trust["trust_id"].unique().to_list() == ["TR00007"]
    assert trust.filter(pl.col("fsm_status") == "Total")["enrolments"].item() == 1
    assert tables["regional"]["region_name"].unique().to_list() == ["North East"]


# ---------------------------------------------------------------- group numbering
def test_enrolment_groups_number_within_their_group_either_way():
    from makingdata.attendance._enrolments import EnrolmentGroups

    enrol = _enrol([
        (p, URN_A if p % 3 else URN_B, dt.date(2025, 9, 1), None, 9, p % 2 == 0)
        for p in range(1, 12)
    ]).with_columns(
        pl.when(pl.col("pupil_key") == 5).then(None).otherwise(pl.col("fsm_eligible"))
        .alias("fsm_eligible")
    )  # fmt: skip
    groups = EnrolmentGroups.of(enrol.lazy(), ["urn", "fsm_eligible"])
    assert groups.by_row
    assert groups.stride == enrol.height
    biggest = enrol.group_by("urn", "fsm_eligible").len()["len"].max()
    windowed = EnrolmentGroups(groups.columns, groups.table, biggest, by_row=False)
    for g in (groups, windowed):
        out = g.number(enrol.lazy().with_row_index("_eid")).collect()
        assert out["_eid"].n_unique() == enrol.height
        back = out.with_columns(_gid=(pl.col("_eid") // g.stride).cast(pl.UInt32))
        back = back.join(g.table, on="_gid", how="left", suffix="_g")
        # every enrolment decodes to its own group (a null FSM flag included)
        assert back.filter(
            (pl.col("urn") != pl.col("urn_g"))
            | pl.col("fsm_eligible").ne_missing(pl.col("fsm_eligible_g"))
        ).is_empty()


def test_school_counts_same_with_windowed_group_numbering(monkeypatch):
    from makingdata.attendance import _enrolments

    days = _days(dt.date(2025, 9, 8), 3)
    rows = [
        (URN_A if p < 4 else URN_B, p, d, s, "/" if (p + d.day) % 3 else "N")
        for p in range(1, 7)
        for d in days
        for s in ("AM", "PM")
    ]
    enrol = _enrol([
        (p, URN_A if p < 4 else URN_B, dt.date(2025, 9, 1), None, 9, p % 2 == 0)
        for p in range(1, 7)
    ])  # fmt: skip
    kw = {
        "schools": _schools().lazy(),
        "levels": ["school", "la"],
        "by": ["fsm_status"],
        "period": "week",
    }
    args = (_marks(rows).lazy(), enrol.lazy())
    normal = attendance_table(*args, **kw).collect()
    real_of = _enrolments.EnrolmentGroups.of.__func__

    def windowed(cls, enrolments, columns):
        g = real_of(cls, enrolments, columns)
        return cls(g.columns, g.table, 4, by_row=False)

    monkeypatch.setattr(_enrolments.EnrolmentGroups, "of", classmethod(windowed))
    other = attendance_table(*args, **kw).collect()
    assert normal.height > 0
    keys = [c for c in normal.columns if normal.schema[c] == pl.String]
    assert normal.sort(keys).equals(other.sort(keys))


def test_cohort_ages_follow_each_academic_year_of_a_window():
    # pupil 1: born 1 March 2009, aged 15 at 31 August 2024 and 16 at 31 August
    # 2025 -> counted in 2024/25 (not in its second summer half term), not in
    # 2025/26; pupil 2: born 1 March 2020, aged 4 then 5 -> counted in 2025/26 only
    spring, summer2 = dt.date(2025, 3, 10), dt.date(2025, 6, 10)
    autumn = dt.date(2025, 9, 15)
    rows = [(URN_A, p, d, "AM", "I") for p in (1, 2) for d in (spring, summer2, autumn)]
    cols = ["pupil_key", "urn", "enrol_start", "enrol_end", "date_of_birth"]
    enrol = pl.DataFrame(
        [
            (1, URN_A, dt.date(2020, 9, 1), None, dt.date(2009, 3, 1)),
            (2, URN_A, dt.date(2020, 9, 1), None, dt.date(2020, 3, 1)),
        ],
        schema={c: ENROLMENTS_SCHEMA[c] for c in cols},
        orient="row",
    )
    out = (
        enrolment_summary(
            _marks(rows).lazy(),
            enrol.lazy(),
            schools=_schools().lazy(),
            period="academic_year",
            start=dt.date(2025, 1, 1),
            end=dt.date(2025, 12, 31),
        )
        .collect()
        .sort("time_period", "pupil_key")
    )
    assert out.select("time_period", "pupil_key", "sess_possible").rows() == [
        (202425, 1, 1),
        (202526, 2, 1),
    ]


def test_school_counts_of_any_date_and_urn_type_match_the_plain_group_by():
    # the packed (urn, day, code) key covers +-2**25 days around 1970; a date
    # outside it, and a urn wider than 32 bits, take the plain group-by
    far = pl.lit(-40_000_000).cast(pl.Date)
    marks = _marks(
        [
            (100001, 1, dt.date(2025, 9, 8), "AM", "/"),
            (100001, 1, dt.date(2025, 9, 8), "PM", "I"),
            (100002, 2, dt.date(2025, 9, 8), "AM", "#"),
        ]
    )
    marks = pl.concat([marks, marks.with_columns(date=far)])
    got = session_counts(marks.lazy()).collect()
    wide = session_counts(
        marks.lazy().with_columns(pl.col("urn").cast(pl.Int64))
    ).collect()
    assert got.height == 4
    assert got.drop("urn").equals(wide.drop("urn"))
    assert got["urn"].to_list() == wide["urn"].to_list()
    old = got.filter(pl.col("date").dt.year() < 0)
    assert old.select("urn", "sess_possible", "sess_not_counted").rows() == [
        (100001, 2, 0),
        (100002, 0, 1),
    ]


def test_chunk_size_must_be_positive():
    marks = _marks([(URN_A, 1, dt.date(2025, 9, 8), "AM", "/")])
    enrol = _enrol([(1, URN_A, dt.date(2025, 9, 1), None, 10, False)])
    with pytest.raises(InputError, match="chunk_enrolment_periods"):
        attendance_table(
            marks, enrol, schools=_schools(), period="week", chunk_enrolment_periods=0
        )


# ---------------------------------------------------------------- empty results
def test_an_empty_table_says_why_and_what_to_pass():
    from makingdata.errors import EmptyResultWarning

    days = _days(dt.date(2025, 9, 8), 2)
    rows = [(URN_A, 1, d, s, "/") for d in days for s in ("AM", "PM")]
    marks = _marks(rows)
    enrol = _enrol([(1, URN_A, dt.date(2025, 9, 1), None, 12, False)])
    with pytest.warns(
        EmptyResultWarning, match=r"no mark falls between 2026-01-05"
    ) as w:
        t = attendance_table(
            marks,
            enrol,
            schools=_schools(),
            start=dt.date(2026, 1, 5),
            end=dt.date(2026, 1, 9),
        ).collect()
    assert t.height == 0
    assert "the marks run from 2025-09-08 to 2025-09-09" in str(w[0].message)
    assert "pass start= and end=" in str(w[0].message)
    stranger = _enrol([(2, URN_A, dt.date(2025, 9, 1), None, 12, False)])
    with pytest.warns(EmptyResultWarning, match="belongs to an enrolment"):
        attendance_table(marks, stranger, schools=_schools()).collect()
    toddler = _enrol([(1, URN_A, dt.date(2025, 9, 1), None, 3, False)])
    with pytest.warns(EmptyResultWarning, match=r"outside the cohort.*Cohort.everyone"):
        attendance_table(marks, toddler, schools=_schools()).collect()
    with pytest.warns(EmptyResultWarning, match="the trust level is empty"):
        attendance_table(marks, enrol, schools=_schools(), levels=("national", "trust"))


# ---------------------------------------------------------------- signatures
def test_frames_by_position_beyond_marks_and_enrolments_are_deprecated():
    days = _days(dt.date(2025, 9, 8), 1)
    marks = _marks([(URN_A, 1, d, s, "/") for d in days for s in ("AM", "PM")])
    enrol = _enrol([(1, URN_A, dt.date(2025, 9, 1), None, 12, False)])
    want = attendance_table(marks, enrol, schools=_schools()).collect()
    with pytest.warns(DeprecationWarning, match=r"passing schools by position"):
        old = attendance_table(marks, enrol, _schools()).collect()
    assert_frame_equal(old.frame, want.frame)
    with pytest.warns(DeprecationWarning, match=r"schools=\.\.\. by keyword"):
        enrolment_summary(marks.lazy(), enrol.lazy(), _schools().lazy()).collect()
    with pytest.raises(InputError, match="needs the schools"):
        attendance_table(marks, enrol)
    with (
        pytest.warns(DeprecationWarning, match="by position"),
        pytest.raises(InputError, match="got schools twice"),
    ):
        attendance_table(marks, enrol, _schools(), schools=_schools())
    # either frame type in
    lazy = attendance_table(marks.lazy(), enrol.lazy(), schools=_schools().lazy())
    assert_frame_equal(lazy.collect().frame, want.frame)
