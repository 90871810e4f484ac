"""Comparisons over a KS2 table: gaps, trends and schools near national — never re-reading pupils.

Every function here takes a table that :func:`~makingdata.attainment.ks2_table`
made (or a published KS2 file read as text) and compares rows of it with
other rows of it: an area with England, a group with its comparison group, a
year with the previous year, a school with England. None of them reads
pupils' results again, and none of them estimates anything: each number is a
difference of two published numbers.

The symbols of protection are kept. A value column may be numeric (a null is
a value not available: over a zero denominator, or suppressed in a protected
table's frame) or EES text (numbers and GSS symbols, as
:meth:`~makingdata.disclosure.ProtectedTable.to_ees` writes them or as a
published file reads). A difference with a symbol on its own side keeps that
symbol (``c`` stays ``c``: the gap would give the suppressed value away);
with a symbol or a missing value only on the other side it is ``x`` (not
available); it is never a number.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from makingdata.errors import InputError
from makingdata.tables import GEOGRAPHIES, TIME_COLUMNS, Table, TableSpec

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "NATIONAL",
    "gap_to_group",
    "gap_to_national",
    "near_national",
    "trend",
]

#: The ``geographic_level`` of England's rows.
NATIONAL = "National"
_LEVEL = "geographic_level"
_NOT_AVAILABLE = "x"


class _Frame:
    """A table's frame with what the comparisons need to know about it."""

    def __init__(
        self,
        table: Table | pl.DataFrame | pl.LazyFrame,
        columns: Sequence[str] | None,
        filters: Sequence[str] | None,
    ) -> None:
        if isinstance(table, Table):
            frame, spec = table.frame, table.spec
        else:
            frame = table
            spec = TableSpec.infer(table, filters=filters)
        self.lf = frame.lazy()
        self.schema = self.lf.collect_schema()
        names = self.schema.names()
        if _LEVEL not in names:
            raise InputError(
                f"the table has no {_LEVEL!r} column",
                column=_LEVEL,
                hint="pass a KS2 table (ks2_table) or a published KS2 file with "
                "national rows",
            )
        self.filters = list(filters if filters is not None else spec.filters)
        self.time = [c for c in TIME_COLUMNS if c in names]
        geo = {
            c for g in GEOGRAPHIES.values() for c in (g.code, *g.extra) if c is not None
        }
        keys = [c for c in spec.key_columns(frame) if c in names]
        keys += [c for c in names if c in geo and c not in keys]
        self.geo = [
            c
            for c in keys
            if c not in self.time and c != _LEVEL and c not in self.filters
        ]
        # the geography's names ride along (never keys): a report names its areas
        named = {g.name for g in GEOGRAPHIES.values()} | set(self.geo)
        self.shown = [c for c in names if c in named and c not in self.filters]
        if columns is None:
            columns = [
                c
                for c in (*(r.column for r in spec.rates), *spec.other)
                if c in names and (c.startswith(("pt_", "avg_")))
            ]
        for c in columns:
            if c not in names:
                raise InputError(
                    f"the table has no {c!r} column",
                    column=c,
                    hint="name columns of the table in columns=",
                )
        if not columns:
            raise InputError(
                "the table has no percentage or average column to compare",
                column="columns",
                hint="name the columns to compare in columns=",
            )
        self.columns = list(columns)
        self.text = {c for c in self.columns if self.schema[c] == pl.String}
        self.labels = dict(spec.labels)
        self.levels = spec.levels

    def number(self, c: str, name: str | None = None) -> pl.Expr:
        """Return the column as float64 (symbols and blanks null)."""
        col = pl.col(name or c)
        if c in self.text:
            col = col.str.strip_chars().cast(pl.Float64, strict=False)
        return col.cast(pl.Float64)

    def symbol(self, c: str, name: str | None = None) -> pl.Expr:
        """Return the cell's symbol when it is not a number (text columns only)."""
        if c not in self.text:
            return pl.lit(None, pl.String)
        raw = pl.col(name or c).str.strip_chars()
        return pl.when(self.number(c, name).is_null()).then(raw).otherwise(None)


def _result(own: pl.Expr, other: pl.Expr, f: _Frame, c: str, a: str) -> pl.Expr:
    """``own - other``; in text, a symbol on ``a``'s side kept, else ``x``."""
    value = own - other
    if c not in f.text:
        return value
    mine = f.symbol(c, a)
    shown = (
        pl.when(value == value.round(0))
        .then(value.round(0).cast(pl.Int64).cast(pl.String))
        .otherwise(value.round(2).cast(pl.String))
    )
    return (
        pl.when(mine.is_not_null() & (mine != ""))
        .then(mine)
        .when(value.is_null())
        .then(pl.lit(_NOT_AVAILABLE))
        .otherwise(shown)
    )


