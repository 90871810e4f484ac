"""Turning delivered values into contract dtypes, with the rules they can break (private).

Each parser takes the raw column (as delivered: text for CSV, any dtype for
Parquet) and returns the typed expression plus the :class:`RowRule` objects that
flag values which are missing or cannot be read. Typed values are null exactly
where a rule fires, so later data rules never report the same value twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
import polars as pl

from makingdata.codes import CODE_DTYPE, SESSION_DTYPE
from makingdata.schemas import RowRule

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Mapping

#: Date formats accepted in text: ISO first, then the day-first forms English MIS
#: exports write (``09/03/2024`` is 9 March). Month-first is never accepted.
DATE_FORMATS: tuple[str, ...] = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y")
_INTEGER_DTYPES = (
    pl.Int8,
    pl.Int16,
    pl.Int32,
    pl.Int64,
    pl.UInt8,
    pl.UInt16,
    pl.UInt32,
    pl.UInt64,
)

TRUE_WORDS = ("true", "t", "yes", "y", "1")
FALSE_WORDS = ("false", "f", "no", "n", "0")


def raw(name: str) -> str:
    """Return the working-frame name of a raw (as delivered) column."""
    return f"_raw_{name}"


def inline_text(name: str) -> pl.Expr:
    """Return the raw column as trimmed text, blank as null (computed in place)."""
    t = pl.col(raw(name)).cast(pl.String).str.strip_chars()
    return pl.when(t.str.len_bytes() == 0).then(None).otherwise(t)


def text_name(name: str) -> str:
    """Return the working-frame name of a column's trimmed text."""
    return f"_t_{name}"


def text(name: str) -> pl.Expr:
    """Return the trimmed text of a column, materialised once by the reader."""
    return pl.col(text_name(name))


def _text_for(dtype: pl.DataType, name: str) -> pl.Expr:
    return text(name) if dtype == pl.String else inline_text(name)


@attrs.frozen(slots=True)
class Parsed:
    """A typed column expression and the rules its raw values can break."""

    expr: pl.Expr
    rules: tuple[RowRule, ...]


def _missing(name: str, t: pl.Expr) -> RowRule:
    return RowRule(f"{name}_missing", name, f"{name} is blank", t.is_null())


def _invalid(name: str, what: str, given: pl.Expr) -> RowRule:
    """Return the rule broken by a value that is given but cannot be read."""
    return RowRule(
        f"{name}_invalid",
        name,
        f"{name} must be {what}",
        given & pl.col(name).is_null(),
    )


def _is_integer(dtype: pl.DataType) -> bool:
    return isinstance(dtype, _INTEGER_DTYPES)


def parse_urn(
    dtype: pl.DataType, *, name: str = "urn", required: bool = True
) -> Parsed:
    """Parse a six-digit URN into UInt32."""
    if _is_integer(dtype):
        v = pl.col(raw(name)).cast(pl.Int64)
        typed = pl.when(v.is_between(100_000, 999_999)).then(v).cast(pl.UInt32)
        present = v.is_not_null()
    else:
        t = _text_for(dtype, name)
        n = pl.when(t.str.len_bytes() == 6).then(t.cast(pl.UInt32, strict=False))
        typed = pl.when(n >= 100_000).then(n)
        present = t.is_not_null()
    rules = [_invalid(name, "six digits (a URN)", present)]
    if required:
        rules.insert(
            0, RowRule(f"{name}_missing", name, f"{name} is blank", present.not_())
        )
    return Parsed(typed, tuple(rules))


def parse_uint(
    dtype: pl.DataType,
    name: str,
    target: pl.DataType,
    *,
    digits: str,
    what: str,
    required: bool = False,
) -> Parsed:
    """Parse an unsigned integer of a fixed shape (regex ``digits`` on text)."""
    t = (
        pl.col(raw(name)).cast(pl.String)
        if _is_integer(dtype)
        else _text_for(dtype, name)
    )
    typed = pl.when(t.str.contains(digits)).then(t).cast(target, strict=False)
    rules = [_invalid(name, what, t.is_not_null())]
    if required:
        rules.insert(0, _missing(name, t))
    return Parsed(typed, tuple(rules))


