"""From a Table or ProtectedTable to chart rows: values, gaps and their symbols.

A chart never draws a protected or missing cell as a number. Every indicator a
chart uses is read twice: as the number (from the frame) and as the text EES
would publish (:meth:`~makingdata.tables.Table.to_ees`, or
:meth:`~makingdata.disclosure.ProtectedTable.to_ees`). Where the published text
is a GSS symbol (``c`` suppressed, ``low``, ``x``, ``z``), the value is null —
a gap in the chart — and the symbol goes beside it for tooltips and notes.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import attrs
import polars as pl

from makingdata._contracts import PERIOD_COLUMNS
from makingdata.disclosure import ProtectedTable
from makingdata.errors import InputError
from makingdata.tables import ALL_SYMBOLS, GEOGRAPHIES, SYMBOLS, Table, level

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from makingdata.tables import TableSpec

#: Suffix of the column that holds a value's symbol.
SYMBOL = "__symbol"
#: Time columns that place a row on a date axis, in order of preference.
DATE_COLUMNS = ("attendance_date", "week_commencing", "period_end")


@attrs.frozen
class Source:
    """A chart's input: the frame with gaps and symbols, the spec, and its audience."""

    frame: pl.DataFrame
    table: Table
    audience: str | None

    def label(self, column: str) -> str:
        """Return the indicator's label, with its unit."""
        spec = self.table.spec
        try:
            ind = spec.indicator(column)
        except InputError:
            return column
        label = ind.label.replace(" (percent)", " (%)")
        unit = f" ({ind.unit})" if ind.unit and ind.unit not in label else ""
        return label + unit

    def decimals(self, column: str) -> int:
        """Return the decimal places of an indicator (1 when the spec does not say)."""
        places = self.table.spec.decimals.get(column)
        return 1 if places is None else int(places)


def read(source: Table | ProtectedTable, columns: Iterable[str]) -> Source:
    """Collect ``source`` and mark the cells of ``columns`` that are symbols.

    Each column keeps its numbers; a cell published as a symbol becomes null
    and its symbol goes in ``<column>__symbol`` (null where there is a value).

    Examples
    --------
    >>> import polars as pl
    >>> from makingdata.disclosure import protect
    >>> df = pl.DataFrame(
    ...     {
    ...         "fsm_status": ["Total", "FSM eligible", "Not eligible"],
    ...         "enrolments": [40, 3, 37],
    ...         "num_schools": [2, 2, 2],
    ...     }
    ... )
    >>> s = read(protect(df, "public"), ["enrolments"])
    >>> s.frame.select("enrolments", "enrolments__symbol").rows()
    [(40.0, None), (None, 'c'), (None, 'c')]
    """
    if isinstance(source, ProtectedTable):
        table = source.as_table()
        text = source.to_ees()
        audience: str | None = source.audience
    elif isinstance(source, Table):
        table = source.collect()
        text = table.to_ees()
        audience = None
    else:
        raise InputError(
            f"a chart takes a Table or a ProtectedTable, not {type(source).__name__}",
            hint="wrap a frame with makingdata.tables.Table.infer(frame), or pass "
            "the Table a kernel returned",
        )
    frame = table.data()
    cols = list(dict.fromkeys(columns))
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise InputError(
            f"the table has no column(s) {missing}",
            column=missing[0],
            hint="build the table with the measure (attendance_table gives every "
            "session, reason and persistent-absence indicator), or choose another",
        )
    exprs: list[pl.Expr] = []
    for c in cols:
        sym = (
            pl.when(text[c].is_in(list(ALL_SYMBOLS)))
            .then(pl.lit(text[c]))
            .otherwise(None)
        )
        exprs.append(sym.alias(c + SYMBOL))
    marked = frame.with_columns(exprs)
    marked = marked.with_columns(
        pl.when(pl.col(c + SYMBOL).is_null())
        .then(pl.col(c).cast(pl.Float64))
        .otherwise(None)
        .alias(c)
        for c in cols
    )
    return Source(marked, table, audience)


def rows_of(
    frame: pl.DataFrame, level_name: str | None, code: str | int | None
) -> tuple[pl.DataFrame, str]:
    """Return the rows of one level (and one unit of it), and the level's label."""
    spec_level = "geographic_level"
    if level_name is None:
        label = ""
        out = frame
    else:
        label = level(level_name).label
        if spec_level not in frame.columns:
            raise InputError(
                "the table has no geographic_level column",
                hint="chart a table built by a kernel or read from an EES file",
            )
        out = frame.filter(pl.col(spec_level) == label)
        if out.height == 0:
            have = frame[spec_level].unique(maintain_order=True).to_list()
            raise InputError(
                f"the table has no {label!r} rows (it has {have})",
                hint="build the table with that level, or choose one of these "
                "(a table protected for the public has no school rows)",
            )
    if code is not None:
        col = code_column(label)
        out = out.filter(pl.col(col).cast(pl.String) == str(code))
        if out.height == 0:
            raise InputError(
                f"no {label} rows with {col} {code!r}",
                column=col,
                hint="check the code, or leave it out to chart every unit",
            )
    return out, label


