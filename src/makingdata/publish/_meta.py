"""The ``.meta.csv`` of an EES data file, derived from the table's spec.

A kernel's :class:`~makingdata.tables.Table` says which columns are filters
and indicators, with labels, units, decimal places and groupings
(:class:`~makingdata.tables.TableSpec`); a protected table carries the spec
it was protected with; a frame makingdata did not build is read by
:meth:`TableSpec.infer <makingdata.tables.TableSpec.infer>` (the third-party
path). Nothing here guesses from column names what a column is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import attrs
import polars as pl

from makingdata.attendance import GROUPINGS, LABELS
from makingdata.disclosure import ProtectedTable
from makingdata.errors import ExportError
from makingdata.publish._check import (
    _META_OPTIONAL,
    _NUMBER,
    _OB_UNITS,
    _PERIOD_FILTERS,
    EES_META_COLUMNS,
)
from makingdata.tables import Table, TableSpec, ees_text

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["ees_meta"]


def _labelled(spec: TableSpec, columns: Sequence[str]) -> TableSpec:
    """Return the spec with attendance's labels and groupings where it has none.

    A spec's own ``labels``/``groupings`` come first. Columns named as the
    attendance tables name theirs (a kernel's table, a DfE file, a table
    saved as CSV and read back) get the labels and groupings defined once in
    :data:`makingdata.attendance.LABELS` and
    :data:`~makingdata.attendance.GROUPINGS`.
    """
    return attrs.evolve(
        spec,
        labels={**{c: LABELS[c] for c in columns if c in LABELS}, **spec.labels},
        groupings={
            **{c: GROUPINGS[c] for c in columns if c in GROUPINGS},
            **spec.groupings,
        },
    )


def _lower_first(label: str) -> str:
    """``FSM status`` stays, ``Education phase`` becomes ``education phase``."""
    if label[:2].isupper():
        return label
    return label[:1].lower() + label[1:]


def _decimals_of(text: pl.Series) -> int:
    v = text.drop_nulls()
    v = v.filter(v.str.contains(_NUMBER))
    if v.len() == 0:
        return 0
    frac = v.str.extract(r"\.([0-9]+)", 1).str.len_chars().fill_null(0)
    return int(frac.cast(pl.Int64).max() or 0)  # type: ignore[arg-type]


@attrs.frozen
class _Prepared:
    """A table ready to write: EES text, its spec, and its filters and indicators."""

    text: pl.DataFrame
    spec: TableSpec
    filters: list[str]
    indicators: list[str]
    protected: ProtectedTable | None


def _override(
    spec: TableSpec,
    filters: Sequence[str] | None,
    indicators: Sequence[str] | None,
) -> TableSpec:
    """Return the spec with the caller's ``filters=`` and ``indicators=`` taking precedence."""
    if filters is None and indicators is None:
        return spec
    f = set(filters or ())
    i = set(indicators or ())
    extra = [c for c in indicators or () if c not in spec.indicators and c not in f]
    return attrs.evolve(
        spec,
        counts=[c for c in spec.counts if c not in f],
        additive=[c for c in spec.additive if c not in f],
        rates=[r for r in spec.rates if r.column not in f],
        other=[*(c for c in spec.other if c not in f), *extra],
        filters=list(
            dict.fromkeys([*(c for c in spec.filters if c not in i), *(filters or ())])
        ),
    )


