"""The KS2 table: pupils' results to school, trust, LA, region and England, by group.

Additive counts first, rates last (DESIGN, "Counts are additive"): each
pupil's 0/1 indicators and scaled scores are summed per unit and group, then
every percentage is the ratio of the sums, rounded half-up to a whole number,
and every average scaled score is the sum of scores over the pupils with a
score, rounded the same way.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import polars as pl

from makingdata._contracts import KS2_RESULTS_SCHEMA, EducationPhase
from makingdata.attainment._measures import (
    KS2_SUBJECTS,
    SCALED_SCORE_RANGE,
    pupil_indicators,
    round_whole,
)
from makingdata.errors import InputError
from makingdata.tables import (
    CHAIN_COLUMNS,
    ENGLAND,
    TOTAL,
    Level,
    Nesting,
    Rate,
    Table,
    TableSpec,
    level,
)
from makingdata.tables._spec import nestings_for, order_levels

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = [
    "ACADEMY",
    "DISTRICT",
    "KS2_BREAKDOWNS",
    "KS2_SCHOOL_BREAKDOWNS",
    "MAINTAINED",
    "THREE_TIER",
    "TWO_TIER",
    "ks2_table",
]

_UNCLASSIFIED = "Unclassified"

#: The breakdowns of :func:`ks2_table` (``by=``): the EES filter and how it is
#: read from a pupil's results (``KS2_RESULTS_SCHEMA``).
KS2_BREAKDOWNS: Mapping[str, pl.Expr] = {
    "disadvantage_status": pl.when(pl.col("disadvantaged"))
    .then(pl.lit("Disadvantaged"))
    .otherwise(pl.lit("Disadvantaged all other")),
    "sen_provision": pl.col("sen_provision").cast(pl.String).fill_null(_UNCLASSIFIED),
    "sex": pl.col("sex").cast(pl.String).fill_null("Unknown"),
    "first_language": pl.when(pl.col("eal").is_null())
    .then(pl.lit(_UNCLASSIFIED))
    .when(pl.col("eal"))
    .then(pl.lit("Known or believed to be other than English"))
    .otherwise(pl.lit("Known or believed to be English")),
    "looked_after": pl.when(pl.col("looked_after"))
    .then(pl.lit("Looked after"))
    .otherwise(pl.lit("Not looked after")),
}

#: The local authority district level (EES ``Local authority district``:
#: ``lad_code``, ``lad_name``), from the Directory's ``lad_code`` and
#: ``lad_name``. A district lies within one local authority (a county's
#: districts, or a unitary authority that is its own district), so its rows
#: carry their LA and region too. makingdata's own level, beside
#: :data:`makingdata.tables.LEVELS`: ``levels="district"`` (or ``"lad"``,
#: ``"Local authority district"``) in :func:`ks2_table`.
DISTRICT = Level(
    "district",
    "Local authority district",
    (
        *CHAIN_COLUMNS["National"],
        *CHAIN_COLUMNS["Regional"],
        *CHAIN_COLUMNS["Local authority"],
        "lad_code",
        "lad_name",
    ),
    3,
)
_DISTRICT_NAMES = frozenset({"district", "lad", "local authority district"})

#: ``school_type`` label of academies and free schools (GIAS establishment
#: type groups ``Academies`` and ``Free Schools``).
ACADEMY = "Academies and free schools"
#: ``school_type`` label of maintained schools (GIAS group ``Local authority
#: maintained schools``, and the LA's community and foundation special
#: schools of group ``Special schools``).
MAINTAINED = "Local authority maintained schools"
#: ``area_tier`` label of a school in a district with no middle school.
TWO_TIER = "2-tier area"
#: ``area_tier`` label of a school in a district with a middle school.
THREE_TIER = "3-tier area"
_OTHER = "Other"
_MIDDLE = [
    EducationPhase.MIDDLE_DEEMED_PRIMARY.value,
    EducationPhase.MIDDLE_DEEMED_SECONDARY.value,
]

_group = pl.col("establishment_type_group").cast(pl.String)
_type = pl.col("establishment_type").cast(pl.String)

#: The school breakdowns of :func:`ks2_table` (``by=``), read from the
#: schools frame (the Directory), not from the pupils' results:
#:
#: - ``school_type``: :data:`ACADEMY` (GIAS establishment type groups
#:   ``Academies``, ``Free Schools``), :data:`MAINTAINED` (``Local authority
#:   maintained schools``, and ``Special schools`` except a
#:   ``Non-maintained special school``), ``Other`` (any other group, e.g.
#:   independent schools), ``Unclassified`` (no group);
#: - ``area_tier``: :data:`THREE_TIER` for a school whose district
#:   (``lad_code``) has a middle school (``education_phase`` ``Middle (deemed
#:   primary)`` or ``Middle (deemed secondary)``) in the schools frame,
#:   :data:`TWO_TIER` otherwise, ``Unclassified`` without a district. This is
#:   makingdata's definition, not DfE's: DfE publishes no 2-tier/3-tier
#:   breakdown.
#:
#: Each value is the columns of the schools frame it needs.
KS2_SCHOOL_BREAKDOWNS: Mapping[str, tuple[str, ...]] = {
    "school_type": ("establishment_type_group",),
    "area_tier": ("lad_code", "education_phase"),
}


def _school_type(names: Sequence[str]) -> pl.Expr:
    non_maintained = (
        (_type == "Non-maintained special school").fill_null(value=False)
        if "establishment_type" in names
        else pl.lit(value=False)
    )
    return (
        pl.when(_group.is_null())
        .then(pl.lit(_UNCLASSIFIED))
        .when(_group.is_in(["Academies", "Free Schools"]))
        .then(pl.lit(ACADEMY))
        .when(
            (_group == "Local authority maintained schools")
            | ((_group == "Special schools") & ~non_maintained)
        )
        .then(pl.lit(MAINTAINED))
        .otherwise(pl.lit(_OTHER))
    )


def _area_tier() -> pl.Expr:
    lad = pl.col("lad_code")
    middle = (
        pl.col("education_phase").cast(pl.String).is_in(_MIDDLE).fill_null(value=False)
    )
    return (
        pl.when(lad.is_null())
        .then(pl.lit(_UNCLASSIFIED))
        .when(middle.any().over(lad))
        .then(pl.lit(THREE_TIER))
        .otherwise(pl.lit(TWO_TIER))
    )


def _level(name: str | Level) -> Level:
    if isinstance(name, Level):
        return name
    if str(name).strip().lower() in _DISTRICT_NAMES:
        return DISTRICT
    try:
        return level(name)
    except InputError:
        raise InputError(
            f"unknown level {name!r}",
            column="levels",
            hint="use school, trust, district, la, region or national "
            "(or the EES labels)",
        ) from None


_SCHOOL_GEO = {
    "school_urn": pl.col("urn").cast(pl.String),
    "school_name": pl.col("school_name"),
    "school_laestab": pl.col("laestab").cast(pl.String),
    "new_la_code": pl.col("new_la_code"),
    "la_name": pl.col("la_name"),
    "old_la_code": pl.col("old_la_code").cast(pl.String),
    "region_code": pl.col("region_code"),
    "region_name": pl.col("region_name"),
    "trust_id": pl.col("trust_id"),
    "trust_name": pl.col("trust_name"),
    "lad_code": pl.col("lad_code").cast(pl.String),
    "lad_name": pl.col("lad_name").cast(pl.String),
}


def _schools(
    schools: pl.LazyFrame | pl.DataFrame,
    *,
    district: bool = False,
    by: Sequence[str] = (),
) -> pl.LazyFrame:
    lf = schools.lazy()
    names = lf.collect_schema().names()
    missing = [c for c in ("urn", "new_la_code", "region_code") if c not in names]
    if missing:
        raise InputError(
            f"the schools frame has no {missing[0]!r} column",
            column=missing[0],
            hint="pass a Directory frame (SCHOOLS_SCHEMA) with each school's LA and region",
        )
    if district:
        for c in ("lad_code", "lad_name"):
            if c not in names:
                raise InputError(
                    f"the district level needs a {c!r} column in the schools frame",
                    column=c,
                    hint="add each school's local authority district (lad_code, "
                    "lad_name) to the Directory, or drop 'district' from levels=",
                )
    for b in by:
        for c in KS2_SCHOOL_BREAKDOWNS[b]:
            if c not in names:
                raise InputError(
                    f"the breakdown {b!r} needs a {c!r} column in the schools frame",
                    column=c,
                    hint=f"add {c!r} to the Directory (SCHOOLS_SCHEMA) or drop "
                    f"{b!r} from by=",
                )
    exprs = [pl.col("urn").cast(pl.UInt32).alias("__urn")]
    for out, expr in _SCHOOL_GEO.items():
        src = expr.meta.root_names()[0]
        if src in names:
            exprs.append(expr.alias(out))
        else:
            exprs.append(pl.lit(None, pl.String).alias(out))
    if "school_type" in by:
        exprs.append(_school_type(names).alias("school_type"))
    if "area_tier" in by:
        # over every school of the frame, before one row per URN is kept
        exprs.append(_area_tier().alias("area_tier"))
    return lf.select(exprs).unique(subset=["__urn"], keep="first")


def _check(results: pl.LazyFrame) -> None:
    names = results.collect_schema().names()
    need = [
        "urn",
        "time_period",
        *(f"{s.name}_scaled_score" for s in KS2_SUBJECTS if s.kind == "test"),
    ]
    need += [f"{s.name}_code" for s in KS2_SUBJECTS if s.kind == "test"]
    need += [f"{s.name}_outcome" for s in KS2_SUBJECTS if s.kind == "ta"]
    missing = [c for c in need if c not in names]
    if missing:
        raise InputError(
            f"the KS2 results have no {missing[0]!r} column",
            column=missing[0],
            hint=f"give the columns of KS2_RESULTS_SCHEMA: {list(KS2_RESULTS_SCHEMA)}",
        )
    lo, hi = SCALED_SCORE_RANGE
    checks = []
    for s in KS2_SUBJECTS:
        if s.kind != "test":
            continue
        score = pl.col(f"{s.name}_scaled_score").cast(pl.Int64)
        code = pl.col(f"{s.name}_code")
        checks += [
            ((score < lo) | (score > hi))
            .fill_null(value=False)
            .sum()
            .alias(f"{s.name}_scaled_score\x00a scaled score outside {lo}-{hi}"),
            (score.is_not_null() & code.is_not_null())
            .sum()
            .alias(f"{s.name}_code\x00both a scaled score and a result code"),
        ]
    row = results.select(checks).collect().row(0, named=True)
    for key, n in row.items():
        if n:
            col, what = key.split("\x00")
            raise InputError(
                f"{n} pupil(s) have {what} in {col!r}",
                column=col,
                hint="validate the results first: a test result is a scaled score "
                f"({lo}-{hi}) or one of DfE's result codes, never both",
            )


def ks2_table(
    results: pl.LazyFrame | pl.DataFrame,
    schools: pl.LazyFrame | pl.DataFrame,
    /,
    *,
    levels: str | Sequence[str] = ("school", "la", "region", "national"),
    by: Sequence[str] = (),
    time_identifier: str = "Academic year",
) -> Table:
    """Return KS2 attainment at each level, broken down by pupil groups, as DfE measures it.

    For each subject (:data:`KS2_SUBJECTS`: reading, writing TA, maths,
    reading-writing-maths combined, GPS, science TA) the table has DfE's
    counts — ``t_<subject>_eligible_pupils``,
    ``t_<subject>_met_expected_standard`` and
    ``t_<subject>_met_higher_standard`` — and their percentages
    ``pt_<subject>_met_expected_standard`` / ``..._higher_standard``; for the
    tests, ``avg_<subject>_scaled_score`` from ``t_<subject>_scaled_score_sum``
    over ``t_<subject>_scaled_score_pupils``. ``num_schools`` is the number
    of schools with pupils in the row (the single-school disclosure rule
    reads it). Every count of pupils is protected (``spec.protected``); the
    sums of scaled scores are counts suppressed with their row.

    Who counts where ("Primary school accountability technical guidance"):

    - a test's denominator is every pupil with a scaled score or a code of
      :data:`TEST_ELIGIBLE_CODES` (absent, working below the standard of the
      test, unable to access it, cheating, maladministration, just arrived);
      left, missing, future and past are not in it;
    - the expected standard is a scaled score of 100 or more (EXS or GDS in
      writing, EXS in science), the higher standard 110 or more (GDS in
      writing); reading-writing-maths combined counts pupils eligible in all
      three and meeting the standard in all three;
    - an average scaled score is over the pupils with a scaled score only;
    - percentages and averages are whole numbers, rounded half-up
      (:func:`round_whole`); over a zero denominator they are null (EES
      ``z``).

    Counts are summed first, rates derived last, at every level: a region's
    percentage is its pupils' sum over its pupils' sum, never a mean of LAs.
    Results belong to the school where the pupil sat the tests (the ``urn``
    of the results).

    Parameters
    ----------
    results
        One row per pupil (``KS2_RESULTS_SCHEMA``); pupils are identified by
        ``pupil_key`` only.
    schools
        The Directory as a frame (``SCHOOLS_SCHEMA``): each school's LA and
        region (and ``trust_id`` for the trust level).
    levels
        Any of ``"school"``, ``"trust"``, ``"district"`` (:data:`DISTRICT`,
        the local authority district: the schools frame needs ``lad_code``
        and ``lad_name``), ``"la"``, ``"region"``, ``"national"`` (or the EES
        labels).
    by
        Breakdowns of pupils, from :data:`KS2_BREAKDOWNS`:
        ``disadvantage_status``, ``sen_provision``, ``sex``,
        ``first_language``, ``looked_after``; and of schools, from
        :data:`KS2_SCHOOL_BREAKDOWNS`: ``school_type`` (academies against
        maintained schools) and ``area_tier`` (2-tier against 3-tier areas).
        Each gets a ``Total`` row; two or more are crossed.
    time_identifier
        The EES time identifier of ``time_period``.

    Returns
    -------
    Table
        Lazy, EES shape, with its spec (counts, rates, averages as ``other``).

    Raises
    ------
    InputError
        If a column is missing (``lad_code`` for the district level, the
        schools frame's columns of a school breakdown), a breakdown or level is unknown, a scaled score
        is outside 80–120 or a test has both a score and a code, or a pupil's
        school is not in ``schools``.

    Examples
    --------
    >>> import polars as pl
    >>> from makingdata.attainment import ks2_table
    >>> results = pl.DataFrame(
    ...     {
    ...         "pupil_key": [1, 2, 3, 4],
    ...         "urn": [100001, 100001, 100002, 100002],
    ...         "time_period": [202425] * 4,
    ...         "read_scaled_score": [104, 111, None, 99],
    ...         "read_code": [None, None, "B", None],
    ...         "mat_scaled_score": [100, 112, None, 95],
    ...         "mat_code": [None, None, "A", None],
    ...         "gps_scaled_score": [101, 110, None, None],
    ...         "gps_code": [None, None, "B", "L"],
    ...         "writta_outcome": ["EXS", "GDS", "PK4", "WTS"],
    ...         "scita_outcome": ["EXS", "EXS", "HNM", "EXS"],
    ...         "disadvantaged": [False, False, True, True],
    ...     }
    ... )
    >>> schools = pl.DataFrame(
    ...     {
    ...         "urn": [100001, 100002],
    ...         "new_la_code": ["E06000047"] * 2,
    ...         "la_name": ["County Durham"] * 2,
    ...         "old_la_code": [840, 840],
    ...         "region_code": ["E12000001"] * 2,
    ...         "region_name": ["North East"] * 2,
    ...     }
    ... )
    >>> t = ks2_table(results, schools, levels="national", by=["disadvantage_status"])
    >>> t.collect().select(
    ...     "disadvantage_status",
    ...     "t_read_eligible_pupils",
    ...     "pt_read_met_expected_standard",
    ...     "pt_rwm_met_expected_standard",
    ...     "avg_read_scaled_score",
    ...     "t_gps_eligible_pupils",
    ... ).rows()
    [('Disadvantaged', 2, 0.0, 0.0, 99.0, 1), ('Disadvantaged all other', 2, 100.0, 100.0, 108.0, 2), ('Total', 4, 50.0, 50.0, 105.0, 3)]

    Districts, and academies against maintained schools:

    >>> schools = schools.with_columns(
    ...     lad_code=pl.Series(["E07000234", "E07000235"]),
    ...     lad_name=pl.Series(["Bromsgrove", "Malvern Hills"]),
    ...     establishment_type_group=pl.Series(
    ...         ["Academies", "Local authority maintained schools"]
    ...     ),
    ... )
    >>> t = ks2_table(results, schools, levels="district", by=["school_type"])
    >>> t.collect().filter(pl.col("school_type") != "Total").select(
    ...     "lad_name", "school_type", "pt_read_met_expected_standard"
    ... ).rows()
    [('Bromsgrove', 'Academies and free schools', 100.0), ('Malvern Hills', 'Local authority maintained schools', 0.0)]
    """
    lvs = levels_of(levels)
    breakdowns_of(by)  # unknown breakdowns are refused before the results are read
    lf = results.lazy()
    _check(lf)
    lf = pupil_indicators(lf, KS2_SUBJECTS)
    counts = [
        c
        for s in KS2_SUBJECTS
        for c in (
            f"t_{s.name}_eligible_pupils",
            f"t_{s.name}_met_expected_standard",
            *((f"t_{s.name}_met_higher_standard",) if s.higher else ()),
            *((f"t_{s.name}_scaled_score_pupils",) if s.kind == "test" else ()),
        )
    ]
    sums = [f"t_{s.name}_scaled_score_sum" for s in KS2_SUBJECTS if s.kind == "test"]
    out = aggregate(
        lf,
        schools,
        lvs,
        by,
        [*counts, *sums],
        time_identifier=time_identifier,
    )
    time = ["time_period", "time_identifier"]
    rates: list[Rate] = []
    exprs: list[pl.Expr] = []
    for s in KS2_SUBJECTS:
        for std in ("expected", *(("higher",) if s.higher else ())):
            r = Rate(
                f"pt_{s.name}_met_{std}_standard",
                f"t_{s.name}_met_{std}_standard",
                f"t_{s.name}_eligible_pupils",
            )
            rates.append(r)
            exprs.append(_ratio(r.numerator, r.denominator, 100).alias(r.column))
    averages = []
    for s in KS2_SUBJECTS:
        if s.kind == "test":
            name = f"avg_{s.name}_scaled_score"
            averages.append(name)
            exprs.append(
                _ratio(
                    f"t_{s.name}_scaled_score_sum",
                    f"t_{s.name}_scaled_score_pupils",
                    1,
                ).alias(name)
            )
    out = out.with_columns(exprs)
    geo_cols = geography_of(lvs)
    ordered = [
        *time,
        "geographic_level",
        *geo_cols,
        *by,
        "num_schools",
        *counts,
        *sums,
        *(r.column for r in rates),
        *averages,
    ]
    frame = sort_rows(out, geo_cols, by).select(ordered)
    labels = _labels()
    lv_labels = order_levels([lv.label for lv in lvs])
    spec = TableSpec(
        # the sums of scaled scores are counts too (suppressed with their row:
        # a sum of scores near 100 x pupils would give a suppressed count away),
        # but not counts of pupils
        counts=[*counts, *sums],
        filters=list(by),
        nestings=_nestings(lv_labels, ordered),
        rates=rates,
        levels=lv_labels,
        additive=["num_schools"],
        other=averages,
        # every count is a count of pupils: each is protected, not only the first
        protected=counts,
        labels=labels,
        decimals={
            **dict.fromkeys(("num_schools", *counts, *sums), 0),
            **{r.column: 0 for r in rates},
            **dict.fromkeys(averages, 0),
        },
    )
    return Table(frame, spec)


def levels_of(levels: str | Sequence[str]) -> list[Level]:
    """Return the levels of ``levels=``, the school level naming its district when asked."""
    lvs = [_level(x) for x in ([levels] if isinstance(levels, str) else levels)]
    if DISTRICT in lvs:
        # a school's row names its district too, as its LA's
        lvs = [
            Level(lv.name, lv.label, (*lv.columns, *DISTRICT.columns[-2:]), lv.rank)
            if lv.name == "school"
            else lv
            for lv in lvs
        ]
    return lvs


def breakdowns_of(by: Sequence[str]) -> tuple[list[str], list[str]]:
    """Return the pupil and the school breakdowns of ``by=``, refusing unknown ones."""
    for b in by:
        if b not in KS2_BREAKDOWNS and b not in KS2_SCHOOL_BREAKDOWNS:
            raise InputError(
                f"unknown KS2 breakdown {b!r}",
                column="by",
                hint=f"choose from {[*KS2_BREAKDOWNS, *KS2_SCHOOL_BREAKDOWNS]}",
            )
    return (
        [b for b in by if b in KS2_BREAKDOWNS],
        [b for b in by if b in KS2_SCHOOL_BREAKDOWNS],
    )


def aggregate(
    lf: pl.LazyFrame,
    schools: pl.LazyFrame | pl.DataFrame,
    lvs: Sequence[Level],
    by: Sequence[str],
    sums: Sequence[str],
    *,
    time_identifier: str,
) -> pl.LazyFrame:
    """Sum ``sums`` of the pupils' rows to every level and breakdown, with ``Total`` rows.

    Private to the kernels of this package: :func:`ks2_table` and the
    progress table share it, so both have the same levels and breakdowns.
    """
    pupil_by, school_by = breakdowns_of(by)
    names = lf.collect_schema().names()
    for b in pupil_by:
        need = KS2_BREAKDOWNS[b].meta.root_names()[0]
        if need not in names:
            raise InputError(
                f"the breakdown {b!r} needs a {need!r} column in the results",
                column=need,
                hint=f"add {need!r} (KS2_RESULTS_SCHEMA) or drop {b!r} from by=",
            )
    lf = lf.with_columns(
        pl.col("urn").cast(pl.UInt32).alias("__urn"),
        pl.col("time_period").cast(pl.Int32),
        time_identifier=pl.lit(time_identifier),
        country_code=pl.lit(ENGLAND[0]),
        country_name=pl.lit(ENGLAND[1]),
        **{b: KS2_BREAKDOWNS[b] for b in pupil_by},
    )
    geo = _schools(schools, district=DISTRICT in lvs, by=school_by)
    unknown = (
        lf.select("__urn").unique().join(geo, on="__urn", how="anti").collect()["__urn"]
    )
    if unknown.len():
        raise InputError(
            f"{unknown.len()} school(s) of the results are not in the schools frame, "
            f"e.g. URN {unknown.sort()[0]}",
            column="urn",
            hint="add them to the Directory; results are never dropped silently",
        )
    lf = lf.join(geo, on="__urn", how="left")
    time = ["time_period", "time_identifier"]
    parts: list[pl.LazyFrame] = []
    for lv in lvs:
        src = lf
        if lv.name == "trust":
            src = src.filter(pl.col("trust_id").is_not_null())
        elif lv is DISTRICT:
            src = src.filter(pl.col("lad_code").is_not_null())
        for k in range(len(by), -1, -1):
            for kept in itertools.combinations(by, k):
                g = src.group_by([*time, *lv.columns, *kept]).agg(
                    pl.col("__urn").n_unique().cast(pl.Int64).alias("num_schools"),
                    *(pl.col(c).sum() for c in sums),
                )
                g = g.with_columns(
                    [pl.lit(TOTAL).alias(c) for c in by if c not in kept]
                ).with_columns(
                    geographic_level=pl.lit(lv.label), __rank=pl.lit(lv.rank)
                )
                parts.append(g)
    return pl.concat(parts, how="diagonal_relaxed")


def geography_of(lvs: Sequence[Level]) -> list[str]:
    """Return the geography columns of the levels, from the top."""
    return list(
        dict.fromkeys(c for lv in sorted(lvs, key=lambda x: x.rank) for c in lv.columns)
    )


def sort_rows(
    out: pl.LazyFrame, geo_cols: Sequence[str], by: Sequence[str]
) -> pl.LazyFrame:
    """Sort a table's rows: by year, level from the top, geography, then each breakdown with its Total last."""
    sort_by: list[pl.Expr] = [pl.col(c) for c in ("time_period", "__rank", *geo_cols)]
    for c in by:
        sort_by += [pl.col(c) == TOTAL, pl.col(c)]
    return out.sort(sort_by, nulls_last=True, maintain_order=True)


def _nestings(levels: Sequence[str], names: Sequence[str]) -> list[Nesting]:
    """Return the chain's nestings, and districts within their schools and area."""
    out = nestings_for(levels, names)
    if DISTRICT.label in levels:
        # schools within their district: also what makes ``lad_code`` a key
        # column of the spec, so two districts of one LA are two rows
        out.append(Nesting(DISTRICT.label, "School", ("lad_code",)))
        for parent, on in (
            ("Local authority", "new_la_code"),
            ("Regional", "region_code"),
            ("National", "country_code"),
        ):
            if parent in levels:
                out.append(Nesting(parent, DISTRICT.label, (on,)))
                break
    return out


def _ratio(num: str, den: str, scale: int) -> pl.Expr:
    """``num / den * scale`` rounded half-up to a whole number; null over zero."""
    d = pl.col(den)
    value = pl.col(num).cast(pl.Float64) / d.cast(pl.Float64) * scale
    return pl.when(d > 0).then(round_whole(value)).otherwise(pl.lit(None, pl.Float64))


def _labels() -> dict[str, str]:
    """Return the EES labels of the KS2 table's indicators."""
    labels = {
        f"t_{s.name}_eligible_pupils": f"{s.label}: eligible pupils"
        for s in KS2_SUBJECTS
    }
    labels.update(
        {
            f"pt_{s.name}_met_expected_standard": f"{s.label}: % meeting the expected standard"
            for s in KS2_SUBJECTS
        }
    )
    labels.update(
        {
            f"pt_{s.name}_met_higher_standard": f"{s.label}: % meeting the higher standard"
            for s in KS2_SUBJECTS
            if s.higher
        }
    )
    for s in KS2_SUBJECTS:
        labels[f"t_{s.name}_met_expected_standard"] = (
            f"{s.label}: pupils meeting the expected standard"
        )
        if s.higher:
            labels[f"t_{s.name}_met_higher_standard"] = (
                f"{s.label}: pupils meeting the higher standard"
            )
        if s.kind == "test":
            labels[f"t_{s.name}_scaled_score_pupils"] = (
                f"{s.label}: pupils with a scaled score"
            )
            labels[f"t_{s.name}_scaled_score_sum"] = f"{s.label}: sum of scaled scores"
    labels["num_schools"] = "Number of schools"
    labels.update(
        {
            f"avg_{s.name}_scaled_score": f"{s.label}: average scaled score"
            for s in KS2_SUBJECTS
            if s.kind == "test"
        }
    )
    return labels
