"""Identifier checks as polars expressions (private).

These are the shapes of the identifiers in the frame contracts. They are kept
here so that :mod:`makingdata.schemas` does not depend on the order in which
the package's modules land; the same rules live in :mod:`makingdata.domain`
for single values, and the two should be unified when both exist.
"""

from __future__ import annotations

import polars as pl

#: Smallest and largest six-digit URN.
URN_MIN, URN_MAX = 100_000, 999_999
#: Smallest and largest seven-digit LAESTAB.
LAESTAB_MIN, LAESTAB_MAX = 1_000_000, 9_999_999
#: Smallest and largest three-digit old LA code.
OLD_LA_MIN, OLD_LA_MAX = 100, 999

NEW_LA_CODE_PATTERN = r"^E(06|07|08|09|10)\d{6}$"
REGION_CODE_PATTERN = r"^E1[23]\d{6}$"
TRUST_ID_PATTERN = r"^TR\d{5}$"


def urn_out_of_range(col: str | pl.Expr = "urn") -> pl.Expr:
    """Flag where a numeric URN is not six digits (null stays null)."""
    c = pl.col(col) if isinstance(col, str) else col
    return (c < URN_MIN) | (c > URN_MAX)


def laestab_out_of_range(col: str | pl.Expr = "laestab") -> pl.Expr:
    """Flag where a numeric LAESTAB is not seven digits."""
    c = pl.col(col) if isinstance(col, str) else col
    return (c < LAESTAB_MIN) | (c > LAESTAB_MAX)


def old_la_out_of_range(col: str | pl.Expr = "old_la_code") -> pl.Expr:
    """Flag where a numeric old LA code is not three digits."""
    c = pl.col(col) if isinstance(col, str) else col
    return (c < OLD_LA_MIN) | (c > OLD_LA_MAX)


def not_matching(col: str, pattern: str) -> pl.Expr:
    """Flag where a string column does not match ``pattern`` (null stays null)."""
    return pl.col(col).str.contains(pattern).not_()
