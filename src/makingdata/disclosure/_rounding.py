"""Rounding of counts to a base (5 or 10), half up, as DfE rounds published counts.

Python's :func:`round` rounds half to even ("banker's rounding"), which DfE does
not use; polars' default is the same. These helpers use exact integer
arithmetic so that a tie (a count ending in 5 when rounding to 10) always goes
away from zero, like :data:`decimal.ROUND_HALF_UP`.

Rates and other decimals are rounded by
:func:`makingdata.attendance.round_half_up` (to a number of decimal places);
these functions round whole counts to a base.
"""

from __future__ import annotations

import polars as pl

from makingdata.errors import RuleError

__all__ = ["round_to_base", "round_to_base_expr"]


def _check_base(base: int) -> None:
    if isinstance(base, bool) or base < 1:
        raise RuleError(
            f"rounding base must be a positive whole number, got {base!r}",
            hint="use 5 or 10, as DfE does",
        )


def round_to_base(value: int, base: int) -> int:
    """Round one whole number to the nearest multiple of ``base``, ties away from zero.

    Parameters
    ----------
    value
        The count to round.
    base
        The rounding base, usually 5 or 10.

    Returns
    -------
    int
        The rounded count.

    Examples
    --------
    >>> round_to_base(15, 10), round_to_base(14, 10), round_to_base(-15, 10)
    (20, 10, -20)
    >>> round_to_base(2, 5), round_to_base(3, 5)
    (0, 5)

    Renamed from ``round_half_up`` in 0.1: ``round_half_up`` now means
    rounding to decimal places only (:func:`makingdata.round_half_up`).
    """
    _check_base(base)
    sign = -1 if value < 0 else 1
    return sign * ((2 * abs(value) + base) // (2 * base)) * base


def round_to_base_expr(expr: pl.Expr, base: int) -> pl.Expr:
    """Round an integer expression to a multiple of ``base``, ties away from zero.

    Exact integer arithmetic: ``sign(x) * floor((2|x| + base) / (2 base)) * base``,
    the same result as :data:`decimal.ROUND_HALF_UP`. Nulls stay null.

    Parameters
    ----------
    expr
        An integer-valued expression (floats are truncated towards zero first;
        round rates with the kernel that computes them, not here).
    base
        The rounding base, usually 5 or 10.

    Returns
    -------
    polars.Expr
        The rounded values as ``Int64``.

    Examples
    --------
    >>> import polars as pl
    >>> df = pl.DataFrame({"n": [0, 2, 3, 7, 15, 25, None]})
    >>> df.select(round_to_base_expr(pl.col("n"), 5))["n"].to_list()
    [0, 0, 5, 5, 15, 25, None]
    >>> df.select(round_to_base_expr(pl.col("n"), 10))["n"].to_list()
    [0, 0, 0, 10, 20, 30, None]

    Renamed from ``round_half_up_expr`` in 0.1.
    """
    _check_base(base)
    x = expr.cast(pl.Int64)
    magnitude = ((x.abs() * 2 + base) // (2 * base)) * base
    return magnitude * pl.when(x < 0).then(-1).otherwise(1)


#: The old names (public as ``makingdata.disclosure.round_half_up`` and
#: ``round_half_up_expr``, deprecated there), kept here without a warning for
#: the modules inside makingdata that still import them.
round_half_up = round_to_base
round_half_up_expr = round_to_base_expr
