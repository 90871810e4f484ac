"""KS1–KS2 progress only as DfE computes it: relative to the same year's national results, never predicted.

Sources (cited by title, as every rule in makingdata is):

- "Primary school accountability technical guidance" (DfE, each year): a
  pupil's progress score in a subject is their KS2 result minus the national
  average KS2 result of the pupils with the same prior attainment (their
  KS1 prior attainment group) in the same year; a school's progress score is
  the mean of its pupils' scores; its 95% confidence interval is the score
  plus or minus 1.96 times the national standard deviation of pupils'
  progress scores divided by the square root of the number of pupils
  (the guide's annex on confidence intervals).
- "Primary school accountability in 2025: technical guide" (DfE, updated 11
  September 2025): "It is not possible to calculate KS1 to KS2 progress
  measures for academic years 2023 to 2024 and 2024 to 2025", as "primary
  tests and assessments were cancelled in academic years 2019 to 2020 and
  2020 to 2021 due to COVID-19 disruption"; progress measures return in
  2025 to 2026 and 2026 to 2027 (from KS1), and from the reception baseline
  from 2027 to 2028.
- "Cancellation of 2019/20 national curriculum assessments" (DfE, March
  2020), and the same for 2020/21: no KS2 tests in those years.
- DfE, "Primary accountability technical guide" (updated 13 December 2018),
  p29, paragraph 2 (as reported by NAHT, 13 December 2018): schools should
  not share individual pupil progress scores with pupils or parents, nor try
  to predict pupil or school progress scores before the official provisional
  data each September (makingdata's policy rules NAHT-SHARE-01 and
  NAHT-PRED-04).
- DfE's limit on extremely negative pupil progress scores, from KS2 in
  2017/18 ("Primary school accountability technical guide", 2018, as quoted
  by NAHT, "Progress scores 2018: methodology changed to reduce the impact
  of outliers"): "Where a pupil's score is more negative than the minimum
  score, the minimum score will replace the pupil's original progress score
  when calculating a school's progress average"; one minimum per prior
  attainment group, "fixed at a set number of standard deviations below the
  mean so that approximately 1% of pupils are identified nationally"; no
  limit on positive scores; the adjusted scores are the headline measures.
  The number of standard deviations is not given in the text, so makingdata
  takes the minimum scores DfE publishes for the year
  (:data:`PROGRESS_MINIMUM_SCHEMA`) and does not compute them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from makingdata.attainment._table import (
    _nestings,
    aggregate,
    breakdowns_of,
    geography_of,
    levels_of,
    sort_rows,
)
from makingdata.domain import Audience
from makingdata.errors import InputError, ScopeError
from makingdata.tables import Table, TableSpec
from makingdata.tables._spec import order_levels

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = [
    "FIRST_MINIMUM_YEAR",
    "FIRST_PROGRESS_YEAR",
    "NO_PROGRESS_YEARS",
    "PROGRESS_AUDIENCES",
    "PROGRESS_MINIMUM_SCHEMA",
    "PROGRESS_REFERENCE_SCHEMA",
    "PROGRESS_SHARE_RULE",
    "PROGRESS_SUBJECTS",
    "PROGRESS_Z",
    "progress_interval",
    "progress_reference",
    "progress_table",
    "pupil_progress",
]

#: The subjects with a test-based progress score: reading and maths, from
#: the scaled score. Writing's progress score (from teacher assessment points)
#: is not built.
PROGRESS_SUBJECTS: tuple[str, ...] = ("read", "mat")

#: The first KS2 year of the KS1–KS2 progress measure on scaled scores
#: (2015/16, the first year of the new tests).
FIRST_PROGRESS_YEAR = 201516

_NO_TESTS = (
    "no KS2 tests: the 2019/20 and 2020/21 national curriculum assessments were "
    "cancelled (COVID-19), so DfE published no KS2 results or progress"
)
_NO_BASELINE = (
    "no KS1 baseline: this cohort's KS1 assessments ({ks1}) were cancelled "
    "(COVID-19), and DfE publishes no KS1-KS2 progress measures for {year} "
    '("Primary school accountability in 2025: technical guide")'
)

#: The KS2 years (``time_period``) for which DfE publishes no progress
#: scores, and why: no tests in 2019/20 and 2020/21; no KS1 baseline for the
#: cohorts at KS2 in 2023/24 and 2024/25, whose KS1 assessments (2019/20,
#: 2020/21) were cancelled.
NO_PROGRESS_YEARS: Mapping[int, str] = {
    201920: _NO_TESTS,
    202021: _NO_TESTS,
    202324: _NO_BASELINE.format(ks1="2019/20", year="2023/24"),
    202425: _NO_BASELINE.format(ks1="2020/21", year="2024/25"),
}

#: The multiplier of a 95% confidence interval (DfE's technical guidance).
PROGRESS_Z = 1.96

#: The policy rule a progress score for a pupil or parent audience breaks.
PROGRESS_SHARE_RULE = "NAHT-SHARE-01"
_SHARE_TEXT = (
    "Individual pupils' progress scores should not be shared with pupils or parents."
)
_SHARE_SOURCE = (
    "DfE, Primary accountability technical guide (updated 13 December 2018), "
    "13 December 2018, p29, paragraph 2 (as reported by NAHT, 13 December 2018)"
)
_REFUSED = frozenset({"pupils", "parents", "pupil", "parent"})

#: Who may receive progress scores: the audiences of
#: :class:`~makingdata.domain.Audience`. Pupils and parents may not
#: (:data:`PROGRESS_SHARE_RULE`); pupil-level scores go to the school, its
#: trust, its LA or DfE only.
PROGRESS_AUDIENCES: tuple[str, ...] = tuple(a.value for a in Audience)

#: The national reference of progress, one row per year, subject and prior
#: attainment group: the number of pupils nationally with a result, their
#: average KS2 score, and the national standard deviation of pupils'
#: progress scores in that subject and year (the same on every row of it).
#: Build it with :func:`progress_reference` from the national results, or
#: from the averages and standard deviations DfE publishes for the year.
PROGRESS_REFERENCE_SCHEMA: dict[str, pl.DataType] = {
    "time_period": pl.Int32(),
    "subject": pl.String(),
    "prior_attainment_group": pl.String(),
    "national_pupils": pl.Int64(),
    "national_average_score": pl.Float64(),
    "national_progress_sd": pl.Float64(),
}


#: The first KS2 year (2017/18) in which DfE limits extremely negative
#: pupil progress scores ("Progress scores 2018: methodology changed to
#: reduce the impact of outliers", NAHT, quoting DfE).
FIRST_MINIMUM_YEAR = 201718

#: DfE's minimum pupil progress scores, one row per year, subject and prior
#: attainment group where DfE sets one: a pupil's score more negative than
#: ``minimum_score`` is replaced by it in the school's average (the
#: *adjusted* score). A group without a row has no limit. The values are
#: DfE's, published for the year with the progress data; makingdata does
#: not derive them (DfE's text gives no number of standard deviations).
PROGRESS_MINIMUM_SCHEMA: dict[str, pl.DataType] = {
    "time_period": pl.Int32(),
    "subject": pl.String(),
    "prior_attainment_group": pl.String(),
    "minimum_score": pl.Float64(),
}


def _audience(audience: str, *, pupil_level: bool) -> None:
    """Refuse an audience progress scores may not go to."""
    a = str(audience).strip().lower()
    if a in _REFUSED:
        raise ScopeError(
            f"progress scores are not for {a}: policy rule {PROGRESS_SHARE_RULE} — "
            f"{_SHARE_TEXT} Source: {_SHARE_SOURCE}",
            hint="report attainment to pupils and parents; progress scores are a "
            "relative measure of schools, published by DfE each autumn",
        )
    if a not in PROGRESS_AUDIENCES:
        raise InputError(
            f"unknown audience {audience!r}",
            column="audience",
            hint=f"use one of {', '.join(PROGRESS_AUDIENCES)}",
        )
    if pupil_level and not Audience(a).sees_school_identities:
        raise ScopeError(
            f"pupil-level progress scores are not for the {a} audience",
            hint="give the school, trust, LA or DfE the pupils' scores, and "
            "others the protected progress_table",
        )


def _years(lf: pl.LazyFrame, what: str) -> list[int]:
    years = sorted(
        int(y)
        for y in lf.select(pl.col("time_period").unique()).collect()["time_period"]
        if y is not None
    )
    for y in years:
        if y in NO_PROGRESS_YEARS:
            raise InputError(
                f"no progress scores for KS2 in {y} ({what}): {NO_PROGRESS_YEARS[y]}",
                column="time_period",
                hint="report attainment (ks2_table) for this year; progress is "
                "published by DfE only for years with a KS2 result and a baseline",
            )
        if y < FIRST_PROGRESS_YEAR:
            raise InputError(
                f"no progress scores for KS2 in {y} ({what}): the KS1-KS2 progress "
                f"measure on scaled scores begins in {FIRST_PROGRESS_YEAR}",
                column="time_period",
                hint="use DfE's published figures for earlier years",
            )
    return years


def _need(lf: pl.LazyFrame, columns: Sequence[str], what: str) -> None:
    names = lf.collect_schema().names()
    for c in columns:
        if c not in names:
            raise InputError(
                f"the {what} have no {c!r} column",
                column=c,
                hint="a progress score needs each pupil's own KS2 result "
                "(<subject>_scaled_score), their prior_attainment_group and the year",
            )


def _long(lf: pl.LazyFrame, subjects: Sequence[str]) -> pl.LazyFrame:
    """Return one row per pupil and subject with a scaled score and a prior attainment group."""
    parts = [
        lf.select(
            pl.col("time_period").cast(pl.Int32),
            pl.lit(s).alias("subject"),
            pl.col("prior_attainment_group").cast(pl.String),
            pl.col(f"{s}_scaled_score").cast(pl.Float64).alias("score"),
        )
        for s in subjects
    ]
    return pl.concat(parts).filter(
        pl.col("score").is_not_null() & pl.col("prior_attainment_group").is_not_null()
    )


def progress_reference(
    national: pl.LazyFrame | pl.DataFrame,
    /,
    *,
    subjects: Sequence[str] = PROGRESS_SUBJECTS,
) -> pl.LazyFrame:
    """Return the national reference of progress from the national results of the same year.

    For each year, subject and prior attainment group: the pupils of England
    with a KS2 scaled score in the subject and a prior attainment group, and
    their average score; for each year and subject, the standard deviation
    of the pupils' progress scores (score minus their group's average)
    across England, which the confidence intervals use. These are averages
    of results already sat, never estimates for pupils yet to sit the tests:
    :func:`pupil_progress` uses a year's reference only for the same year's
    pupils.

    Parameters
    ----------
    national
        Every pupil of England at the end of KS2 in the year(s), with
        ``time_period``, ``prior_attainment_group`` (DfE's KS1 prior
        attainment group; null without a KS1 result: not in progress) and
        ``<subject>_scaled_score``.
    subjects
        The subjects (default :data:`PROGRESS_SUBJECTS`).

    Returns
    -------
    polars.LazyFrame
        :data:`PROGRESS_REFERENCE_SCHEMA`.

    Raises
    ------
    InputError
        If a column is missing, or a year is one DfE publishes no progress
        for (:data:`NO_PROGRESS_YEARS`).

    Examples
    --------
    >>> import polars as pl
    >>> from makingdata.attainment import progress_reference
    >>> national = pl.DataFrame(
    ...     {
    ...         "time_period": [202223] * 4,
    ...         "prior_attainment_group": ["10", "10", "11", "11"],
    ...         "read_scaled_score": [98, 102, 104, None],
    ...         "mat_scaled_score": [100, 100, 105, 107],
    ...     }
    ... )
    >>> progress_reference(national, subjects=["read"]).collect().select(
    ...     "prior_attainment_group", "national_pupils", "national_average_score"
    ... ).rows()
    [('10', 2, 100.0), ('11', 1, 104.0)]
    """
    lf = national.lazy()
    _need(
        lf,
        [
            "time_period",
            "prior_attainment_group",
            *(f"{s}_scaled_score" for s in subjects),
        ],
        "national results",
    )
    _years(lf, "the national results")
    long = _long(lf, subjects)
    keys = ["time_period", "subject", "prior_attainment_group"]
    means = long.group_by(keys).agg(
        pl.len().cast(pl.Int64).alias("national_pupils"),
        pl.col("score").mean().alias("national_average_score"),
    )
    sd = (
        long.join(means, on=keys, how="left")
        .group_by("time_period", "subject")
        .agg(
            (pl.col("score") - pl.col("national_average_score"))
            .std(ddof=0)
            .alias("national_progress_sd")
        )
    )
    return (
        means.join(sd, on=["time_period", "subject"], how="left")
        .select(list(PROGRESS_REFERENCE_SCHEMA))
        .cast(PROGRESS_REFERENCE_SCHEMA)  # type: ignore[arg-type]
        .sort(keys)
    )


def _reference(
    reference: pl.LazyFrame | pl.DataFrame,
    years: Sequence[int],
    subjects: Sequence[str],
) -> pl.LazyFrame:
    ref = reference.lazy()
    _need(ref, list(PROGRESS_REFERENCE_SCHEMA), "progress reference")
    ref = ref.select(list(PROGRESS_REFERENCE_SCHEMA)).cast(
        PROGRESS_REFERENCE_SCHEMA  # type: ignore[arg-type]
    )
    _years(ref, "the progress reference")
    keys = ["time_period", "subject", "prior_attainment_group"]
    dup = ref.group_by(keys).len().filter(pl.col("len") > 1).head(1).collect()
    if dup.height:
        y, subj, g = dup.row(0)[:3]
        raise InputError(
            f"the progress reference has more than one row for {subj!r}, "
            f"group {g!r}, {y}",
            column="prior_attainment_group",
            hint="give one national average per year, subject and prior attainment group",
        )
    sds = (
        ref.group_by("time_period", "subject")
        .agg(pl.col("national_progress_sd").n_unique().alias("n"))
        .filter(pl.col("n") > 1)
        .head(1)
        .collect()
    )
    if sds.height:
        y, subj = sds.row(0)[:2]
        raise InputError(
            f"the progress reference has more than one national standard deviation "
            f"for {subj!r} in {y}",
            column="national_progress_sd",
            hint="DfE's confidence intervals use one standard deviation per subject and year",
        )
    have = set(ref.select("time_period", "subject").unique().collect().iter_rows())
    for y in years:
        for s in subjects:
            if (y, s) not in have:
                raise InputError(
                    f"the progress reference has no {s!r} averages for {y}",
                    column="time_period",
                    hint="progress is relative to the same year's national "
                    "results: build the reference from that year's national "
                    "results (progress_reference) or DfE's published averages "
                    "for that year; another year's averages would make a "
                    "prediction, which makingdata does not do",
                )
    return ref


def _minimums(
    minimum_scores: pl.LazyFrame | pl.DataFrame,
    years: Sequence[int],
    subjects: Sequence[str],
) -> pl.LazyFrame:
    """Check DfE's minimum progress scores and return them in :data:`PROGRESS_MINIMUM_SCHEMA`."""
    mins = minimum_scores.lazy()
    names = mins.collect_schema().names()
    for c in PROGRESS_MINIMUM_SCHEMA:
        if c not in names:
            raise InputError(
                f"the minimum progress scores have no {c!r} column",
                column=c,
                hint="give DfE's minimum progress score per year, subject and "
                "prior attainment group (time_period, subject, "
                "prior_attainment_group, minimum_score)",
            )
    mins = mins.select(list(PROGRESS_MINIMUM_SCHEMA)).cast(
        PROGRESS_MINIMUM_SCHEMA  # type: ignore[arg-type]
    )
    keys = ["time_period", "subject", "prior_attainment_group"]
    dup = mins.group_by(keys).len().filter(pl.col("len") > 1).head(1).collect()
    if dup.height:
        y, subj, g = dup.row(0)[:3]
        raise InputError(
            f"the minimum progress scores have more than one row for {subj!r}, "
            f"group {g!r}, {y}",
            column="prior_attainment_group",
            hint="give one minimum per year, subject and prior attainment group",
        )
    bad = (
        mins.filter(pl.col("minimum_score").is_null() | (pl.col("minimum_score") > 0))
        .head(1)
        .collect()
    )
    if bad.height:
        y, subj, g, m = bad.row(0)
        raise InputError(
            f"the minimum progress score for {subj!r}, group {g!r}, {y} is {m!r}: "
            "DfE's minimum is a negative score (set standard deviations below "
            "the group's mean of 0)",
            column="minimum_score",
            hint="copy the minimum scores DfE publishes for the year; leave out "
            "a group without a limit",
        )
    early = mins.filter(pl.col("time_period") < FIRST_MINIMUM_YEAR).head(1).collect()
    if early.height:
        raise InputError(
            f"minimum progress scores for {early.row(0)[0]}: DfE limits "
            f"extremely negative progress scores from {FIRST_MINIMUM_YEAR} only",
            column="time_period",
            hint="give no minimum scores for earlier years",
        )
    have = set(mins.select("time_period", "subject").unique().collect().iter_rows())
    for y in years:
        for s in subjects:
            if (y, s) not in have:
                raise InputError(
                    f"the minimum progress scores have no {s!r} rows for {y}",
                    column="time_period",
                    hint="give DfE's minimum scores of the same year as the "
                    "results (another year's would apply a limit DfE did not "
                    "set), or none to report unadjusted scores",
                )
    return mins


