"""The charts: attendance over time, absence by reason and by group, a weekly heatmap.

Each takes a :class:`~makingdata.tables.Table` or a
:class:`~makingdata.disclosure.ProtectedTable` and returns an altair chart whose
spec carries everything it needs: the data (inline), the theme, a title, alt
text (``description``) and a footer with the notes and the source. A cell that
is not published as a number (suppressed ``c``, ``low``, ``x``, ``z``) is a gap,
never a 0: its symbol is drawn at the foot of the chart where the value would
be, with its meaning in the tooltip and the footer.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import TYPE_CHECKING, Any

import altair as alt
import polars as pl

from makingdata.charts._data import (
    SYMBOL,
    Source,
    code_column,
    name_expr,
    overall_rows,
    read,
    records,
    rows_of,
    symbol_notes,
    time_axis,
    with_period,
)
from makingdata.charts._theme import _SECONDARY, _SHADE, PALETTE, SEQUENTIAL, theme
from makingdata.errors import InputError
from makingdata.tables import SYMBOLS, level

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from makingdata.disclosure import ProtectedTable
    from makingdata.tables import Table

__all__ = [
    "DEFAULT_SOURCE",
    "absence_by_group",
    "absence_by_reason",
    "attendance_over_time",
    "school_breaks",
    "weekly_heatmap",
]

#: The source line of a chart when none is given.
DEFAULT_SOURCE = "pupil attendance records, counted with makingdata (DfE methodology)"

_DASHES = ([1, 0], [6, 4], [2, 3], [8, 3, 2, 3], [1, 0], [6, 4])
_NOTE_COLOR = _SECONDARY


# ------------------------------------------------------------------ helpers
def _not_published(n: int, what: str, how: str) -> str:
    """Return the alt text's sentence about the gaps ("" when there are none)."""
    if n == 0:
        return ""
    return f" {n} {what}{' is' if n == 1 else 's are'} not published ({how})."


def _fmt(value: float | None, places: int) -> str:
    return "not published" if value is None else f"{value:.{places}f}"


def _long(
    s: Source, rows: pl.DataFrame, measures: Sequence[str], labels: Sequence[str]
) -> pl.DataFrame:
    """One row per (row, measure): ``measure``, ``value``, ``symbol``, ``meaning``."""
    parts = []
    for i, (m, lab) in enumerate(zip(measures, labels, strict=True)):
        parts.append(
            rows.with_columns(
                pl.lit(lab).alias("measure"),
                pl.lit(i).alias("_measure_order"),
                pl.col(m).alias("value"),
                pl.col(m + SYMBOL).alias("symbol"),
                pl.col(m).round(s.decimals(m)).alias("value_shown"),
            )
        )
    out = pl.concat(parts, how="diagonal_relaxed")
    return out.with_columns(
        pl.col("symbol")
        .replace_strict(dict(SYMBOLS), default=None, return_dtype=pl.String)
        .alias("meaning")
    )


def _keep(frame: pl.DataFrame, columns: Iterable[str]) -> pl.DataFrame:
    return frame.select([c for c in dict.fromkeys(columns) if c in frame.columns])


def _inline(rows: list[dict[str, Any]]) -> Any:
    """Inline data: the rows travel in the spec (nothing to fetch, nothing to lose)."""
    return alt.Data(values=rows)  # type: ignore[no-untyped-call]


def _footer(lines: Sequence[str], width: int) -> alt.Chart:
    data = _inline([{"line": t, "n": i} for i, t in enumerate(lines)])
    footer: alt.Chart = (
        alt.Chart(data)
        .mark_text(align="left", baseline="top", fontSize=11, color=_NOTE_COLOR)
        .encode(
            x=alt.value(0),
            y=alt.Y("n:O", axis=None),
            text=alt.Text("line:N"),
        )
        .properties(width=width, height=16 * len(lines))
    )
    return footer


def _finish(
    body: Any,
    *,
    title: str,
    subtitle: Sequence[str],
    description: str,
    notes: Sequence[str],
    source: str,
    width: int,
    meta: dict[str, Any],
) -> alt.VConcatChart:
    lines = [*notes, f"Source: {source}"]
    chart = alt.vconcat(
        body,
        _footer(lines, width),
        title=alt.Title(title, subtitle=list(subtitle)),
        description=description,
        usermeta={"makingdata": meta},
    )
    configured: alt.VConcatChart = chart.configure(**theme())
    return configured


def _symbol_marks(
    base: alt.Chart, encodings: dict[str, Any], tooltip: list[Any]
) -> alt.Chart:
    """Draw each gap's symbol where its value would be, at the foot of the chart."""
    marks: alt.Chart = (
        base.transform_filter("datum.value === null && datum.symbol !== null")
        .mark_text(fontSize=12, fontWeight="bold", color=_NOTE_COLOR)
        .encode(text=alt.Text("symbol:N"), tooltip=tooltip, **encodings)
    )
    return marks


