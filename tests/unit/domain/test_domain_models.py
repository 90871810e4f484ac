from __future__ import annotations

import datetime as dt

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import makingdata
from makingdata import _contracts
from makingdata.codes import CODES
from makingdata.domain import (
    AttendanceRecord,
    EducationPhase,
    Enrolment,
    EthnicityMajor,
    LocalAuthority,
    Region,
    School,
    SenProvision,
    Sex,
    Trust,
    TrustMembership,
    TrustType,
    YearGroup,
    academic_year_start,
    age_at_31_august,
    default_local_authorities,
)
from makingdata.errors import IdentifierError, InputError, MakingDataError

WM = Region("E12000005", "West Midlands")
WORCS = LocalAuthority(885, "E10000034", "Worcestershire", WM)
FLAGS = {
    "year_group": "6",
    "fsm_eligible": False,
    "sen_provision": "No SEN provision",
    "looked_after": False,
    "child_in_need": False,
}


def test_enums_are_the_contract_enums_not_copies() -> None:
    assert Sex is _contracts.Sex
    assert EthnicityMajor is _contracts.EthnicityMajor
    assert SenProvision is _contracts.SenProvision
    assert YearGroup is _contracts.YearGroup
    assert EducationPhase is _contracts.EducationPhase


def test_models_are_frozen_and_slotted() -> None:
    school = School(123456, "Example Primary", 8852001, WORCS)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        school.name = "Other"  # type: ignore[misc]
    assert not hasattr(school, "__dict__")


def test_errors_are_makingdata_and_value_errors() -> None:
    with pytest.raises(MakingDataError):
        Region("E12000005", "")
    with pytest.raises(ValueError, match="non-blank"):
        Region("E12000005", " ")


# ------------------------------------------------------------ organisations


def test_default_local_authorities_cover_current_and_abolished() -> None:
    las = {la.new_la_code: la for la in default_local_authorities()}
    assert len(las) == 153 + 10
    live = [la for la in las.values() if la.date_of_termination is None]
    assert len(live) == 153
    # every successor and predecessor named is in the table, and the dates meet
    for la in las.values():
        for code in la.successors:
            succ = las[code]
            assert la.date_of_termination is not None
            assert succ.date_of_operation == la.date_of_termination + dt.timedelta(
                days=1
            )
            assert la.new_la_code in succ.predecessors
        for code in la.predecessors:
            assert la.new_la_code in las[code].successors


@pytest.mark.parametrize(
    ("old_gss", "new", "first_day"),
    [
        ("E10000023", ["E06000065"], dt.date(2023, 4, 1)),  # North Yorkshire
        ("E10000006", ["E06000063", "E06000064"], dt.date(2023, 4, 1)),  # Cumbria
        ("E10000027", ["E06000066"], dt.date(2023, 4, 1)),  # Somerset
        ("E10000021", ["E06000061", "E06000062"], dt.date(2021, 4, 1)),  # Northants
        ("E10000009", ["E06000059", "E06000058"], dt.date(2019, 4, 1)),  # Dorset
        ("E06000028", ["E06000058"], dt.date(2019, 4, 1)),  # Bournemouth
        ("E06000029", ["E06000058"], dt.date(2019, 4, 1)),  # Poole
        ("E10000002", ["E06000060"], dt.date(2020, 4, 1)),  # Buckinghamshire
    ],
)
def test_reorganisations_in_the_shipped_table(
    old_gss: str, new: list[str], first_day: dt.date
) -> None:
    las = {la.new_la_code: la for la in default_local_authorities()}
    gone = las[old_gss]
    assert gone.successors == tuple(new)
    assert gone.date_of_termination == first_day - dt.timedelta(days=1)
    assert not gone.in_operation_on(first_day)
    for code in new:
        assert las[code].date_of_operation == first_day
        assert las[code].in_operation_on(first_day)


def test_old_codes_kept_and_changed() -> None:
    las = {la.new_la_code: la for la in default_local_authorities()}
    assert las["E10000023"].old_la_code == las["E06000065"].old_la_code == 815
    assert las["E10000006"].old_la_code == 909
    assert {las["E06000063"].old_la_code, las["E06000064"].old_la_code} == {942, 943}
    assert (las["E06000061"].old_la_code, las["E06000062"].old_la_code) == (940, 941)
    assert (las["E06000059"].old_la_code, las["E06000058"].old_la_code) == (838, 839)