def _scores(
    results: pl.LazyFrame | pl.DataFrame,
    reference: pl.LazyFrame | pl.DataFrame,
    subjects: Sequence[str],
    minimum_scores: pl.LazyFrame | pl.DataFrame | None = None,
) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """Return the results with ``<subject>_progress_score``, and the reference used.

    With ``minimum_scores``, also ``<subject>_adjusted_progress_score``: the
    score, or the group's minimum where the score is more negative.
    """
    lf = results.lazy()
    _need(
        lf,
        [
            "time_period",
            "prior_attainment_group",
            *(f"{s}_scaled_score" for s in subjects),
        ],
        "KS2 results",
    )
    years = _years(lf, "the KS2 results")
    ref = _reference(reference, years, subjects)
    lf = lf.with_columns(
        pl.col("time_period").cast(pl.Int32),
        pl.col("prior_attainment_group").cast(pl.String),
    )
    for s in subjects:
        avg = ref.filter(pl.col("subject") == s).select(
            "time_period",
            "prior_attainment_group",
            pl.col("national_average_score").alias(f"__avg_{s}"),
        )
        lf = lf.join(
            avg,
            on=["time_period", "prior_attainment_group"],
            how="left",
            maintain_order="left",
        )
        score = pl.col(f"{s}_scaled_score").cast(pl.Float64)
        has = score.is_not_null() & pl.col("prior_attainment_group").is_not_null()
        lost = lf.filter(has & pl.col(f"__avg_{s}").is_null()).select(
            "time_period", "prior_attainment_group"
        )
        bad = lost.head(1).collect()
        if bad.height:
            y, g = bad.row(0)
            raise InputError(
                f"prior attainment group {g!r} of {y} has no national {s!r} average "
                "in the progress reference",
                column="prior_attainment_group",
                hint="use DfE's prior attainment groups of the year and the "
                "reference of the same year",
            )
        lf = lf.with_columns(
            pl.when(has)
            .then(score - pl.col(f"__avg_{s}"))
            .otherwise(None)
            .alias(f"{s}_progress_score")
        ).drop(f"__avg_{s}")
    if minimum_scores is not None:
        mins = _minimums(minimum_scores, years, subjects)
        for s in subjects:
            m = f"__min_{s}"
            lf = lf.join(
                mins.filter(pl.col("subject") == s).select(
                    "time_period",
                    "prior_attainment_group",
                    pl.col("minimum_score").alias(m),
                ),
                on=["time_period", "prior_attainment_group"],
                how="left",
                maintain_order="left",
            )
            p = pl.col(f"{s}_progress_score")
            lf = lf.with_columns(
                pl.when(pl.col(m).is_not_null() & (p < pl.col(m)))
                .then(pl.col(m))
                .otherwise(p)
                .alias(f"{s}_adjusted_progress_score")
            ).drop(m)
    return lf, ref


