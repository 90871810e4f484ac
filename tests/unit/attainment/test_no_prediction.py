"""Nothing in makingdata.attainment predicts or targets a result.

Three checks, each of which can fail:

1. no public name, parameter or field speaks of predicting (predict,
   forecast, target, flight path, projection, estimate, likely) — and the
   scanner is shown to catch such names in a module made to have them;
2. every public function that takes pupils' results refuses results without
   the pupils' own outcomes (no scaled scores, codes or teacher assessments):
   given only this year's pupils and their prior attainment, nothing returns
   a result for them;
3. a national reference is never carried to another year's pupils (that
   would be a flight path).
"""

from __future__ import annotations

import contextlib
import inspect
import re
import types
from typing import Any

import attrs
import polars as pl
import pytest

from makingdata import attainment
from makingdata.errors import InputError, ValidationError

_PREDICTIVE = re.compile(
    r"predict|forecast|target|flight|project|estimat|likely|expected_(?!score$)|"
    r"should_achieve|aspiration",
    re.IGNORECASE,
)
# names that match for a reason other than predicting, each with the reason
_ALLOWED: dict[str, str] = {}


def _scan(module: types.ModuleType) -> list[str]:
    """Return every public name, parameter and field of ``module`` that speaks of predicting."""
    found = []
    for name in module.__all__:
        obj = getattr(module, name)
        words = [(name, name)]
        if callable(obj):
            with contextlib.suppress(TypeError, ValueError):
                params = inspect.signature(obj).parameters
                words += [(f"{name}({p})", p) for p in params]
        if inspect.isclass(obj) and attrs.has(obj):
            words += [(f"{name}.{a.name}", a.name) for a in attrs.fields(obj)]
        found += [
            label
            for label, word in words
            if _PREDICTIVE.search(word) and label not in _ALLOWED
        ]
    return found


def test_no_public_name_or_parameter_speaks_of_predicting() -> None:
    assert _scan(attainment) == []


def test_the_scanner_catches_predictive_names() -> None:
    fake = types.ModuleType("fake")

    def predicted_ks2(results: Any) -> None: ...

    def ks2_scores(results: Any, *, target: int) -> None: ...

    def flight_path(pupils: Any) -> None: ...

    def progress(pupils: Any, expected_progress: Any) -> None: ...

    for f in (predicted_ks2, ks2_scores, flight_path, progress):
        setattr(fake, f.__name__, f)
    fake.ESTIMATED_SCORES = 1  # type: ignore[attr-defined]
    fake.EXPECTED_SCORE = 100  # type: ignore[attr-defined]  # the expected standard: not a prediction
    fake.__all__ = [  # type: ignore[attr-defined]
        "predicted_ks2",
        "ks2_scores",
        "flight_path",
        "progress",
        "ESTIMATED_SCORES",
        "EXPECTED_SCORE",
    ]
    assert _scan(fake) == [
        "predicted_ks2",
        "ks2_scores(target)",
        "flight_path",
        "progress(expected_progress)",
        "ESTIMATED_SCORES",
    ]


def _takers_of_results() -> dict[str, Any]:
    out = {}
    for name in attainment.__all__:
        obj = getattr(attainment, name)
        if inspect.isfunction(obj):
            params = list(inspect.signature(obj).parameters)
            if params and params[0] in ("results", "national", "frame"):
                out[name] = obj
    return out


def test_the_functions_that_take_results_are_known() -> None:
    # a new one must be added to the check below (and thought about)
    assert set(_takers_of_results()) == {
        "check_ks2_results",
        "validate_ks2_results",
        "ks2_table",
        "progress_reference",
        "pupil_progress",
        "progress_table",
    }


def _pupils_without_results() -> pl.DataFrame:
    """This year's pupils with everything but their results."""
    return pl.DataFrame(
        {
            "pupil_key": [1, 2],
            "urn": [100001, 100001],
            "time_period": [202526, 202526],
            "prior_attainment_group": ["12", "15"],
            "disadvantaged": [True, False],
            "sen_provision": ["No SEN provision"] * 2,
            "eal": [False, False],
            "sex": ["Female", "Male"],
            "looked_after": [False, False],
            "month_of_birth": [9, 3],
        }
    )


_SCHOOLS = pl.DataFrame(
    {"urn": [100001], "new_la_code": ["E10000034"], "region_code": ["E12000005"]}
)
_REFERENCE = pl.DataFrame(
    {
        "time_period": [202526, 202526, 202526, 202526],
        "subject": ["read", "read", "mat", "mat"],
        "prior_attainment_group": ["12", "15", "12", "15"],
        "national_pupils": [1000] * 4,
        "national_average_score": [100.0, 108.0, 101.0, 109.0],
        "national_progress_sd": [6.0] * 4,
    }
)


@pytest.mark.parametrize("name", sorted(_takers_of_results()))
def test_nothing_returns_a_result_for_pupils_without_results(name: str) -> None:
    f = _takers_of_results()[name]
    pupils = _pupils_without_results()
    if name == "check_ks2_results":
        # the report says the results are missing: it makes none up
        assert not f(pupils).ok
        return
    if name == "validate_ks2_results":
        with pytest.raises(ValidationError):
            f(pupils)
        return
    args: dict[str, tuple[Any, ...]] = {
        "ks2_table": (pupils, _SCHOOLS),
        "progress_reference": (pupils,),
        "pupil_progress": (pupils, _REFERENCE),
        "progress_table": (pupils, _SCHOOLS, _REFERENCE),
    }
    kwargs = {"audience": "la"} if name in ("pupil_progress", "progress_table") else {}
    with pytest.raises(InputError, match=r"no '(read_scaled_score|read_code)' column"):
        f(*args[name], **kwargs).collect()


def test_a_reference_is_never_carried_to_another_year() -> None:
    results = _pupils_without_results().with_columns(
        read_scaled_score=pl.lit(104), mat_scaled_score=pl.lit(104)
    )
    attainment.pupil_progress(results, _REFERENCE, audience="school").collect()
    next_year = results.with_columns(time_period=pl.lit(202627))
    for call in (
        lambda: attainment.pupil_progress(next_year, _REFERENCE, audience="school"),
        lambda: attainment.progress_table(
            next_year, _SCHOOLS, _REFERENCE, audience="la"
        ),
    ):
        with pytest.raises(InputError, match="no 'read' averages for 202627"):
            call()