def overall_rows(
    frame: pl.DataFrame, spec: TableSpec, *, keep: Sequence[str] = ()
) -> tuple[pl.DataFrame, list[str]]:
    """Return the rows of all pupils: each breakdown's ``Total`` rows, and a note per breakdown.

    A chart of a school, an LA or England draws one value per unit and period;
    in a table broken down by, say, ``fsm_status`` each unit has a row per
    group and one ``Total`` row. The ``Total`` rows are taken (a caption line
    says so, since the user did not choose it); a breakdown with several
    values and no ``Total`` is refused rather than added up. ``keep`` names
    the breakdowns the chart draws itself.

    Examples
    --------
    >>> import polars as pl
    >>> from makingdata.tables import TableSpec
    >>> df = pl.DataFrame({"fsm_status": ["Total", "FSM eligible"], "n": [9, 2]})
    >>> rows, notes = overall_rows(
    ...     df, TableSpec(filters=("fsm_status",), counts=("n",))
    ... )
    >>> rows["n"].to_list(), notes
    ([9], ["All pupils: the 'Total' rows of fsm_status (absence_by_group charts its groups)"])
    """
    notes = []
    # a text column the spec could not place (no Total row) may still split units
    loose = [c for c, _ in spec.unplaced if frame.schema.get(c) == pl.String]
    for col in dict.fromkeys([*spec.filters, *loose]):
        if col in keep or col in PERIOD_COLUMNS or col not in frame.columns:
            continue
        text = pl.col(col).cast(pl.String)
        values = frame.select(text.unique(maintain_order=True)).to_series().to_list()
        if len(values) <= 1:
            continue
        if spec.total not in values:
            raise InputError(
                f"the table is broken down by {col} ({', '.join(map(str, values[:3]))}"
                f"{' …' if len(values) > 3 else ''}) and has no {spec.total!r} rows: "
                "a chart of all pupils would add the groups up",
                column=col,
                hint=f"filter the table to one {col}, or chart the groups with "
                f"absence_by_group(by={col!r})",
            )
        frame = frame.filter(text == spec.total)
        notes.append(
            f"All pupils: the {spec.total!r} rows of {col} "
            "(absence_by_group charts its groups)"
        )
    return frame, notes


def code_column(label: str) -> str:
    """Return the code column of a geographic level (``School`` -> ``school_urn``)."""
    geo = GEOGRAPHIES.get(label)
    if geo is None or geo.code is None:  # pragma: no cover - makingdata's levels
        raise InputError(f"no code column for the level {label!r}")
    return geo.code


def name_expr(label: str, columns: Sequence[str]) -> pl.Expr:
    """Return the unit's name for a level's rows (England, an LA, a trust, a school)."""
    geo = GEOGRAPHIES.get(label)
    if geo is not None and geo.name in columns:
        name = pl.col(geo.name).cast(pl.String)
        if geo.code is not None and geo.code in columns:
            return name.fill_null(pl.col(geo.code).cast(pl.String))
        return name
    if geo is not None and geo.code is not None and geo.code in columns:
        return pl.col(geo.code).cast(pl.String)
    return pl.lit(label or "All")


def time_axis(frame: pl.DataFrame) -> tuple[str, bool]:
    """Return the column that orders the periods, and whether it is a date."""
    for c in DATE_COLUMNS:
        if c in frame.columns and frame[c].null_count() < frame.height:
            return c, True
    return "_period", False


def with_period(frame: pl.DataFrame) -> pl.DataFrame:
    """Add ``_period`` (a label) and ``_order`` (a sort key) to every row."""
    col, is_date = time_axis(frame)
    if is_date:
        day = pl.col(col).cast(pl.Date).dt.strftime("%-d %b %Y")
        if col == "period_end" and "period_start" in frame.columns:
            start = pl.col("period_start").cast(pl.Date).dt.strftime("%-d %b %Y")
            day = pl.concat_str([start, day], separator=" to ", ignore_nulls=True)
        return frame.with_columns(
            day.alias("_period"),
            pl.col(col).cast(pl.Date).cast(pl.Int64).alias("_order"),
        )
    parts: list[pl.Expr] = []
    if "time_period" in frame.columns:
        tp = pl.col("time_period").cast(pl.String)
        six = tp.str.contains(r"^[0-9]{6}$").fill_null(value=False)
        parts.append(
            pl.when(six)
            .then(tp.str.slice(0, 4) + pl.lit("/") + tp.str.slice(4, 2))
            .otherwise(tp)
        )
    if "time_identifier" in frame.columns:
        ti = pl.col("time_identifier").cast(pl.String)
        parts.append(pl.when(ti != "Academic year").then(ti).otherwise(None))
    if "half_term" in frame.columns:
        parts.append(pl.col("half_term").cast(pl.String))
    if not parts:
        return frame.with_columns(_period=pl.lit(""), _order=pl.lit(0, pl.Int64))
    label = pl.concat_str(parts, separator=" ", ignore_nulls=True)
    out = frame.with_columns(label.alias("_period"))
    order = {p: i for i, p in enumerate(out["_period"].unique(maintain_order=True))}
    return out.with_columns(
        pl.col("_period").replace_strict(order, return_dtype=pl.Int64).alias("_order")
    )


def records(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts: dates as ISO text, nulls as None."""
    return [
        {
            k: v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v
            for k, v in row.items()
        }
        for row in frame.iter_rows(named=True)
    ]


def symbol_notes(symbols: Iterable[str | None], audience: str | None) -> list[str]:
    """Caption lines: what each symbol present means, and who the table is for."""
    found = sorted({s for s in symbols if s is not None})
    lines = []
    if found:
        meanings = "; ".join(f"{s} = {SYMBOLS[s]}" for s in found)
        lines.append(f"Gaps are cells not published as numbers ({meanings}).")
    if audience is not None:
        lines.append(f"Protected for the audience: {audience}.")
    return lines
