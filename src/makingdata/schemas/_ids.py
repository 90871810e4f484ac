"""Identifier checks as polars expressions (private).

The shapes of text identifiers (new LA code, region code, trust id) come from
:mod:`makingdata.domain`, so there is one definition; numeric identifiers in
the contract dtypes are checked by range here, which is much faster than
casting millions of integers to text for a regex.
"""

from __future__ import annotations

import polars as pl

from makingdata.domain import (
    is_valid_lad_code_expr,
    is_valid_new_la_code_expr,
    is_valid_region_code_expr,
    is_valid_trust_id_expr,
)

#: Smallest and largest six-digit URN.
URN_MIN, URN_MAX = 100_000, 999_999
#: Smallest and largest seven-digit LAESTAB.
LAESTAB_MIN, LAESTAB_MAX = 1_000_000, 9_999_999
#: Smallest and largest three-digit old LA code.
OLD_LA_MIN, OLD_LA_MAX = 100, 999


def _col(col: str | pl.Expr) -> pl.Expr:
    return pl.col(col) if isinstance(col, str) else col


def urn_out_of_range(col: str | pl.Expr = "urn") -> pl.Expr:
    """Flag where a numeric URN is not six digits (null stays null)."""
    c = _col(col)
    return (c < URN_MIN) | (c > URN_MAX)


def laestab_out_of_range(col: str | pl.Expr = "laestab") -> pl.Expr:
    """Flag where a numeric LAESTAB is not seven digits."""
    c = _col(col)
    return (c < LAESTAB_MIN) | (c > LAESTAB_MAX)


def old_la_out_of_range(col: str | pl.Expr = "old_la_code") -> pl.Expr:
    """Flag where a numeric old LA code is not three digits."""
    c = _col(col)
    return (c < OLD_LA_MIN) | (c > OLD_LA_MAX)


def bad_new_la_code(col: str = "new_la_code") -> pl.Expr:
    """Flag text that is not a GSS LA code (E06, E08, E09, E10 + 6 digits)."""
    return is_valid_new_la_code_expr(col).not_()


def bad_region_code(col: str = "region_code") -> pl.Expr:
    """Flag text that is not a GSS region code (E12…, or E13000001/2 for London)."""
    return is_valid_region_code_expr(col).not_()


def bad_trust_id(col: str = "trust_id") -> pl.Expr:
    """Flag text that is not a trust id (``TR`` + 5 digits)."""
    return is_valid_trust_id_expr(col).not_()


def bad_lad_code(col: str = "lad_code") -> pl.Expr:
    """Flag text that is not a LAD code (E06, E07, E08, E09 + 6 digits)."""
    return is_valid_lad_code_expr(col).not_()
