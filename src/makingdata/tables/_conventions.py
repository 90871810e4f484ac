"""DfE analysts' conventions (the dfeR package): year formats and ``z`` for blanks.

Private: the public names are re-exported by :mod:`makingdata.tables`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import polars as pl

from makingdata.errors import InputError
from makingdata.tables._vocabulary import GEOGRAPHY_COLUMNS, KEY_COLUMNS, TIME_COLUMNS

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "format_ay",
    "format_ay_reverse",
    "format_fy",
    "format_fy_reverse",
    "z_replace",
]

_SIX_DIGITS = re.compile(r"^[0-9]{6}$")


def _six(year: int | str, what: str, example: str) -> str:
    text = str(year)
    if not _SIX_DIGITS.match(text):
        raise InputError(
            f"{year!r} is not a six-digit {what} such as {example}",
            column="time_period",
            hint=f"give the year as EES writes time_period, e.g. {example}",
        )
    return text


def format_ay(year: int | str) -> str:
    """Return an academic year as people read it: ``201617`` -> ``2016/17``.

    dfeR's ``format_ay``.

    Examples
    --------
    >>> from makingdata.tables import format_ay
    >>> format_ay(201617), format_ay("202526")
    ('2016/17', '2025/26')
    """
    text = _six(year, "academic year", "201617")
    return f"{text[:4]}/{text[4:]}"


def format_ay_reverse(year: str) -> str:
    """Return the EES ``time_period`` of an academic year: ``2016/17`` -> ``201617``.

    dfeR's ``format_ay_reverse``.

    Examples
    --------
    >>> from makingdata.tables import format_ay_reverse
    >>> format_ay_reverse("2016/17")
    '201617'
    """
    if not re.match(r"^\d{4}/\d{2}$", year):
        raise InputError(
            f"{year!r} is not an academic year written as 2016/17",
            column="time_period",
            hint="give the year as four digits, a slash and two digits",
        )
    return year.replace("/", "")


def format_fy(year: int | str) -> str:
    """Return a financial year as people read it: ``201617`` -> ``2016-17``.

    dfeR's ``format_fy``.

    Examples
    --------
    >>> from makingdata.tables import format_fy
    >>> format_fy(201617)
    '2016-17'
    """
    text = _six(year, "financial year", "201617")
    return f"{text[:4]}-{text[4:]}"


def format_fy_reverse(year: str) -> str:
    """Return the EES ``time_period`` of a financial year: ``2016-17`` -> ``201617``.

    dfeR's ``format_fy_reverse``.

    Examples
    --------
    >>> from makingdata.tables import format_fy_reverse
    >>> format_fy_reverse("2016-17")
    '201617'
    """
    if not re.match(r"^\d{4}-\d{2}$", year):
        raise InputError(
            f"{year!r} is not a financial year written as 2016-17",
            column="time_period",
            hint="give the year as four digits, a hyphen and two digits",
        )
    return year.replace("-", "")


def _squash(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def _is_identifier(name: str) -> bool:
    return (
        name in TIME_COLUMNS
        or name == "geographic_level"
        or name in GEOGRAPHY_COLUMNS
        or name in KEY_COLUMNS
        or name.endswith(("_code", "_name"))
    )


def z_replace(
    frame: pl.DataFrame,
    replacement: str = "z",
    *,
    exclude: Iterable[str] = (),
) -> pl.DataFrame:
    """Write ``z`` (not applicable) in every blank cell outside the identifiers.

    dfeR's ``z_replace``: every column but the time and geography columns
    (``time_period``, ``time_identifier``, ``geographic_level``, the codes and
    names of every level — any ``*_code`` or ``*_name`` column — and
    ``exclude``) becomes text, with nulls replaced by ``replacement``. EES
    wants a symbol, never a blank, in an indicator; ``z`` is the standard's
    symbol for a cell that does not apply. A time or geography column spelt
    otherwise than in snake case (``Time Period``) is refused, as dfeR does,
    because it would be treated as an indicator.

    Parameters
    ----------
    frame
        An EES-shaped table.
    replacement
        The symbol written in blank cells (default ``z``).
    exclude
        Further columns left as they are.

    Returns
    -------
    polars.DataFrame
        The same columns, in order.

    Raises
    ------
    InputError
        If the table has no rows, or a time or geography column is not in
        snake case.

    Examples
    --------
    >>> import polars as pl
    >>> from makingdata.tables import z_replace
    >>> table = pl.DataFrame(
    ...     {"time_period": [202425], "la_name": [None], "rate": [None], "n": [4]}
    ... )
    >>> z_replace(table).row(0)
    (202425, None, 'z', '4')
    """
    if frame.height == 0:
        raise InputError(
            "the table has no rows to replace blanks in",
            hint="pass the table after it is built",
        )
    skip = set(exclude)
    for name in frame.columns:
        squashed = _squash(name)
        if name != squashed and _is_identifier(squashed):
            raise InputError(
                f"column {name!r} looks like the time or geography column "
                f"{squashed!r} but is not spelt so",
                column=name,
                hint=f"rename it to {squashed!r} (EES column names are snake case)",
            )
    return frame.with_columns(
        pl.col(c).cast(pl.String).fill_null(replacement)
        for c in frame.columns
        if c not in skip and not _is_identifier(c)
    )
