"""The KS2 results frame's pandera schema, its row rules, and its check and validator.

The same two stages as the other input frames (:mod:`makingdata.schemas`):
pandera at schema depth (columns present, contract dtypes) gates one pass of
row rules; every failing row comes back with the rule it broke. They live
here, below the readers (:func:`makingdata.io.read_ks2_results` applies the
same rules) and the kernels; :mod:`makingdata.attainment` re-exports them
under the same names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from makingdata._contracts import KS2_RESULTS_SCHEMA, KS2_SCALED_SCORE_RANGE
from makingdata._contracts import KS2TeacherAssessment as TA  # noqa: N814 - short names of the codes
from makingdata.schemas._frames import _check, _pandera_schema, _urn_range, _validate
from makingdata.schemas._rules import (
    RowRule,
    key_duplicated,
    key_text,
    not_null_rules,
)

if TYPE_CHECKING:
    from makingdata.schemas._report import ValidationReport

__all__ = [
    "KS2_KEY",
    "KS2Results",
    "check_ks2_results",
    "ks2_results_rules",
    "validate_ks2_results",
]

#: The key of a KS2 result: one row per pupil and year.
KS2_KEY: tuple[str, ...] = ("pupil_key", "time_period")
_KEY = KS2_KEY
_TESTS = ("read", "mat", "gps")
#: Science outcomes (teacher assessment guidance: EXS or HNM, and the other codes).
_SCIENCE = [
    TA.EXS,
    TA.HNM,
    TA.ABSENT,
    TA.LEFT,
    TA.FUTURE,
    TA.PAST,
    TA.MALADMINISTRATION,
]
_MONTHS = 12
#: The first years a ``time_period`` may start in (a guard against typos).
_FIRST, _LAST = 1990, 2099


def ks2_results_rules() -> list[RowRule]:
    """Return the row rules of the KS2 results frame, in report order.

    Not null: ``pupil_key``, ``urn``, ``time_period``; a six-digit URN; an
    academic year ``time_period`` (``202425``: 2024/25); for each test, a
    scaled score of 80–120 or a result code, never both and never neither;
    a science outcome of EXS, HNM or one of the other codes (not GDS, WTS or a
    pre-key stage standard) and no HNM in writing; ``month_of_birth`` 1–12;
    one row per ``pupil_key`` and ``time_period``.

    Examples
    --------
    >>> from makingdata.schemas import ks2_results_rules
    >>> [r.name for r in ks2_results_rules()][3:6]
    ['urn_range', 'time_period_academic_year', 'read_scaled_score_range']
    """
    lo, hi = KS2_SCALED_SCORE_RANGE
    tp = pl.col("time_period").cast(pl.Int64)
    start = tp // 100
    rules = [
        *not_null_rules(["pupil_key", "urn", "time_period"]),
        _urn_range(),
        RowRule(
            "time_period_academic_year",
            "time_period",
            "time_period must be an academic year as six digits (202425 for 2024/25)",
            (
                (start < _FIRST) | (start > _LAST) | (tp % 100 != (start + 1) % 100)
            ).fill_null(value=False),
        ),
    ]
    for s in _TESTS:
        score = pl.col(f"{s}_scaled_score").cast(pl.Int64)
        code = pl.col(f"{s}_code")
        rules += [
            RowRule(
                f"{s}_scaled_score_range",
                f"{s}_scaled_score",
                f"{s}_scaled_score must be a KS2 scaled score, {lo} to {hi}",
                ((score < lo) | (score > hi)).fill_null(value=False),
            ),
            RowRule(
                f"{s}_score_and_code",
                f"{s}_code",
                f"a {s} result is a scaled score or a result code, never both",
                score.is_not_null() & code.is_not_null(),
                value=pl.concat_str(
                    [score.cast(pl.String), code.cast(pl.String)], separator=" and "
                ),
            ),
            RowRule(
                f"{s}_no_result",
                f"{s}_code",
                f"a {s} result needs a scaled score or a result code (L if the pupil left)",
                score.is_null() & code.is_null(),
            ),
        ]
    rules += [
        RowRule(
            "scita_outcome_valid",
            "scita_outcome",
            "science teacher assessment is EXS or HNM (or A, L, F, P, Q)",
            ~pl.col("scita_outcome")
            .cast(pl.String)
            .is_in([str(c) for c in _SCIENCE])
            .fill_null(value=True),
        ),
        RowRule(
            "writta_outcome_valid",
            "writta_outcome",
            "HNM is a science outcome; writing is GDS, EXS, WTS, PK1-PK6, EM or a code",
            (pl.col("writta_outcome").cast(pl.String) == TA.HNM).fill_null(value=False),
        ),
        RowRule(
            "month_of_birth_range",
            "month_of_birth",
            "month_of_birth must be 1 to 12",
            (
                (pl.col("month_of_birth") < 1) | (pl.col("month_of_birth") > _MONTHS)
            ).fill_null(value=False),
        ),
        RowRule(
            "duplicate_pupil",
            "pupil_key",
            "one row per pupil_key and time_period: every row of a repeated key is reported",
            key_duplicated(_KEY),
            value=key_text(_KEY),
        ),
    ]
    return rules


KS2Results = _pandera_schema("KS2Results", KS2_RESULTS_SCHEMA, ks2_results_rules())
"""pandera schema of the KS2 results frame: contract dtypes plus every KS2 row rule."""


def check_ks2_results(frame: pl.DataFrame | pl.LazyFrame) -> ValidationReport:
    """Check a KS2 results frame against its contract; never raises on bad data.

    The schema stage runs :data:`KS2Results` at pandera's schema depth (every
    column of ``KS2_RESULTS_SCHEMA`` present with its dtype); only if it
    passes are the rules of :func:`ks2_results_rules` evaluated, in one pass.

    Parameters
    ----------
    frame
        KS2 results in the contract dtypes.

    Returns
    -------
    ValidationReport
        One row per check; ``failures`` lists every failing row.

    Examples
    --------
    >>> import polars as pl
    >>> from makingdata.schemas import KS2_RESULTS_SCHEMA, check_ks2_results
    >>> row = {
    ...     "pupil_key": 1,
    ...     "urn": 100001,
    ...     "time_period": 202425,
    ...     "read_scaled_score": 121,
    ...     "mat_code": "A",
    ...     "gps_scaled_score": 100,
    ...     "writta_outcome": "EXS",
    ...     "scita_outcome": "EXS",
    ... }
    >>> frame = pl.DataFrame([row], schema=KS2_RESULTS_SCHEMA)
    >>> report = check_ks2_results(frame)
    >>> report.checks.filter(result="FAIL")["check"].to_list()
    ['read_scaled_score_range']
    """
    return _check("KS2 results", KS2Results, ks2_results_rules(), frame)


def validate_ks2_results(frame: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """Return the KS2 results frame (collected) if it is valid, else raise.

    Runs :func:`check_ks2_results`.

    Raises
    ------
    ValidationError
        If any check fails; ``failures`` lists every failure and ``rejects``
        the failing rows with an ``errors`` list column.

    Examples
    --------
    >>> import polars as pl
    >>> from makingdata.schemas import KS2_RESULTS_SCHEMA, validate_ks2_results
    >>> row = {
    ...     "pupil_key": 1,
    ...     "urn": 100001,
    ...     "time_period": 202425,
    ...     "read_code": "B",
    ...     "mat_code": "B",
    ...     "gps_code": "B",
    ...     "writta_outcome": "PK4",
    ...     "scita_outcome": "HNM",
    ... }
    >>> validate_ks2_results(pl.DataFrame([row], schema=KS2_RESULTS_SCHEMA)).height
    1
    """
    return _validate(check_ks2_results(frame), frame)
