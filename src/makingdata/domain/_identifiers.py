"""Identifier checks: URN, LAESTAB, LA codes, region codes, trust ids and UPNs.

Each identifier has three faces:

* ``validate_X(value)`` returns the normalised identifier or raises
  :class:`~makingdata.errors.IdentifierError` naming the field and what is wrong;
* ``is_valid_X(value)`` answers ``True``/``False``;
* ``is_valid_X_expr(column)`` is the same format check as a polars expression,
  for millions of rows at once (UPNs have :func:`check_upns` instead, because
  their check letter is computed by python-stdnum one distinct value at a time).
"""

from __future__ import annotations

import csv
import functools
import io
import re
from importlib import resources
from typing import TYPE_CHECKING, Any

import polars as pl
from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
)
from stdnum.exceptions import ValidationError as StdnumValidationError
from stdnum.gb import upn as _upn

from makingdata.errors import IdentifierError

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "UPN_RULES",
    "check_upns",
    "is_valid_lad_code",
    "is_valid_lad_code_expr",
    "is_valid_laestab",
    "is_valid_laestab_expr",
    "is_valid_new_la_code",
    "is_valid_new_la_code_expr",
    "is_valid_old_la_code",
    "is_valid_old_la_code_expr",
    "is_valid_region_code",
    "is_valid_region_code_expr",
    "is_valid_trust_id",
    "is_valid_trust_id_expr",
    "is_valid_upn",
    "is_valid_urn",
    "is_valid_urn_expr",
    "make_laestab",
    "split_laestab",
    "validate_lad_code",
    "validate_laestab",
    "validate_new_la_code",
    "validate_old_la_code",
    "validate_region_code",
    "validate_trust_id",
    "validate_upn",
    "validate_urn",
]

_URN_RE = r"^[1-9][0-9]{5}$"
_LAESTAB_RE = r"^[1-9][0-9]{6}$"
_OLD_LA_RE = r"^[1-9][0-9]{2}$"
_NEW_LA_RE = r"^E(06|08|09|10)[0-9]{6}$"
_LAD_RE = r"^E0[6-9][0-9]{6}$"
_REGION_RE = r"^(E12[0-9]{6}|E1300000[12])$"
_TRUST_RE = r"^TR[0-9]{5}$"


