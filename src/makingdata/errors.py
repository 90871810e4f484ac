"""The makingdata error family.

Every error makingdata raises on purpose is a :class:`MakingDataError`. The
subclasses also derive from the builtin exception that fits, so that a caller's
existing ``except ValueError`` or ``except PermissionError`` keeps working.

Messages say what was wrong, where (file, row, column) and what to do; the
facts are also kept as attributes so that programs need not parse the text.

Examples
--------
>>> from makingdata.errors import InputError, MakingDataError
>>> err = InputError(
...     "the header has no 'urn' column",
...     path="marks.csv",
...     row=1,
...     column="urn",
...     hint="rename the school column to 'urn'",
... )
>>> isinstance(err, MakingDataError) and isinstance(err, ValueError)
True
>>> print(err)
marks.csv, row 1, column 'urn': the header has no 'urn' column. What to do: rename the school column to 'urn'.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from os import PathLike

    import polars as pl

__all__ = [
    "AccessDenied",
    "DisclosureError",
    "EmptyResultWarning",
    "ExportError",
    "IdentifierError",
    "InputError",
    "MakingDataError",
    "MakingDataWarning",
    "RuleError",
    "ScopeError",
    "ValidationError",
]


def _where(
    path: str | PathLike[str] | None, row: int | None, column: str | None
) -> str:
    parts: list[str] = []
    if path is not None:
        parts.append(str(path))
    if row is not None:
        parts.append(f"row {row}")
    if column is not None:
        parts.append(f"column {column!r}")
    return ", ".join(parts)


class MakingDataError(Exception):
    """Base class of every error makingdata raises on purpose.

    Parameters
    ----------
    message
        What was wrong, in plain words.
    path
        The file the problem was found in, if any.
    row
        The row (1-based line of the file for CSV input, else the 0-based frame
        row) where it was found, if any.
    column
        The column or field, if any.
    hint
        What the caller can do about it.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | PathLike[str] | None = None,
        row: int | None = None,
        column: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.path = None if path is None else str(path)
        self.row = row
        self.column = column
        self.hint = hint
        super().__init__(self._render())

    def _render(self) -> str:
        where = _where(self.path, self.row, self.column)
        text = f"{where}: {self.message}" if where else self.message
        if self.hint:
            text = f"{text.rstrip('.')}. What to do: {self.hint.rstrip('.')}."
        return text


class InputError(MakingDataError, ValueError):
    """Input that cannot be used at all: unreadable file, missing columns, bad argument.

    Rows that are merely invalid are not an ``InputError``: they are returned in
    a rejects frame (or raised together as a :class:`ValidationError`).
    """


class IdentifierError(InputError):
    """An identifier (URN, LAESTAB, LA code, region, trust id, UPN) is malformed.

    Examples
    --------
    >>> from makingdata.errors import IdentifierError
    >>> raise IdentifierError("'12345' is not a URN (6 digits)", column="urn")
    Traceback (most recent call last):
    ...
    makingdata.errors.IdentifierError: column 'urn': '12345' is not a URN (6 digits)
    """


class ValidationError(MakingDataError, ValueError):
    """Rows of a frame broke the rules of a makingdata schema.

    The full report travels with the error: ``rejects`` holds every rejected
    row with its original values, its source row number and every rule it
    broke, so nothing is lost when strict mode raises.

    Parameters
    ----------
    message
        Summary: counts per rule and a few examples.
    rejects
        One row per rejected input row (see :func:`makingdata.io.read_marks`).
    failures
        One row per (row, rule) failure, the long form of ``rejects``.
    """

    def __init__(
        self,
        message: str,
        *,
        rejects: pl.DataFrame | None = None,
        failures: pl.DataFrame | None = None,
        path: str | PathLike[str] | None = None,
        hint: str | None = None,
    ) -> None:
        self.rejects = rejects
        self.failures = failures
        super().__init__(message, path=path, hint=hint)


class RuleError(MakingDataError, ValueError):
    """A policy or disclosure rule, or a data request, is misconfigured."""


class DisclosureError(MakingDataError):
    """A table would be released to an audience without the protection it needs."""


class ScopeError(MakingDataError, PermissionError):
    """A request falls outside the caller's access scope."""


class AccessDenied(ScopeError):  # noqa: N818 - the name the sharing promises use
    """A viewer asked for data for a purpose the sharing promises forbid."""


class ExportError(MakingDataError):
    """An EES file (or other output) could not be written or read back."""


class MakingDataWarning(UserWarning):
    """Something worth knowing that does not stop the work (e.g. a legacy code)."""


class EmptyResultWarning(MakingDataWarning):
    """A result is empty because of an option or a missing input; the message says why.

    The message names what made it empty and what to pass instead. Make it an
    error with ``warnings.simplefilter("error", EmptyResultWarning)``; the
    ``makingdata`` command exits non-zero on it.
    """
