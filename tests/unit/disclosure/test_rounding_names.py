"""`round_to_base` is the disclosure rounding; the old `round_half_up` names warn."""

from __future__ import annotations

import polars as pl
import pytest

import makingdata
from makingdata import disclosure
from makingdata.disclosure import round_to_base, round_to_base_expr


def test_old_names_warn_and_are_the_same_objects() -> None:
    with pytest.warns(
        DeprecationWarning, match=r"round_half_up is deprecated.*round_to_base"
    ):
        old = disclosure.round_half_up
    assert old is round_to_base
    assert old(15, 10) == 20
    with pytest.warns(
        DeprecationWarning, match=r"use makingdata\.disclosure\.round_to_base_expr"
    ):
        from makingdata.disclosure import round_half_up_expr
    assert round_half_up_expr is round_to_base_expr
    got = pl.select(round_half_up_expr(pl.lit(25), 10)).item()
    assert got == 30


def test_old_names_not_in_all() -> None:
    assert "round_half_up" not in disclosure.__all__
    assert {"round_to_base", "round_to_base_expr"} <= set(disclosure.__all__)


def test_round_half_up_at_the_top_is_the_decimal_rounding() -> None:
    # makingdata.round_half_up rounds rates to decimal places, not counts to a base
    assert makingdata.round_half_up is makingdata.attendance.round_half_up
    assert pl.select(makingdata.round_half_up(pl.lit(2.345), 2)).item() == 2.35
    assert makingdata.round_half_up.__module__ != round_to_base.__module__


def test_unknown_attribute_still_fails() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        _ = disclosure.nope
