"""Rates as ratio of sums, rounded half-up exactly as DfE does.

DfE computes a published percentage as ``n / d * 100`` in float64 and then
rounds that float half-up (Python's ``decimal`` ``ROUND_HALF_UP`` applied to the
float's exact binary value) to the published number of places. ``round()``
(banker's rounding) and ``floor(x * 10**dp + 0.5)`` both differ from it in edge
cases: the product ``x * 10**dp`` is itself rounded, so a value just below a
tie can land exactly on it. :func:`round_half_up` avoids that with an
error-free product (Dekker's *TwoProduct*): it keeps the rounding error of
``x * 10**dp`` as a second float and decides the tie on the exact sum.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
import polars as pl

from makingdata.codes import CODES
from makingdata.errors import InputError
from makingdata.tables import level

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

__all__ = [
    "GROUPINGS",
    "LABELS",
    "MEASURES",
    "ZERO_RATES",
    "Measure",
    "add_rates",
    "rate_expr",
    "round_five_up",
    "round_half_up",
]

#: Veltkamp's splitter for float64 (2**27 + 1).
_SPLITTER = 134217729.0
#: Largest magnitude for which ``x * 10**dp`` keeps a fractional part.
_MAX_EXACT = 2.0**52


def _split(x: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    c = x * _SPLITTER
    hi = c - (c - x)
    return hi, x - hi


def _split_float(x: float) -> tuple[float, float]:
    c = x * _SPLITTER
    hi = c - (c - x)
    return hi, x - hi


def round_half_up(value: str | pl.Expr, decimals: int) -> pl.Expr:
    """Round a float64 expression half-up (away from zero) to ``decimals`` places.

    The result equals ``float(Decimal(x).quantize(Decimal(10) ** -decimals,
    ROUND_HALF_UP))`` for every finite float64 ``x`` — ``Decimal(x)`` being the
    float's exact binary value — which is the rounding DfE applies to its
    published percentages. It is vectorised: the product ``x * 10**decimals`` is
    computed with its exact rounding error (Dekker's TwoProduct), so a tie is
    decided on the exact value, not on the rounded product. Nulls stay null;
    values too large to have a fractional part at this scale are returned as they
    are.

    Parameters
    ----------
    value
        A column name or float expression.
    decimals
        Places to keep, 0 to 15.

    Returns
    -------
    polars.Expr
        A float64 expression.

    Raises
    ------
    InputError
        If ``decimals`` is outside 0–15.

    Examples
    --------
    >>> import polars as pl
    >>> from makingdata.attendance import round_half_up
    >>> df = pl.DataFrame({"x": [2.5, 0.125, 2.675, 4.35, -2.5]})
    >>> df.select(round_half_up("x", 2))["x"].to_list()
    [2.5, 0.13, 2.67, 4.35, -2.5]
    >>> df.select(round_half_up("x", 1))["x"].to_list()
    [2.5, 0.1, 2.7, 4.3, -2.5]

    ``2.675`` is stored as 2.67499999999999982…, and ``4.35`` as
    4.34999999999999964…, so they round down, as ``decimal`` does;
    ``floor(x * 10**dp + 0.5) / 10**dp`` gives 2.68 and 4.4.
    """
    if type(decimals) is not int:
        raise InputError(
            f"decimals must be an int, got {decimals!r}",
            hint="pass the number of decimal places, e.g. decimals=1",
        )
    if not 0 <= decimals <= 15:
        raise InputError(
            f"decimals must be between 0 and 15, got {decimals}",
            hint="EES publishes 0 to 5 places; pass one of those",
        )
    x = (pl.col(value) if isinstance(value, str) else value).cast(pl.Float64)
    scale = float(10**decimals)
    s_hi, s_lo = _split_float(scale)
    a = x.abs()
    p = a * scale
    a_hi, a_lo = _split(a)
    # exact a * scale == p + err (TwoProduct; no overflow for |x| < 2**52 / scale)
    err = ((a_hi * s_hi - p) + a_hi * s_lo + a_lo * s_hi) + a_lo * s_lo
    f = p.floor()
    # (p - f) and (p - f - 0.5) are exact; the sign of d + err is exact.
    d = (p - f) - 0.5
    up = (d + err) >= 0.0
    # polars divides by a scalar as a multiplication by its reciprocal, which is
    # not correctly rounded (8123 / 10 -> 812.3000000000001); dividing by a
    # column of the scale is a true IEEE division, as ``float(Decimal)`` is.
    rounded = (f + pl.when(up).then(1.0).otherwise(0.0)) / (f * 0.0 + scale)
    ok = x.is_finite() & (p < _MAX_EXACT)
    sign = pl.when(x < 0).then(-1.0).otherwise(1.0)
    # the first branch is derived from ``x`` so the result keeps x's name
    return pl.when(ok).then(rounded * sign).otherwise(x)


#: dfeR's nudge before truncating: R's ``sqrt(.Machine$double.eps)``.
_DFER_NUDGE = 2.0**-26


def round_five_up(value: str | pl.Expr, decimals: int) -> pl.Expr:
    """Round as DfE's R package dfeR does (``round_five_up``), vectorised.

    dfeR computes ``trunc(abs(x) * 10^dp + 0.5 + sqrt(eps)) / 10^dp`` with the
    sign put back: the small nudge makes a product a hair below a half round
    up. It differs from :func:`round_half_up` (the exact binary value, which
    reproduces DfE's published annual absence percentages) where ``x *
    10^dp`` falls within about 1.5e-8 below a half: on the rates ``a / b *
    100`` at 1 place for 0 <= a <= b <= 1000 (501,500 rates), on 52. Use it
    to reproduce a figure an analyst made with dfeR.

    Parameters
    ----------
    value
        A column name or float expression.
    decimals
        Places to keep, 0 to 15.

    Returns
    -------
    polars.Expr
        A float64 expression; nulls stay null.

    Raises
    ------
    InputError
        If ``decimals`` is outside 0–15.

    Examples
    --------
    ``23 / 80 * 100`` is stored as 28.749999999999996…: the exact rule gives
    28.7, dfeR 28.8.

    >>> import polars as pl
    >>> from makingdata.attendance import round_five_up, round_half_up
    >>> df = pl.DataFrame({"x": [23 / 80 * 100, 2.5, -2.5, 0.125]})
    >>> df.select(round_five_up("x", 1))["x"].to_list()
    [28.8, 2.5, -2.5, 0.1]
    >>> df.select(round_half_up("x", 1))["x"].to_list()
    [28.7, 2.5, -2.5, 0.1]
    """
    round_half_up(pl.lit(0.0), decimals)  # the same check of decimals
    x = (pl.col(value) if isinstance(value, str) else value).cast(pl.Float64)
    scale = float(10**decimals)
    z = (x.abs() * scale + 0.5 + _DFER_NUDGE).floor()
    # a true division (as R's), not a multiplication by the reciprocal
    rounded = z / (z * 0.0 + scale)
    sign = pl.when(x < 0).then(-1.0).otherwise(1.0)
    return pl.when(x.is_finite()).then(rounded * sign).otherwise(x)


def _round_columns(
    frame: pl.LazyFrame, names: Mapping[str, str], decimals: int
) -> pl.LazyFrame:
    """Round float columns half-up into new columns, in stages (``src -> dst``).

    The same arithmetic as :func:`round_half_up`, staged through temporary
    columns so that the query plan stays small when dozens of rates are rounded.
    """
    check_decimals(decimals)
    scale = float(10**decimals)
    s_hi, s_lo = _split_float(scale)
    t = {k: f"__rh{i}" for i, k in enumerate(names)}

    def c(k: str, part: str) -> pl.Expr:
        return pl.col(f"{t[k]}_{part}")

    frame = frame.with_columns(
        pl.col(k).cast(pl.Float64).abs().alias(f"{t[k]}_a") for k in names
    )
    frame = frame.with_columns(
        e
        for k in names
        for e in (
            (c(k, "a") * scale).alias(f"{t[k]}_p"),
            (c(k, "a") * _SPLITTER).alias(f"{t[k]}_c"),
        )
    )
    frame = frame.with_columns(
        (c(k, "c") - (c(k, "c") - c(k, "a"))).alias(f"{t[k]}_hi") for k in names
    )
    frame = frame.with_columns(
        e
        for k in names
        for e in (
            (c(k, "a") - c(k, "hi")).alias(f"{t[k]}_lo"),
            c(k, "p").floor().alias(f"{t[k]}_f"),
        )
    )
    frame = frame.with_columns(
        (
            ((c(k, "hi") * s_hi - c(k, "p")) + c(k, "hi") * s_lo + c(k, "lo") * s_hi)
            + c(k, "lo") * s_lo
        ).alias(f"{t[k]}_e")
        for k in names
    )
    out = []
    for k, dst in names.items():
        x = pl.col(k).cast(pl.Float64)
        up = ((c(k, "p") - c(k, "f")) - 0.5 + c(k, "e")) >= 0.0
        rounded = (c(k, "f") + pl.when(up).then(1.0).otherwise(0.0)) / (
            c(k, "f") * 0.0 + scale
        )
        sign = pl.when(x < 0).then(-1.0).otherwise(1.0)
        ok = x.is_finite() & (c(k, "p") < _MAX_EXACT)
        out.append(pl.when(ok).then(rounded * sign).otherwise(x).alias(dst))
    frame = frame.with_columns(out)
    return frame.drop(
        [f"{t[k]}_{p}" for k in names for p in ("a", "p", "c", "hi", "lo", "f", "e")]
    )


#: What a rate over a zero denominator is: ``"z"`` (no value; written ``z``,
#: not applicable, as the EES standard says), ``"0"`` (0.0, as DfE's
#: 2018/19 annual absence file publishes) or ``"."`` (no value; written ``.``
#: in a plain CSV, as DfE's files before EES did — an EES file always writes
#: ``z``).
ZERO_RATES: tuple[str, ...] = ("z", "0", ".")


def check_zero_rate(zero_rate: str) -> None:
    """Raise :class:`InputError` unless ``zero_rate`` is one of :data:`ZERO_RATES`."""
    if zero_rate not in ZERO_RATES:
        raise InputError(
            f"zero_rate must be 'z', '0' or '.', got {zero_rate!r}",
            column="zero_rate",
            hint="'z' writes z (not applicable) for a rate over a zero "
            "denominator, as the EES standard says; '0' writes 0.0, as DfE's "
            "2018/19 annual absence file does; '.' writes . in a plain CSV, as "
            "DfE's files before EES did",
        )


def rate_expr(
    numerator: str | pl.Expr,
    denominator: str | pl.Expr,
    decimals: int | None = None,
    *,
    zero_rate: str = "z",
) -> pl.Expr:
    """Return ``numerator / denominator * 100`` in float64, rounded half-up if asked.

    This is DfE's rate: a ratio of sums (never a mean of rates), computed in
    float64 as ``n / d * 100`` and rounded with :func:`round_half_up` to the
    published places. A zero denominator gives no value (null), which the EES
    writer publishes as ``z`` (not applicable), as the EES standard says;
    ``zero_rate="0"`` gives 0.0 instead, as DfE's 2018/19 annual absence file
    publishes for a group with no possible sessions.

    Parameters
    ----------
    numerator
        Column name or expression of the count on top.
    denominator
        Column name or expression of the count below.
    decimals
        Places to round to; ``None`` keeps the unrounded float.
    zero_rate
        ``"z"`` (default: null, written ``z``), ``"0"`` (0.0) or ``"."``
        (null, written ``.`` in a plain CSV).

    Examples
    --------
    >>> import polars as pl
    >>> from makingdata.attendance import rate_expr
    >>> df = pl.DataFrame({"n": [2043, 0], "d": [77231, 0]})
    >>> df.select(rate_expr("n", "d", 5).alias("p"))["p"].to_list()
    [2.64531, None]
    >>> df.select(rate_expr("n", "d", 5, zero_rate="0").alias("p"))["p"].to_list()
    [2.64531, 0.0]
    """
    check_zero_rate(zero_rate)
    # non-strict: a count published as a symbol (``x``, ``c``) gives no rate
    n = (pl.col(numerator) if isinstance(numerator, str) else numerator).cast(
        pl.Float64, strict=False
    )
    d = (pl.col(denominator) if isinstance(denominator, str) else denominator).cast(
        pl.Float64, strict=False
    )
    zero = pl.lit(0.0) if zero_rate == "0" else pl.lit(None, pl.Float64)
    raw = pl.when(d == 0).then(zero).otherwise(n / d * 100.0)
    return raw if decimals is None else round_half_up(raw, decimals)


@attrs.frozen(slots=True)
class Measure:
    """A published percentage: ``numerator / denominator * 100``.

    Attributes
    ----------
    name
        Output column, ending in ``_percent`` (or DfE's census form
        ``sess_overall_percent_pa_10_exact``).
    numerator
        Count column on top.
    denominator
        Count column below.
    label
        The label EES shows (``""``: derived from the name).

    Examples
    --------
    >>> from makingdata.attendance import MEASURES
    >>> m = next(m for m in MEASURES if m.name == "enrolments_pa_10_exact_percent")
    >>> (m.numerator, m.denominator, m.label)
    ('enrolments_pa_10_exact', 'enrolments', 'Percentage of enrolments persistently absent')
    """

    name: str
    numerator: str
    denominator: str
    label: str = ""


#: Labels of the attendance tables' counts and breakdowns, as EES shows them.
_COUNT_LABELS: dict[str, str] = {
    "num_schools": "Number of schools",
    "enrolments": "Number of pupil enrolments",
    "sess_possible": "Number of possible sessions",
    "sess_attendance": "Number of sessions attended (present or approved activity)",
    "sess_present": "Number of sessions present",
    "sess_aea": "Number of approved educational activity sessions",
    "sess_overall": "Number of overall absence sessions",
    "sess_authorised": "Number of authorised absence sessions",
    "sess_unauthorised": "Number of unauthorised absence sessions",
    "sess_late": "Number of late sessions",
    "sess_not_counted": "Number of sessions not counted as possible",
    "reason_present": "Number of sessions present (all present codes)",
    "enrolments_pa_10_exact": "Number of persistent absentees (10% or more missed)",
    "enrolments_pa_50_exact": "Number of severe absentees (50% or more missed)",
    "fsm_status": "FSM status",
    "sen_provision": "SEN provision",
    "sen_status": "SEN status",
    "ethnicity_major": "Ethnicity (major group)",
    "sex": "Sex",
    "year_group": "Year group",
    "looked_after": "Looked after",
    "child_in_need": "Child in need",
    "education_phase": "Education phase",
    "school_type": "School type",
    "phase_type_grouping": "Phase type grouping",
    "establishment_type_group": "Establishment type group",
    "attendance_date": "Date",
    "week_commencing": "Week commencing",
    "half_term": "Half term",
    "period_start": "Period start",
    "period_end": "Period end",
}
_COUNT_LABELS.update(
    {c.dfe_reason: f"Sessions coded {c.code} ({c.label})" for c in CODES.values()}
)
for _sfx, _who in (("_pa_10_exact", "persistent"), ("_pa_50_exact", "severe")):
    for _c in ("sess_possible", "sess_overall", "sess_authorised", "sess_unauthorised"):
        _COUNT_LABELS[f"{_c}{_sfx}"] = f"{_COUNT_LABELS[_c]} of {_who} absentees"

_RATE_LABELS: dict[str, str] = {
    "sess_overall_percent": "Overall absence rate",
    "sess_authorised_percent": "Authorised absence rate",
    "sess_unauthorised_percent": "Unauthorised absence rate",
    "sess_attendance_percent": "Attendance rate",
    "sess_present_percent": "Present rate",
    "sess_aea_percent": "Approved educational activity rate",
    "sess_late_percent": "Late rate",
    "enrolments_pa_10_exact_percent": "Percentage of enrolments persistently absent",
    "enrolments_pa_50_exact_percent": "Percentage of enrolments severely absent",
}


def _measure(name: str, numerator: str, denominator: str) -> Measure:
    label = (
        _RATE_LABELS.get(name) or f"{_COUNT_LABELS.get(numerator, numerator)} (percent)"
    )
    return Measure(name, numerator, denominator, label)


def _build_measures() -> tuple[Measure, ...]:
    out: list[Measure] = []
    sess = (
        "sess_overall",
        "sess_authorised",
        "sess_unauthorised",
        "sess_attendance",
        "sess_present",
        "sess_aea",
        "sess_late",
    )
    out.extend(_measure(f"{c}_percent", c, "sess_possible") for c in sess)
    out.extend(
        _measure(f"{c.dfe_reason}_percent", c.dfe_reason, "sess_possible")
        for c in CODES.values()
        if c.counted_in_possible
    )
    out.append(_measure("reason_present_percent", "reason_present", "sess_possible"))
    out.extend(
        _measure(f"enrolments_{k}_percent", f"enrolments_{k}", "enrolments")
        for k in ("pa_10_exact", "pa_50_exact")
    )
    for k in ("pa_10_exact", "pa_50_exact"):
        out.extend(
            _measure(f"{c}_percent_{k}", f"{c}_{k}", f"sess_possible_{k}")
            for c in ("sess_overall", "sess_authorised", "sess_unauthorised")
        )
    return tuple(out)


#: Every percentage makingdata knows how to derive: the in-year DfE session
#: rates, a rate per reason, and the census persistent/severe absence rates
#: (``enrolments_pa_10_exact_percent``, ``sess_overall_percent_pa_10_exact`` …).
MEASURES: tuple[Measure, ...] = _build_measures()

#: The label of every column of an attendance table that has one: counts,
#: breakdowns, period columns and every measure (defined once, here; the
#: tables' specs carry them to the EES metadata).
LABELS: Mapping[str, str] = {
    **_COUNT_LABELS,
    **{m.name: m.label for m in MEASURES},
}


def add_rates(
    frame: pl.LazyFrame,
    /,
    *,
    decimals: int | None = None,
    measures: Iterable[Measure] | None = None,
    places: Mapping[str, int | None] | None = None,
    zero_rate: str = "z",
) -> pl.LazyFrame:
    """Append every measure whose numerator and denominator are in ``frame``.

    Parameters
    ----------
    frame
        Additive counts.
    decimals
        Places to round to (half-up); ``None`` keeps unrounded floats.
    measures
        The measures to try; default :data:`MEASURES`.
    places
        Places by level, overriding ``decimals`` row by row: keys are level
        names in the one vocabulary of :func:`makingdata.tables.level`
        (``"la"`` or ``"Local authority"``, ``"national"`` or ``"National"``);
        a level mapped to ``None`` keeps unrounded floats.
    zero_rate
        A rate over a zero denominator: ``"z"`` (null, written ``z``) or
        ``"0"`` (0.0); see :func:`rate_expr`.

    Examples
    --------
    >>> import polars as pl
    >>> from makingdata.attendance import add_rates
    >>> lf = pl.LazyFrame(
    ...     {
    ...         "geographic_level": ["National", "Regional"],
    ...         "sess_possible": [380, 380],
    ...         "sess_overall": [19, 19],
    ...     }
    ... )
    >>> add_rates(lf, decimals=1).collect()["sess_overall_percent"].to_list()
    [5.0, 5.0]
    >>> out = add_rates(lf, places={"National": 0, "Regional": 2}).collect()
    >>> out["sess_overall_percent"].to_list()
    [5.0, 5.0]
    """
    names = frame.collect_schema().names()
    present = set(names)
    todo = [
        m
        for m in (MEASURES if measures is None else measures)
        if m.numerator in present and m.denominator in present
    ]
    if places is not None:
        for v in places.values():
            if v is not None:
                check_decimals(v)
    # the unrounded rates first, as columns, so that each rounding expression
    # refers to a column rather than repeating the rate's expression tree
    frame = frame.with_columns(
        rate_expr(m.numerator, m.denominator, zero_rate=zero_rate).alias(m.name)
        for m in todo
    )
    if places is None:
        if decimals is None:
            return frame
        return _round_columns(frame, {m.name: m.name for m in todo}, decimals)
    by_dp: dict[int | None, list[str]] = {}
    for key, dp in places.items():
        # one vocabulary for levels: "la" and "Local authority" name the same rows
        label = _level_label(key)
        by_dp.setdefault(dp, []).append(label)
    for dp in by_dp:
        if dp is not None:
            frame = _round_columns(
                frame, {m.name: f"__dp{dp}_{m.name}" for m in todo}, dp
            )
    exprs: list[pl.Expr] = []
    for m in todo:
        expr: pl.Expr = pl.lit(None, pl.Float64)
        for dp, levels in by_dp.items():
            val = pl.col(m.name) if dp is None else pl.col(f"__dp{dp}_{m.name}")
            expr = (
                pl.when(pl.col("geographic_level").is_in(levels))
                .then(val)
                .otherwise(expr)
            )
        exprs.append(expr.alias(m.name))
    frame = frame.with_columns(exprs)
    return frame.drop(
        [f"__dp{dp}_{m.name}" for dp in by_dp if dp is not None for m in todo]
    )


def _level_label(name: str) -> str:
    """Return the ``geographic_level`` value a level name stands for (EES labels pass through)."""
    try:
        return level(name).label
    except InputError:
        return name


def check_decimals(decimals: int | None) -> None:
    """Raise :class:`InputError` unless ``decimals`` is None or 0–15."""
    if decimals is not None:
        round_half_up(pl.lit(0.0), decimals)


def measure_names(columns: Sequence[str]) -> list[str]:
    """Return the names of the known measures derivable from ``columns``."""
    present = set(columns)
    return [
        m.name for m in MEASURES if m.numerator in present and m.denominator in present
    ]


def _grouping_of(column: str) -> str:
    for suffix, group in (
        ("_pa_10_exact", "Persistent absence"),
        ("_pa_50_exact", "Severe absence"),
    ):
        if suffix in column:
            return group
    if column.startswith("reason_"):
        return "Sessions by reason"
    if column in ("num_schools", "enrolments"):
        return "Schools and pupils"
    return "Sessions"


#: EES ``indicator_grouping`` of every indicator the attendance kernels write
#: (counts, reasons, persistent and severe absence, every measure).
GROUPINGS: Mapping[str, str] = {
    c: _grouping_of(c)
    for c in (
        *(k for k in _COUNT_LABELS if k.startswith(("sess_", "reason_", "enrolments"))),
        "num_schools",
        *(m.name for m in MEASURES),
    )
}