def _one_period(rows: pl.DataFrame, what: str) -> None:
    if rows["_period"].n_unique() > 1:
        periods = rows["_period"].unique(maintain_order=True).to_list()
        raise InputError(
            f"{what} shows one period, and the rows chosen hold {len(periods)} "
            f"({periods[:3]}{' …' if len(periods) > 3 else ''})",
            hint="filter the table to one period first (table.with_frame(...)), "
            "or build it for one period",
        )


# ------------------------------------------------------------------ breaks
_HOLIDAYS = {
    1: "Christmas holidays",
    2: "February half term",
    3: "Easter holidays",
    4: "Easter holidays",
    5: "May half term",
    6: "May half term",
    7: "Summer holidays",
    8: "Summer holidays",
    9: "Summer holidays",
    10: "October half term",
    11: "October half term",
    12: "Christmas holidays",
}


def school_breaks(dates: Iterable[dt.date] | pl.Series) -> pl.DataFrame:
    """Find the holidays and closures between the dates a school met.

    A run of weekdays with no date between two dates given is a break; for
    weekly dates (every date a Monday) a missing week is. Each break is named
    from its month (``October half term``, ``Christmas holidays``, ``February
    half term``, ``Easter holidays``, ``May half term``, ``Summer holidays``);
    one or two weekdays on their own are a ``Bank holiday or closure``. Pass
    the dates of the table's periods, or a school calendar's term dates (a
    synthetic data set's ``calendar["date"]``).

    Parameters
    ----------
    dates
        Dates a school met (days), or weeks it met (their Mondays).

    Returns
    -------
    polars.DataFrame
        ``start`` (first day off), ``end`` (the day after the last day off, so
        that a shaded band covers it), ``label`` and ``weekdays`` (weekdays off).

    Examples
    --------
    >>> import datetime as dt
    >>> from makingdata.charts import school_breaks
    >>> mondays = [dt.date(2025, 10, 20), dt.date(2025, 11, 3)]
    >>> school_breaks(mondays).rows()
    [(datetime.date(2025, 10, 27), datetime.date(2025, 11, 1), 'October half term', 5)]
    """
    days = sorted({d for d in dates if d is not None})
    weekly = bool(days) and all(d.weekday() == 0 for d in days)
    rows: list[tuple[dt.date, dt.date, str, int]] = []
    for a, b in itertools.pairwise(days):
        if weekly:
            weeks = (b - a).days // 7 - 1
            if weeks < 1:
                continue
            first = a + dt.timedelta(days=7)
            rows.append(
                (first, b - dt.timedelta(days=2), _HOLIDAYS[first.month], 5 * weeks)
            )
            continue
        off = [
            a + dt.timedelta(days=i)
            for i in range(1, (b - a).days)
            if (a + dt.timedelta(days=i)).weekday() < 5
        ]
        if not off:
            continue
        label = "Bank holiday or closure" if len(off) <= 2 else _HOLIDAYS[off[0].month]
        rows.append((off[0], off[-1] + dt.timedelta(days=1), label, len(off)))
    return pl.DataFrame(
        rows,
        schema={
            "start": pl.Date,
            "end": pl.Date,
            "label": pl.String,
            "weekdays": pl.Int64,
        },
        orient="row",
    )


# ------------------------------------------------------------------ over time
def _comparators(
    f: pl.DataFrame, focus: pl.DataFrame, focus_label: str, against: Sequence[str]
) -> list[tuple[str, pl.DataFrame]]:
    out: list[tuple[str, pl.DataFrame]] = []
    for name in against:
        label = level(name).label
        if label == focus_label or "geographic_level" not in f.columns:
            continue
        cand = f.filter(pl.col("geographic_level") == label)
        if cand.height == 0:
            continue
        col = code_column(label)
        codes = (
            focus[col].drop_nulls().unique().to_list() if col in focus.columns else []
        )
        if len(codes) == 1:
            cand = cand.filter(pl.col(col) == codes[0])
        elif col in cand.columns and cand[col].n_unique() > 1:
            raise InputError(
                f"the table has {cand[col].n_unique()} {label} units and the "
                f"{focus_label or 'chosen'} rows name none of them",
                column=col,
                hint=f"filter the table to the one {label} to compare with, or leave "
                f"{name!r} out of against=",
            )
        if cand.height:
            out.append((label, cand))
    return out


