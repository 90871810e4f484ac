"""Property tests: the attendance kernels against a plain-Python reference."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from makingdata._contracts import ENROLMENTS_SCHEMA, MARKS_SCHEMA, SCHOOLS_SCHEMA
from makingdata.attendance import (
    COUNT_COLUMNS,
    Cohort,
    attendance_table,
    enrolment_summary,
    round_half_up,
    session_counts,
)
from makingdata.attendance._enrolments import long_counts
from makingdata.codes import CODE_LETTERS, CODES, Category

URNS = (100001, 100002, 100003)
PUPILS = tuple(range(1, 7))
DAYS = tuple(
    [dt.date(2024, 9, 2) + dt.timedelta(days=i) for i in range(12)]
    + [dt.date(2025, 5, 20) + dt.timedelta(days=i) for i in range(14)]
)
PHASES = ("Primary", "Secondary", "Special", "Nursery")


# ---------------------------------------------------------------- rounding
@given(
    x=st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)
    | st.integers(0, 10**7).map(lambda k: k / 1000 + 0.0005)
    | st.builds(lambda n, d: n / d * 100, st.integers(0, 10**6), st.integers(1, 10**6)),
    dp=st.integers(0, 6),
)
def test_round_half_up_is_decimal_round_half_up_of_the_float(x, dp):
    got = pl.select(round_half_up(pl.lit(x, pl.Float64), dp)).item()
    want = float(Decimal(x).quantize(Decimal(10) ** -dp, rounding=ROUND_HALF_UP))
    assert got == want


@given(
    xs=st.lists(
        st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
        | st.builds(
            lambda n, d: n / d * 100, st.integers(0, 10**6), st.integers(1, 10**6)
        ),
        min_size=1,
        max_size=20,
    ),
    dp=st.integers(0, 6),
)
def test_staged_rounding_of_many_rates_is_decimal_round_half_up(xs, dp):
    from makingdata.attendance._measures import _round_columns

    frame = pl.LazyFrame(
        {"a": xs, "b": list(reversed(xs))}, schema={"a": pl.Float64, "b": pl.Float64}
    )
    out = _round_columns(frame, {"a": "a", "b": "b_r"}, dp).collect()
    assert out.columns == ["a", "b", "b_r"]
    for col, src in (("a", xs), ("b_r", list(reversed(xs)))):
        want = [
            float(Decimal(x).quantize(Decimal(10) ** -dp, rounding=ROUND_HALF_UP))
            for x in src
        ]
        assert out[col].to_list() == want


# ---------------------------------------------------------------- data
@st.composite
def datasets(draw):
    marks = draw(
        st.lists(
            st.tuples(
                st.sampled_from(URNS),
                st.sampled_from(PUPILS),
                st.sampled_from(DAYS),
                st.sampled_from(("AM", "PM")),
                st.sampled_from(CODE_LETTERS),
            ),
            max_size=120,
            unique_by=lambda t: t[:4],
        )
    )
    enrol = []
    for urn in URNS:
        for p in PUPILS:
            if draw(st.booleans()):
                a, b = sorted(
                    draw(st.lists(st.sampled_from(DAYS), min_size=2, max_size=2))
                )
                open_end = draw(st.booleans())
                dob = draw(
                    st.none() | st.dates(dt.date(2007, 1, 1), dt.date(2021, 12, 31))
                )
                enrol.append(
                    {
                        "pupil_key": p,
                        "urn": urn,
                        "enrol_start": a,
                        "enrol_end": None if open_end else b,
                        "date_of_birth": dob,
                        "age_at_31_august": draw(st.integers(3, 17)),
                        "fsm_eligible": draw(st.booleans()),
                        "sen_provision": draw(
                            st.sampled_from(
                                [
                                    "No SEN provision",
                                    "SEN support / SEN without an EHC plan",
                                ]
                            )
                        ),
                        "sex": draw(st.sampled_from(["Male", "Female"])),
                    }
                )
    schools = [
        {
            "urn": u,
            "school_name": f"School {u}",
            "laestab": 8400000 + i,
            "old_la_code": 840 + i % 2,
            "new_la_code": f"E0600004{i % 2}",
            "la_name": f"LA {i % 2}",
            "region_code": "E12000001",
            "region_name": "North East",
            "trust_id": "TR00001" if i < 2 else None,
            "education_phase": draw(st.sampled_from(PHASES)),
            "establishment_type_group": draw(
                st.sampled_from(
                    ["Academy", "Local authority maintained", "Independent"]
                )
            ),
        }
        for i, u in enumerate(URNS)
    ]
    return marks, enrol, schools


def _frames(marks, enrol, schools):
    m = pl.DataFrame(
        marks, schema=["urn", "pupil_key", "date", "session", "code"], orient="row"
    ).cast(MARKS_SCHEMA)
    ecols = [
        "pupil_key",
        "urn",
        "enrol_start",
        "enrol_end",
        "date_of_birth",
        "age_at_31_august",
        "fsm_eligible",
        "sen_provision",
        "sex",
    ]
    e = pl.DataFrame(enrol, schema={c: ENROLMENTS_SCHEMA[c] for c in ecols})
    s = pl.DataFrame(schools, schema={c: SCHOOLS_SCHEMA[c] for c in schools[0]})
    return m.lazy(), e.lazy(), s.lazy()


def _last_monday_may(year):
    d = dt.date(year, 5, 31)
    return d - dt.timedelta(days=d.weekday())


def _age(e, day):
    y0 = day.year if day.month >= 8 else day.year - 1
    dob = e["date_of_birth"]
    if dob is None:
        return e["age_at_31_august"]
    return y0 - dob.year - (1 if dob.month > 8 else 0)


def reference(marks, enrol, schools, cohort):
    """Plain Python: per enrolment, code counts of the marks that count."""
    sch = {s["urn"]: s for s in schools}
    out = {}
    for e in enrol:
        c = Counter()
        for urn, p, day, _sess, code in marks:
            if urn != e["urn"] or p != e["pupil_key"]:
                continue
            if day < e["enrol_start"] or (
                e["enrol_end"] is not None and day > e["enrol_end"]
            ):
                continue
            age = _age(e, day)
            if cohort.min_age is not None and age < cohort.min_age:
                continue
            if cohort.max_age is not None and age > cohort.max_age:
                continue
            if (
                cohort.exclude_age15_summer2
                and age == 15
                and day >= _last_monday_may(day.year)
                and day.month <= 7
            ):
                continue
            if (
                cohort.phases is not None
                and sch[urn]["education_phase"] not in cohort.phases
            ):
                continue
            if (
                cohort.exclude_independent
                and sch[urn]["establishment_type_group"] == "Independent"
            ):
                continue
            c[code] += 1
        if not c:  # no mark in the period: the enrolment has no row
            continue
        possible = sum(n for k, n in c.items() if CODES[k].counted_in_possible)
        if cohort.drop_zero_possible and possible == 0:
            continue
        overall = sum(
            n
            for k, n in c.items()
            if CODES[k].category in (Category.AUTHORISED, Category.UNAUTHORISED)
        )
        out[(e["pupil_key"], e["urn"])] = {
            "codes": c,
            "sess_possible": possible,
            "sess_overall": overall,
            "persistent_absence": possible > 0 and overall / possible >= 0.1,
            "severe_absence": possible > 0 and overall / possible >= 0.5,
        }
    return out


def _check_summary(got: pl.DataFrame, want: dict) -> None:
    assert got.height == len(want)
    for row in got.iter_rows(named=True):
        w = want[(row["pupil_key"], row["urn"])]
        for code, spec in CODES.items():
            assert row[spec.dfe_reason] == w["codes"].get(code, 0), code
        for k in (
            "sess_possible",
            "sess_overall",
            "persistent_absence",
            "severe_absence",
        ):
            assert row[k] == w[k], k


# ---------------------------------------------------------------- kernels
@given(datasets())
def test_session_counts_equal_plain_counting(data):
    marks, _, _ = data
    m = _frames(*data)[0]
    got = session_counts(m).collect()
    want = defaultdict(Counter)
    for urn, _p, day, _s, code in marks:
        want[(urn, day)][code] += 1
    assert got.height == len(want)
    for row in got.iter_rows(named=True):
        c = want[(row["urn"], row["date"])]
        for code, spec in CODES.items():
            assert row[spec.dfe_reason] == c.get(code, 0)
        cats = {
            cat: sum(n for k, n in c.items() if CODES[k].category is cat)
            for cat in Category
        }
        assert row["sess_present"] == cats[Category.PRESENT]
        assert row["sess_aea"] == cats[Category.AEA]
        assert row["sess_authorised"] == cats[Category.AUTHORISED]
        assert row["sess_unauthorised"] == cats[Category.UNAUTHORISED]
        assert row["sess_not_counted"] == cats[Category.NOT_COUNTED]
        assert row["sess_possible"] == sum(
            n
            for k, n in c.items()
            if k
            not in {
                "D",
                "Q",
                "X",
                "Y",
                "Y1",
                "Y2",
                "Y3",
                "Y4",
                "Y5",
                "Y6",
                "Y7",
                "Z",
                "#",
            }
        )
        assert row["sess_late"] == c.get("L", 0) + c.get("U", 0)


@given(
    datasets(),
    st.sampled_from(
        [
            Cohort(),
            Cohort.everyone(),
            Cohort(phases=None),
            Cohort(exclude_age15_summer2=False, drop_zero_possible=False),
        ]
    ),
)
def test_enrolment_summary_equals_reference(data, cohort):
    marks, enrol, schools = data
    got = enrolment_summary(
        *_frames(*data)[:2],
        schools=_frames(*data)[2],
        period="range",
        start=DAYS[0],
        end=DAYS[-1],
        cohort=cohort,
    ).collect()
    _check_summary(got, reference(marks, enrol, schools, cohort))


@settings(max_examples=50)
@given(datasets(), st.sampled_from([Cohort(), Cohort.everyone()]))
def test_daily_enrolment_summary_equals_reference_day_by_day(data, cohort):
    # period="day" counts each mark straight into its enrolment and day (no
    # per-code pre-aggregation): the same reference, one day at a time
    marks, enrol, schools = data
    got = enrolment_summary(
        *_frames(*data)[:2],
        schools=_frames(*data)[2],
        period="day",
        start=DAYS[0],
        end=DAYS[-1],
        cohort=cohort,
    ).collect()
    for day in DAYS:
        _check_summary(
            got.filter(pl.col("attendance_date") == day),
            reference([m for m in marks if m[2] == day], enrol, schools, cohort),
        )


@settings(max_examples=50)
@given(datasets(), st.sampled_from(["week", "range", "day"]))
def test_long_counts_with_and_without_pre_aggregation_agree(data, period):
    m, e, s = _frames(*data)
    got = []
    for pre in (True, False):
        long, _, _ = long_counts(
            m,
            e,
            s,
            period=period,
            start=DAYS[0],
            end=DAYS[-1],
            cohort=Cohort(),
            calendar=None,
            carry=["pupil_key"],
            pre_aggregate=pre,
        )
        keys = ["_eid", "_pid", "_ci", "urn", "pupil_key"]
        got.append(long.group_by(keys).agg(pl.col("n").sum()).sort(keys).collect())
    assert_frame_equal(got[0], got[1])


@settings(max_examples=25)  # each example builds several query plans
@given(
    datasets(),
    st.lists(
        st.tuples(
            st.sampled_from(URNS),
            st.sampled_from(PUPILS),
            st.dates(dt.date(2024, 8, 1), dt.date(2025, 7, 31)),
            st.sampled_from(("AM", "PM")),
            st.sampled_from(CODE_LETTERS),
        ),
        max_size=30,
    ),
)
def test_no_mark_outside_an_enrolment_is_counted(data, extra):
    marks, enrol, schools = data
    windows = {(e["urn"], e["pupil_key"]): e for e in enrol}
    outside = []
    for urn, p, day, s, code in extra:
        e = windows.get((urn, p))
        if (
            e is None
            or day < e["enrol_start"]
            or (e["enrol_end"] is not None and day > e["enrol_end"])
        ):
            outside.append((urn, p, day, s, code))
    keys = {t[:4] for t in marks}
    outside = [t for t in dict.fromkeys(outside) if t[:4] not in keys]
    outside = list({t[:4]: t for t in outside}.values())
    frames = _frames(marks, enrol, schools)
    more = _frames(marks + outside, enrol, schools)
    kw = {
        "period": "academic_year",
        "start": dt.date(2024, 8, 1),
        "end": dt.date(2025, 7, 31),
        "cohort": Cohort.everyone(),
    }
    assert_frame_equal(
        enrolment_summary(*frames[:2], schools=frames[2], **kw).collect(),
        enrolment_summary(*more[:2], schools=more[2], **kw).collect(),
        check_row_order=False,
    )


def _table(m, e, s, **kw):
    return (
        attendance_table(
            m,
            e,
            schools=s,
            levels=("national", "la", "school"),
            period="academic_year",
            start=dt.date(2024, 8, 1),
            end=dt.date(2025, 7, 31),
            decimals=None,
            **kw,
        )
        .collect()
        .frame
    )


_COUNTS = [
    *COUNT_COLUMNS,
    "enrolments",
    "enrolments_pa_10_exact",
    "enrolments_pa_50_exact",
    "sess_possible_pa_10_exact",
    "sess_overall_pa_10_exact",
]


@pytest.mark.filterwarnings("ignore::makingdata.errors.EmptyResultWarning")
@settings(max_examples=25)  # each example builds several query plans
@given(datasets())
def test_total_rows_equal_the_sum_of_breakdown_rows(data):
    t = _table(*_frames(*data), by=["fsm_status", "sex"])
    geo = ["geographic_level", "old_la_code", "school_urn"]
    tot = t.filter(pl.col("fsm_status") == "Total", pl.col("sex") == "Total")
    for filt, other in (("fsm_status", "sex"), ("sex", "fsm_status")):
        parts = (
            t.filter(pl.col(filt) != "Total", pl.col(other) == "Total")
            .group_by(geo)
            .agg([pl.col(c).sum() for c in _COUNTS])
        )
        joined = tot.join(parts, on=geo, how="full", nulls_equal=True, suffix="_p")
        for c in _COUNTS:
            assert (joined[c] == joined[f"{c}_p"]).all(), c


@pytest.mark.filterwarnings("ignore::makingdata.errors.EmptyResultWarning")
@settings(max_examples=25)  # each example builds several query plans
@given(datasets(), st.sampled_from(URNS))
def test_two_halves_by_school_add_up_to_the_whole(data, cut):
    m, e, s = _frames(*data)
    whole = _table(m, e, s).filter(pl.col("geographic_level") == "National")
    a = _table(m.filter(pl.col("urn") < cut), e, s)
    b = _table(m.filter(pl.col("urn") >= cut), e, s)
    halves = pl.concat([a, b]).filter(pl.col("geographic_level") == "National")
    summed = halves.select([pl.col(c).sum() for c in _COUNTS])
    if whole.height == 0:
        assert halves.height == 0
        return
    assert_frame_equal(whole.select(_COUNTS), summed, check_dtypes=False)


@pytest.mark.filterwarnings("ignore::makingdata.errors.EmptyResultWarning")
@settings(max_examples=25)  # each example builds several query plans
@given(datasets(), st.sampled_from(DAYS))
def test_two_halves_by_date_add_up_for_session_counts(data, cut):
    m = _frames(*data)[0]
    whole = session_counts(m).collect()
    halves = pl.concat(
        [
            session_counts(m, end=cut - dt.timedelta(days=1)).collect(),
            session_counts(m, start=cut).collect(),
        ]
    ).sort("urn", "date")
    assert_frame_equal(whole, halves)
    # and the national session totals from the table, split by date
    e, s = _frames(*data)[1:]
    kw = {
        "levels": "national",
        "period": "range",
        "decimals": None,
        "cohort": Cohort(drop_zero_possible=False),
    }
    full = attendance_table(
        m, e, schools=s, start=DAYS[0], end=DAYS[-1], **kw
    ).collect()
    left = (
        attendance_table(
            m, e, schools=s, start=DAYS[0], end=cut - dt.timedelta(days=1), **kw
        ).collect()
        if cut > DAYS[0]
        else full.clear()
    )
    right = attendance_table(m, e, schools=s, start=cut, end=DAYS[-1], **kw).collect()
    sess = list(COUNT_COLUMNS)
    got = pl.concat([left.select(sess), right.select(sess)]).sum()
    if full.height:
        assert_frame_equal(full.select(sess), got, check_dtypes=False)


@pytest.mark.filterwarnings("ignore::makingdata.errors.EmptyResultWarning")
@settings(max_examples=20, deadline=None)  # one query plan per chunk
@given(datasets(), st.sampled_from(["day", "week", "half_term", "term"]))
def test_school_stage_in_chunks_equals_one_pass(data, period):
    # the school stage runs over runs of whole periods; one period per chunk
    # and the whole window in one chunk give the same table
    # daily and weekly over the September fortnight only (a chunk per day
    # or week), half terms and terms over the whole window
    end = DAYS[11] if period in ("day", "week") else DAYS[-1]
    got = [
        attendance_table(
            *_frames(*data)[:2],
            schools=_frames(*data)[2],
            levels=("school", "la", "national"),
            by=["fsm_status"],
            period=period,
            start=DAYS[0],
            end=end,
            decimals=None,
            chunk_enrolment_periods=size,
        )
        .collect()
        .sort(pl.all().exclude(pl.Float64, pl.Int64))
        for size in (1, 10**12)
    ]
    assert_frame_equal(got[0], got[1])


@settings(max_examples=20, deadline=None)  # one query plan per chunk
@given(
    datasets(),
    st.sampled_from(["range", "ytd", "academic_year"]),
    st.sampled_from([Cohort(), Cohort.everyone()]),
)
def test_summary_in_date_chunks_equals_one_pass(data, period, cohort):
    # a single-period summary counted 3 days at a time and added up equals
    # the whole window counted at once (September fortnight: 4 chunks); each
    # drawn mark is repeated on every other day of the fortnight, so an
    # enrolment's marks fall in several chunks
    marks, enrol, schools = data
    spread = {
        (u, p, d, s): (u, p, d, s, c) for u, p, _, s, c in marks for d in DAYS[:12:2]
    }
    frames = _frames(list(spread.values()), enrol, schools)
    end = DAYS[11]
    got = [
        enrolment_summary(
            *frames[:2],
            schools=frames[2],
            period=period,
            start=None if period == "ytd" else DAYS[0],
            end=end,
            cohort=cohort,
            chunk_days=size,
        )
        .collect()
        .sort("pupil_key", "urn")
        for size in (3, 10**6)
    ]
    assert_frame_equal(got[0], got[1])


@settings(max_examples=300)
@given(
    x=st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False),
    dp=st.integers(0, 5),
)
def test_round_five_up_is_dfers_algorithm(x: float, dp: int) -> None:
    import math

    from makingdata.attendance import round_five_up

    # dfeR: z <- trunc(abs(x) * 10^dp + 0.5 + sqrt(eps)) / 10^dp; z * sign(x)
    z = math.trunc(abs(x) * 10**dp + 0.5 + math.sqrt(2.220446049250313e-16)) / 10**dp
    want = math.copysign(z, x) if x != 0 else 0.0
    got = pl.DataFrame({"x": [x]}).select(round_five_up("x", dp)).item()
    assert got == want