def pupil_progress(
    results: pl.LazyFrame | pl.DataFrame,
    reference: pl.LazyFrame | pl.DataFrame,
    /,
    *,
    audience: str,
    subjects: Sequence[str] = PROGRESS_SUBJECTS,
    minimum_scores: pl.LazyFrame | pl.DataFrame | None = None,
) -> pl.LazyFrame:
    """Return each pupil's progress score: their own KS2 score minus their group's national average.

    As DfE computes it ("Primary school accountability technical
    guidance"): ``<subject>_progress_score`` is the pupil's scaled score
    minus the national average scaled score of the pupils with the same
    prior attainment group in the *same* year (``reference``). It is a
    relative measure of results already sat: it needs the pupil's own result
    (a pupil without a scaled score, or without a prior attainment group, has
    none), and a reference of another year is refused.

    DfE's limit on extremely negative scores (from 2017/18): with
    ``minimum_scores`` (DfE's published minimum per year, subject and prior
    attainment group, :data:`PROGRESS_MINIMUM_SCHEMA`),
    ``<subject>_adjusted_progress_score`` is the score, or the group's
    minimum where the score is more negative ("Primary school accountability
    technical guide", 2018: "the minimum score will replace the pupil's
    original progress score when calculating a school's progress average").

    Not modelled (DfE's rules that makingdata does not apply): the nominal
    scores DfE gives pupils working below the standard of the test;
    writing's progress score.

    Parameters
    ----------
    results
        KS2 results (``pupil_key``, ``urn``, ``time_period``,
        ``prior_attainment_group``, ``<subject>_scaled_score``).
    reference
        The national reference of the same year(s)
        (:data:`PROGRESS_REFERENCE_SCHEMA`, :func:`progress_reference`).
    audience
        Who will see the scores: ``school``, ``trust``, ``la`` or ``dfe``.
        ``pupils`` and ``parents`` are refused (:data:`PROGRESS_SHARE_RULE`);
        so are ``partner`` and ``public`` (no pupil-level rows for them).
    subjects
        Default :data:`PROGRESS_SUBJECTS`.
    minimum_scores
        DfE's minimum progress scores of the same year(s)
        (:data:`PROGRESS_MINIMUM_SCHEMA`); ``None`` (the default) gives the
        unadjusted scores only.

    Returns
    -------
    polars.LazyFrame
        ``pupil_key``, ``urn``, ``time_period``, ``prior_attainment_group``
        and ``<subject>_progress_score`` for each subject; with
        ``minimum_scores``, then ``<subject>_adjusted_progress_score`` for
        each subject.

    Raises
    ------
    ScopeError
        For a pupil, parent, partner or public audience.
    InputError
        For an unknown audience, a missing column, a year without progress
        (:data:`NO_PROGRESS_YEARS`), a reference without the year, a
        prior attainment group the reference does not have, or minimum
        scores that are not DfE's shape (a positive minimum, a year before
        :data:`FIRST_MINIMUM_YEAR`, no rows for a year of the results).

    Examples
    --------
    >>> import polars as pl
    >>> from makingdata.attainment import progress_reference, pupil_progress
    >>> results = pl.DataFrame(
    ...     {
    ...         "pupil_key": [1, 2, 3],
    ...         "urn": [100001] * 3,
    ...         "time_period": [202223] * 3,
    ...         "prior_attainment_group": ["10", "10", "11"],
    ...         "read_scaled_score": [98, 102, 104],
    ...         "mat_scaled_score": [100, 100, 105],
    ...     }
    ... )
    >>> ref = progress_reference(results)
    >>> pupil_progress(results, ref, audience="school").collect()[
    ...     "read_progress_score"
    ... ].to_list()
    [-2.0, 2.0, 0.0]
    >>> minimums = pl.DataFrame(
    ...     {
    ...         "time_period": [202223],
    ...         "subject": ["read"],
    ...         "prior_attainment_group": ["10"],
    ...         "minimum_score": [-1.5],
    ...     }
    ... )
    >>> pupil_progress(
    ...     results, ref, audience="school", subjects=["read"], minimum_scores=minimums
    ... ).collect()["read_adjusted_progress_score"].to_list()
    [-1.5, 2.0, 0.0]
    >>> pupil_progress(results, ref, audience="parents")
    Traceback (most recent call last):
    ...
    makingdata.errors.ScopeError: progress scores are not for parents: policy rule NAHT-SHARE-01 — Individual pupils' progress scores should not be shared with pupils or parents. Source: DfE, Primary accountability technical guide (updated 13 December 2018), 13 December 2018, p29, paragraph 2 (as reported by NAHT, 13 December 2018). What to do: report attainment to pupils and parents; progress scores are a relative measure of schools, published by DfE each autumn.
    """
    _audience(audience, pupil_level=True)
    _need(results.lazy(), ["pupil_key", "urn"], "KS2 results")
    lf, _ = _scores(results, reference, subjects, minimum_scores)
    adjusted = (
        [f"{s}_adjusted_progress_score" for s in subjects]
        if minimum_scores is not None
        else []
    )
    return lf.select(
        "pupil_key",
        "urn",
        "time_period",
        "prior_attainment_group",
        *(f"{s}_progress_score" for s in subjects),
        *adjusted,
    )