def _prepare(
    table: Table | ProtectedTable | pl.DataFrame | pl.LazyFrame,
    *,
    filters: Sequence[str] | None = None,
    indicators: Sequence[str] | None = None,
    null_symbol: str = "x",
    rendered: pl.DataFrame | None = None,
) -> _Prepared:
    """Render ``table`` as EES text and say which of its columns are filters and indicators.

    A :class:`ProtectedTable` is rendered by its own ``to_ees`` (``c``,
    ``low``, ``x``, ``z``) and described by its spec; a :class:`Table` by its
    spec (a rate over a zero denominator is ``z``); a plain frame by
    :meth:`TableSpec.infer` (a missing rate over a zero denominator is ``z``).
    Filters are the spec's filters, the period columns (``attendance_date``,
    ``half_term``, ...) and any column the spec could not place (written as a
    filter, so the check reports what is wrong with it); indicators are the
    spec's, in the table's column order. ``rendered`` is a protected table's
    ``to_ees()`` when the caller has it already.
    """
    protected: ProtectedTable | None = None
    if isinstance(table, ProtectedTable):
        protected = table
        spec = _labelled(
            _override(table.spec, filters, indicators), table.table.columns
        )
        text = table.to_ees() if rendered is None else rendered
    else:
        if isinstance(table, Table):
            frame, spec, z_zero = table.data(), table.spec, True
        else:
            frame = table.collect() if isinstance(table, pl.LazyFrame) else table
            spec, z_zero = TableSpec.infer(frame), False
        spec = _labelled(_override(spec, filters, indicators), frame.columns)
        text = ees_text(frame, spec, null_symbol=null_symbol, z_zero_denominator=z_zero)
    names = text.columns
    if filters is not None:
        f = list(filters)
    else:
        placed = {*spec.filters, *_PERIOD_FILTERS, *(c for c, _ in spec.unplaced)}
        f = [
            c
            for c in names
            if c in placed and c not in _OB_UNITS and c not in (indicators or ())
        ]
    if indicators is not None:
        i = list(indicators)
    else:
        i = [c for c in names if c in spec.indicators and c not in f]
    return _Prepared(text=text, spec=spec, filters=f, indicators=i, protected=protected)


def _meta_rows(
    prepared: _Prepared,
    *,
    decimals: int | Mapping[str, int] | None,
    meta: pl.DataFrame | Mapping[str, Mapping[str, str | int | None]] | None,
) -> pl.DataFrame:
    text, spec = prepared.text, prepared.spec
    rows: list[dict[str, str | None]] = []
    for col in prepared.filters:
        if text[col].n_unique() < 2:
            continue
        label = spec.label(col)
        rows.append(
            {
                "col_name": col,
                "col_type": "Filter",
                "label": label,
                "filter_hint": f"Filter by {_lower_first(label)}",
            }
        )
    for col in prepared.indicators:
        unit = spec.indicator(col).unit if col in spec.indicators else ""
        if isinstance(decimals, int):
            dp = decimals
        elif isinstance(decimals, Mapping) and col in decimals:
            dp = int(decimals[col])
        elif col in spec.decimals:
            dp = spec.decimals[col]
        else:
            dp = _decimals_of(text[col].cast(pl.String))
        rows.append(
            {
                "col_name": col,
                "col_type": "Indicator",
                "label": spec.label(col),
                "indicator_grouping": spec.groupings.get(col) or None,
                "indicator_unit": unit or None,
                "indicator_dp": str(dp),
            }
        )
    out = pl.DataFrame(rows, schema=dict.fromkeys(EES_META_COLUMNS, pl.String))
    if meta is None:
        return out
    return _apply_overrides(out, meta, text.columns)


def _apply_overrides(
    out: pl.DataFrame,
    meta: pl.DataFrame | Mapping[str, Mapping[str, str | int | None]],
    columns: Sequence[str],
) -> pl.DataFrame:
    if isinstance(meta, Mapping):
        over = pl.DataFrame(
            [
                {
                    "col_name": k,
                    **{f: None if v is None else str(v) for f, v in fields.items()},
                }
                for k, fields in meta.items()
            ],
            infer_schema_length=None,
        )
    else:
        over = meta.with_columns(pl.all().cast(pl.String))
    if "col_name" not in over.columns:
        raise ExportError(
            "the meta overrides have no 'col_name' column",
            column="col_name",
            hint="give one row per column, named in col_name",
        )
    unknown = [c for c in over["col_name"].to_list() if c not in columns]
    if unknown:
        raise ExportError(
            f"meta overrides name {unknown[0]!r}, which the table does not have",
            column=unknown[0],
            hint="name only columns of the table in the meta overrides",
        )
    bad = [
        c for c in over.columns if c not in EES_META_COLUMNS and c not in _META_OPTIONAL
    ]
    if bad:
        raise ExportError(
            f"meta overrides have an unknown column {bad[0]!r}",
            column=bad[0],
            hint=f"use the meta columns {', '.join(EES_META_COLUMNS)}",
        )
    new = over.filter(~pl.col("col_name").is_in(out["col_name"].to_list()))
    merged = out.join(over, on="col_name", how="left", suffix="__o").with_columns(
        [
            pl.coalesce(f"{c}__o", c).alias(c)
            for c in over.columns
            if c != "col_name" and c in out.columns
        ]
        + [pl.col(f"{c}__o").alias(c) for c in over.columns if c in _META_OPTIONAL]
    )
    merged = merged.select([c for c in merged.columns if not c.endswith("__o")])
    return pl.concat([merged, new], how="diagonal_relaxed").select(
        [*EES_META_COLUMNS, *[c for c in _META_OPTIONAL if c in over.columns]]
    )