def _date_from_text(t: pl.Expr) -> pl.Expr:
    """Parse the three accepted shapes with one ``to_date`` (day-first reordered)."""
    iso = t.str.contains(r"^\d{4}-\d{2}-\d{2}$")
    dmy = t.str.contains(r"^\d{2}[/-]\d{2}[/-]\d{4}$")
    reordered = pl.concat_str(
        t.str.slice(6, 4),
        pl.lit("-"),
        t.str.slice(3, 2),
        pl.lit("-"),
        t.str.slice(0, 2),
    )
    # A separator must be used consistently: 02/09-2024 is not a date.
    same_sep = t.str.slice(2, 1) == t.str.slice(5, 1)
    text_iso = pl.when(iso).then(t).when(dmy & same_sep).then(reordered)
    return text_iso.str.to_date("%Y-%m-%d", strict=False)


#: Shapes of a date as delivered, for the format checks (0: other or not text).
ISO_SHAPE, DAY_FIRST_SHAPE = 1, 2


def date_shape(t: pl.Expr) -> pl.Expr:
    """Return 1 for text shaped like an ISO date, 2 for a day-first one, else 0.

    One character tells the accepted shapes apart (the separator after
    ``yyyy`` or after ``dd``); whether the text really is a date is decided
    by the date column itself (:func:`date_format_checks` counts only rows
    whose date was read). The expression reads only the text, so the typed
    date is not computed twice.

    Examples
    --------
    >>> import polars as pl
    >>> from makingdata.io._parse import date_shape
    >>> df = pl.DataFrame({"d": ["2024-09-02", "02/09/2024", "02-09-2024", "x", None]})
    >>> df.select(date_shape(pl.col("d"))).to_series().to_list()
    [1, 2, 2, 0, 0]
    """
    dash = t.str.find("-", literal=True)
    return (
        pl.when(dash == 4)
        .then(pl.lit(ISO_SHAPE, pl.UInt8))
        .when((dash == 2) | t.str.contains("/", literal=True))
        .then(pl.lit(DAY_FIRST_SHAPE, pl.UInt8))
        .otherwise(pl.lit(0, pl.UInt8))
    )


def weekend_rule(name: str = "date") -> RowRule:
    """Return the WARNING rule for dates on a Saturday or Sunday.

    Schools open at weekends only rarely (a Saturday school, a catch-up
    session), so such a mark is read and counted, not rejected; a count that
    is not small usually means dates read the wrong way round.
    """
    return RowRule(
        f"{name}_weekend",
        name,
        f"{name} falls on a Saturday or Sunday: check the date (read day first, "
        "dd/mm/yyyy), unless the school really opened that day",
        pl.col(name).dt.weekday() >= 6,
        severity="WARNING",
    )


