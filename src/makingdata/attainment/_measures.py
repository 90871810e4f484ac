"""KS2 measures as DfE defines them: who counts in which denominator, and the arithmetic.

Sources (cited by title, as every rule in makingdata is):

- "Primary school accountability technical guidance" (DfE, each year): the
  attainment measures — % of pupils meeting the expected standard (a scaled
  score of 100 or more; EXS or GDS in writing), % achieving a high score (110
  or more; GDS in writing), reading, writing and maths combined, average scaled
  scores over pupils with a scaled score, and the result codes that count as
  "not meeting the standard" in the denominator.
- "Key stage 2 assessment and reporting arrangements" (ARA, Standards and
  Testing Agency): the result codes of the tests and of teacher assessment.
- "Key stage 2 attainment" methodology (DfE, explore education statistics):
  percentages published as whole numbers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
import polars as pl

from makingdata._contracts import KS2TeacherAssessment as TA  # noqa: N814 - short names of the codes
from makingdata._contracts import KS2TestCode as Code

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "EXPECTED_SCORE",
    "HIGHER_SCORE",
    "KS2_SUBJECTS",
    "SCALED_SCORE_RANGE",
    "TA_ELIGIBLE",
    "TEST_ELIGIBLE_CODES",
    "Subject",
    "round_whole",
]

#: The range of a KS2 test scaled score (ARA).
SCALED_SCORE_RANGE: tuple[int, int] = (80, 120)
#: The expected standard of a test: a scaled score of 100 or more.
EXPECTED_SCORE = 100
#: The higher standard ("high score") of a test: a scaled score of 110 or more.
HIGHER_SCORE = 110

#: Test result codes counted in the denominator as not meeting the standard
#: ("Primary school accountability technical guidance": absent, working below
#: the standard of the test, unable to access it, cheating or
#: maladministration, and just arrived unless the pupil is discounted at the
#: checking exercise). ``L`` (left), ``M`` (missing), ``F`` (future) and ``P``
#: (past) are not in this year's denominator.
TEST_ELIGIBLE_CODES: frozenset[str] = frozenset(
    {
        Code.ABSENT,
        Code.BELOW_TEST_STANDARD,
        Code.CHEATING,
        Code.JUST_ARRIVED,
        Code.MALADMINISTRATION,
        Code.UNABLE_TO_ACCESS,
        Code.UNABLE_TO_ACCESS_OLD,
    }
)

#: Teacher assessment outcomes in the denominator, by subject (writing:
#: GDS, EXS, WTS, the pre-key stage standards, the engagement model, BLW, A,
#: D and Q; science: EXS, HNM, A and Q). ``L``, ``F`` and ``P`` are not.
TA_ELIGIBLE: dict[str, frozenset[str]] = {
    "writta": frozenset(
        {
            TA.GDS,
            TA.EXS,
            TA.WTS,
            TA.PK6,
            TA.PK5,
            TA.PK4,
            TA.PK3,
            TA.PK2,
            TA.PK1,
            TA.EM,
            TA.BLW,
            TA.ABSENT,
            TA.DISAPPLIED,
            TA.MALADMINISTRATION,
        }
    ),
    "scita": frozenset({TA.EXS, TA.HNM, TA.ABSENT, TA.MALADMINISTRATION}),
}


@attrs.frozen
class Subject:
    """One KS2 subject as the measures see it.

    Attributes
    ----------
    name
        DfE's short name in its published files: ``read``, ``writta`` (writing
        teacher assessment), ``mat``, ``rwm`` (reading, writing and maths
        combined), ``gps`` (grammar, punctuation and spelling), ``scita``
        (science teacher assessment).
    label
        What EES shows.
    kind
        ``"test"`` (a scaled score or a code), ``"ta"`` (a teacher assessment
        outcome) or ``"combined"``.
    higher
        Whether DfE publishes a higher standard for it.

    Examples
    --------
    >>> from makingdata.attainment import KS2_SUBJECTS
    >>> [s.name for s in KS2_SUBJECTS if s.kind == "test"]
    ['read', 'mat', 'gps']
    """

    name: str
    label: str
    kind: str
    higher: bool = True


#: The subjects, in DfE's order of its published files' columns.
KS2_SUBJECTS: tuple[Subject, ...] = (
    Subject("read", "Reading", "test"),
    Subject("writta", "Writing (teacher assessment)", "ta"),
    Subject("mat", "Maths", "test"),
    Subject("rwm", "Reading, writing and maths", "combined"),
    Subject("gps", "Grammar, punctuation and spelling", "test"),
    Subject("scita", "Science (teacher assessment)", "ta", higher=False),
)


def round_whole(value: pl.Expr) -> pl.Expr:
    """Round a float64 expression half-up to a whole number, on the float's exact value.

    The rule of :func:`makingdata.attendance.round_half_up` at 0 places: DfE
    computes ``n / d * 100`` in float64 and rounds that float half-up. Both
    ``floor(x)`` and ``x - floor(x)`` are exact in float64, so the tie is
    decided on the exact value. Nulls stay null.

    Parameters
    ----------
    value
        A float expression (non-negative for percentages and scores).

    Returns
    -------
    polars.Expr
        A float64 expression of whole numbers.

    Examples
    --------
    >>> import polars as pl
    >>> from makingdata.attainment import round_whole
    >>> pl.select(
    ...     round_whole(pl.Series([0.5, 2.5, 44.4999, None]))
    ... ).to_series().to_list()
    [1.0, 3.0, 44.0, None]
    """
    x = value.cast(pl.Float64)
    f = x.floor()
    return f + ((x - f) >= 0.5).cast(pl.Float64)


def pupil_indicators(lf: pl.LazyFrame, subjects: Sequence[Subject]) -> pl.LazyFrame:
    """Add each pupil's 0/1 indicators (eligible, expected, higher) and scores.

    Private to the kernel: see :func:`makingdata.attainment.ks2_table`.
    """
    exprs: list[pl.Expr] = []
    elig: dict[str, pl.Expr] = {}
    exp: dict[str, pl.Expr] = {}
    high: dict[str, pl.Expr] = {}
    for s in subjects:
        if s.kind == "test":
            score = pl.col(f"{s.name}_scaled_score").cast(pl.Int64)
            code = pl.col(f"{s.name}_code").cast(pl.String)
            has = score.is_not_null()
            elig[s.name] = has | code.is_in(list(TEST_ELIGIBLE_CODES)).fill_null(
                value=False
            )
            exp[s.name] = (score >= EXPECTED_SCORE).fill_null(value=False)
            high[s.name] = (score >= HIGHER_SCORE).fill_null(value=False)
            exprs += [
                has.cast(pl.Int64).alias(f"t_{s.name}_scaled_score_pupils"),
                score.fill_null(0).alias(f"t_{s.name}_scaled_score_sum"),
            ]
        elif s.kind == "ta":
            out = pl.col(f"{s.name}_outcome").cast(pl.String)
            elig[s.name] = out.is_in(list(TA_ELIGIBLE[s.name])).fill_null(value=False)
            exp[s.name] = out.is_in([TA.EXS, TA.GDS]).fill_null(value=False)
            high[s.name] = (out == TA.GDS).fill_null(value=False)
    for s in subjects:
        if s.kind == "combined":
            parts = ("read", "writta", "mat")
            elig[s.name] = pl.all_horizontal([elig[p] for p in parts])
            exp[s.name] = pl.all_horizontal([exp[p] for p in parts])
            high[s.name] = pl.all_horizontal([high[p] for p in parts])
    for s in subjects:
        e = elig[s.name]
        exprs += [
            e.cast(pl.Int64).alias(f"t_{s.name}_eligible_pupils"),
            (e & exp[s.name]).cast(pl.Int64).alias(f"t_{s.name}_met_expected_standard"),
        ]
        if s.higher:
            exprs.append(
                (e & high[s.name])
                .cast(pl.Int64)
                .alias(f"t_{s.name}_met_higher_standard")
            )
    return lf.with_columns(exprs)
