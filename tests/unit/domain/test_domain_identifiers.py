from __future__ import annotations

import re
import string
from typing import TYPE_CHECKING

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.gb import upn as stdnum_upn

from makingdata.domain import (
    UPN_RULES,
    check_upns,
    is_valid_laestab,
    is_valid_laestab_expr,
    is_valid_new_la_code,
    is_valid_new_la_code_expr,
    is_valid_old_la_code,
    is_valid_old_la_code_expr,
    is_valid_region_code,
    is_valid_region_code_expr,
    is_valid_trust_id,
    is_valid_trust_id_expr,
    is_valid_upn,
    is_valid_urn,
    is_valid_urn_expr,
    make_laestab,
    split_laestab,
    validate_laestab,
    validate_new_la_code,
    validate_old_la_code,
    validate_region_code,
    validate_trust_id,
    validate_upn,
    validate_urn,
)
from makingdata.errors import IdentifierError, InputError

if TYPE_CHECKING:
    from pathlib import Path

UPN_ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ0123456789"
# LA numbers python-stdnum knows (a sample) and the newer ones it does not.
STDNUM_LAS = [201, 330, 801, 815, 885, 909, 928, 933]
NEWER_LAS = [838, 839, 940, 941, 942, 943]


def make_upn(la: int, estab: int, year: int, serial: str) -> str:
    body = f"{la:03d}{estab:04d}{year:02d}{serial}"
    return stdnum_upn.calc_check_digit(body) + body


upn_bodies = st.builds(
    make_upn,
    st.sampled_from(STDNUM_LAS + NEWER_LAS),
    st.integers(0, 9999),
    st.integers(0, 99),
    st.one_of(
        st.integers(0, 999).map(lambda n: f"{n:03d}"),
        # temporary UPN: 2-digit serial and a letter
        st.tuples(st.integers(0, 99), st.sampled_from(UPN_ALPHABET[:23])).map(
            lambda t: f"{t[0]:02d}{t[1]}"
        ),
    ),
)


# ------------------------------------------------------------------- numbers


@given(st.integers(100000, 999999))
def test_every_six_digit_urn_is_accepted_as_int_and_text(n: int) -> None:
    assert validate_urn(n) == n
    assert validate_urn(str(n)) == n
    assert is_valid_urn(n)


@given(st.integers(-(10**8), 10**8).filter(lambda n: not 100000 <= n <= 999999))
def test_numbers_outside_six_digits_are_not_urns(n: int) -> None:
    assert not is_valid_urn(n)
    with pytest.raises(IdentifierError):
        validate_urn(n)


@given(st.integers(100000, 999999), st.sampled_from([" ", "x", "0", ".5"]))
def test_mutated_urn_text_is_rejected(n: int, junk: str) -> None:
    assert not is_valid_urn(str(n) + junk)
    assert not is_valid_urn(junk + str(n))


@given(st.integers(1000000, 9999999))
def test_laestab_splits_into_la_and_establishment(n: int) -> None:
    la, estab = split_laestab(n)
    assert la * 10000 + estab == n
    assert 100 <= la <= 999
    assert 0 <= estab <= 9999
    assert make_laestab(la, estab) == n


def test_laestab_known_example() -> None:
    assert split_laestab("3036905") == (303, 6905)
    assert validate_laestab(3036905) == 3036905


def test_booleans_and_floats_are_not_identifiers() -> None:
    for check in (is_valid_urn, is_valid_laestab, is_valid_old_la_code):
        assert not check(True)
        assert not check(123456.0)
        assert not check(None)


def test_old_la_codes() -> None:
    assert validate_old_la_code("201") == 201
    assert is_valid_old_la_code(943)
    assert not is_valid_old_la_code("085")
    assert not is_valid_old_la_code("940 / 941")
    assert not is_valid_old_la_code(1000)


def test_new_la_codes() -> None:
    for code in ("E06000065", "E08000025", "E09000001", "E10000034"):
        assert validate_new_la_code(code) == code
    for bad in (
        "E07000234",
        "E1000003",
        "e10000034",
        "E10000034 ",
        "W06000001",
        "E12000005",
    ):
        assert not is_valid_new_la_code(bad), bad


def test_region_codes() -> None:
    for code in ("E12000001", "E12000009", "E13000001", "E13000002"):
        assert validate_region_code(code) == code
    for bad in ("E13000003", "E92000001", "E1200000", "E06000065"):
        assert not is_valid_region_code(bad), bad


@given(st.integers(0, 99999))
def test_trust_ids(n: int) -> None:
    good = f"TR{n:05d}"
    assert validate_trust_id(good) == good
    assert not is_valid_trust_id(good.lower())
    assert not is_valid_trust_id(good[:-1])
    assert not is_valid_trust_id(good + "0")
    assert not is_valid_trust_id(str(n))


# ---------------------------------------------------------------- expressions