def test_school_helpers() -> None:
    school = School(
        123456,
        "Example Primary",
        "8852001",
        WORCS,
        "Primary",
        open_date=dt.date(2014, 9, 1),
        close_date=dt.date(2020, 8, 31),
    )
    assert school.phase is EducationPhase.PRIMARY
    assert school.establishment_number == 2001
    assert not school.is_open_on(dt.date(2014, 8, 31))
    assert school.is_open_on(dt.date(2014, 9, 1))
    assert school.is_open_on(dt.date(2020, 8, 31))
    assert not school.is_open_on(dt.date(2020, 9, 1))


def test_trust_types() -> None:
    assert Trust("TR00001", "A", "MAT").trust_type is TrustType.MAT
    assert Trust("TR00001", "A", "Multi-academy trust").trust_type is TrustType.MAT
    assert Trust("TR00001").name is None


def test_membership_dates_are_inclusive() -> None:
    m = TrustMembership(123456, "TR00001", dt.date(2020, 1, 1), dt.date(2020, 1, 31))
    assert m.is_current_on(dt.date(2020, 1, 1))
    assert m.is_current_on(dt.date(2020, 1, 31))
    assert not m.is_current_on(dt.date(2020, 2, 1))


# ------------------------------------------------------------------ pupils


def brute_age(dob: dt.date, year: int) -> int:
    """Count birthdays from the day after birth to 31 August of ``year``."""
    on = dt.date(year, 8, 31)
    age = 0
    while True:
        try:
            birthday = dob.replace(year=dob.year + age + 1)
        except ValueError:  # 29 February in a common year: 1 March
            birthday = dt.date(dob.year + age + 1, 3, 1)
        if birthday > on:
            return age
        age += 1


@given(st.dates(dt.date(1995, 1, 1), dt.date(2024, 8, 31)), st.integers(2000, 2030))
def test_age_at_31_august_counts_birthdays(dob: dt.date, year: int) -> None:
    if dob > dt.date(year, 8, 31):
        with pytest.raises(InputError):
            age_at_31_august(dob, year)
    else:
        assert age_at_31_august(dob, year) == brute_age(dob, year)


def test_age_at_31_august_edges() -> None:
    assert age_at_31_august(dt.date(2019, 8, 31), 2024) == 5
    assert age_at_31_august(dt.date(2019, 9, 1), 2024) == 4
    assert age_at_31_august(dt.date(2016, 2, 29), 2024) == 8


@given(st.dates(dt.date(2000, 1, 1), dt.date(2030, 12, 31)))
def test_academic_year_runs_august_to_july(day: dt.date) -> None:
    # one rule (1 August, DfE census); before 0.2 the domain's ran from 1 September
    start = academic_year_start(day)
    assert dt.date(start, 8, 1) <= day <= dt.date(start + 1, 7, 31)


def test_age_expr_matches_the_scalar_rule() -> None:
    import polars as pl

    from makingdata.domain import age_at_31_august_expr

    dobs = [
        dt.date(2019, 8, 31),
        dt.date(2019, 9, 1),
        dt.date(2016, 2, 29),
        dt.date(2025, 1, 1),
    ]
    frame = pl.DataFrame({"date_of_birth": dobs, "year": [2024, 2024, 2024, 2024]})
    got = frame.select(age=age_at_31_august_expr("date_of_birth", "year"))[
        "age"
    ].to_list()
    assert got == [5, 4, 8, None]


def test_enrolment_derives_and_checks_the_age() -> None:
    e = Enrolment(
        1, 123456, dt.date(2024, 9, 2), date_of_birth=dt.date(2013, 10, 1), **FLAGS
    )
    assert e.age_at_31_august == 10
    # a spell starting in the summer term belongs to the year that began in September
    e = Enrolment(
        1, 123456, dt.date(2025, 6, 2), date_of_birth=dt.date(2013, 10, 1), **FLAGS
    )
    assert e.age_at_31_august == 10
    assert Enrolment(1, 123456, dt.date(2024, 9, 2), **FLAGS).age_at_31_august is None
    e = Enrolment(1, 123456, dt.date(2024, 9, 2), age_at_31_august=10, **FLAGS)
    assert e.date_of_birth is None
    assert e.is_on_roll_on(dt.date(2030, 1, 1))


def test_enrolment_converts_labels_to_enums() -> None:
    e = Enrolment(
        2**64 - 1,
        "123456",
        dt.date(2024, 9, 2),
        sex="Female",
        ethnicity_major="Asian / Asian British",
        **FLAGS,
    )
    assert e.sex is Sex.FEMALE
    assert e.ethnicity_major is EthnicityMajor.ASIAN
    assert e.year_group is YearGroup.Y6
    assert e.urn == 123456


