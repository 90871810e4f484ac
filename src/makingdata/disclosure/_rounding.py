"""Half-up rounding of counts to a base (5 or 10), as DfE rounds published counts.

Python's :func:`round` rounds half to even ("banker's rounding"), which DfE does
not use; polars' default is the same. These helpers use exact integer
arithmetic so that a tie (a count ending in 5 when rounding to 10) always goes
away from zero, like :data:`decimal.ROUND_HALF_UP`.
"""

from __future__ import annotations

import polars as pl

from makingdata.errors import RuleError

__all__ = ["round_half_up", "round_half_up_expr"]


def _check_base(base: int) -> None:
    if isinstance(base, bool) or base < 1:
        raise RuleError(
            f"rounding base must be a positive whole number, got {base!r}",
            hint="use 5 or 10, as DfE does",
        )


def round_half_up(value: int, base: int) -> int:
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
    >>> round_half_up(15, 10), round_half_up(14, 10), round_half_up(-15, 10)
    (20, 10, -20)
    >>> round_half_up(2, 5), round_half_up(3, 5)
    (0, 5)
    """
    _check_base(base)
    sign = -1 if value < 0 else 1
    return sign * ((2 * abs(value) + base) // (2 * base)) * base


def round_half_up_expr(expr: pl.Expr, base: int) -> pl.Expr:
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
    >>> df.select(round_half_up_expr(pl.col("n"), 5))["n"].to_list()
    [0, 0, 5, 5, 15, 25, None]
    >>> df.select(round_half_up_expr(pl.col("n"), 10))["n"].to_list()
    [0, 0, 0, 10, 20, 30, None]
    """
    _check_base(base)
    x = expr.cast(pl.Int64)
    magnitude = ((x.abs() * 2 + base) // (2 * base)) * base
    return magnitude * pl.when(x < 0).then(-1).otherwise(1)