def _round2(x: pl.Expr, decimals: int = 2) -> pl.Expr:
    """Round half away from zero to ``decimals`` places."""
    scale = 10.0**decimals
    a = x.abs() * scale
    whole = a.floor() + ((a - a.floor()) >= 0.5).cast(pl.Float64)
    # on the grid already: round only tidies the float's representation
    return (whole / scale * x.sign()).round(decimals)


def progress_interval(
    total: str | pl.Expr,
    pupils: str | pl.Expr,
    sd: float | str | pl.Expr,
    *,
    decimals: int = 2,
) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """Return the average progress score and its 95% confidence interval, as DfE computes them.

    ``total / pupils``, and that mean minus and plus
    ``PROGRESS_Z * sd / sqrt(pupils)`` ("Primary school accountability
    technical guidance": the national standard deviation of pupils'
    progress scores in the subject and year), each rounded half away from
    zero to ``decimals`` places after the interval is computed from the
    unrounded mean; null over zero pupils. :func:`progress_table` uses it;
    it re-derives the intervals of DfE's published files from their
    components (``t_<s>_progress_score``, ``t_<s>_progress_eligible_pupils``).

    Parameters
    ----------
    total
        The sum of the pupils' progress scores (a column name or expression).
    pupils
        The number of pupils with a progress score.
    sd
        The national standard deviation (a number, column or expression).
    decimals
        Decimal places (DfE publishes 2).

    Returns
    -------
    tuple of polars.Expr
        The average, the lower and the upper limit (name them with ``alias``).

    Examples
    --------
    >>> import polars as pl
    >>> from makingdata.attainment import progress_interval
    >>> avg, lo, hi = progress_interval("t", "n", 6.0)
    >>> pl.DataFrame({"t": [-30.0, 5.0], "n": [25, 0]}).select(
    ...     avg.alias("avg"), lo.alias("lo"), hi.alias("hi")
    ... ).rows()
    [(-1.2, -3.55, 1.15), (None, None, None)]
    """
    t = pl.col(total) if isinstance(total, str) else total
    n = (pl.col(pupils) if isinstance(pupils, str) else pupils).cast(pl.Float64)
    s = (
        pl.col(sd)
        if isinstance(sd, str)
        else sd
        if isinstance(sd, pl.Expr)
        else pl.lit(float(sd))
    )
    mean = t.cast(pl.Float64) / n
    half = PROGRESS_Z * s / n.sqrt()
    ok = n > 0
    return (
        pl.when(ok).then(_round2(mean, decimals)).otherwise(None),
        pl.when(ok).then(_round2(mean - half, decimals)).otherwise(None),
        pl.when(ok).then(_round2(mean + half, decimals)).otherwise(None),
    )