def attendance_over_time(
    table: Table | ProtectedTable,
    *,
    level: str = "school",
    code: str | int | None = None,
    measure: str = "sess_overall_percent",
    against: Sequence[str] = ("la", "national"),
    breaks: pl.DataFrame | bool = True,
    title: str | None = None,
    source: str = DEFAULT_SOURCE,
    width: int = 640,
    height: int = 300,
) -> alt.VConcatChart:
    """Chart a rate over time for one school, trust or LA, against its LA and England.

    One line per unit: the unit the chart is about first (solid, dark blue),
    then each comparator (dashed, in the palette's next colours) — told apart
    by dash as well as colour. On a date axis (a table by ``day`` or
    ``week``), the breaks between the periods (half terms, holidays) are
    shaded and named in the tooltip. A value not published (suppressed ``c``,
    ``low``, ``x``, ``z``) is a gap in its line with the symbol at the foot
    of the chart.

    Parameters
    ----------
    table
        A table with rows of ``level`` and of the comparators' levels, by
        period (:func:`~makingdata.attendance.attendance_table` with
        ``levels=["school", "la", "national"]`` and ``period="week"``).
    level
        The level of the unit charted: ``"school"``, ``"trust"``, ``"la"``,
        ``"region"`` or ``"national"`` (EES labels work too).
    code
        The unit's code (URN, trust id, LA or region code); may be left out
        when the table has one unit of that level.
    measure
        The rate (or count) to chart; default the overall absence rate. Use
        ``"sess_attendance_percent"`` for attendance.
    against
        Levels to compare with: the LA (the unit's own, when its rows name it)
        and England by default. Levels the table does not hold are left out.
    breaks
        ``True``: shade the breaks found between the table's dates
        (:func:`school_breaks`); a frame like :func:`school_breaks`' to shade
        given dates (a school calendar's); ``False``: none.
    title
        The title; default the measure's label and the unit's name.
    source
        The source line under the chart.
    width, height
        Size of the plot area, in pixels.

    Returns
    -------
    altair.VConcatChart
        The chart, with its footer; ``description`` holds the alt text.

    Raises
    ------
    InputError
        If the table lacks the level, the unit or the measure, or holds more
        than one unit of ``level`` and no ``code`` is given.

    Examples
    --------
    >>> import datetime as dt
    >>> import polars as pl
    >>> from makingdata.charts import attendance_over_time
    >>> from makingdata.tables import Rate, Table, TableSpec
    >>> weeks = [dt.date(2025, 10, 13), dt.date(2025, 10, 20), dt.date(2025, 11, 3)]
    >>> frame = pl.DataFrame(
    ...     {
    ...         "week_commencing": weeks * 2,
    ...         "geographic_level": ["School"] * 3 + ["National"] * 3,
    ...         "country_name": ["England"] * 6,
    ...         "school_urn": ["100001"] * 3 + [None] * 3,
    ...         "school_name": ["Demo Primary"] * 3 + [None] * 3,
    ...         "sess_overall": [30, 28, 35, 700, 690, 720],
    ...         "sess_possible": [500, 500, 500, 10000, 10000, 10000],
    ...         "sess_overall_percent": [6.0, 5.6, 7.0, 7.0, 6.9, 7.2],
    ...     }
    ... )
    >>> spec = TableSpec(
    ...     counts=("sess_overall", "sess_possible"),
    ...     rates=(Rate("sess_overall_percent", "sess_overall", "sess_possible"),),
    ...     labels={"sess_overall_percent": "Overall absence rate"},
    ... )
    >>> chart = attendance_over_time(Table(frame, spec))
    >>> spec = chart.to_dict()
    >>> spec["title"]["text"]
    'Overall absence rate (%): Demo Primary'
    >>> spec["usermeta"]["makingdata"]["series"]
    ['Demo Primary', 'England']
    >>> spec["usermeta"]["makingdata"]["breaks"]
    ['October half term']
    """
    s = read(table, [measure])
    f, overall = overall_rows(with_period(s.frame), s.table.spec)
    focus, focus_label = rows_of(f, level, code)
    names = focus.select(name_expr(focus_label, focus.columns)).to_series()
    if names.n_unique() > 1:
        some = names.unique(maintain_order=True).to_list()
        raise InputError(
            f"the table has {len(some)} {focus_label} units ({some[:3]}"
            f"{' …' if len(some) > 3 else ''}); a line chart shows one",
            column=code_column(focus_label),
            hint="pass code= (a URN, trust id, or LA or region code)",
        )
    focus_name = names[0] if names.len() else focus_label
    series = [(focus_label, focus)]
    series += _comparators(f, focus, focus_label, against)
    x_col, is_date = time_axis(f)
    label = s.label(measure)
    places = s.decimals(measure)
    parts = []
    for i, (lab, rows) in enumerate(series):
        parts.append(
            _long(s, rows, [measure], [label]).with_columns(
                name_expr(lab, rows.columns).alias("series"),
                pl.lit(i).alias("_series_order"),
                (pl.col(x_col).cast(pl.Date) if is_date else pl.col("_period")).alias(
                    "x"
                ),
            )
        )
    data = _keep(
        pl.concat(parts, how="diagonal_relaxed").sort("_series_order", "_order"),
        [
            "series",
            "_series_order",
            "x",
            "_period",
            "_order",
            "value",
            "value_shown",
            "symbol",
            "meaning",
        ],
    )
    order = data.unique("series", maintain_order=True)["series"].to_list()
    if is_date:
        x_enc = alt.X(
            "x:T",
            title="Week commencing" if x_col == "week_commencing" else "Date",
            scale=alt.Scale(type="utc"),
            axis=alt.Axis(format="%-d %b", labelAngle=0, tickCount=8),
        )
    else:
        x_enc = alt.X(
            "x:O",
            title="Period",
            sort=alt.EncodingSortField(field="_order", op="min"),
            axis=alt.Axis(),
        )
    color = alt.Color(
        "series:N",
        title=None,
        scale=alt.Scale(domain=order, range=list(PALETTE[: len(order)])),
        sort=order,
    )
    dash = alt.StrokeDash(
        "series:N",
        title=None,
        scale=alt.Scale(domain=order, range=[list(d) for d in _DASHES[: len(order)]]),
        sort=order,
    )
    tooltip = [
        alt.Tooltip("series:N", title="Who"),
        alt.Tooltip("_period:N", title="Period"),
        alt.Tooltip("value_shown:Q", title=label, format=f".{places}f"),
        alt.Tooltip("meaning:N", title="Not published"),
    ]
    base = alt.Chart(_inline(records(data)))
    lines = base.mark_line(point=True).encode(
        x=x_enc,
        y=alt.Y("value:Q", title=label, scale=alt.Scale(zero=True)),
        color=color,
        strokeDash=dash,
        detail="series:N",
        tooltip=tooltip,
    )
    layers: list[Any] = []
    shaded: list[str] = []
    if is_date and breaks is not False:
        bands = (
            school_breaks(data["x"].drop_nulls())
            if breaks is True
            else breaks.select(
                pl.col("start").cast(pl.Date),
                pl.col("end").cast(pl.Date),
                pl.col("label").cast(pl.String),
            )
        )
        if bands.height:
            shaded = bands["label"].to_list()
            layers.append(
                alt.Chart(_inline(records(bands)))
                .mark_rect(color=_SHADE, opacity=0.6)
                .encode(
                    x=alt.X("start:T", scale=alt.Scale(type="utc")),
                    x2="end:T",
                    tooltip=[
                        alt.Tooltip("label:N", title="Break"),
                        alt.Tooltip("start:T", title="From", format="%-d %b %Y"),
                    ],
                )
            )
    layers.append(lines)
    gaps = _symbol_marks(
        base,
        {"x": x_enc, "y": alt.value(height - 8), "color": color},
        tooltip,
    )
    layers.append(gaps)
    body = alt.layer(*layers).properties(width=width, height=height)
    n_gaps = int((data["value"].is_null() & data["symbol"].is_not_null()).sum())
    periods = data["_period"].unique(maintain_order=True).to_list()
    first = data.sort("_order")["_period"][0] if data.height else ""
    last = data.sort("_order")["_period"][-1] if data.height else ""
    latest = [
        f"{name} {_fmt(v, places)}"
        for name, v in data.sort("_order")
        .group_by("series", maintain_order=True)
        .agg(pl.col("value").last())
        .iter_rows()
    ]
    compared = f" against {', '.join(order[1:])}" if len(order) > 1 else ""
    description = (
        f"Line chart of {label} for {focus_name}{compared}, "
        f"{len(periods)} periods from {first} to {last}. "
        f"Latest values: {'; '.join(latest)}."
        + _not_published(n_gaps, "value", "gaps")
        + (f" Shaded: {', '.join(dict.fromkeys(shaded))}." if shaded else "")
    )
    subtitle = [f"{focus_name}{compared}, by period"]
    if shaded:
        subtitle.append("Grey bands: school holidays and closures")
    return _finish(
        body,
        title=title or f"{label}: {focus_name}",
        subtitle=subtitle,
        description=description,
        notes=[*overall, *symbol_notes(data["symbol"], s.audience)],
        source=source,
        width=width,
        meta={
            "chart": "attendance_over_time",
            "measure": measure,
            "series": order,
            "breaks": shaded,
            "gaps": n_gaps,
            "audience": s.audience,
        },
    )


