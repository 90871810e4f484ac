"""The KS2 results schema moved to makingdata.schemas; attainment re-exports the same objects."""

from __future__ import annotations

import importlib

import pytest

from makingdata import attainment, schemas


@pytest.mark.parametrize(
    "name",
    [
        "KS2Results",
        "check_ks2_results",
        "ks2_results_rules",
        "validate_ks2_results",
        "KS2_RESULTS_SCHEMA",
    ],
)
def test_old_and_new_paths_give_the_same_object(name: str) -> None:
    assert getattr(attainment, name) is getattr(schemas, name)
    old_module = importlib.import_module("makingdata.attainment._schema")
    if hasattr(old_module, name):
        assert getattr(old_module, name) is getattr(schemas, name)
    assert name in schemas.__all__
    assert name in attainment.__all__


def test_scaled_score_range_agrees() -> None:
    assert attainment.SCALED_SCORE_RANGE == schemas.KS2_SCALED_SCORE_RANGE == (80, 120)


def test_the_rules_live_below_the_kernels() -> None:
    assert schemas.check_ks2_results.__module__ == "makingdata.schemas._ks2"