def _number(
    value: object,
    *,
    field: str,
    pattern: str,
    what: str,
    rule: str,
    hint: str,
) -> int:
    """Check an identifier that is a number with a fixed count of digits."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise IdentifierError(
            f"{value!r} is not {what}: expected a whole number or text of digits, "
            f"got a {type(value).__name__}",
            column=field,
            hint=hint,
        )
    text = str(value)
    if re.fullmatch(pattern[1:-1], text) is None:
        raise IdentifierError(
            f"{value!r} is not {what}: {rule}", column=field, hint=hint
        )
    return int(text)


def _text(
    value: object, *, field: str, pattern: str, what: str, rule: str, hint: str
) -> str:
    """Check an identifier that is a fixed-form code held as text."""
    if not isinstance(value, str):
        raise IdentifierError(
            f"{value!r} is not {what}: expected text, got a {type(value).__name__}",
            column=field,
            hint=hint,
        )
    if re.fullmatch(pattern[1:-1], value) is None:
        raise IdentifierError(
            f"{value!r} is not {what}: {rule}", column=field, hint=hint
        )
    return value


def _is_valid(check: Callable[[Any], object], value: object) -> bool:
    try:
        check(value)
    except IdentifierError:
        return False
    return True


def _col(column: str | pl.Expr) -> pl.Expr:
    return pl.col(column) if isinstance(column, str) else column


# --------------------------------------------------------------------------- URN


def validate_urn(value: int | str, *, field: str = "urn") -> int:
    """Return ``value`` as a URN (Unique Reference Number), or raise.

    A URN is the 6-digit number GIAS gives each establishment (100000–999999);
    a school gets a new URN when it converts to an academy, re-opens or merges.

    Parameters
    ----------
    value
        The URN as a number or as text of digits (no spaces).
    field
        The field or column name to quote in the error message.

    Returns
    -------
    int
        The URN.

    Raises
    ------
    IdentifierError
        If ``value`` is not 6 digits with no leading zero.

    Examples
    --------
    >>> from makingdata.domain import validate_urn
    >>> validate_urn("133769")
    133769
    >>> validate_urn(12345)
    Traceback (most recent call last):
    ...
    makingdata.errors.IdentifierError: column 'urn': 12345 is not a URN: a URN has 6 digits (100000–999999). What to do: give the school's 6-digit URN as GIAS lists it.
    """
    return _number(
        value,
        field=field,
        pattern=_URN_RE,
        what="a URN",
        rule="a URN has 6 digits (100000–999999)",
        hint="give the school's 6-digit URN as GIAS lists it",
    )


def is_valid_urn(value: object) -> bool:
    """Return whether ``value`` is a URN (see :func:`validate_urn`).

    Examples
    --------
    >>> from makingdata.domain import is_valid_urn
    >>> is_valid_urn(133769), is_valid_urn("01337")
    (True, False)
    """
    return _is_valid(validate_urn, value)


def is_valid_urn_expr(column: str | pl.Expr = "urn") -> pl.Expr:
    """Return a boolean expression: whether each value is a URN (6 digits, no leading 0).

    Works on integer and string columns alike; nulls stay null.

    Examples
    --------
    >>> import polars as pl
    >>> from makingdata.domain import is_valid_urn_expr
    >>> df = pl.DataFrame({"urn": ["133769", "12345", None]})
    >>> df.select(ok=is_valid_urn_expr())["ok"].to_list()
    [True, False, None]
    """
    return _col(column).cast(pl.String).str.contains(_URN_RE)


# ----------------------------------------------------------------------- LAESTAB


def validate_laestab(value: int | str, *, field: str = "laestab") -> int:
    """Return ``value`` as a LAESTAB, or raise.

    A LAESTAB is 7 digits: the 3-digit (old) LA code times 10000 plus the
    4-digit establishment number (GIAS ``EstablishmentNumber``), e.g.
    ``3036905`` = LA 303, establishment 6905.

    Parameters
    ----------
    value
        The LAESTAB as a number or as text of digits.
    field
        The field or column name to quote in the error message.

    Raises
    ------
    IdentifierError
        If ``value`` is not 7 digits with no leading zero.

    Examples
    --------
    >>> from makingdata.domain import validate_laestab
    >>> validate_laestab("3036905")
    3036905
    >>> validate_laestab(303690)
    Traceback (most recent call last):
    ...
    makingdata.errors.IdentifierError: column 'laestab': 303690 is not a LAESTAB: a LAESTAB has 7 digits, the 3-digit LA code then the 4-digit establishment number. What to do: join the LA code and the establishment number, e.g. 303 and 6905 give 3036905.
    """
    return _number(
        value,
        field=field,
        pattern=_LAESTAB_RE,
        what="a LAESTAB",
        rule=(
            "a LAESTAB has 7 digits, the 3-digit LA code then the 4-digit "
            "establishment number"
        ),
        hint="join the LA code and the establishment number, e.g. 303 and 6905 give 3036905",
    )


def is_valid_laestab(value: object) -> bool:
    """Return whether ``value`` is a LAESTAB (see :func:`validate_laestab`).

    Examples
    --------
    >>> from makingdata.domain import is_valid_laestab
    >>> is_valid_laestab(3036905), is_valid_laestab(36905)
    (True, False)
    """
    return _is_valid(validate_laestab, value)


def is_valid_laestab_expr(column: str | pl.Expr = "laestab") -> pl.Expr:
    """Return a boolean expression: whether each value is a LAESTAB (7 digits).

    Examples
    --------
    >>> import polars as pl
    >>> from makingdata.domain import is_valid_laestab_expr
    >>> df = pl.DataFrame({"laestab": [3036905, 303690]})
    >>> df.select(ok=is_valid_laestab_expr())["ok"].to_list()
    [True, False]
    """
    return _col(column).cast(pl.String).str.contains(_LAESTAB_RE)


def split_laestab(laestab: int | str) -> tuple[int, int]:
    """Split a LAESTAB into its (old) LA code and establishment number.

    Raises
    ------
    IdentifierError
        If ``laestab`` is not a LAESTAB.

    Examples
    --------
    >>> from makingdata.domain import split_laestab
    >>> split_laestab(3036905)
    (303, 6905)
    """
    number = validate_laestab(laestab)
    la, estab = divmod(number, 10000)
    return la, estab


def make_laestab(old_la_code: int | str, establishment_number: int | str) -> int:
    """Build a LAESTAB from an (old) LA code and a 4-digit establishment number.

    Raises
    ------
    IdentifierError
        If the LA code is not 3 digits or the establishment number is not
        0–9999.

    Examples
    --------
    >>> from makingdata.domain import make_laestab
    >>> make_laestab(303, 6905)
    3036905
    >>> make_laestab("885", "0012")
    8850012
    """
    la = validate_old_la_code(old_la_code)
    hint = "give GIAS's EstablishmentNumber, 4 digits"
    if isinstance(establishment_number, bool) or not isinstance(
        establishment_number, int | str
    ):
        raise IdentifierError(
            f"{establishment_number!r} is not an establishment number: expected a "
            "whole number or text of digits",
            column="establishment_number",
            hint=hint,
        )
    text = str(establishment_number)
    if re.fullmatch(r"[0-9]{1,4}", text) is None:
        raise IdentifierError(
            f"{establishment_number!r} is not an establishment number: it has 4 "
            "digits (0000–9999)",
            column="establishment_number",
            hint=hint,
        )
    return la * 10000 + int(text)


# ---------------------------------------------------------------------- LA codes


def validate_old_la_code(value: int | str, *, field: str = "old_la_code") -> int:
    """Return ``value`` as an old (3-digit DfE) LA code, or raise.

    Examples
    --------
    >>> from makingdata.domain import validate_old_la_code
    >>> validate_old_la_code("885")
    885
    >>> validate_old_la_code("E10000034")
    Traceback (most recent call last):
    ...
    makingdata.errors.IdentifierError: column 'old_la_code': 'E10000034' is not an old LA code: an old LA code has 3 digits (100–999), e.g. 885; 'E10000034' looks like a 9-character GSS code, which belongs in new_la_code. What to do: give DfE's 3-digit LA number.
    """
    rule = "an old LA code has 3 digits (100–999), e.g. 885"
    if isinstance(value, str) and is_valid_new_la_code(value):
        rule += (
            f"; {value!r} looks like a 9-character GSS code, which belongs in "
            "new_la_code"
        )
    return _number(
        value,
        field=field,
        pattern=_OLD_LA_RE,
        what="an old LA code",
        rule=rule,
        hint="give DfE's 3-digit LA number",
    )


def is_valid_old_la_code(value: object) -> bool:
    """Return whether ``value`` is an old LA code (see :func:`validate_old_la_code`).

    Examples
    --------
    >>> from makingdata.domain import is_valid_old_la_code
    >>> is_valid_old_la_code(885), is_valid_old_la_code(85)
    (True, False)
    """
    return _is_valid(validate_old_la_code, value)


def is_valid_old_la_code_expr(column: str | pl.Expr = "old_la_code") -> pl.Expr:
    """Return a boolean expression: whether each value is an old LA code (3 digits).

    Examples
    --------
    >>> import polars as pl
    >>> from makingdata.domain import is_valid_old_la_code_expr
    >>> df = pl.DataFrame({"old_la_code": ["885", "940 / 941"]})
    >>> df.select(ok=is_valid_old_la_code_expr())["ok"].to_list()
    [True, False]
    """
    return _col(column).cast(pl.String).str.contains(_OLD_LA_RE)


def validate_new_la_code(value: str, *, field: str = "new_la_code") -> str:
    """Return ``value`` as a new (9-character ONS GSS) LA code, or raise.

    An LA's GSS code is ``E06`` (unitary authority), ``E08`` (metropolitan
    district), ``E09`` (London borough) or ``E10`` (county) followed by 6 digits.

    Examples
    --------
    >>> from makingdata.domain import validate_new_la_code
    >>> validate_new_la_code("E10000034")
    'E10000034'
    >>> validate_new_la_code("E07000234")
    Traceback (most recent call last):
    ...
    makingdata.errors.IdentifierError: column 'new_la_code': 'E07000234' is not a new LA code: a new LA code is E06, E08, E09 or E10 followed by 6 digits, e.g. E10000034. What to do: give the LA's 9-character GSS code (E07 district councils are not education authorities).
    """
    return _text(
        value,
        field=field,
        pattern=_NEW_LA_RE,
        what="a new LA code",
        rule="a new LA code is E06, E08, E09 or E10 followed by 6 digits, e.g. E10000034",
        hint=(
            "give the LA's 9-character GSS code (E07 district councils are not "
            "education authorities)"
        ),
    )


def is_valid_new_la_code(value: object) -> bool:
    """Return whether ``value`` is a new LA code (see :func:`validate_new_la_code`).

    Examples
    --------
    >>> from makingdata.domain import is_valid_new_la_code
    >>> is_valid_new_la_code("E06000065"), is_valid_new_la_code("E12000005")
    (True, False)
    """
    return _is_valid(validate_new_la_code, value)


def is_valid_new_la_code_expr(column: str | pl.Expr = "new_la_code") -> pl.Expr:
    """Return a boolean expression: whether each value is a new (GSS) LA code.

    Examples
    --------
    >>> import polars as pl
    >>> from makingdata.domain import is_valid_new_la_code_expr
    >>> df = pl.DataFrame({"new_la_code": ["E06000065", "E06000061 / E06000062"]})
    >>> df.select(ok=is_valid_new_la_code_expr())["ok"].to_list()
    [True, False]
    """
    return _col(column).cast(pl.String).str.contains(_NEW_LA_RE)


# --------------------------------------------------------- local authority district


def validate_lad_code(value: str, *, field: str = "lad_code") -> str:
    """Return ``value`` as a local authority district (LAD) code, or raise.

    A LAD's ONS GSS code is ``E06`` (unitary authority), ``E07`` (district
    of a two-tier county), ``E08`` (metropolitan district) or ``E09`` (London
    borough) followed by 6 digits. Outside the two-tier counties the LAD is
    the LA itself (same code).

    Examples
    --------
    >>> from makingdata.domain import validate_lad_code
    >>> validate_lad_code("E07000234")
    'E07000234'
    >>> validate_lad_code("E10000034")
    Traceback (most recent call last):
    ...
    makingdata.errors.IdentifierError: column 'lad_code': 'E10000034' is not a LAD code: a LAD code is E06, E07, E08 or E09 followed by 6 digits, e.g. E07000234. What to do: give the district's 9-character GSS code (GIAS DistrictAdministrative (code)); a county (E10) is an LA, not a district.
    """
    return _text(
        value,
        field=field,
        pattern=_LAD_RE,
        what="a LAD code",
        rule="a LAD code is E06, E07, E08 or E09 followed by 6 digits, e.g. E07000234",
        hint=(
            "give the district's 9-character GSS code (GIAS DistrictAdministrative "
            "(code)); a county (E10) is an LA, not a district"
        ),
    )


def is_valid_lad_code(value: object) -> bool:
    """Return whether ``value`` is a LAD code (see :func:`validate_lad_code`).

    Examples
    --------
    >>> from makingdata.domain import is_valid_lad_code
    >>> is_valid_lad_code("E07000234"), is_valid_lad_code("E10000034")
    (True, False)
    """
    return _is_valid(validate_lad_code, value)


def is_valid_lad_code_expr(column: str | pl.Expr = "lad_code") -> pl.Expr:
    """Return a boolean expression: whether each value is a LAD (GSS) code.

    Examples
    --------
    >>> import polars as pl
    >>> from makingdata.domain import is_valid_lad_code_expr
    >>> df = pl.DataFrame({"lad_code": ["E07000234", "E10000034"]})
    >>> df.select(ok=is_valid_lad_code_expr())["ok"].to_list()
    [True, False]
    """
    return _col(column).cast(pl.String).str.contains(_LAD_RE)


# ------------------------------------------------------------------------ region


def validate_region_code(value: str, *, field: str = "region_code") -> str:
    """Return ``value`` as a region code, or raise.

    English regions are ``E12000001``–``E12000009`` (any ``E12`` + 6 digits is
    accepted); DfE also publishes ``E13000001`` Inner London and ``E13000002``
    Outer London.

    Examples
    --------
    >>> from makingdata.domain import validate_region_code
    >>> validate_region_code("E13000002")
    'E13000002'
    >>> validate_region_code("E92000001")
    Traceback (most recent call last):
    ...
    makingdata.errors.IdentifierError: column 'region_code': 'E92000001' is not a region code: a region code is E12 followed by 6 digits, or E13000001 (Inner London) or E13000002 (Outer London). What to do: give the ONS region code, e.g. E12000005 for the West Midlands.
    """
    return _text(
        value,
        field=field,
        pattern=_REGION_RE,
        what="a region code",
        rule=(
            "a region code is E12 followed by 6 digits, or E13000001 (Inner "
            "London) or E13000002 (Outer London)"
        ),
        hint="give the ONS region code, e.g. E12000005 for the West Midlands",
    )


def is_valid_region_code(value: object) -> bool:
    """Return whether ``value`` is a region code (see :func:`validate_region_code`).

    Examples
    --------
    >>> from makingdata.domain import is_valid_region_code
    >>> is_valid_region_code("E12000007"), is_valid_region_code("E13000003")
    (True, False)
    """
    return _is_valid(validate_region_code, value)


def is_valid_region_code_expr(column: str | pl.Expr = "region_code") -> pl.Expr:
    """Return a boolean expression: whether each value is a region code.

    Examples
    --------
    >>> import polars as pl
    >>> from makingdata.domain import is_valid_region_code_expr
    >>> df = pl.DataFrame({"region_code": ["E12000007", "E13000001", "E92000001"]})
    >>> df.select(ok=is_valid_region_code_expr())["ok"].to_list()
    [True, True, False]
    """
    return _col(column).cast(pl.String).str.contains(_REGION_RE)


# ------------------------------------------------------------------------- trust


def validate_trust_id(value: str, *, field: str = "trust_id") -> str:
    """Return ``value`` as a trust id (GIAS group id ``TR`` + 5 digits), or raise.

    Examples
    --------
    >>> from makingdata.domain import validate_trust_id
    >>> validate_trust_id("TR00092")
    'TR00092'
    >>> validate_trust_id("2170")
    Traceback (most recent call last):
    ...
    makingdata.errors.IdentifierError: column 'trust_id': '2170' is not a trust id: a trust id is TR followed by 5 digits, e.g. TR00092. What to do: give the trust's GIAS Group ID, not its group UID or Companies House number.
    """
    return _text(
        value,
        field=field,
        pattern=_TRUST_RE,
        what="a trust id",
        rule="a trust id is TR followed by 5 digits, e.g. TR00092",
        hint="give the trust's GIAS Group ID, not its group UID or Companies House number",
    )


def is_valid_trust_id(value: object) -> bool:
    """Return whether ``value`` is a trust id (see :func:`validate_trust_id`).

    Examples
    --------
    >>> from makingdata.domain import is_valid_trust_id
    >>> is_valid_trust_id("TR00092"), is_valid_trust_id("tr00092")
    (True, False)
    """
    return _is_valid(validate_trust_id, value)


def is_valid_trust_id_expr(column: str | pl.Expr = "trust_id") -> pl.Expr:
    """Return a boolean expression: whether each value is a trust id (``TR`` + 5 digits).

    Examples
    --------
    >>> import polars as pl
    >>> from makingdata.domain import is_valid_trust_id_expr
    >>> df = pl.DataFrame({"trust_id": ["TR00092", "TR0092"]})
    >>> df.select(ok=is_valid_trust_id_expr())["ok"].to_list()
    [True, False]
    """
    return _col(column).cast(pl.String).str.contains(_TRUST_RE)


# --------------------------------------------------------------------------- UPN


@functools.cache
def _known_la_numbers() -> frozenset[int]:
    """Old LA codes shipped with makingdata, live and abolished."""
    numbers: set[int] = set()
    data = resources.files("makingdata") / "data"
    for name in ("las.csv", "la_history.csv"):
        text = (data / name).read_text(encoding="utf-8")
        numbers.update(
            int(row["old_la_code"]) for row in csv.DictReader(io.StringIO(text))
        )
    return frozenset(numbers)


_UPN_HINT = "check the UPN against the pupil's record in the MIS"


#: Rule codes of :func:`check_upns` (``upn_rule``), one per way a UPN can be wrong.
UPN_RULES: dict[str, str] = {
    "upn_missing": "the UPN is missing",
    "upn_length": "a UPN has 13 characters",
    "upn_format": (
        "characters 2–12 of a UPN are digits and the last a digit or a letter "
        "other than I, O and S"
    ),
    "upn_la_code": "characters 2–4 of a UPN are a known LA number",
    "upn_check_letter": "the first character of a UPN is its check letter",
}


def _upn_check(value: object) -> tuple[str | None, str | None, str | None]:
    """Return (compact UPN, None, None) when valid, else (None, rule, what is wrong)."""
    if not isinstance(value, str):
        return None, "upn_format", f"expected text, got a {type(value).__name__}"
    number = _upn.compact(value)
    try:
        return _upn.validate(number), None, None
    except InvalidComponent:
        return _newer_la_check(number)
    except InvalidLength:
        rule, problem = "upn_length", f"a UPN has 13 characters, this has {len(number)}"
    except InvalidFormat:
        rule, problem = (
            "upn_format",
            (
                "characters 2–12 must be digits and the last a digit or a letter "
                "other than I, O and S"
            ),
        )
    except InvalidChecksum:
        expected = _upn.calc_check_digit(number[1:])
        rule, problem = "upn_check_letter", _wrong_letter(number, expected)
    except StdnumValidationError as err:  # pragma: no cover - stdnum's future errors
        rule, problem = "upn_format", str(err)
    return None, rule, problem


def _newer_la_check(number: str) -> tuple[str | None, str | None, str | None]:
    """Check a UPN whose LA number python-stdnum does not know.

    python-stdnum's LA list dates from 2011 and lacks the LAs created since
    (838, 839, 940–943): accept those known to makingdata when the check
    letter, computed by stdnum's own function, is right.
    """
    if int(number[1:4]) not in _known_la_numbers():
        return (
            None,
            "upn_la_code",
            f"characters 2–4 ({number[1:4]}) are not a known LA number",
        )
    expected = _upn.calc_check_digit(number[1:])
    if expected != number[0]:
        return None, "upn_check_letter", _wrong_letter(number, expected)
    return number, None, None


def _wrong_letter(number: str, expected: str) -> str:
    return (
        f"wrong check letter: the first character is {number[0]!r} but characters "
        f"2–13 give {expected!r}"
    )


def validate_upn(value: str, *, field: str = "upn") -> str:
    """Return ``value`` as a UPN (Unique Pupil Number) in compact form, or raise.

    A UPN has 13 characters: a check letter, the 3-digit LA number and 4-digit
    establishment number of the school that issued it, 2 digits of the year,
    and a 3-character serial (a temporary UPN ends in a letter). The check
    letter is computed with python-stdnum (:mod:`stdnum.gb.upn`), DfE's
    published algorithm. Spaces are removed and letters upper-cased first.

    python-stdnum knows only the LA numbers of 2011; LA numbers created since
    (838, 839, 940–943) are accepted when they are in makingdata's LA tables
    and the check letter is right.

    Parameters
    ----------
    value
        The UPN as text.
    field
        The field or column name to quote in the error message.

    Raises
    ------
    IdentifierError
        If ``value`` is not a UPN; the message says which part is wrong.

    Examples
    --------
    >>> from makingdata.domain import validate_upn
    >>> validate_upn("b801200005001")
    'B801200005001'
    >>> validate_upn("A801200005001")
    Traceback (most recent call last):
    ...
    makingdata.errors.IdentifierError: column 'upn': 'A801200005001' is not a valid UPN: wrong check letter: the first character is 'A' but characters 2–13 give 'B'. What to do: check the UPN against the pupil's record in the MIS.
    """
    number, _, problem = _upn_check(value)
    if number is None:
        raise IdentifierError(
            f"{value!r} is not a valid UPN: {problem}", column=field, hint=_UPN_HINT
        )
    return number


def is_valid_upn(value: object) -> bool:
    """Return whether ``value`` is a valid UPN (see :func:`validate_upn`).

    Examples
    --------
    >>> from makingdata.domain import is_valid_upn
    >>> is_valid_upn("B801200005001"), is_valid_upn("B801200005002")
    (True, False)
    """
    return _upn_check(value)[0] is not None


def check_upns(upns: pl.Series) -> pl.DataFrame:
    """Check a column of UPNs, one distinct value at a time, and report per row.

    Each distinct UPN is checked once with python-stdnum (as in
    :func:`validate_upn`) and the result joined back, so a marks export with
    millions of rows costs one check per pupil, not per mark.

    Parameters
    ----------
    upns
        UPNs as strings (other dtypes are cast to string). Nulls are reported
        as missing.

    Returns
    -------
    polars.DataFrame
        One row per input row, in input order: ``upn`` (the compact UPN, null
        when invalid), ``upn_rule`` (null when valid, else one of the keys of
        :data:`UPN_RULES`: ``upn_missing``, ``upn_length``, ``upn_format``,
        ``upn_la_code``, ``upn_check_letter``) and ``upn_problem`` (null when
        valid, else what is wrong, in words).

    Examples
    --------
    >>> import polars as pl
    >>> from makingdata.domain import check_upns
    >>> s = pl.Series(["B801200005001", "A801200005001", None, "b801 2000 05001"])
    >>> check_upns(s).rows()  # doctest: +NORMALIZE_WHITESPACE
    [('B801200005001', None, None),
     (None, 'upn_check_letter', "wrong check letter: the first character is 'A' but characters 2–13 give 'B'"),
     (None, 'upn_missing', 'the UPN is missing'),
     ('B801200005001', None, None)]
    """
    raw = upns.cast(pl.String).rename("raw")
    distinct = raw.unique().drop_nulls().to_list()
    checked = [_upn_check(value) for value in distinct]
    lookup = pl.DataFrame(
        {
            "raw": distinct,
            "upn": [c[0] for c in checked],
            "upn_rule": [c[1] for c in checked],
            "upn_problem": [c[2] for c in checked],
        },
        schema={
            "raw": pl.String,
            "upn": pl.String,
            "upn_rule": pl.String,
            "upn_problem": pl.String,
        },
    )
    joined = raw.to_frame().join(lookup, on="raw", how="left", maintain_order="left")
    missing = pl.col("raw").is_null()
    return joined.select(
        "upn",
        pl.when(missing)
        .then(pl.lit("upn_missing"))
        .otherwise("upn_rule")
        .alias("upn_rule"),
        pl.when(missing)
        .then(pl.lit(UPN_RULES["upn_missing"]))
        .otherwise("upn_problem")
        .alias("upn_problem"),
    )
