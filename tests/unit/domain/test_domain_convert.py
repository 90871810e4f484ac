from __future__ import annotations

import datetime as dt

import attrs
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from makingdata._contracts import (
    ENROLMENTS_SCHEMA,
    MARKS_SCHEMA,
    MEMBERSHIPS_SCHEMA,
    SCHOOLS_SCHEMA,
    EducationPhase,
    EthnicityMajor,
    SenProvision,
    Sex,
    YearGroup,
)
from makingdata.codes import CODES
from makingdata.domain import (
    AttendanceRecord,
    Enrolment,
    LocalAuthority,
    School,
    TrustMembership,
    default_local_authorities,
    enrolments_to_frame,
    frame_to_enrolments,
    frame_to_memberships,
    frame_to_records,
    frame_to_schools,
    memberships_to_frame,
    records_to_frame,
    schools_to_frame,
)
from makingdata.errors import IdentifierError, InputError

urns = st.integers(100000, 999999)
days = st.dates(dt.date(2006, 9, 1), dt.date(2027, 8, 31))
keys = st.integers(0, 2**64 - 1)


@st.composite
def records(draw: st.DrawFn) -> AttendanceRecord:
    day = draw(days)
    code = draw(
        st.sampled_from(sorted(c for c, spec in CODES.items() if spec.is_valid_on(day)))
    )
    return AttendanceRecord(
        draw(urns), draw(keys), day, draw(st.sampled_from(["AM", "PM"])), code
    )


@st.composite
def enrolments(draw: st.DrawFn) -> Enrolment:
    start = draw(days)
    end = draw(st.one_of(st.none(), st.dates(start, dt.date(2028, 8, 31))))
    dob = draw(
        st.one_of(
            st.none(),
            st.dates(dt.date(start.year - 24, 9, 1), dt.date(start.year - 3, 8, 31)),
        )
    )
    extra = (
        {}
        if dob is not None
        else {"age_at_31_august": draw(st.one_of(st.none(), st.integers(0, 25)))}
    )
    return Enrolment(
        draw(keys),
        draw(urns),
        start,
        end,
        date_of_birth=dob,
        year_group=draw(st.sampled_from(list(YearGroup))),
        sex=draw(st.sampled_from(list(Sex))),
        ethnicity_major=draw(st.sampled_from(list(EthnicityMajor))),
        fsm_eligible=draw(st.booleans()),
        sen_provision=draw(st.sampled_from(list(SenProvision))),
        looked_after=draw(st.booleans()),
        child_in_need=draw(st.booleans()),
        **extra,
    )


PLAIN_LAS = [
    LocalAuthority(la.old_la_code, la.new_la_code, la.name, la.region)
    for la in default_local_authorities()
]
texts = st.one_of(
    st.none(), st.text(alphabet="abc XYZ-'é", min_size=1, max_size=12).filter(str.strip)
)


@st.composite
def schools(draw: st.DrawFn) -> School:
    la = draw(st.sampled_from(PLAIN_LAS))
    opened = draw(st.one_of(st.none(), days))
    closed = draw(
        st.one_of(
            st.none(), st.dates(opened or dt.date(2006, 1, 1), dt.date(2030, 1, 1))
        )
    )
    previous = draw(st.one_of(st.none(), st.integers(100, 999)))
    district = draw(
        st.one_of(
            st.none(),
            st.sampled_from([("E07000234", "Bromsgrove"), ("E08000025", None)]),
        )
    )
    return School(
        draw(urns),
        draw(
            st.text(alphabet="abcdefgh St.'", min_size=1, max_size=20).filter(str.strip)
        ),
        la.old_la_code * 10000 + draw(st.integers(0, 9999)),
        la,
        draw(st.one_of(st.none(), st.sampled_from(list(EducationPhase)))),
        establishment_type=draw(texts),
        establishment_type_group=draw(texts),
        open_date=opened,
        close_date=closed,
        previous_la_code=previous,
        lad_code=None if district is None else district[0],
        lad_name=None if district is None else district[1],
    )


@st.composite
def memberships(draw: st.DrawFn) -> TrustMembership:
    joined = draw(st.one_of(st.none(), days))
    left = draw(
        st.one_of(
            st.none(), st.dates(joined or dt.date(2000, 1, 1), dt.date(2030, 1, 1))
        )
    )
    return TrustMembership(
        draw(urns),
        f"TR{draw(st.integers(0, 99999)):05d}",
        joined,
        left,
        trust_name=draw(texts),
    )


@settings(max_examples=40)  # each example builds frames: keep the suite fast
@given(st.lists(records(), max_size=20))
def test_marks_round_trip(items: list[AttendanceRecord]) -> None:
    frame = records_to_frame(items)
    assert frame.schema == pl.Schema(MARKS_SCHEMA)
    assert frame_to_records(frame) == items


@settings(max_examples=40)  # each example builds frames: keep the suite fast
@given(st.lists(enrolments(), max_size=8))
def test_enrolments_round_trip(items: list[Enrolment]) -> None:
    frame = enrolments_to_frame(items)
    assert frame.schema == pl.Schema(ENROLMENTS_SCHEMA)
    assert frame_to_enrolments(frame) == items