def _national(f: _Frame, keep: Sequence[str], suffix: str) -> pl.LazyFrame:
    nat = f.lf.filter(pl.col(_LEVEL) == NATIONAL)
    return nat.select(
        *f.time, *keep, *(pl.col(c).alias(f"{c}{suffix}") for c in f.columns)
    )


def _table(
    frame: pl.LazyFrame, f: _Frame, other: Sequence[str], labels: dict[str, str]
) -> Table:
    spec = TableSpec(
        counts=(),
        filters=f.filters,
        levels=f.levels,
        other=other,
        labels=labels,
    )
    return Table(frame, spec)


def _no_national(frame: pl.LazyFrame) -> None:
    if not frame.filter(pl.col(_LEVEL) == NATIONAL).head(1).collect().height:
        raise InputError(
            "the table has no national rows to compare with",
            column=_LEVEL,
            hint="build it with 'national' in levels= (ks2_table) or keep "
            "England's rows of the published file",
        )


def gap_to_national(
    table: Table | pl.DataFrame | pl.LazyFrame,
    /,
    *,
    columns: Sequence[str] | None = None,
    filters: Sequence[str] | None = None,
) -> Table:
    """Return each row's gap to England, in percentage points (or scaled score points).

    For every row and every compared column, ``<column>_national`` is
    England's value in the same year and the same breakdown (the national
    row with the same filter values) and ``<column>_gap_national`` is the
    row's value minus England's: ``-3`` means 3 percentage points below
    national. Percentages are DfE's published whole numbers, so a gap is the
    difference of the published figures, as a reader of both would work it
    out.

    Parameters
    ----------
    table
        A KS2 table (:func:`ks2_table`), protected or not, or a published KS2
        file as a frame (numbers, or text with GSS symbols).
    columns
        The columns to compare; default every percentage (``pt_*``) and
        average (``avg_*``) of the table.
    filters
        The breakdown columns, for a frame without a spec (default: read from
        the table's spec, or inferred).

    Returns
    -------
    Table
        The key columns (time, level, geography, filters), the values, and
        ``<column>_national`` and ``<column>_gap_national`` for each column,
        lazy when the input is; suppressed or missing inputs give ``c`` /
        ``x`` (text) or null (numbers), never a number.

    Raises
    ------
    InputError
        If the table has no ``geographic_level`` or no national rows, or a
        column is not in it.

    Examples
    --------
    >>> import polars as pl
    >>> from makingdata.attainment import gap_to_national
    >>> t = pl.DataFrame(
    ...     {
    ...         "time_period": [202425] * 4,
    ...         "time_identifier": ["Academic year"] * 4,
    ...         "geographic_level": [
    ...             "National",
    ...             "National",
    ...             "Local authority",
    ...             "Local authority",
    ...         ],
    ...         "new_la_code": [None, None, "E10000034", "E10000034"],
    ...         "sex": ["Total", "Male", "Total", "Male"],
    ...         "pt_rwm_met_expected_standard": ["62", "58", "59", "c"],
    ...     }
    ... )
    >>> gap_to_national(t).collect().frame.select(
    ...     "sex", "pt_rwm_met_expected_standard_gap_national"
    ... ).rows()
    [('Total', '0'), ('Male', '0'), ('Total', '-3'), ('Male', 'c')]
    """
    f = _Frame(table, columns, filters)
    _no_national(f.lf)
    nat = _national(f, f.filters, "_national")
    joined = f.lf.join(
        nat,
        on=[*f.time, *f.filters],
        how="left",
        nulls_equal=True,
        maintain_order="left",
    )
    out_cols: list[str] = []
    labels: dict[str, str] = {}
    exprs = []
    for c in f.columns:
        n = f"{c}_national"
        g = f"{c}_gap_national"
        exprs.append(_result(f.number(c), f.number(c, n), f, c, c).alias(g))
        out_cols += [c, n, g]
        what = f.labels.get(c, c)
        labels[n] = f"{what}: England"
        labels[g] = f"{what}: gap to England (points)"
        labels[c] = what
    frame = joined.with_columns(exprs).select(
        *f.time, _LEVEL, *f.shown, *f.filters, *out_cols
    )
    return _table(frame, f, out_cols, labels)


