from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from makingdata.codes import (
    CATEGORY_DTYPE,
    CODE_DTYPE,
    CODE_LETTERS,
    CODE_SET_2024_START,
    CODES,
    LEGACY_CODES,
    NOT_COUNTED_CODES,
    Category,
    category_expr,
    codes_frame,
    codes_in_category,
    counted_in_possible_expr,
    invalid_on_date_expr,
)


def test_every_code_has_a_unique_dfe_reason_column() -> None:
    reasons = [c.dfe_reason for c in CODES.values()]
    assert len(reasons) == len(set(reasons))
    assert all(r.startswith("reason_") for r in reasons)


def test_category_membership_matches_the_domain_reference() -> None:
    assert set(codes_in_category(Category.PRESENT)) == {"/", "\\", "L"}
    assert set(codes_in_category(Category.AEA)) == {"K", "V", "P", "W", "B", "J"}
    assert set(codes_in_category(Category.UNAUTHORISED)) == {"G", "N", "O", "U"}
    assert set(codes_in_category(Category.AUTHORISED)) == {
        "C1",
        "M",
        "J1",
        "S",
        "C2",
        "C",
        "T",
        "R",
        "I",
        "E",
        "H",
        "F",
    }
    assert {
        "D",
        "X",
        "Q",
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
    } == NOT_COUNTED_CODES


def test_legacy_and_new_codes() -> None:
    assert {"J", "H", "F", "Y"} == LEGACY_CODES
    for code in ("C1", "C2", "J1", "K", "Q", "Y1", "Y7"):
        assert CODES[code].valid_from == CODE_SET_2024_START
    assert CODES["F"].valid_to == dt.date(2013, 8, 31)
    assert CODES["J"].valid_to == dt.date(2024, 8, 18)


def test_enum_dtype_covers_every_code() -> None:
    assert list(CODE_DTYPE.categories) == list(CODE_LETTERS)
    s = pl.Series(list(CODE_LETTERS)).cast(CODE_DTYPE)
    assert s.null_count() == 0


def test_codes_frame_is_consistent_with_objects() -> None:
    df = codes_frame()
    assert df.height == len(CODES)
    assert df.schema["category"] == CATEGORY_DTYPE
    for row in df.iter_rows(named=True):
        code = CODES[row["code"]]
        assert row["category"] == code.category.value
        assert row["counted_in_possible"] == code.counted_in_possible


def test_category_expr_maps_unknown_to_null() -> None:
    df = pl.DataFrame({"code": ["I", "zz", None]})
    assert df.select(category_expr())["code"].to_list() == ["Authorised", None, None]


@given(st.sampled_from(CODE_LETTERS))
def test_expr_agrees_with_objects(code: str) -> None:
    df = pl.DataFrame({"code": [code]}, schema={"code": CODE_DTYPE})
    out = df.select(cat=category_expr(), counted=counted_in_possible_expr())
    assert out["cat"].item() == CODES[code].category.value
    assert out["counted"].item() == CODES[code].counted_in_possible


@given(
    st.sampled_from(CODE_LETTERS),
    st.dates(min_value=dt.date(2006, 9, 1), max_value=dt.date(2030, 7, 31)),
)
def test_validity_expr_agrees_with_is_valid_on(code: str, date: dt.date) -> None:
    df = pl.DataFrame({"code": [code], "date": [date]})
    assert df.select(bad=invalid_on_date_expr())["bad"].item() is (
        not CODES[code].is_valid_on(date)
    )


@pytest.mark.parametrize(
    ("code", "date", "valid"),
    [
        ("J", dt.date(2024, 8, 18), True),
        ("J", dt.date(2024, 8, 19), False),
        ("C1", dt.date(2024, 8, 18), False),
        ("C1", dt.date(2024, 8, 19), True),
        ("F", dt.date(2013, 9, 1), False),
        ("I", dt.date(2010, 1, 1), True),
    ],
)
def test_boundaries(code: str, date: dt.date, valid: bool) -> None:
    assert CODES[code].is_valid_on(date) is valid