CHECKS = [
    (is_valid_urn, is_valid_urn_expr),
    (is_valid_laestab, is_valid_laestab_expr),
    (is_valid_old_la_code, is_valid_old_la_code_expr),
    (is_valid_new_la_code, is_valid_new_la_code_expr),
    (is_valid_region_code, is_valid_region_code_expr),
    (is_valid_trust_id, is_valid_trust_id_expr),
]

identifier_like = st.one_of(
    st.text(alphabet="ERT0123456789 ", min_size=0, max_size=10),
    st.integers(0, 10**8).map(str),
    st.sampled_from(
        ["E06000065", "E13000002", "TR00092", "133769", "3036905", "885", "E12000005"]
    ),
)


@given(values=st.lists(identifier_like, max_size=30))
def test_expressions_agree_with_scalar_checks_on_strings(values: list[str]) -> None:
    frame = pl.DataFrame({"v": values}, schema={"v": pl.String})
    got = frame.select(*(expr("v").alias(str(i)) for i, (_, expr) in enumerate(CHECKS)))
    for i, (scalar, _) in enumerate(CHECKS):
        assert got[str(i)].to_list() == [scalar(v) for v in values]


@given(values=st.lists(st.integers(0, 2**31), max_size=30))
def test_number_expressions_agree_on_integer_columns(values: list[int]) -> None:
    frame = pl.DataFrame({"v": values}, schema={"v": pl.Int64})
    for scalar, expr in CHECKS[:3]:
        got = frame.select(ok=expr("v"))["ok"].to_list()
        assert got == [scalar(v) for v in values]


def test_expressions_keep_nulls() -> None:
    frame = pl.DataFrame({"v": [None, "133769"]}, schema={"v": pl.String})
    assert frame.select(ok=is_valid_urn_expr(pl.col("v")))["ok"].to_list() == [
        None,
        True,
    ]


# ----------------------------------------------------------------------- UPN


@given(upn_bodies)
def test_upns_with_their_check_letter_are_valid(upn: str) -> None:
    assert validate_upn(upn) == upn
    assert validate_upn(upn.lower()) == upn
    assert validate_upn(f"{upn[:4]} {upn[4:8]} {upn[8:]}") == upn
    assert is_valid_upn(upn)


@given(upn_bodies, st.integers(0, 12), st.sampled_from(UPN_ALPHABET))
def test_a_changed_character_is_caught(upn: str, position: int, char: str) -> None:
    mutated = upn[:position] + char + upn[position + 1 :]
    if mutated == upn:
        return
    # The DfE check letter is a weighted sum mod 23: a single changed
    # character in positions 2-13 is always caught unless its weighted change
    # is a multiple of 23; the letter itself changing is always caught.
    weight = position + 1
    delta = UPN_ALPHABET.index(char) - UPN_ALPHABET.index(upn[position])
    if position > 0 and (weight * delta) % 23 == 0:
        return
    assert not is_valid_upn(mutated)
    with pytest.raises(IdentifierError):
        validate_upn(mutated)


@given(upn_bodies)
def test_swapping_the_check_letter_reports_the_right_one(upn: str) -> None:
    wrong = next(c for c in "ABCD" if c != upn[0])
    with pytest.raises(IdentifierError, match=re.escape(f"give {upn[0]!r}")):
        validate_upn(wrong + upn[1:])


def test_upn_from_a_newer_la_needs_the_right_letter() -> None:
    good = make_upn(838, 2001, 21, "001")  # Dorset since 2019: stdnum lacks 838
    assert not stdnum_upn.is_valid(good)
    assert is_valid_upn(good)
    wrong = ("A" if good[0] != "A" else "B") + good[1:]
    assert not is_valid_upn(wrong)


def test_upn_with_an_unknown_la_is_rejected() -> None:
    unknown = make_upn(999, 2001, 21, "001")
    with pytest.raises(
        IdentifierError, match=r"characters 2–4 \(999\) are not a known LA number"
    ):
        validate_upn(unknown)


def test_check_upns_names_each_rule() -> None:
    values = [
        "B80120000500",
        "B80120000A001",
        make_upn(999, 2001, 21, "001"),
        "A801200005001",
        None,
        "B801200005001",
    ]
    rules = check_upns(pl.Series(values, dtype=pl.String))["upn_rule"].to_list()
    assert rules == [
        "upn_length",
        "upn_format",
        "upn_la_code",
        "upn_check_letter",
        "upn_missing",
        None,
    ]
    assert set(rules) - {None} == set(UPN_RULES)


def test_upn_errors_are_value_errors() -> None:
    with pytest.raises(ValueError, match="13 characters"):
        validate_upn("B80120000500")


@settings(max_examples=50)
@given(
    st.lists(
        st.one_of(
            upn_bodies,
            st.text(alphabet=string.ascii_uppercase + string.digits, max_size=14),
            st.none(),
        ),
        max_size=25,
    )
)
def test_check_upns_agrees_with_validate_upn_row_by_row(
    values: list[str | None],
) -> None:
    result = check_upns(pl.Series(values, dtype=pl.String))
    assert result.columns == ["upn", "upn_rule", "upn_problem"]
    assert result.height == len(values)
    for value, (upn, rule, problem) in zip(values, result.iter_rows(), strict=True):
        if value is None:
            assert (upn, rule, problem) == (None, "upn_missing", "the UPN is missing")
        elif is_valid_upn(value):
            assert (upn, rule, problem) == (validate_upn(value), None, None)
        else:
            assert upn is None
            assert rule in UPN_RULES
            with pytest.raises(IdentifierError) as err:
                validate_upn(value)
            assert problem is not None
            assert problem in str(err.value)


