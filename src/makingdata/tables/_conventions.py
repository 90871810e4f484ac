"""DfE analysts' conventions (the dfeR package): year formats and ``z`` for blanks.

Private: the public names are re-exported by :mod:`makingdata.tables`.
"""

from __future__ import annotations

import math
import re
import sys
from typing import TYPE_CHECKING, overload

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
    "pretty_num",
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
    return _unsplit(year, "/", "an academic year", "a slash")


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
    return _unsplit(year, "-", "a financial year", "a hyphen")


def _unsplit(year: str, sep: str, kind: str, sep_name: str) -> str:
    """``2016<sep>17`` -> ``201617``, or an error naming the form expected."""
    if not re.fullmatch(rf"\d{{4}}{re.escape(sep)}\d{{2}}", year):
        raise InputError(
            f"{year!r} is not {kind} written as 2016{sep}17",
            column="time_period",
            hint=f"give the year as four digits, {sep_name} and two digits",
        )
    return year.replace(sep, "")


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


#: dfeR's nudge in ``round_five_up``: R's ``sqrt(.Machine$double.eps)``.
_DFER_NUDGE = math.sqrt(sys.float_info.epsilon)
#: Significant digits R's ``format`` shows by default (``digits = 7``).
_R_DIGITS = 7
_BILLION = 1e9
_MILLION = 1e6

Number = int | float | str | None


def _round_five_up(x: float, dp: int) -> float:
    """Round one number as dfeR's ``round_five_up`` does (``dp`` may be negative)."""
    scale = 10.0**dp
    z = math.trunc(abs(x) * scale + 0.5 + _DFER_NUDGE)
    return math.copysign(z / scale, x) if x else 0.0


def _comma_sep(x: float, nsmall: int) -> str:
    """Write a number as dfeR's ``comma_sep`` (R's ``format(x, big.mark = ",", nsmall = nsmall)``).

    R shows a number to 7 significant digits, dropping trailing zeros, and at
    least ``nsmall`` decimal places.
    """
    places = 0
    if x != 0 and math.isfinite(x):
        magnitude = math.floor(math.log10(abs(x)))
        text = f"{abs(x):.{max(0, _R_DIGITS - 1 - magnitude)}f}"
        if "." in text:
            places = len(text.split(".")[1].rstrip("0"))
    return f"{x:,.{max(places, nsmall)}f}"


def _as_number(value: Number) -> float | None:
    """R's ``as.numeric``: a number, or text that reads as one (else None)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        x = float(value)
    else:
        try:
            x = float(str(value).strip())
        except ValueError:
            return None
    return x if math.isfinite(x) else None


def _dynamic_dp(x: float, dp: int, dynamic: int) -> int:
    """Return the places dfeR's ``determine_dp`` gives: ``dynamic`` for millions and billions that are not whole."""
    for unit in (_BILLION, _MILLION):
        if abs(x) >= unit:
            return dynamic if (x / unit) % 1 != 0 else 0
    return dp


def _pretty_one(
    value: Number,
    *,
    prefix: str,
    gbp: bool,
    suffix: str,
    dp: int,
    ignore_na: bool,
    alt_na: str | None,
    nsmall: int | None,
    dynamic_dp_value: int | None,
    abbreviate: bool,
) -> str | None:
    x = _as_number(value)
    if x is None:
        if ignore_na:
            return None if value is None else str(value)
        return alt_na
    if dynamic_dp_value is not None:
        dp = _dynamic_dp(x, dp, dynamic_dp_value)
    currency = "\u00a3" if gbp else ""
    if prefix == "+/-":
        prefix = "+" if x >= 0 else "-"
    elif x < 0:
        prefix = "-" + prefix
    if nsmall is None:
        nsmall = dp if dp > 0 else 0
    unit = ""
    scaled = abs(x)
    if abbreviate and scaled >= _BILLION:
        scaled, unit = scaled / _BILLION, " billion"
    elif abbreviate and scaled >= _MILLION:
        scaled, unit = scaled / _MILLION, " million"
    body = _comma_sep(_round_five_up(scaled, dp), nsmall)
    return f"{prefix}{currency}{body}{unit}{suffix}"


@overload
def pretty_num(
    value: Number,
    *,
    prefix: str = ...,
    gbp: bool = ...,
    suffix: str = ...,
    dp: int = ...,
    ignore_na: bool = ...,
    alt_na: str | None = ...,
    nsmall: int | None = ...,
    dynamic_dp_value: int | None = ...,
    abbreviate: bool = ...,
) -> str | None: ...