def ees_meta(
    table: Table | ProtectedTable | pl.DataFrame | pl.LazyFrame,
    *,
    filters: Sequence[str] | None = None,
    indicators: Sequence[str] | None = None,
    decimals: int | Mapping[str, int] | None = None,
    meta: pl.DataFrame | Mapping[str, Mapping[str, str | int | None]] | None = None,
) -> pl.DataFrame:
    """Derive the ``.meta.csv`` rows of a table (what :func:`~makingdata.publish.write_ees` writes).

    What each column is comes from the table's spec: a kernel's
    :class:`~makingdata.tables.Table` carries one, a
    :class:`~makingdata.disclosure.ProtectedTable` the one it was protected
    with, and a plain frame (a table makingdata did not build) is read by
    :meth:`TableSpec.infer <makingdata.tables.TableSpec.infer>`. Time and
    geography columns get no row. Filters are the spec's filters and the
    period columns (``attendance_date``, ``half_term``, ...); a filter with a
    single level is not listed. Indicators are the spec's counts, rates and
    other indicators. Labels are the spec's (``TableSpec.labels``), else the
    labels of the attendance kernels' columns (counts, rates, DfE reason
    columns, breakdowns), else the column name; ``indicator_unit`` is the
    spec's (``%`` for a rate); ``indicator_dp`` is ``decimals``, else the
    spec's, else the most decimals found in the column (0 for whole numbers);
    ``indicator_grouping`` the spec's, else the attendance grouping.

    Changed in 0.2: moved from ``makingdata.io``; reads the spec instead of
    guessing from the column names; takes a ``Table`` or ``ProtectedTable``.

    Parameters
    ----------
    table
        The table: a :class:`~makingdata.tables.Table`, a
        :class:`~makingdata.disclosure.ProtectedTable`, or a frame (typed, or
        as text).
    filters
        The filter columns, if the spec's would be wrong.
    indicators
        The indicator columns, if the spec's would be wrong.
    decimals
        ``indicator_dp`` for every indicator (an int) or per column (a mapping).
    meta
        Overrides: a frame with ``col_name`` and any meta columns, or a mapping
        ``{col_name: {field: value}}``; a non-null value replaces the derived one.

    Returns
    -------
    polars.DataFrame
        The meta rows, columns in the EES order, all text.

    Raises
    ------
    ExportError
        If an override names a column the table does not have.

    Examples
    --------
    >>> import polars as pl
    >>> t = pl.DataFrame(
    ...     {
    ...         "time_period": [202526] * 2,
    ...         "fsm_status": ["Total", "FSM eligible"],
    ...         "enrolments": [40, 12],
    ...         "sess_overall_percent": [5.25, 7.5],
    ...     }
    ... )
    >>> ees_meta(t).select(
    ...     "col_name", "col_type", "label", "indicator_unit", "indicator_dp"
    ... ).rows()
    [('fsm_status', 'Filter', 'FSM status', None, None), ('enrolments', 'Indicator', 'Number of pupil enrolments', None, '0'), ('sess_overall_percent', 'Indicator', 'Overall absence rate', '%', '2')]

    A kernel's table says its labels and decimal places in its spec:

    >>> from makingdata.tables import Table, TableSpec
    >>> spec = TableSpec(
    ...     counts=("enrolments",),
    ...     filters=("fsm_status",),
    ...     labels={"enrolments": "Pupils on roll"},
    ...     decimals={"enrolments": 0},
    ... )
    >>> ees_meta(Table(t.drop("sess_overall_percent"), spec))["label"].to_list()
    ['FSM status', 'Pupils on roll']
    """
    prepared = _prepare(table, filters=filters, indicators=indicators)
    return _meta_rows(prepared, decimals=decimals, meta=meta)