# ---------------------------------------------------------- input validation


def test_input_validation_urn() -> None:
    with pytest.raises(IdentifierError) as err:
        validate_urn("12345")
    assert str(err.value) == (
        "column 'urn': '12345' is not a URN: a URN has 6 digits (100000–999999). "
        "What to do: give the school's 6-digit URN as GIAS lists it."
    )
    with pytest.raises(
        IdentifierError,
        match=r"column 'school_urn': 1\.5 is not a URN: expected a whole number or text of digits, got a float",
    ):
        validate_urn(1.5, field="school_urn")  # type: ignore[arg-type]


def test_input_validation_laestab() -> None:
    with pytest.raises(IdentifierError) as err:
        validate_laestab(303690)
    assert str(err.value) == (
        "column 'laestab': 303690 is not a LAESTAB: a LAESTAB has 7 digits, the "
        "3-digit LA code then the 4-digit establishment number. What to do: join the "
        "LA code and the establishment number, e.g. 303 and 6905 give 3036905."
    )


def test_input_validation_make_laestab() -> None:
    with pytest.raises(IdentifierError) as err:
        make_laestab(303, 12345)
    assert str(err.value) == (
        "column 'establishment_number': 12345 is not an establishment number: it has "
        "4 digits (0000–9999). What to do: give GIAS's EstablishmentNumber, 4 digits."
    )


def test_input_validation_old_la_code() -> None:
    with pytest.raises(IdentifierError) as err:
        validate_old_la_code(85)
    assert str(err.value) == (
        "column 'old_la_code': 85 is not an old LA code: an old LA code has 3 digits "
        "(100–999), e.g. 885. What to do: give DfE's 3-digit LA number."
    )


def test_input_validation_new_la_code() -> None:
    with pytest.raises(IdentifierError) as err:
        validate_new_la_code(885)  # type: ignore[arg-type]
    assert str(err.value) == (
        "column 'new_la_code': 885 is not a new LA code: expected text, got a int. "
        "What to do: give the LA's 9-character GSS code (E07 district councils are "
        "not education authorities)."
    )


def test_input_validation_region_code() -> None:
    with pytest.raises(IdentifierError) as err:
        validate_region_code("E13000003")
    assert str(err.value) == (
        "column 'region_code': 'E13000003' is not a region code: a region code is E12 "
        "followed by 6 digits, or E13000001 (Inner London) or E13000002 (Outer London). "
        "What to do: give the ONS region code, e.g. E12000005 for the West Midlands."
    )


def test_input_validation_trust_id() -> None:
    with pytest.raises(IdentifierError) as err:
        validate_trust_id("TR0092")
    assert str(err.value) == (
        "column 'trust_id': 'TR0092' is not a trust id: a trust id is TR followed by 5 "
        "digits, e.g. TR00092. What to do: give the trust's GIAS Group ID, not its "
        "group UID or Companies House number."
    )


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("B80120000500", "a UPN has 13 characters, this has 12"),
        (
            "B80120000A001",
            "characters 2–12 must be digits and the last a digit or a letter other than I, O and S",
        ),
        (
            "A801200005001",
            "wrong check letter: the first character is 'A' but characters 2–13 give 'B'",
        ),
        (1234567890123, "expected text, got a int"),
    ],
)
def test_input_validation_upn(value: object, problem: str) -> None:
    with pytest.raises(IdentifierError) as err:
        validate_upn(value)  # type: ignore[arg-type]
    assert str(err.value) == (
        f"column 'upn': {value!r} is not a valid UPN: {problem}. "
        "What to do: check the UPN against the pupil's record in the MIS."
    )
    assert isinstance(err.value, InputError)


# ------------------------------------------------------------ real DfE files


@pytest.mark.real_data
def test_every_la_and_region_code_in_dfe_files_is_well_formed(
    real_data_dir: Path,
) -> None:
    base = real_data_dir
    frame = (
        pl.scan_parquet(base / "parquet_cache" / "*.parquet")
        .filter(pl.col("geographic_level") == "Local authority")
        .select("old_la_code", "new_la_code", "region_code")
        .unique()
        .collect()
    )
    # Pre-2009 Bedfordshire (820) and Cheshire (875) have no GSS code (".").
    with_gss = frame.filter(pl.col("new_la_code") != ".")
    checks = with_gss.select(
        old=is_valid_old_la_code_expr().all(),
        new=is_valid_new_la_code_expr().all(),
        region=is_valid_region_code_expr().all(),
    ).row(0)
    assert checks == (True, True, True)
    assert frame.height - with_gss.height == 2