def gap_to_group(
    table: Table | pl.DataFrame | pl.LazyFrame,
    /,
    *,
    by: str = "disadvantage_status",
    group: str = "Disadvantaged",
    comparison: str = "Disadvantaged all other",
    against: str = "national",
    columns: Sequence[str] | None = None,
    filters: Sequence[str] | None = None,
) -> Table:
    """Return a group's gap to its comparison group, in percentage points.

    DfE compares disadvantaged pupils with *all other pupils nationally*
    ("Primary school accountability technical guidance": a school's or an
    area's disadvantaged pupils against the non-disadvantaged pupils of
    England; "Key stage 2 attainment" statistics: the gap between
    disadvantaged pupils and all other pupils). With ``against="national"``
    (the default) each ``group`` row is compared with England's
    ``comparison`` row of the same year and the same other breakdowns; with
    ``against="same"``, with the ``comparison`` row of the same area (the
    gap within an area). DfE's *disadvantage gap index* (a comparison of
    mean ranks) is a different measure and is not computed here.

    Parameters
    ----------
    table
        A KS2 table broken down by ``by`` (and perhaps more), protected
        or not, or a published file as a frame.
    by
        The breakdown column (the filter of the EES table).
    group, comparison
        Its two values compared (default DfE's ``Disadvantaged`` against
        ``Disadvantaged all other``).
    against
        ``"national"`` or ``"same"`` (the same area's comparison group).
    columns, filters
        As in :func:`gap_to_national`.

    Returns
    -------
    Table
        The ``group`` rows with ``<column>_comparison`` and
        ``<column>_gap_comparison`` (the group's value minus the comparison
        group's), symbols kept as in :func:`gap_to_national`.

    Raises
    ------
    InputError
        If ``by`` is not a breakdown of the table, ``group`` or
        ``comparison`` is not one of its values, ``against`` is unknown, or
        the table has no national rows (``against="national"``).

    Examples
    --------
    >>> import polars as pl
    >>> from makingdata.attainment import gap_to_group
    >>> t = pl.DataFrame(
    ...     {
    ...         "time_period": [202425] * 6,
    ...         "time_identifier": ["Academic year"] * 6,
    ...         "geographic_level": ["National"] * 3 + ["Local authority"] * 3,
    ...         "new_la_code": [None] * 3 + ["E10000034"] * 3,
    ...         "disadvantage_status": [
    ...             "Total",
    ...             "Disadvantaged",
    ...             "Disadvantaged all other",
    ...         ]
    ...         * 2,
    ...         "pt_rwm_met_expected_standard": [62.0, 47.0, 68.0, 59.0, 41.0, 65.0],
    ...     }
    ... )
    >>> gap_to_group(t).collect().frame.select(
    ...     "geographic_level", "pt_rwm_met_expected_standard_gap_comparison"
    ... ).rows()
    [('National', -21.0), ('Local authority', -27.0)]
    """
    f = _Frame(table, columns, filters)
    if by not in f.filters:
        raise InputError(
            f"the table is not broken down by {by!r}",
            column=by,
            hint=f"build it with by=[{by!r}] or name one of {f.filters}",
        )
    values = set(f.lf.select(pl.col(by).unique()).collect()[by].to_list())
    for v in (group, comparison):
        if v not in values:
            raise InputError(
                f"{v!r} is not a value of {by!r}",
                column=by,
                hint=f"choose from {sorted(str(x) for x in values)}",
            )
    others = [c for c in f.filters if c != by]
    mine = f.lf.filter(pl.col(by) == group)
    comp = f.lf.filter(pl.col(by) == comparison)
    suffix = "_comparison"
    if against == "national":
        _no_national(f.lf)
        comp = comp.filter(pl.col(_LEVEL) == NATIONAL)
        on = [*f.time, *others]
    elif against == "same":
        on = [*f.time, _LEVEL, *f.geo, *others]
    else:
        raise InputError(
            f"unknown comparison {against!r}",
            column="against",
            hint="use 'national' (DfE's comparison: the group against the other "
            "pupils of England) or 'same' (within the same area)",
        )
    comp = comp.select(*on, *(pl.col(c).alias(f"{c}{suffix}") for c in f.columns))
    joined = mine.join(comp, on=on, how="left", nulls_equal=True, maintain_order="left")
    out_cols: list[str] = []
    labels: dict[str, str] = {}
    exprs = []
    for c in f.columns:
        n = f"{c}{suffix}"
        g = f"{c}_gap_comparison"
        exprs.append(_result(f.number(c), f.number(c, n), f, c, c).alias(g))
        out_cols += [c, n, g]
        what = f.labels.get(c, c)
        where = "England" if against == "national" else "the same area"
        labels[c] = what
        labels[n] = f"{what}: {comparison} ({where})"
        labels[g] = f"{what}: gap to {comparison} ({where}, points)"
    frame = joined.with_columns(exprs).select(
        *f.time, _LEVEL, *f.shown, *f.filters, *out_cols
    )
    return _table(frame, f, out_cols, labels)