@overload
def pretty_num(
    value: list[Number] | tuple[Number, ...] | pl.Series,
    *,
    prefix: str = ...,
    gbp: bool = ...,
    suffix: str = ...,
    dp: int = ...,
    ignore_na: bool = ...,
    alt_na: str | None = ...,
    nsmall: int | None = ...,
    dynamic_dp_value: int | None = ...,
    abbreviate: bool = ...,
) -> list[str | None]: ...


def pretty_num(
    value: Number | list[Number] | tuple[Number, ...] | pl.Series,
    *,
    prefix: str = "",
    gbp: bool = False,
    suffix: str = "",
    dp: int = 0,
    ignore_na: bool = False,
    alt_na: str | None = None,
    nsmall: int | None = None,
    dynamic_dp_value: int | None = None,
    abbreviate: bool = True,
) -> str | list[str | None] | None:
    """Format a number for people to read, as dfeR's ``pretty_num`` does.

    The value is rounded with dfeR's ``round_five_up`` to ``dp`` places
    (negative: to tens, hundreds …), written with thousands separators, and
    abbreviated to millions (1e6 to 1e9) or billions (1e9 and above). A
    negative number gets ``-`` before the prefix and the pound sign.

    Parameters
    ----------
    value
        A number, text that reads as a number (``"56.089"``), or a sequence
        or polars Series of them (then a list is returned). Infinity and NaN
        count as not a number (``None``, or ``ignore_na``/``alt_na``): a
        difference from dfeR, where R writes infinity as ``"Inf billion"``.
    prefix
        Text before the number; ``"+/-"`` writes ``+`` or ``-`` by the sign.
    gbp
        Put a pound sign (``£``) before the number.
    suffix
        Text after the number (``"%"``).
    dp
        Decimal places to round to (0 by default; negative rounds to tens …).
    ignore_na
        A value that is not a number is returned as it is (``"x"``).
    alt_na
        What to return for a value that is not a number (``"x"``, ``"z"``);
        default ``None`` (R's ``NA``).
    nsmall
        The least number of decimal places shown; default ``dp`` (0 when
        ``dp`` is negative).
    dynamic_dp_value
        Places for a million or billion value that is not whole (a whole one
        gets 0); overrides ``dp`` for such values.
    abbreviate
        Write millions and billions as words.

    Returns
    -------
    str, None or list
        The text (``None`` for a value that is not a number, unless
        ``ignore_na`` or ``alt_na``); a list for a sequence.

    Examples
    --------
    >>> from makingdata.tables import pretty_num
    >>> pretty_num(5789, gbp=True), pretty_num(564, prefix="+/-")
    ('£5,789', '+564')
    >>> pretty_num(11**9, gbp=True, dp=3), pretty_num(-(11**8), gbp=True, dp=-1)
    ('£2.358 billion', '-£210 million')
    >>> pretty_num(43.3, dp=1, nsmall=2), pretty_num("56.089", suffix="%")
    ('43.30', '56%')
    >>> pretty_num([3998098008, -123421421, "c", "x"], alt_na="z")
    ['4 billion', '-123 million', 'z', 'z']
    """
    options = {
        "prefix": prefix,
        "gbp": gbp,
        "suffix": suffix,
        "dp": dp,
        "ignore_na": ignore_na,
        "alt_na": alt_na,
        "nsmall": nsmall,
        "dynamic_dp_value": dynamic_dp_value,
        "abbreviate": abbreviate,
    }
    for name in ("dp", "nsmall", "dynamic_dp_value"):
        given: object = options[name]
        if given is not None and (
            isinstance(given, bool) or not isinstance(given, int)
        ):
            raise InputError(
                f"{name} must be a whole number, not {given!r}",
                column=name,
                hint=f"give {name} as an int, e.g. {name}=1",
            )
    if nsmall is not None and not 0 <= nsmall <= 20:
        raise InputError(
            f"nsmall must be 0 to 20, not {nsmall}",
            column="nsmall",
            hint="give nsmall between 0 and 20, as R's format() allows",
        )
    if isinstance(value, pl.Series):
        value = value.to_list()
    if isinstance(value, (list, tuple)):
        return [_pretty_one(v, **options) for v in value]  # type: ignore[arg-type]
    return _pretty_one(value, **options)  # type: ignore[arg-type]