# ----------------------------------------------------------------- records


def test_record_normalises_session_and_code() -> None:
    r = AttendanceRecord(123456, 1, dt.date(2024, 9, 2), " pm ", "c1")
    assert (r.session, r.code) == ("PM", "C1")


@pytest.mark.parametrize("code", sorted(CODES))
def test_each_code_is_accepted_on_a_day_it_is_valid(code: str) -> None:
    spec = CODES[code]
    day = spec.valid_from or spec.valid_to or dt.date(2020, 1, 6)
    assert AttendanceRecord(123456, 1, day, "AM", code).code == code


def test_legacy_code_can_be_loaded_unchecked() -> None:
    day = dt.date(2024, 9, 2)
    r = AttendanceRecord(123456, 1, day, "AM", "J", check_code_dates=False)
    assert r == AttendanceRecord(123456, 1, day, "AM", "J", check_code_dates=False)
    assert "check_code_dates" not in repr(r)


# -------------------------------------------------------- input validation


def message(exc: pytest.ExceptionInfo[BaseException]) -> str:
    return str(exc.value)


def test_input_validation_region() -> None:
    with pytest.raises(InputError) as err:
        Region("E12000005", "")
    assert message(err) == (
        "column 'name': Region.name must be non-blank text, got ''. What to do: give the name."
    )


def test_input_validation_local_authority() -> None:
    with pytest.raises(InputError) as err:
        LocalAuthority(885, "E10000034", "Worcestershire", "West Midlands")  # type: ignore[arg-type]
    assert message(err) == (
        "column 'region': LocalAuthority.region must be a Region, got 'West Midlands' "
        "(a str). What to do: build a Region first and pass it."
    )
    with pytest.raises(InputError) as err:
        LocalAuthority(885, "E10000034", "Worcestershire", WM, predecessors="E10000001")  # type: ignore[arg-type]
    assert message(err) == (
        "column 'predecessors': expected a tuple of GSS codes, got 'E10000001'. What to "
        "do: pass a tuple of new LA codes, e.g. ('E10000023',)."
    )
    with pytest.raises(IdentifierError) as err:
        LocalAuthority(
            885, "E10000034", "Worcestershire", WM, successors=("E07000001",)
        )
    assert message(err).startswith(
        "column 'successors': 'E07000001' is not a new LA code"
    )
    with pytest.raises(InputError) as err:
        LocalAuthority(
            885, "E10000034", "Worcestershire", WM, date_of_operation="2009-04-01"
        )  # type: ignore[arg-type]
    assert message(err) == (
        "column 'date_of_operation': LocalAuthority.date_of_operation must be a "
        "datetime.date, got '2009-04-01' (a str). What to do: pass "
        "datetime.date(year, month, day)."
    )


def test_input_validation_trust() -> None:
    with pytest.raises(InputError) as err:
        Trust("TR00001", "A trust", "Federation")
    assert message(err) == (
        "column 'trust_type': 'Federation' is not a trust type: expected 'SAT' or 'MAT' "
        "(or GIAS's 'Single-academy trust' / 'Multi-academy trust'). What to do: leave "
        "trust_type as None if it is not known."
    )


def test_input_validation_school() -> None:
    with pytest.raises(InputError) as err:
        School(123456, "Example", 8852001, WORCS, "Infant")
    assert message(err) == (
        "column 'phase': 'Infant' is not a valid EducationPhase: expected one of 'Primary', "
        "'Secondary', 'Special', 'Nursery', 'All-through', 'Alternative provision', "
        "'Middle (deemed primary)', 'Middle (deemed secondary)'. What to do: use the EES "
        "label (or the enum member) for this characteristic."
    )
    with pytest.raises(InputError) as err:
        School(
            123456,
            "Example",
            8852001,
            WORCS,
            open_date=dt.date(2020, 9, 1),
            close_date=dt.date(2020, 8, 31),
        )
    assert message(err) == (
        "column 'close_date': School.close_date (2020-08-31) is before open_date "
        "(2020-09-01). What to do: close_date must be on or after open_date; swap or "
        "correct them."
    )
    with pytest.raises(IdentifierError) as err:
        School(123456, "Example", 8852001, WORCS, previous_la_code="E06000028")
    assert message(err).startswith(
        "column 'previous_la_code': 'E06000028' is not an old LA code"
    )
    with pytest.raises(IdentifierError, match="LAESTAB 3032001 starts with LA 303"):
        School(123456, "Example", 3032001, WORCS)