def trend(
    table: Table | pl.DataFrame | pl.LazyFrame,
    /,
    *,
    columns: Sequence[str] | None = None,
    filters: Sequence[str] | None = None,
) -> Table:
    """Return each row's change since the previous year of the table, and England's change.

    Rows are followed over ``time_period`` by their level, geography and
    breakdown. For each row and column: ``previous_period`` (the latest
    earlier year the table has for that row — DfE published no KS2 results
    for 2019/20 and 2020/21, so 2021/22 is compared with 2018/19 when those
    are the years given), ``<column>_change`` (this year's value minus that
    year's), ``<column>_change_national`` (England's change between the same
    two years, same breakdown) and ``<column>_change_against_national`` (the
    row's change minus England's: positive means improving faster than
    national, as a county scrutiny panel's minutes put it). A row's first year has
    no change (null, or ``z`` in text: not applicable).

    Parameters
    ----------
    table
        KS2 tables of several years in one frame (``pl.concat`` of
        :func:`ks2_table` frames, or a published file), with national rows.
    columns, filters
        As in :func:`gap_to_national`.

    Returns
    -------
    Table
        Key columns, ``previous_period`` and the four columns per compared
        column; symbols kept as in :func:`gap_to_national`.

    Raises
    ------
    InputError
        If the table has no ``time_period``, no national rows, or a column is
        not in it.

    Examples
    --------
    >>> import polars as pl
    >>> from makingdata.attainment import trend
    >>> t = pl.DataFrame(
    ...     {
    ...         "time_period": [201819, 202223, 201819, 202223],
    ...         "time_identifier": ["Academic year"] * 4,
    ...         "geographic_level": ["National"] * 2 + ["Local authority"] * 2,
    ...         "new_la_code": [None, None, "E10000034", "E10000034"],
    ...         "pt_rwm_met_expected_standard": [65.0, 59.0, 60.0, 57.0],
    ...     }
    ... )
    >>> trend(t).collect().frame.filter(pl.col("time_period") == 202223).select(
    ...     "geographic_level",
    ...     "previous_period",
    ...     "pt_rwm_met_expected_standard_change",
    ...     "pt_rwm_met_expected_standard_change_against_national",
    ... ).rows()
    [('National', 201819, -6.0, 0.0), ('Local authority', 201819, -3.0, 3.0)]
    """
    f = _Frame(table, columns, filters)
    if "time_period" not in f.time:
        raise InputError(
            "the table has no 'time_period' column",
            column="time_period",
            hint="concatenate the tables of several years, each with its time_period",
        )
    _no_national(f.lf)
    key = [_LEVEL, *f.geo, *f.filters]
    others = [c for c in f.time if c != "time_period"]
    base = f.lf.sort("time_period", maintain_order=True)
    prev_cols = [pl.col(c).shift(1).over(key).alias(f"{c}__prev") for c in f.columns]
    base = base.with_columns(
        pl.col("time_period").shift(1).over(key).alias("previous_period"),
        *prev_cols,
    )
    change = {c: f"{c}_change" for c in f.columns}
    base = base.with_columns(
        _change(f, c, f"{c}__prev").alias(change[c]) for c in f.columns
    )
    nat = base.filter(pl.col(_LEVEL) == NATIONAL).select(
        "time_period",
        "previous_period",
        *others,
        *f.filters,
        *(pl.col(change[c]).alias(f"{c}_change_national") for c in f.columns),
    )
    joined = base.join(
        nat,
        on=["time_period", "previous_period", *others, *f.filters],
        how="left",
        nulls_equal=True,
        maintain_order="left",
    )
    out_cols: list[str] = []
    labels: dict[str, str] = {}
    exprs = []
    for c in f.columns:
        ch, nch, vs = change[c], f"{c}_change_national", f"{c}_change_against_national"
        exprs.append(_against(f, c, ch, nch).alias(vs))
        out_cols += [c, ch, nch, vs]
        what = f.labels.get(c, c)
        labels[c] = what
        labels[ch] = f"{what}: change since the previous year (points)"
        labels[nch] = f"{what}: England's change over the same years (points)"
        labels[vs] = f"{what}: change against England's change (points)"
    frame = (
        joined.with_columns(exprs)
        .select(*f.time, _LEVEL, *f.shown, *f.filters, "previous_period", *out_cols)
        .sort("time_period", maintain_order=True)
    )
    return _table(frame, f, out_cols, labels)