@settings(max_examples=40)  # each example builds frames: keep the suite fast
@given(st.lists(schools(), max_size=6))
def test_schools_round_trip(items: list[School]) -> None:
    frame = schools_to_frame(items, with_previous_la=True)
    assert dict(frame.schema) == {**SCHOOLS_SCHEMA, "previous_la_code": pl.UInt16()}
    assert frame_to_schools(frame) == items
    # in the contract columns alone, everything but previous_la_code survives
    plain = schools_to_frame(items)
    assert plain.schema == pl.Schema(SCHOOLS_SCHEMA)
    assert frame_to_schools(plain) == [
        attrs.evolve(s, previous_la_code=None) for s in items
    ]


@settings(max_examples=40)  # each example builds frames: keep the suite fast
@given(st.lists(memberships(), max_size=8))
def test_memberships_round_trip(items: list[TrustMembership]) -> None:
    frame = memberships_to_frame(items)
    assert frame.schema == pl.Schema(MEMBERSHIPS_SCHEMA)
    assert frame_to_memberships(frame) == items


@settings(max_examples=40)  # each example builds frames: keep the suite fast
@given(st.lists(records(), max_size=20))
def test_frames_round_trip_too(items: list[AttendanceRecord]) -> None:
    frame = records_to_frame(items)
    assert_frame_equal(records_to_frame(frame_to_records(frame)), frame)


def test_empty_lists_give_empty_contract_frames() -> None:
    assert records_to_frame([]).schema == pl.Schema(MARKS_SCHEMA)
    assert enrolments_to_frame([]).height == 0
    assert schools_to_frame([]).schema == pl.Schema(SCHOOLS_SCHEMA)
    assert memberships_to_frame([]).schema == pl.Schema(MEMBERSHIPS_SCHEMA)


def test_frames_are_cast_to_the_contract_and_extra_columns_ignored() -> None:
    frame = pl.DataFrame(
        {
            "urn": ["123456"],
            "pupil_key": [5],
            "date": [dt.date(2024, 9, 2)],
            "session": ["AM"],
            "code": ["/"],
            "note": ["ignored"],
        }
    )
    assert frame_to_records(frame) == [
        AttendanceRecord(123456, 5, dt.date(2024, 9, 2), "AM", "/")
    ]


def marks_frame(**overrides: list[object]) -> pl.DataFrame:
    data: dict[str, list[object]] = {
        "urn": [123456, 123456],
        "pupil_key": [1, 2],
        "date": [dt.date(2024, 9, 2), dt.date(2024, 9, 2)],
        "session": ["AM", "AM"],
        "code": ["/", "I"],
    }
    data.update(overrides)
    return pl.DataFrame(data)


# ---------------------------------------------------------- input validation


def test_input_validation_missing_column() -> None:
    with pytest.raises(InputError) as err:
        frame_to_records(marks_frame().drop("session"))
    assert str(err.value) == (
        "column 'session': the marks frame has no column(s) 'session'. What to do: a "
        "marks frame needs the columns urn, pupil_key, date, session, code."
    )


def test_input_validation_uncastable_column() -> None:
    with pytest.raises(InputError) as err:
        frame_to_records(marks_frame(date=["2024-09-02", "soon"]))
    assert str(err.value) == (
        "column 'date': the marks column 'date' (String) cannot be read as Date. What to "
        "do: give 'date' values that fit Date."
    )


def test_input_validation_bad_row_names_the_row() -> None:
    with pytest.raises(IdentifierError) as err:
        frame_to_records(marks_frame(urn=[123456, 12345]))
    assert str(err.value) == (
        "row 1, column 'urn': 12345 is not a URN: a URN has 6 digits (100000–999999). "
        "What to do: give the school's 6-digit URN as GIAS lists it."
    )


def test_input_validation_not_a_frame() -> None:
    with pytest.raises(InputError) as err:
        frame_to_enrolments(marks_frame().lazy())  # type: ignore[arg-type]
    assert str(err.value) == (
        "expected a polars DataFrame of enrolments, got a LazyFrame. What to do: collect "
        "a LazyFrame first, or build the frame with polars."
    )


def test_input_validation_schools_frame_la_mismatch() -> None:
    frame = schools_to_frame(
        [
            School(
                123456,
                "Example",
                8852001,
                PLAIN_LAS[0].__class__(
                    885, "E10000034", "Worcestershire", PLAIN_LAS[0].region
                ),
            )
        ]
    )
    with pytest.raises(IdentifierError, match="row 0, column 'laestab'"):
        frame_to_schools(frame.with_columns(laestab=pl.lit(3032001, pl.UInt32)))


def test_enrolment_age_left_null_is_derived() -> None:
    e = Enrolment(
        1,
        123456,
        dt.date(2024, 9, 2),
        date_of_birth=dt.date(2017, 5, 1),
        year_group="3",
        fsm_eligible=False,
        sen_provision="No SEN provision",
        looked_after=False,
        child_in_need=False,
    )
    frame = enrolments_to_frame([e]).with_columns(
        age_at_31_august=pl.lit(None, pl.UInt8)
    )
    assert frame_to_enrolments(frame) == [e]