def date_format_checks(
    out: pl.DataFrame, *, shape: str, name: str = "date"
) -> list[dict[str, object]]:
    """Return the file-level date checks: mixed formats, and possibly month-first.

    ``out`` holds the typed date ``name`` (read day first) and its delivered
    ``shape`` (:func:`date_shape`). Two report rows: ``date_formats_mixed``
    (WARNING when ISO and day-first dates are both present: ``n_failing`` is
    the smaller group) and ``date_maybe_month_first`` (WARNING when every
    day-first date has a day of 12 or less and more of them fall on a weekend
    read day first than read month first: ``n_failing`` is the weekend count
    read day first).

    Examples
    --------
    >>> import datetime as dt, polars as pl
    >>> from makingdata.io._parse import date_format_checks
    >>> out = pl.DataFrame(  # 09/07/2024 and 12/10/2024 read day first: weekends
    ...     {
    ...         "date": [dt.date(2024, 7, 6), dt.date(2024, 10, 12)],
    ...         "shape": [2, 2],
    ...     },
    ...     schema_overrides={"shape": pl.UInt8},
    ... )
    >>> [(c["check"], c["result"]) for c in date_format_checks(out, shape="shape")]
    [('date_formats_mixed', 'PASS'), ('date_maybe_month_first', 'WARNING')]
    """
    d = pl.col(name)
    s = pl.col(shape)
    dmy = (s == DAY_FIRST_SHAPE) & d.is_not_null()
    stats = out.select(
        n_iso=((s == ISO_SHAPE) & d.is_not_null()).sum(),
        n_dmy=dmy.sum(),
        max_day=d.filter(dmy).dt.day().max(),
    ).row(0, named=True)
    n_iso, n_dmy = int(stats["n_iso"]), int(stats["n_dmy"])
    mixed = min(n_iso, n_dmy)
    max_day = stats["max_day"]
    weekend_dmy = weekend_mdy = 0
    if max_day is not None and int(max_day) <= 12:
        # Every day is 12 or less, so each could be a month: read month first.
        month_first = pl.date(d.dt.year(), d.dt.day(), d.dt.month())
        weekend_dmy, weekend_mdy = (
            out.filter(dmy)
            .select(
                (d.dt.weekday() >= 6).sum().alias("day_first"),
                (month_first.dt.weekday() >= 6).sum().alias("month_first"),
            )
            .row(0)
        )
    maybe = weekend_dmy > weekend_mdy
    return [
        {
            "check": f"{name}_formats_mixed",
            "column": name,
            "result": "WARNING" if mixed else "PASS",
            "n_failing": mixed,
            "message": f"{name} mixes yyyy-mm-dd ({n_iso:,} rows) and dd/mm/yyyy "
            f"({n_dmy:,} rows): both were read (day first); check the export "
            "settings"
            if mixed
            else f"{name} uses one format",
        },
        {
            "check": f"{name}_maybe_month_first",
            "column": name,
            "result": "WARNING" if maybe else "PASS",
            "n_failing": weekend_dmy if maybe else 0,
            "message": f"every dd/mm/yyyy {name} has a day of 12 or less, and "
            f"{weekend_dmy:,} fall on a weekend read day first but {weekend_mdy:,} "
            "read month first: the export may be month-first (mm/dd/yyyy), which "
            "is not accepted; export the dates as yyyy-mm-dd"
            if maybe
            else f"{name} does not look month-first",
        },
    ]


def parse_date(
    dtype: pl.DataType,
    name: str,
    *,
    required: bool,
    earliest: dt.date | None = None,
    latest: dt.date | None = None,
    text_expr: pl.Expr | None = None,
) -> Parsed:
    """Parse ``yyyy-mm-dd``, ``dd/mm/yyyy`` or ``dd-mm-yyyy`` text (or a Date column)."""
    rules: list[RowRule] = []
    if dtype == pl.Date:
        typed = pl.col(raw(name))
        missing = typed.is_null()
    elif isinstance(dtype, pl.Datetime):
        typed = pl.col(raw(name)).dt.date()
        missing = typed.is_null()
    else:
        t = _text_for(dtype, name) if text_expr is None else text_expr
        typed = _date_from_text(t)
        missing = t.is_null()
        rules.append(
            _invalid(
                name,
                "a date as yyyy-mm-dd, dd/mm/yyyy or dd-mm-yyyy "
                "(mm/dd/yyyy is not accepted)",
                t.is_not_null(),
            )
        )
    if required:
        rules.insert(0, RowRule(f"{name}_missing", name, f"{name} is blank", missing))
    if earliest is not None and latest is not None:
        rules.append(
            RowRule(
                f"{name}_range",
                name,
                f"{name} must be between {earliest} and {latest}",
                pl.col(name).is_between(earliest, latest).not_(),
            )
        )
    return Parsed(typed, tuple(rules))