def _change(f: _Frame, c: str, prev: str) -> pl.Expr:
    """Return this year's value minus the previous year's; ``z`` for a first year."""
    value = _result(f.number(c), f.number(c, prev), f, c, c)
    if c not in f.text:
        return value
    return (
        pl.when(pl.col("previous_period").is_null()).then(pl.lit("z")).otherwise(value)
    )


def _against(f: _Frame, c: str, ch: str, nch: str) -> pl.Expr:
    """Return a change minus England's change, symbols kept."""
    if c not in f.text:
        return pl.col(ch) - pl.col(nch)
    own = pl.col(ch).str.strip_chars().cast(pl.Float64, strict=False)
    nat = pl.col(nch).str.strip_chars().cast(pl.Float64, strict=False)
    value = own - nat
    shown = (
        pl.when(value == value.round(0))
        .then(value.round(0).cast(pl.Int64).cast(pl.String))
        .otherwise(value.round(2).cast(pl.String))
    )
    return (
        pl.when(own.is_null())
        .then(pl.col(ch))
        .when(value.is_null())
        .then(pl.lit(_NOT_AVAILABLE))
        .otherwise(shown)
    )


def near_national(
    table: Table | pl.DataFrame | pl.LazyFrame,
    /,
    *,
    column: str = "pt_rwm_met_expected_standard",
    points: float = 5,
    level: str = "School",
    below_only: bool = True,
    filters: Sequence[str] | None = None,
) -> Table:
    """Return the rows within ``points`` of England — by default the schools just short of it.

    "A study had been undertaken of 62 schools which had just fallen short of
    the national figure": with ``below_only=True`` (the default) a row
    qualifies when its value is below England's (same year, same breakdown)
    by no more than ``points`` (``0 < national - value <= points``); with
    ``below_only=False``, when it is within ``points`` either side
    (``|value - national| <= points``). A row whose value or England's is a
    symbol or missing cannot be placed and is not returned; count them with
    :func:`gap_to_national` (their gap is ``c``/``x``).

    Parameters
    ----------
    table
        A KS2 table with ``level`` rows and national rows.
    column
        The measure (default: % meeting the expected standard in reading,
        writing and maths).
    points
        The distance, in percentage points (or scaled score points).
    level
        The ``geographic_level`` of the rows to return (``"School"``,
        ``"Local authority district"``, ``"Local authority"`` …).
    below_only
        Only rows below England (default), or both sides.
    filters
        As in :func:`gap_to_national`.

    Returns
    -------
    Table
        The qualifying rows, with the value, England's value and the gap
        (as in :func:`gap_to_national`), nearest to England first.

    Raises
    ------
    InputError
        If ``points`` is negative, or as :func:`gap_to_national`.

    Examples
    --------
    >>> import polars as pl
    >>> from makingdata.attainment import near_national
    >>> t = pl.DataFrame(
    ...     {
    ...         "time_period": [202425] * 5,
    ...         "time_identifier": ["Academic year"] * 5,
    ...         "geographic_level": ["National"] + ["School"] * 4,
    ...         "school_urn": [None, "100001", "100002", "100003", "100004"],
    ...         "pt_rwm_met_expected_standard": ["62", "60", "62", "50", "c"],
    ...     }
    ... )
    >>> near_national(t, points=5).collect().frame["school_urn"].to_list()
    ['100001']
    """
    if points < 0:
        raise InputError(
            f"points must be 0 or more, not {points}",
            column="points",
            hint="give the distance from national in percentage points, e.g. 5",
        )
    gaps = gap_to_national(table, columns=[column], filters=filters)
    g = f"{column}_gap_national"
    value = pl.col(g).cast(pl.Float64, strict=False)
    ok = (value < 0) & (value >= -points) if below_only else value.abs() <= points
    frame = (
        gaps.frame.lazy()
        .filter((pl.col(_LEVEL) == level) & ok.fill_null(value=False))
        .sort(value.abs(), maintain_order=True)
    )
    return Table(frame, gaps.spec)