def test_input_validation_membership() -> None:
    with pytest.raises(InputError) as err:
        TrustMembership(123456, "TR00001", dt.datetime(2020, 1, 1, 9, 0))
    assert message(err) == (
        "column 'joined': TrustMembership.joined must be a datetime.date, got "
        "datetime.datetime(2020, 1, 1, 9, 0) (a datetime). What to do: pass "
        "datetime.date(year, month, day)."
    )


def test_input_validation_enrolment() -> None:
    start = dt.date(2024, 9, 2)
    with pytest.raises(InputError) as err:
        Enrolment(
            1,
            123456,
            start,
            age_at_31_august=9,
            date_of_birth=dt.date(2013, 10, 1),
            **FLAGS,
        )
    assert message(err) == (
        "column 'age_at_31_august': Enrolment.age_at_31_august is 9 but a pupil born "
        "2013-10-01 was 10 on 31 August 2024. What to do: give only date_of_birth and let "
        "the age be derived."
    )
    with pytest.raises(InputError) as err:
        Enrolment(1, 123456, start, age_at_31_august=30, **FLAGS)
    assert message(err) == (
        "column 'age_at_31_august': Enrolment.age_at_31_august must be a whole number "
        "from 0 to 25, got 30. What to do: give the age on 31 August before the academic "
        "year of enrol_start."
    )
    with pytest.raises(InputError) as err:
        Enrolment(-1, 123456, start, **FLAGS)
    assert message(err) == (
        "column 'pupil_key': Enrolment.pupil_key must be a whole number from 0 to "
        "2**64 - 1, got -1. What to do: use the pupil_key that makingdata.io derives "
        "from the UPN."
    )
    with pytest.raises(InputError) as err:
        Enrolment(1, 123456, start, **{**FLAGS, "fsm_eligible": "Y"})  # type: ignore[arg-type]
    assert message(err) == (
        "column 'fsm_eligible': Enrolment.fsm_eligible must be True or False, got 'Y'. "
        "What to do: map the source's flag (Y/N, 1/0) to a bool first."
    )
    with pytest.raises(InputError) as err:
        Enrolment(1, 123456, start, sex="F", **FLAGS)
    assert message(err) == (
        "column 'sex': 'F' is not a valid Sex: expected one of 'Male', 'Female', 'Unknown'. "
        "What to do: use the EES label (or the enum member) for this characteristic."
    )
    with pytest.raises(InputError) as err:
        Enrolment(1, 123456, start, dt.date(2024, 9, 1), **FLAGS)
    assert message(err) == (
        "column 'enrol_end': Enrolment.enrol_end (2024-09-01) is before enrol_start "
        "(2024-09-02). What to do: enrol_end must be on or after enrol_start; swap or "
        "correct them."
    )


def test_input_validation_age_at_31_august() -> None:
    with pytest.raises(InputError) as err:
        age_at_31_august(dt.date(2025, 1, 1), 2024)
    assert message(err) == (
        "column 'date_of_birth': date of birth 2025-01-01 is after 31 August 2024. What "
        "to do: check the date of birth and the academic year."
    )


def test_input_validation_attendance_record() -> None:
    day = dt.date(2024, 9, 2)
    with pytest.raises(InputError) as err:
        AttendanceRecord(123456, 1, day, "EVE", "/")
    assert message(err) == (
        "column 'session': 'EVE' is not a session: expected 'AM' or 'PM'. What to do: "
        "give the morning or afternoon session as AM or PM."
    )
    with pytest.raises(InputError) as err:
        AttendanceRecord(123456, 1, day, "AM", "?")
    assert message(err) == (
        f"column 'code': '?' is not an attendance code: expected one of {' '.join(CODES)}. "
        "What to do: use the register mark itself (e.g. '/', 'I', 'C1'), see "
        "makingdata.codes."
    )
    with pytest.raises(InputError) as err:
        AttendanceRecord(123456, 1, dt.date(2024, 7, 1), "AM", "C1")
    assert message(err) == (
        "column 'code': code 'C1' (Leave of absence for a regulated performance or "
        "regulated employment abroad) is not valid on 2024-07-01: it is in use from "
        "2024-08-19. What to do: record the mark with a code of the set in force on that "
        "day, or pass check_code_dates=False to load historic data as it is."
    )


def test_top_level_reexports() -> None:
    for name in (
        "Directory",
        "School",
        "Enrolment",
        "AttendanceRecord",
        "LocalAuthority",
    ):
        assert getattr(makingdata, name) is getattr(makingdata.domain, name)