def parse_enum(
    dtype: pl.DataType,
    name: str,
    target: pl.Enum,
    mapping: Mapping[str, str] | None,
    *,
    what: str,
    required: bool = False,
) -> Parsed:
    """Map case-insensitive text through ``mapping`` (lower-case keys) to an Enum.

    With ``mapping=None`` the text is upper-cased and cast to the Enum.
    """
    if dtype == target:
        typed: pl.Expr = pl.col(raw(name))
        rules = [_missing(name, typed)] if required else []
        return Parsed(typed, tuple(rules))
    t = _text_for(dtype, name)
    if mapping is None:
        typed = t.str.to_uppercase().cast(target, strict=False)
    else:
        typed = t.str.to_lowercase().replace_strict(
            dict(mapping), default=None, return_dtype=target
        )
    rules = [_invalid(name, what, t.is_not_null())]
    if required:
        rules.insert(0, _missing(name, t))
    return Parsed(typed, tuple(rules))


def parse_bool(dtype: pl.DataType, name: str) -> Parsed:
    """Parse true/false, yes/no, y/n, t/f or 1/0 (any case) into Boolean."""
    if dtype == pl.Boolean:
        return Parsed(pl.col(raw(name)), ())
    mapping = dict.fromkeys(TRUE_WORDS, True) | dict.fromkeys(FALSE_WORDS, False)
    t = _text_for(dtype, name)
    typed = t.str.to_lowercase().replace_strict(
        mapping, default=None, return_dtype=pl.Boolean
    )
    rule = _invalid(name, "true/false, yes/no, y/n or 1/0", t.is_not_null())
    return Parsed(typed, (rule,))


def parse_session(dtype: pl.DataType) -> Parsed:
    """Parse ``AM`` / ``PM`` (any case) into the session Enum."""
    return parse_enum(
        dtype, "session", SESSION_DTYPE, None, what="AM or PM", required=True
    )


def parse_code(dtype: pl.DataType) -> tuple[Parsed, RowRule]:
    """Parse an attendance code: trimmed, upper-cased, checked against the code table.

    Returns the parsed column and a WARNING rule counting codes whose case or
    whitespace was normalised.
    """
    if dtype == CODE_DTYPE:
        typed: pl.Expr = pl.col(raw("code"))
        never = pl.lit(value=False)
        return (
            Parsed(typed, (_missing("code", typed),)),
            RowRule(
                "code_normalised",
                "code",
                "no code needed normalising",
                never,
                severity="WARNING",
            ),
        )
    original = pl.col(raw("code")).cast(pl.String)
    t = _text_for(dtype, "code")
    typed = t.str.to_uppercase().cast(CODE_DTYPE, strict=False)
    rules = (
        _missing("code", t),
        RowRule(
            "code_no_mark_yet",
            "code",
            "code '-' means no mark has been entered yet: take the register, or "
            "leave the session out of the export",
            t == "-",
        ),
        RowRule(
            "code_invalid",
            "code",
            "code must be an attendance code of the 2024 or the legacy set "
            "(see `makingdata codes`)",
            t.is_not_null() & (t != "-") & pl.col("code").is_null(),
        ),
    )
    normalised = RowRule(
        "code_normalised",
        "code",
        "codes in lower case or with surrounding spaces were accepted and "
        "normalised to upper case",
        pl.col("code").is_not_null() & (original != pl.col("code").cast(pl.String)),
        severity="WARNING",
    )
    return Parsed(typed, rules), normalised


def parse_pupil_key(dtype: pl.DataType) -> Parsed:
    """Parse an already pseudonymised ``pupil_key`` (unsigned 64-bit integer)."""
    return parse_uint(
        dtype,
        "pupil_key",
        pl.UInt64(),
        digits=r"^\d{1,20}$",
        what="an unsigned 64-bit integer (a pupil_key made by makingdata)",
        required=True,
    )