# ------------------------------------------------------------------ by reason
def absence_by_reason(
    table: Table | ProtectedTable,
    *,
    level: str = "national",
    code: str | int | None = None,
    measures: Sequence[str] = ("sess_authorised_percent", "sess_unauthorised_percent"),
    title: str | None = None,
    source: str = DEFAULT_SOURCE,
    width: int = 640,
    height: int = 300,
) -> alt.VConcatChart:
    """Chart absence by reason as stacked bars: authorised and unauthorised by default.

    With one unit chosen, one bar per period; with several (every school of
    the table, say), one bar per unit for a single period. A stack segment not
    published is left out (the bar is shorter, never padded with a 0) and its
    symbol is drawn at the foot of its bar.

    Parameters
    ----------
    table
        A table with the rate columns of ``measures``.
    level
        The level of the rows to chart.
    code
        One unit of that level (its code); all units when left out.
    measures
        Up to six rates to stack, bottom first: by default the authorised and
        unauthorised absence rates; reason rates such as
        ``"reason_i_authorised_illness_percent"`` work too.
    title
        The title; default from the measures.
    source
        The source line under the chart.
    width, height
        Size of the plot area, in pixels.

    Returns
    -------
    altair.VConcatChart
        The chart, with its footer; ``description`` holds the alt text.

    Raises
    ------
    InputError
        For more than six measures, a missing column or level, or several
        units over several periods.

    Examples
    --------
    >>> import polars as pl
    >>> from makingdata.charts import absence_by_reason
    >>> from makingdata.tables import Table
    >>> frame = pl.DataFrame(
    ...     {
    ...         "time_period": [202425, 202425],
    ...         "time_identifier": ["Academic year"] * 2,
    ...         "geographic_level": ["Local authority"] * 2,
    ...         "new_la_code": ["E06000001", "E06000002"],
    ...         "la_name": ["Hartlepool", "Middlesbrough"],
    ...         "sess_authorised_percent": [4.4, 4.9],
    ...         "sess_unauthorised_percent": [2.1, 2.6],
    ...     }
    ... )
    >>> chart = absence_by_reason(Table.infer(frame), level="la")
    >>> chart.to_dict()["usermeta"]["makingdata"]["bars"]
    ['Hartlepool', 'Middlesbrough']
    """
    if not 1 <= len(measures) <= len(PALETTE):
        raise InputError(
            f"absence_by_reason stacks 1 to {len(PALETTE)} measures, not {len(measures)}",
            hint="choose the reasons that matter most; group the rest",
        )
    s = read(table, measures)
    f, overall = overall_rows(with_period(s.frame), s.table.spec)
    rows, lab = rows_of(f, level, code)
    rows = rows.with_columns(name_expr(lab, rows.columns).alias("unit"))
    units = rows["unit"].unique(maintain_order=True).to_list()
    if len(units) > 1:
        _one_period(rows, "a chart of several units")
        by_unit = True
    else:
        by_unit = False
    labels = [_reason_label(s, m) for m in measures]
    data = _long(s, rows, measures, labels)
    data = data.with_columns(
        (pl.col("unit") if by_unit else pl.col("_period")).alias("bar"),
        (pl.col("unit").rank("dense") if by_unit else pl.col("_order"))
        .cast(pl.Int64)
        .alias("_bar_order"),
    )
    data = _keep(
        data,
        [
            "bar",
            "_bar_order",
            "unit",
            "_period",
            "measure",
            "_measure_order",
            "value",
            "value_shown",
            "symbol",
            "meaning",
        ],
    ).sort("_bar_order", "_measure_order")
    bars = data.unique("bar", maintain_order=True)["bar"].to_list()
    color = alt.Color(
        "measure:N",
        title=None,
        scale=alt.Scale(domain=labels, range=list(PALETTE[: len(labels)])),
        sort=labels,
    )
    x_enc = alt.X(
        "bar:N",
        title=lab if by_unit else "Period",
        sort=bars,
        axis=alt.Axis(labelAngle=-30 if len(bars) > 6 else 0, labelLimit=160),
    )
    tooltip = [
        alt.Tooltip("unit:N", title="Who"),
        alt.Tooltip("_period:N", title="Period"),
        alt.Tooltip("measure:N", title="Reason"),
        alt.Tooltip("value_shown:Q", title="Rate (%)", format=".1f"),
        alt.Tooltip("meaning:N", title="Not published"),
    ]
    base = alt.Chart(_inline(records(data)))
    stack = base.mark_bar().encode(
        x=x_enc,
        y=alt.Y("value:Q", title="Percentage of possible sessions", stack="zero"),
        color=color,
        order=alt.Order("_measure_order:Q"),
        tooltip=tooltip,
    )
    # a stack's gaps one above the other at the foot of its bar, bottom segment lowest
    gaps = _symbol_marks(
        base.transform_calculate(_y=f"{height - 8} - 14 * datum._measure_order"),
        {"x": x_enc, "y": alt.Y("_y:Q", scale=None)},
        tooltip,
    )
    body = alt.layer(stack, gaps).properties(width=width, height=height)
    n_gaps = int((data["value"].is_null() & data["symbol"].is_not_null()).sum())
    totals = (
        data.group_by("bar", maintain_order=True)
        .agg(pl.col("value").sum().alias("t"), pl.col("value").null_count().alias("g"))
        .iter_rows()
    )
    summary = "; ".join(
        f"{b} {t:.1f}%" + (" (part not published)" if g else "") for b, t, g in totals
    )
    what = " and ".join(labels) if len(labels) <= 2 else ", ".join(labels)
    description = (
        f"Stacked bar chart of {what}, one bar per "
        f"{'unit' if by_unit else 'period'} ({len(bars)} bars). Totals: {summary}."
        + _not_published(n_gaps, "value", "left out")
    )
    return _finish(
        body,
        title=title or "Absence by reason",
        subtitle=[
            f"{what}, percentage of possible sessions"
            + ("" if by_unit else f": {units[0] if units else lab}")
        ],
        description=description,
        notes=[*overall, *symbol_notes(data["symbol"], s.audience)],
        source=source,
        width=width,
        meta={
            "chart": "absence_by_reason",
            "measures": list(measures),
            "bars": bars,
            "gaps": n_gaps,
            "audience": s.audience,
        },
    )


