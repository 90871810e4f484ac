"""Rollups: additive counts to school, trust, LA, region and England, in EES shape.

Counts are summed first and rates derived last, as ratio of sums (DfE: rates at
higher levels are ``sum(absence) / sum(possible)``, never a mean of school
rates). :func:`rollup` works on a :class:`~makingdata.tables.Table` (a kernel's,
whose spec says which columns are counts and rates) or on any frame of
additive counts at a lower level, such as a published DfE school-level file,
whose columns :meth:`~makingdata.tables.TableSpec.infer` reads — so the same
code re-derives DfE's published LA, regional and national rows.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import attrs
import polars as pl

from makingdata.attendance._measures import (
    GROUPINGS,
    LABELS,
    MEASURES,
    Measure,
    add_rates,
    check_decimals,
    check_zero_rate,
)
from makingdata.errors import InputError
from makingdata.tables import (
    CHAIN,
    ENGLAND,
    GEOGRAPHY_COLUMNS,
    LEVELS,
    TIME_COLUMNS,
    TOTAL,
    Level,
    Rate,
    Table,
    TableSpec,
    WholeRegion,
    level,
)
from makingdata.tables._spec import nestings_for, order_levels

if TYPE_CHECKING:
    import datetime as dt

__all__ = ["GEO_COLUMNS", "LEVELS", "Level", "rollup", "table_spec"]

#: Every geography column of the levels makingdata builds (from the tables
#: vocabulary).
GEO_COLUMNS: tuple[str, ...] = GEOGRAPHY_COLUMNS
#: Identifier columns never summed.
_ID_COLUMNS = frozenset(
    {"urn", "estab", "laestab", "pupil_key", "_eid", "_pid", "geographic_level"}
)


def _aggs(num: Sequence[str], txt: Sequence[str]) -> list[pl.Expr]:
    out = [pl.col(c).sum().alias(c) for c in num]
    for c in txt:
        v = pl.col(c).str.strip_chars()
        n = v.cast(pl.Int64, strict=False)
        f = v.cast(pl.Float64, strict=False)
        # a number with a fractional part (a daily mean, as DfE's in-year
        # enrolments) is summed as a float; anything that is not a number is
        # a symbol
        sym = pl.when(f.is_null()).then(v)
        out += [
            n.sum().alias(f"__n_{c}"),
            f.sum().alias(f"__f_{c}"),
            (f.is_not_null() & n.is_null()).any().alias(f"__d_{c}"),
            f.count().alias(f"__k_{c}"),
            sym.drop_nulls().n_unique().alias(f"__u_{c}"),
            sym.drop_nulls().first().alias(f"__s_{c}"),
        ]
    return out


#: Places a sum of fractional numbers is written to (no binary noise).
_FRACTION_PLACES = 9


def _finish_txt(txt: Sequence[str]) -> list[pl.Expr]:
    return [
        (
            pl.when((pl.col(f"__u_{c}") == 0) & pl.col(f"__d_{c}"))
            .then(
                pl.col(f"__f_{c}")
                .round(_FRACTION_PLACES)
                .cast(pl.String)
                .str.replace(r"\.0$", "")
            )
            .when(pl.col(f"__u_{c}") == 0)
            .then(pl.col(f"__n_{c}").cast(pl.String))
            .when((pl.col(f"__u_{c}") == 1) & (pl.col(f"__k_{c}") == 0))
            .then(pl.col(f"__s_{c}"))
            .otherwise(pl.lit("x"))
            .alias(c)
        )
        for c in txt
    ]


def _decimals_for(decimals: int | Mapping[str, int] | None, lv: Level) -> int | None:
    if decimals is None or isinstance(decimals, int):
        return decimals
    for k, v in decimals.items():
        if level(k) is lv:
            return v
    return None


def table_spec(
    columns: Sequence[str],
    *,
    levels: Sequence[str],
    filters: Sequence[str],
    counts: Sequence[str],
    rates: Sequence[Rate],
    additive: Sequence[str] = ("num_schools",),
    other: Sequence[str] = (),
    decimals: int | Mapping[str, int] | None = None,
    labels: Mapping[str, str] | None = None,
    unplaced: Sequence[tuple[str, str]] = (),
) -> TableSpec:
    """Return the spec of an attendance table with these columns (what the kernels attach).

    Labels come from :data:`LABELS` (then ``labels``); a rate's decimal places
    are ``decimals`` (the most places when they differ by level); counts have 0.
    """
    present = set(columns)
    places: list[int] = []
    if isinstance(decimals, int):
        places = [decimals]
    elif decimals is not None:
        places = list(decimals.values())
    dp = max(places) if places else None
    names = [*counts, *additive, *(r.column for r in rates), *filters]
    label_map = {c: LABELS[c] for c in names if c in LABELS}
    label_map.update({k: v for k, v in (labels or {}).items() if k in present})
    dec = {c: 0 for c in (*counts, *additive) if c in present}
    if dp is not None:
        dec.update({r.column: dp for r in rates if r.column in present})
    groups = {
        c: GROUPINGS[c]
        for c in (*counts, *additive, *(r.column for r in rates))
        if c in present and c in GROUPINGS
    }
    return TableSpec(
        levels=order_levels(levels),
        counts=[c for c in counts if c in present],
        filters=[c for c in filters if c in present],
        nestings=nestings_for(levels, list(columns)),
        rates=[r for r in rates if r.column in present],
        additive=[c for c in additive if c in present],
        other=[c for c in other if c in present],
        labels=label_map,
        decimals=dec,
        groupings=groups,
        unplaced=unplaced,
    )


def _label_of(name: str) -> str:
    """Return the EES label of a level name (a label makingdata does not build passes through)."""
    try:
        return level(name).label
    except InputError:
        return name


def _from_level(lf: pl.LazyFrame, from_level: str) -> pl.LazyFrame:
    """Keep the rows of one level, or say which levels the input has."""
    want = _label_of(from_level)
    present = (
        lf.select(pl.col("geographic_level").cast(pl.String).unique())
        .collect()["geographic_level"]
        .drop_nulls()
        .to_list()
    )
    if present and want not in present:
        order = {lv: i for i, lv in enumerate(CHAIN)}
        have = sorted(present, key=lambda x: (-order.get(x, -1), x))
        raise InputError(
            f"the input has no {want} rows; it has {', '.join(have)}",
            column="geographic_level",
            hint=f"pass from_level={have[0]!r} (CLI: --from-level {have[0]!r}) to roll "
            "those rows up, or from_level=None to use every row",
        )
    return lf.filter(pl.col("geographic_level") == want)


def rollup(  # noqa: PLR0912, PLR0915 - one query plan, step by step
    counts: Table | pl.LazyFrame | pl.DataFrame,
    /,
    *,
    levels: str | Sequence[str] | None = None,
    by: Sequence[str] = (),
    keep: Sequence[str] = (),
    decimals: int | Mapping[str, int] | None = None,
    indicators: Sequence[str] | None = None,
    from_level: str | None = "School",
    memberships: pl.LazyFrame | pl.DataFrame | None = None,
    as_of: dt.date | None = None,
    rounding: Mapping[str, int] | None = None,
    rounding_columns: Sequence[str] | None = None,
    zero_rate: str = "z",
    whole_regions: Sequence[WholeRegion] = (),
    to: str | Sequence[str] | None = None,
) -> Table:
    """Re-aggregate additive counts to higher levels, with ``Total`` rows.

    Every count column is summed within each group of the target level; then
    every rate of the input's spec, and every percentage of :data:`MEASURES`
    whose numerator and denominator are present, is derived as a ratio of
    sums and rounded half-up.

    Which columns are counts: a :class:`~makingdata.tables.Table`'s spec says
    so; for a plain frame (a published file), :meth:`TableSpec.infer
    <makingdata.tables.TableSpec.infer>` reads them — a text column of numbers
    and GSS symbols is a count, summed where every member is a number, keeping
    a symbol every member shares, and ``x`` otherwise (so a school's ``x``
    makes its LA's, region's and England's sums ``x``). Nothing is dropped
    silently: a rate whose counts are not in the table, an average, a filter
    not named in ``by``/``keep`` and every
    column that cannot be placed are listed in the result's
    ``spec.unplaced`` with the reason; rates and averages that cannot be
    recomputed stay as columns of nulls (written ``x``, not available). A
    filter not named in ``by``/``keep`` is summed over, as in a school-level
    file where it describes the school (give ``by=`` when the input breaks
    each unit down by it, or its categories and ``Total`` are counted twice).

    Parameters
    ----------
    counts
        Additive counts at a lower level: a :class:`~makingdata.tables.Table`
        (:func:`attendance_table` output), or a school-level EES frame such as
        a published DfE file. Geography columns (``region_code``,
        ``old_la_code`` …) must be present for the levels asked; country
        columns default to England.
    levels
        Target levels, in the one vocabulary of :func:`makingdata.tables.level`:
        ``"school"``, ``"trust"``, ``"la"``, ``"region"``, ``"national"`` (or the
        EES labels). Default ``("la", "region", "national")``.
    by
        Filter columns to break down by; each gets a ``Total`` row, and two or
        more are crossed (every combination, totals included). Where the input
        already has ``Total`` rows in a ``by`` column (a published file, the
        kernels' school counts), the higher ``Total`` rows are the sums of
        those rows, never of the parts: a published full-year ``Total`` term is
        kept when terms were not all collected, a school in two groups is one
        school in the ``Total``, and a part suppressed below (``x``) does not
        hide a ``Total`` published below. Without ``Total`` rows in the
        input, the ``Total`` is the sum of the parts.
    keep
        Further columns to group on as they are, without a ``Total`` (e.g. a
        ``year_breakdown`` label).
    decimals
        Places for the percentages: one int, or a mapping of level to places
        (DfE's annual absence file: ``{"national": 1, "la": 5, "region": 5}``);
        ``None`` keeps unrounded floats.
    indicators
        The count columns to sum, if the spec (or the inference) would be wrong.
    from_level
        If the input has a ``geographic_level`` column, only rows of this level
        are used (default ``"School"``); ``None`` uses every row. When the input
        has no rows of this level, an :class:`~makingdata.errors.InputError`
        names the levels it has.
    memberships
        Trust memberships (``MEMBERSHIPS_SCHEMA``), needed for the trust level
        when the counts carry no ``trust_id``.
    as_of
        The date on which trust membership is taken when ``memberships`` is
        used; required then (makingdata does not assume today).
    rounding
        DfE's publishing rounding: a mapping of level to base (``{"region":
        5, "national": 5}``); the counts of ``rounding_columns`` at that level
        are rounded half up to a multiple of the base *after* the rates are
        computed from the exact sums, as DfE does (the four-year-olds file
        rounds regional and national enrolments to 5; the children in need
        file rounds every count to 10). Symbols stay as they are. The spec's
        ``rounded_levels`` records it, for the disclosure audit.
    rounding_columns
        The counts ``rounding`` applies to; default every count that is not a
        count of sessions (no ``sess`` in its name: pupils, not sessions).
    zero_rate
        A rate over a zero denominator: ``"z"`` (default; no value, written
        ``z``, not applicable, as the EES standard says), ``"0"`` (0.0, as
        DfE's 2018/19 annual absence file publishes) or ``"."`` (no value,
        written ``.`` in a plain CSV, as DfE's files before EES did).
    whole_regions
        Regions published whole while the input's rows carry their
        sub-regions (:data:`~makingdata.tables.LONDON`: DfE's children in
        need files publish London ``E12000007`` beside Inner and Outer London,
        whose codes their LAs carry). At regional level each gets a row of its
        own, the sum of the rows of its sub-regions (rounded from the exact
        sum, as DfE does), beside the sub-regions' rows; England is summed
        once, from the input rows. Default: none (the sub-regions are
        published as regions, as in DfE's four-year-olds file).
    to
        Deprecated (0.2, removed in 0.3): the old name of ``levels``.

    Returns
    -------
    Table
        Lazy, EES shape: time columns, ``geographic_level``, geography columns,
        the filters, the counts, then the ``_percent`` indicators; its spec
        says which is which.

    Raises
    ------
    InputError
        If a level is unknown, its geography columns are missing, or the input
        has no rows of ``from_level``.

    Examples
    --------
    >>> import polars as pl
    >>> from makingdata.attendance import rollup
    >>> schools = pl.LazyFrame(
    ...     {
    ...         "time_period": [201819] * 3,
    ...         "time_identifier": ["Academic year"] * 3,
    ...         "geographic_level": ["School"] * 3,
    ...         "region_code": ["E12000001"] * 3,
    ...         "region_name": ["North East"] * 3,
    ...         "old_la_code": [840, 840, 841],
    ...         "new_la_code": ["E06000047", "E06000047", "E06000005"],
    ...         "la_name": ["County Durham", "County Durham", "Darlington"],
    ...         "school_type": ["State-funded primary", "Special", "Special"],
    ...         "sess_possible": [1000, 500, 400],
    ...         "sess_overall": [40, 30, 25],
    ...     }
    ... )
    >>> out = rollup(
    ...     schools, levels="national", by=["school_type"], decimals=1
    ... ).collect()
    >>> out.select("school_type", "sess_overall", "sess_overall_percent").rows()
    [('Special', 55, 6.1), ('State-funded primary', 40, 4.0), ('Total', 95, 5.0)]
    >>> out.spec.rates[0].denominator
    'sess_possible'
    """
    if to is not None:
        warnings.warn(
            "rollup(to=...) is deprecated (0.2; removed in 0.3): use levels=...",
            DeprecationWarning,
            stacklevel=2,
        )
        if levels is None:
            levels = to
    if levels is None:
        levels = ("la", "region", "national")
    check_zero_rate(zero_rate)
    check_decimals(decimals if isinstance(decimals, int) else None)
    if isinstance(decimals, Mapping):
        for v in decimals.values():
            check_decimals(v)
    lvs = [level(t) for t in ([levels] if isinstance(levels, str) else levels)]
    spec_in: TableSpec | None = None
    if isinstance(counts, Table):
        spec_in = counts.spec
        lf = counts.frame.lazy()
    else:
        lf = counts.lazy()
    names = lf.collect_schema().names()
    if from_level is not None and "geographic_level" in names:
        held = spec_in.levels if spec_in is not None else ()
        if held != (_label_of(from_level),):
            # a table whose spec says it holds only those rows needs no scan
            lf = _from_level(lf, from_level)
    renames = {}
    if "school_urn" not in names and "urn" in names:
        renames["urn"] = "school_urn"
    if "school_laestab" not in names and "laestab" in names:
        renames["school_laestab"] = "laestab"
        renames = {k: v for k, v in renames.items() if k != "school_laestab"}
        renames["laestab"] = "school_laestab"
    if renames:
        lf = lf.with_columns(pl.col(k).alias(v) for k, v in renames.items())
        names = lf.collect_schema().names()
    for c in (*by, *keep):
        if c not in names:
            raise InputError(
                f"the counts frame has no {c!r} column to group by",
                column=c,
                hint=f"choose from {names}",
            )
    if spec_in is None:
        spec_in = TableSpec.infer(lf, counts=indicators)
    elif indicators is not None:
        spec_in = attrs.evolve(spec_in, counts=list(indicators))
    unplaced: list[tuple[str, str]] = list(spec_in.unplaced)
    # a filter the caller did not name is summed over, as before: in DfE's
    # school-level files such columns are attributes of the school (academy
    # type, with "Total" standing for "not an academy"), not breakdowns
    unplaced.extend(
        (f, "a filter not in by= or keep=: summed over (name it in by= to keep it)")
        for f in spec_in.filters
        if f not in by and f not in keep and f in names
    )
    # a by column whose input already has Total rows (a published file, a
    # kernel's school counts): the higher Totals are sums of those rows, not
    # of the parts (a full-year Total is not always the sum of its terms, a
    # school counted in two groups is one school in the Total, and a part
    # suppressed below may be published in the Total)
    has_total: dict[str, bool] = {}
    if by:
        has_total = (
            lf.select([(pl.col(c).cast(pl.String) == TOTAL).any().alias(c) for c in by])
            .collect()
            .row(0, named=True)
        )
    if "country_code" not in names:
        lf = lf.with_columns(
            country_code=pl.lit(ENGLAND[0]), country_name=pl.lit(ENGLAND[1])
        )
    time = [c for c in TIME_COLUMNS if c in names]
    reserved = set(time) | set(GEO_COLUMNS) | set(by) | set(keep) | _ID_COLUMNS
    schema = lf.collect_schema()
    summed = [c for c in spec_in.summed if c in schema and c not in reserved]
    num = [c for c in summed if schema[c].is_numeric()]
    txt = [c for c in summed if not schema[c].is_numeric()]
    lf = lf.with_columns(
        [pl.col(c).cast(pl.Int64) for c in num if schema[c].is_integer()]
    )
    parts: list[pl.LazyFrame] = []
    for lv in lvs:
        src = lf
        geo = list(lv.columns)
        have = set(src.collect_schema().names())
        if lv.name == "trust" and "trust_id" not in have:
            if memberships is None:
                raise InputError(
                    "the trust level needs trust_id in the counts or a "
                    "memberships frame",
                    column="trust_id",
                    hint="pass memberships=... (MEMBERSHIPS_SCHEMA) and as_of=<date>",
                )
            if as_of is None:
                raise InputError(
                    "the trust level from memberships needs as_of: the date on "
                    "which trust membership is taken",
                    column="as_of",
                    hint="pass as_of=<date> (makingdata does not assume today)",
                )
            day = as_of
            mem = (
                memberships.lazy()
                .filter(
                    (pl.col("joined").is_null() | (pl.col("joined") <= day))
                    & (pl.col("left").is_null() | (pl.col("left") >= day))
                )
                .select(
                    pl.col("urn").cast(pl.Int64).alias("__urn"),
                    "trust_id",
                    "trust_name",
                )
                .unique(subset=["__urn"], keep="first")
            )
            src = src.with_columns(
                __urn=pl.col("school_urn").cast(pl.Int64, strict=False)
            ).join(mem, on="__urn", how="left")
            have = set(src.collect_schema().names())
        if lv.name == "trust":
            if "trust_name" not in have:
                src = src.with_columns(trust_name=pl.lit(None, pl.String))
            src = src.filter(pl.col("trust_id").is_not_null())
        missing = [c for c in geo if c not in have and c != "trust_name"]
        if missing:
            raise InputError(
                f"the {lv.label} level needs a {missing[0]!r} column",
                column=missing[0],
                hint="add the geography columns of that level to the counts",
            )
        if lv.name == "region" and whole_regions:
            src = _with_whole_regions(src, whole_regions)
        base = [*time, *keep, *geo]
        for kept in _grouping_sets(by):
            rows = [(pl.col(c).cast(pl.String) != TOTAL).fill_null(True) for c in kept]
            rows += [
                (pl.col(c).cast(pl.String) == TOTAL).fill_null(False)
                if has_total.get(c)
                else (pl.col(c).cast(pl.String) != TOTAL).fill_null(True)
                for c in by
                if c not in kept
            ]
            part = src.filter(pl.all_horizontal(rows)) if rows else src
            g = part.group_by([*base, *kept]).agg(_aggs(num, txt))
            g = g.with_columns([pl.lit(TOTAL).alias(c) for c in by if c not in kept])
            if txt:
                g = g.with_columns(_finish_txt(txt))
            g = g.with_columns(
                geographic_level=pl.lit(lv.label), __rank=pl.lit(lv.rank)
            )
            parts.append(g)
    out = pl.concat(parts, how="diagonal_relaxed")
    # rates once, on the concatenated counts: the input's own rates, then every
    # DfE measure the counts allow
    known = {m.name for m in MEASURES}
    measures = [
        *(
            Measure(r.column, r.numerator, r.denominator, spec_in.label(r.column))
            for r in spec_in.rates
            if r.column not in known
        ),
        *MEASURES,
    ]
    present = set(summed)
    todo = [m for m in measures if m.numerator in present and m.denominator in present]
    places = {lv.label: _decimals_for(decimals, lv) for lv in lvs}
    if len(set(places.values())) <= 1:
        out = add_rates(
            out,
            decimals=next(iter(places.values()), None),
            measures=todo,
            zero_rate=zero_rate,
        )
    else:
        out = add_rates(out, places=places, measures=todo, zero_rate=zero_rate)
    rate_names = [m.name for m in todo]
    rounded_levels: list[tuple[str, int]] = []
    if rounding:
        # after the rates: DfE computes rates from the exact sums
        out, rounded_levels = _round_counts(
            out,
            rounding,
            summed=[c for c in summed if c not in spec_in.additive],
            columns=rounding_columns,
            txt=txt,
        )
    # indicators that cannot be recomputed at a higher level stay, as nulls (x)
    stale = [
        c
        for c in (*spec_in.other, *(r.column for r in spec_in.rates))
        if c in names and c not in rate_names
    ]
    unplaced.extend(
        (
            c,
            "cannot be recomputed from the table's counts: published as x (not available)",
        )
        for c in stale
    )
    out = out.with_columns(pl.lit(None, pl.Float64).alias(c) for c in stale)
    cols = out.collect_schema().names()
    geo_out = [c for c in GEO_COLUMNS if c in cols]
    counts_out = [c for c in summed if c in cols]
    ordered = [
        *time,
        "geographic_level",
        *geo_out,
        *keep,
        *by,
        *counts_out,
        *rate_names,
        *stale,
    ]
    filters = [*keep, *by]
    sort_by: list[pl.Expr] = [pl.col(c) for c in (*time, "__rank", *geo_out)]
    for c in filters:
        # Total last within each filter, the rest in order
        sort_by += [pl.col(c).cast(pl.String) == TOTAL, pl.col(c)]
    frame = (
        out.with_columns([pl.col(c).cast(pl.String) for c in by])
        .sort(sort_by, nulls_last=True, maintain_order=True)
        .select(ordered)
    )
    spec = table_spec(
        ordered,
        levels=[lv.label for lv in lvs],
        filters=filters,
        counts=[c for c in counts_out if c not in spec_in.additive],
        additive=[c for c in counts_out if c in spec_in.additive],
        rates=[Rate(m.name, m.numerator, m.denominator) for m in todo],
        other=stale,
        decimals=decimals,
        labels={**spec_in.labels, **{m.name: m.label for m in todo if m.label}},
        unplaced=[(c, why) for c, why in unplaced if c not in ordered or c in stale],
    )
    if rounded_levels:
        spec = attrs.evolve(spec, rounded_levels=rounded_levels)
    return Table(frame, spec)


def rounding_default(counts: Sequence[str]) -> list[str]:
    """Return the counts rounded by default: those that do not count sessions.

    Examples
    --------
    >>> from makingdata.attendance import rounding_default
    >>> rounding_default(["enrolments", "sess_possible", "t_pupils", "t_sess_overall"])
    ['enrolments', 't_pupils']
    """
    return [c for c in counts if "sess" not in c]


def _round_counts(
    out: pl.LazyFrame,
    rounding: Mapping[str, int],
    *,
    summed: Sequence[str],
    columns: Sequence[str] | None,
    txt: Sequence[str],
) -> tuple[pl.LazyFrame, list[tuple[str, int]]]:
    """Round counts half up to a base at some levels (symbols kept)."""
    pairs: list[tuple[str, int]] = []
    for name, base in rounding.items():
        given: object = base  # callers from untyped code pass anything
        if isinstance(given, bool) or not isinstance(given, int) or given < 1:
            raise InputError(
                f"rounding base {base!r} for {name!r} is not a whole number of 1 or more",
                column="rounding",
                hint="give bases as {'region': 5, 'national': 5}",
            )
        pairs.append((level(name).label, base))
    cols = rounding_default(summed) if columns is None else list(columns)
    unknown = [c for c in cols if c not in summed]
    if unknown:
        raise InputError(
            f"cannot round {unknown[0]!r}: it is not a count of the table",
            column=unknown[0],
            hint=f"choose from {list(summed)}",
        )
    exprs: list[pl.Expr] = []
    for c in cols:
        as_int = pl.col(c).cast(pl.Int64, strict=False)
        rounded = as_int
        for label, base in pairs:
            half_up = (as_int + base // 2) // base * base
            rounded = (
                pl.when(pl.col("geographic_level") == label)
                .then(half_up)
                .otherwise(rounded)
            )
        if c in txt:
            # a number written as text is rounded; a symbol stays
            exprs.append(
                pl.when(as_int.is_not_null())
                .then(rounded.cast(pl.String))
                .otherwise(pl.col(c))
                .alias(c)
            )
        else:
            exprs.append(rounded.alias(c))
    return out.with_columns(exprs), pairs


def _with_whole_regions(
    src: pl.LazyFrame, whole_regions: Sequence[WholeRegion]
) -> pl.LazyFrame:
    """Add the rows of each whole region's sub-regions again, under the whole region."""
    copies = [src]
    for w in whole_regions:
        if not isinstance(w, WholeRegion):
            raise InputError(
                f"whole_regions takes WholeRegion values, not {w!r}",
                column="whole_regions",
                hint="pass whole_regions=[LONDON] (from makingdata.tables)",
            )
        copies.append(
            src.filter(
                pl.col("region_code").cast(pl.String).is_in(list(w.parts))
            ).with_columns(
                region_code=pl.lit(w.code).cast(src.collect_schema()["region_code"]),
                region_name=pl.lit(w.name),
            )
        )
    return pl.concat(copies, how="vertical_relaxed")


def _grouping_sets(by: Sequence[str]) -> list[tuple[str, ...]]:
    """Every subset of ``by`` kept as-is, largest first (the rest become Total)."""
    sets: list[tuple[str, ...]] = []
    for k in range(len(by), -1, -1):
        sets.extend(itertools.combinations(by, k))
    return sets
