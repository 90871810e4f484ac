"""`schemas.RowRule` is the row rule; the old name `schemas.Rule` warns."""

from __future__ import annotations

import polars as pl
import pytest

from makingdata import schemas
from makingdata.schemas import RowRule


def test_old_name_warns_and_is_the_same_class() -> None:
    with pytest.warns(
        DeprecationWarning, match=r"schemas\.Rule is deprecated.*RowRule"
    ):
        from makingdata.schemas import Rule
    assert Rule is RowRule
    rule = Rule("x_neg", "x", "x must not be negative", pl.col("x") < 0)
    assert isinstance(rule, RowRule)


def test_only_the_new_name_is_public() -> None:
    assert "RowRule" in schemas.__all__
    assert "Rule" not in schemas.__all__
    assert all(isinstance(r, RowRule) for r in schemas.marks_rules())