def _reason_label(s: Source, column: str) -> str:
    known = {
        "sess_authorised_percent": "Authorised absence",
        "sess_unauthorised_percent": "Unauthorised absence",
        "sess_overall_percent": "Overall absence",
    }
    if column in known:
        return known[column]
    return s.label(column).removesuffix(" (%)")


# ------------------------------------------------------------------ by group
def absence_by_group(
    table: Table | ProtectedTable,
    by: str,
    *,
    level: str = "national",
    code: str | int | None = None,
    measures: Sequence[str] = (
        "enrolments_pa_10_exact_percent",
        "enrolments_pa_50_exact_percent",
    ),
    national: bool = True,
    title: str | None = None,
    source: str = DEFAULT_SOURCE,
    width: int = 560,
    height: int | None = None,
) -> alt.VConcatChart:
    """Chart persistent and severe absence by a pupil group, with England's values marked.

    One horizontal bar per group and measure (persistent absence, then severe
    absence, by default), the group's ``Total`` first as "All pupils". For a
    unit below England, a black tick on each bar marks England's value for the
    same group. A value not published is a missing bar with its symbol at the
    bar's foot.

    Parameters
    ----------
    table
        A table with a breakdown by ``by`` (``attendance_table(...,
        by=["fsm_status"])``) for one period, with the national rows when
        ``national`` is set.
    by
        The group column: ``fsm_status``, ``sen_provision``,
        ``ethnicity_major``, ``year_group``, ``sex`` … (a filter of the table).
    level
        The level of the unit charted.
    code
        The unit's code, when the table holds several units of ``level``.
    measures
        One or two rates, default persistent (10%) and severe (50%) absence.
    national
        Mark England's value for each group (when the unit is not England).
    title
        The title; default from the group.
    source
        The source line under the chart.
    width, height
        Size of the plot area, in pixels; the height grows with the groups
        when not given.

    Returns
    -------
    altair.VConcatChart
        The chart, with its footer; ``description`` holds the alt text.

    Raises
    ------
    InputError
        If ``by`` is not a filter of the table, or the rows chosen hold
        several units or periods.

    Examples
    --------
    >>> import polars as pl
    >>> from makingdata.charts import absence_by_group
    >>> from makingdata.tables import Table
    >>> frame = pl.DataFrame(
    ...     {
    ...         "time_period": [202425] * 3,
    ...         "time_identifier": ["Academic year"] * 3,
    ...         "geographic_level": ["National"] * 3,
    ...         "country_code": ["E92000001"] * 3,
    ...         "country_name": ["England"] * 3,
    ...         "fsm_status": ["Total", "FSM eligible", "Not eligible"],
    ...         "enrolments": [1000, 250, 750],
    ...         "enrolments_pa_10_exact": [190, 80, 110],
    ...         "enrolments_pa_10_exact_percent": [19.0, 32.0, 14.7],
    ...     }
    ... )
    >>> chart = absence_by_group(
    ...     Table.infer(frame),
    ...     "fsm_status",
    ...     measures=["enrolments_pa_10_exact_percent"],
    ... )
    >>> chart.to_dict()["usermeta"]["makingdata"]["groups"]
    ['All pupils', 'FSM eligible', 'Not eligible']
    """
    if not 1 <= len(measures) <= 2:
        raise InputError(
            f"absence_by_group shows one or two measures, not {len(measures)}",
            hint="persistent and severe absence are the default",
        )
    s = read(table, measures)
    spec = s.table.spec
    if by not in s.frame.columns:
        raise InputError(
            f"the table has no column {by!r}",
            column=by,
            hint=f"build it with by=[{by!r}]; its filters are {list(spec.filters)}",
        )
    f, overall = overall_rows(with_period(s.frame), spec, keep=(by,))
    rows, lab = rows_of(f, level, code)
    rows = rows.with_columns(name_expr(lab, rows.columns).alias("unit"))
    units = rows["unit"].unique(maintain_order=True).to_list()
    if len(units) > 1:
        raise InputError(
            f"the table has {len(units)} {lab} units ({units[:3]}); this chart shows one",
            column=code_column(lab),
            hint="pass code=",
        )
    _one_period(rows, "absence_by_group")
    labels = [_group_measure_label(s, m) for m in measures]
    group = pl.col(by).cast(pl.String)
    total_name = "All pupils"

    def tidy(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.with_columns(
            pl.when(group == spec.total)
            .then(pl.lit(total_name))
            .otherwise(group)
            .alias("group")
        )

    data = tidy(_long(s, rows, measures, labels))
    groups = [
        total_name,
        *sorted(
            g
            for g in data["group"].unique().to_list()
            if g is not None and g != total_name
        ),
    ]
    data = _keep(
        data,
        [
            "group",
            "unit",
            "_period",
            "measure",
            "_measure_order",
            "value",
            "value_shown",
            "symbol",
            "meaning",
        ],
    )
    y_enc = alt.Y("group:N", title=spec.label(by), sort=groups)
    y_off = alt.YOffset("measure:N", sort=labels)
    color = alt.Color(
        "measure:N",
        title=None,
        scale=alt.Scale(domain=labels, range=list(PALETTE[: len(labels)])),
        sort=labels,
    )
    tooltip = [
        alt.Tooltip("group:N", title="Group"),
        alt.Tooltip("measure:N", title="Measure"),
        alt.Tooltip("value_shown:Q", title="Percent", format=".1f"),
        alt.Tooltip("meaning:N", title="Not published"),
    ]
    base = alt.Chart(_inline(records(data)))
    bars = base.mark_bar().encode(
        y=y_enc,
        yOffset=y_off,
        x=alt.X("value:Q", title="Percentage of pupils", scale=alt.Scale(zero=True)),
        color=color,
        tooltip=tooltip,
    )
    layers: list[Any] = [bars]
    england: list[str] = []
    if national and lab != "National" and "geographic_level" in f.columns:
        nat_rows = f.filter(
            (pl.col("geographic_level") == "National")
            & pl.col("_period").is_in(rows["_period"].unique().implode())
        )
        if nat_rows.height:
            nat = tidy(_long(s, nat_rows, measures, labels))
            nat = _keep(nat, ["group", "measure", "value", "value_shown", "meaning"])
            england = [
                f"{lab} {_fmt(v, 1)}"
                for lab, v in nat.select("measure", "value").rows()
            ]
            layers.append(
                alt.Chart(_inline(records(nat)))
                .mark_tick(color="#0B0C0C", thickness=3, bandSize=14)
                .encode(
                    y=y_enc,
                    yOffset=y_off,
                    x=alt.X("value:Q"),
                    tooltip=[
                        alt.Tooltip("group:N", title="Group"),
                        alt.Tooltip("measure:N", title="England"),
                        alt.Tooltip("value_shown:Q", title="Percent", format=".1f"),
                    ],
                )
            )
    layers.append(
        _symbol_marks(base, {"y": y_enc, "yOffset": y_off, "x": alt.value(8)}, tooltip)
    )
    n_rows = len(groups) * len(labels)
    body = alt.layer(*layers).properties(
        width=width, height=height or max(120, 22 * n_rows)
    )
    n_gaps = int((data["value"].is_null() & data["symbol"].is_not_null()).sum())
    values = "; ".join(
        f"{g} {_lower(m)} {_fmt(v, 1)}%"
        for g, m, v in data.select("group", "measure", "value").rows()
    )
    unit = units[0] if units else lab
    what = " and ".join(labels)
    description = (
        f"Horizontal bar chart of {what} by {_lower(spec.label(by))} for {unit}"
        + (", with England's values marked" if england else "")
        + f": {values}."
        + _not_published(n_gaps, "value", "no bar")
    )
    subtitle = [f"{unit}, {rows['_period'][0] if rows.height else ''}"]
    if england:
        subtitle.append("Black marks: England")
    return _finish(
        body,
        title=title or f"{what} by {_lower(spec.label(by))}",
        subtitle=subtitle,
        description=description,
        notes=[*overall, *symbol_notes(data["symbol"], s.audience)],
        source=source,
        width=width,
        meta={
            "chart": "absence_by_group",
            "by": by,
            "measures": list(measures),
            "groups": groups,
            "national": bool(england),
            "gaps": n_gaps,
            "audience": s.audience,
        },
    )


def _lower(text: str) -> str:
    """Lower-case the first letter unless the word is an initialism (FSM, SEN)."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def _group_measure_label(s: Source, column: str) -> str:
    known = {
        "enrolments_pa_10_exact_percent": "Persistent absence (10%+ missed)",
        "enrolments_pa_50_exact_percent": "Severe absence (50%+ missed)",
    }
    return known.get(column) or s.label(column).removesuffix(" (%)")


# ------------------------------------------------------------------ heatmap
def weekly_heatmap(
    table: Table | ProtectedTable,
    *,
    measure: str = "sess_overall_percent",
    schools: Sequence[str | int] | None = None,
    title: str | None = None,
    source: str = DEFAULT_SOURCE,
    cell: int = 22,
) -> alt.VConcatChart:
    """Chart a trust's schools × weeks as a heatmap of a rate.

    One row per school (by name), one column per week, darker for a higher
    value on a single-hue scale (readable without colour vision). A cell not
    published is left white with its symbol in it.

    Parameters
    ----------
    table
        A table by ``week`` (or ``day``) with school rows: scope it to the
        trust's schools (``synth.generate(trust=...)``, an access scope) or
        pass ``schools``.
    measure
        The rate to colour by; default the overall absence rate.
    schools
        URNs of the schools to show; all the table's schools when left out.
    title
        The title; default from the measure.
    source
        The source line under the chart.
    cell
        Size of one cell, in pixels.

    Returns
    -------
    altair.VConcatChart
        The chart, with its footer; ``description`` holds the alt text.

    Raises
    ------
    InputError
        If the table has no school rows, no dated periods, or none of the
        schools asked for.

    Examples
    --------
    >>> import datetime as dt
    >>> import polars as pl
    >>> from makingdata.charts import weekly_heatmap
    >>> from makingdata.tables import Table
    >>> frame = pl.DataFrame(
    ...     {
    ...         "week_commencing": [dt.date(2025, 9, 8), dt.date(2025, 9, 15)] * 2,
    ...         "geographic_level": ["School"] * 4,
    ...         "school_urn": ["100001", "100001", "100002", "100002"],
    ...         "school_name": ["Ash Primary"] * 2 + ["Beech Academy"] * 2,
    ...         "sess_overall_percent": [5.1, 6.0, 7.3, None],
    ...     }
    ... )
    >>> meta = weekly_heatmap(Table.infer(frame)).to_dict()["usermeta"]["makingdata"]
    >>> meta["schools"], meta["weeks"], meta["gaps"]
    (['Ash Primary', 'Beech Academy'], 2, 1)
    """
    s = read(table, [measure])
    f, overall = overall_rows(with_period(s.frame), s.table.spec)
    rows, lab = rows_of(f, "school", None)
    if schools is not None:
        wanted = [str(u) for u in schools]
        rows = rows.filter(pl.col("school_urn").cast(pl.String).is_in(wanted))
        if rows.height == 0:
            raise InputError(
                f"none of the schools {wanted[:3]} is in the table",
                column="school_urn",
                hint="check the URNs, or leave schools= out to show every school",
            )
    x_col, is_date = time_axis(rows)
    if not is_date:
        raise InputError(
            "a weekly heatmap needs dated periods (a table by week or day)",
            hint='build the table with period="week"',
        )
    label = s.label(measure)
    places = s.decimals(measure)
    data = _long(s, rows, [measure], [label]).with_columns(
        name_expr(lab, rows.columns).alias("school"),
        pl.col(x_col).cast(pl.Date).dt.strftime("%-d %b").alias("week"),
    )
    data = _keep(
        data,
        [
            "school",
            "week",
            "_period",
            "_order",
            "value",
            "value_shown",
            "symbol",
            "meaning",
        ],
    ).sort("school", "_order")
    names = sorted(data["school"].unique().to_list())
    weeks = data.sort("_order").unique("week", maintain_order=True)["week"].to_list()
    x_enc = alt.X(
        "week:O",
        title="Week commencing" if x_col == "week_commencing" else "Date",
        sort=weeks,
        axis=alt.Axis(labelAngle=-45),
    )
    y_enc = alt.Y("school:N", title=None, sort=names, axis=alt.Axis(labelLimit=220))
    tooltip = [
        alt.Tooltip("school:N", title="School"),
        alt.Tooltip("_period:N", title="Week"),
        alt.Tooltip("value_shown:Q", title=label, format=f".{places}f"),
        alt.Tooltip("meaning:N", title="Not published"),
    ]
    base = alt.Chart(_inline(records(data)))
    cells = base.mark_rect(stroke="white", strokeWidth=1).encode(
        x=x_enc,
        y=y_enc,
        color=alt.Color(
            "value:Q",
            title=label,
            scale=alt.Scale(range=list(SEQUENTIAL), zero=True),
            legend=alt.Legend(gradientLength=160),
        ),
        tooltip=tooltip,
    )
    gaps = (
        base.transform_filter("datum.value === null && datum.symbol !== null")
        .mark_text(fontSize=11, fontWeight="bold", color=_NOTE_COLOR)
        .encode(x=x_enc, y=y_enc, text=alt.Text("symbol:N"), tooltip=tooltip)
    )
    body = alt.layer(cells, gaps).properties(
        width=alt.Step(cell), height=alt.Step(cell)
    )
    n_gaps = int((data["value"].is_null() & data["symbol"].is_not_null()).sum())
    worst = data.drop_nulls("value").sort("value", descending=True).head(1)
    peak = (
        f" Highest: {worst['school'][0]}, week of {worst['week'][0]}, "
        f"{_fmt(worst['value'][0], places)}."
        if worst.height
        else ""
    )
    description = (
        f"Heatmap of {label} for {len(names)} school{'' if len(names) == 1 else 's'} "
        f"over {len(weeks)} weeks "
        f"({weeks[0] if weeks else ''} to {weeks[-1] if weeks else ''}); darker is "
        f"higher.{peak}" + _not_published(n_gaps, "cell", "blank")
    )
    width = cell * max(len(weeks), 1) + 230
    return _finish(
        body,
        title=title or f"{label} by school and week",
        subtitle=[
            f"{len(names)} school{'' if len(names) == 1 else 's'}, {len(weeks)} weeks; "
            "darker is higher"
        ],
        description=description,
        notes=[*overall, *symbol_notes(data["symbol"], s.audience)],
        source=source,
        width=width,
        meta={
            "chart": "weekly_heatmap",
            "measure": measure,
            "schools": names,
            "weeks": len(weeks),
            "gaps": n_gaps,
            "audience": s.audience,
        },
    )