def progress_table(
    results: pl.LazyFrame | pl.DataFrame,
    schools: pl.LazyFrame | pl.DataFrame,
    reference: pl.LazyFrame | pl.DataFrame,
    /,
    *,
    audience: str,
    levels: str | Sequence[str] = ("school", "la", "region", "national"),
    by: Sequence[str] = (),
    subjects: Sequence[str] = PROGRESS_SUBJECTS,
    time_identifier: str = "Academic year",
    minimum_scores: pl.LazyFrame | pl.DataFrame | None = None,
) -> Table:
    """Return average progress scores with 95% confidence intervals, at each level, by group.

    For each subject, DfE's columns (the names of its published files):
    ``t_<s>_progress_eligible_pupils`` (pupils with a progress score),
    ``t_<s>_progress_score`` (the sum of their scores),
    ``avg_<s>_progress_score`` (the mean, 2 decimal places) and
    ``avg_<s>_progress_score_lower_CI`` / ``_upper_CI``: the mean minus and
    plus ``1.96 * sd / sqrt(n)`` (:func:`progress_interval`), where ``sd`` is the national standard
    deviation of pupils' progress scores in the subject and year (from
    ``reference``) and ``n`` the pupils ("Primary school accountability
    technical guidance", confidence intervals). Rounding: half away from
    zero, after the interval is computed from the unrounded mean.

    With ``minimum_scores`` (DfE's minimum per year, subject and prior
    attainment group, :data:`PROGRESS_MINIMUM_SCHEMA`), the sums, means and
    intervals are over the *adjusted* scores, a score more negative than its
    group's minimum counting as the minimum, as DfE's headline measures are
    from 2017/18 (:func:`pupil_progress`); the standard deviation is still
    the reference's.

    Levels and breakdowns are those of :func:`ks2_table` (school, trust,
    district, LA, region, England; pupil and school breakdowns). The counts
    of pupils are protected; the sums, means and intervals are ``other``
    indicators, suppressed with their row by disclosure control.

    Parameters
    ----------
    results
        KS2 results with ``urn``, ``time_period``,
        ``prior_attainment_group`` and the scaled scores, and the columns of
        any pupil breakdown.
    schools
        The Directory as a frame, as for :func:`ks2_table`.
    reference
        The national reference of the same year(s).
    audience
        Who will see the table; ``pupils`` and ``parents`` are refused
        (:data:`PROGRESS_SHARE_RULE`). Protect the table for its audience
        before it leaves (``makingdata.disclosure.protect``).
    levels, by, time_identifier
        As in :func:`ks2_table`.
    subjects
        Default :data:`PROGRESS_SUBJECTS`.
    minimum_scores
        DfE's minimum progress scores of the same year(s); ``None`` (the
        default) averages the unadjusted scores.

    Returns
    -------
    Table
        EES shape, lazy, with its spec.

    Raises
    ------
    ScopeError
        For a pupil or parent audience.
    InputError
        As :func:`pupil_progress`, and as :func:`ks2_table` for levels,
        breakdowns and schools.

    Examples
    --------
    >>> import polars as pl
    >>> from makingdata.attainment import progress_reference, progress_table
    >>> results = pl.DataFrame(
    ...     {
    ...         "urn": [100001, 100001, 100002, 100002],
    ...         "time_period": [202223] * 4,
    ...         "prior_attainment_group": ["10", "10", "10", "10"],
    ...         "read_scaled_score": [100, 104, 96, 100],
    ...         "mat_scaled_score": [100, 100, 100, 100],
    ...     }
    ... )
    >>> schools = pl.DataFrame(
    ...     {
    ...         "urn": [100001, 100002],
    ...         "new_la_code": ["E10000034"] * 2,
    ...         "region_code": ["E12000005"] * 2,
    ...     }
    ... )
    >>> t = progress_table(
    ...     results,
    ...     schools,
    ...     progress_reference(results),
    ...     audience="la",
    ...     levels="school",
    ... )
    >>> t.collect().select(
    ...     "avg_read_progress_score",
    ...     "avg_read_progress_score_lower_CI",
    ...     "avg_read_progress_score_upper_CI",
    ... ).rows()
    [(2.0, -1.92, 5.92), (-2.0, -5.92, 1.92)]
    """
    _audience(audience, pupil_level=False)
    lvs = levels_of(levels)
    breakdowns_of(by)
    lf, ref = _scores(results, reference, subjects, minimum_scores)
    score = (
        "adjusted_progress_score" if minimum_scores is not None else "progress_score"
    )
    n = {s: f"t_{s}_progress_eligible_pupils" for s in subjects}
    total = {s: f"t_{s}_progress_score" for s in subjects}
    lf = lf.with_columns(
        *(
            pl.col(f"{s}_{score}").is_not_null().cast(pl.Int64).alias(n[s])
            for s in subjects
        ),
        *(pl.col(f"{s}_{score}").fill_null(0.0).alias(total[s]) for s in subjects),
    )
    out = aggregate(
        lf,
        schools,
        lvs,
        by,
        [*n.values(), *total.values()],
        time_identifier=time_identifier,
    )
    sds = (
        ref.select("time_period", "subject", "national_progress_sd")
        .unique(subset=["time_period", "subject"])
        .collect()
        .pivot(on="subject", index="time_period", values="national_progress_sd")
        .rename({s: f"__sd_{s}" for s in subjects})
        .lazy()
    )
    out = out.join(sds, on="time_period", how="left")
    avgs: list[str] = []
    exprs: list[pl.Expr] = []
    for s in subjects:
        a = f"avg_{s}_progress_score"
        values = progress_interval(total[s], n[s], f"__sd_{s}")
        for name, value in zip(
            (a, f"{a}_lower_CI", f"{a}_upper_CI"), values, strict=True
        ):
            exprs.append(value.alias(name))
            avgs.append(name)
    out = out.with_columns(exprs)
    time = ["time_period", "time_identifier"]
    geo_cols = geography_of(lvs)
    counts = list(n.values())
    sums = list(total.values())
    ordered = [
        *time,
        "geographic_level",
        *geo_cols,
        *by,
        "num_schools",
        *counts,
        *sums,
        *avgs,
    ]
    frame = sort_rows(out, geo_cols, by).select(ordered)
    lv_labels = order_levels([lv.label for lv in lvs])
    labels = {"num_schools": "Number of schools"}
    for s in subjects:
        what = {"read": "Reading", "mat": "Maths"}.get(s, s)
        a = f"avg_{s}_progress_score"
        labels[n[s]] = f"{what}: pupils with a progress score"
        labels[total[s]] = f"{what}: sum of progress scores"
        labels[a] = f"{what}: average progress score"
        labels[f"{a}_lower_CI"] = f"{what}: progress score, lower 95% confidence limit"
        labels[f"{a}_upper_CI"] = f"{what}: progress score, upper 95% confidence limit"
    spec = TableSpec(
        counts=counts,
        filters=list(by),
        nestings=_nestings(lv_labels, ordered),
        levels=lv_labels,
        additive=["num_schools"],
        other=[*sums, *avgs],
        protected=counts,
        labels=labels,
        decimals={
            **dict.fromkeys(("num_schools", *counts), 0),
            **dict.fromkeys((*sums, *avgs), 2),
        },
    )
    return Table(frame, spec)
