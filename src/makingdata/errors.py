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

import enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from os import PathLike

    import polars as pl

__all__ = [
    "AccessDenied",
    "DisclosureError",
    "EmptyResultWarning",
    "ExitCode",
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


class ExitCode(enum.IntEnum):
    """The exit status of the ``makingdata`` command: one code, one meaning.

    A *result* (rows rejected, a policy verdict) never shares a code with a
    *failure* (bad options, unusable input, a refusal, a bug), so a script can
    tell "the command ran and found something" from "the command could not run".

    | code | name | meaning |
    | --- | --- | --- |
    | 0 | ``OK`` | done; nothing to report |
    | 1 | ``FINDINGS`` | done, with findings: rows rejected (``validate``), recoverable cells (``audit-table``), EES errors (``check-ees``), a request discouraged (``check-request(s)``) |
    | 2 | ``USAGE`` | a bad command line: unknown option, missing or invalid option value (the code of click and argparse) |
    | 3 | ``PROHIBITED`` | the policy verdict: a data request is prohibited (``check-request(s)``) |
    | 4 | ``INPUT`` | unusable input: a missing or unreadable file, a malformed file, a value the command cannot use (:class:`InputError`, :class:`ValidationError`, :class:`RuleError`, :class:`ExportError`, ``OSError``), or options that leave the result empty (:class:`EmptyResultWarning`) |
    | 5 | ``REFUSED`` | makingdata refused to release: a table not protected for its audience (:class:`DisclosureError`), a viewer or purpose out of scope (:class:`ScopeError`, :class:`AccessDenied`) |
    | 70 | ``INTERNAL`` | a bug in makingdata (``EX_SOFTWARE`` of sysexits.h); ``MAKINGDATA_DEBUG=1`` shows the traceback |
    | 130 | ``INTERRUPTED`` | stopped with Ctrl-C (128 + SIGINT) |
    | 141 | ``BROKEN_PIPE`` | the reader of stdout went away (128 + SIGPIPE), as when piped into ``head`` |

    Added in 0.1.

    Examples
    --------
    >>> from makingdata.errors import ExitCode, InputError
    >>> ExitCode.PROHIBITED == 3
    True
    >>> ExitCode.for_error(InputError("no such file"))
    <ExitCode.INPUT: 4>
    """

    OK = 0
    FINDINGS = 1
    USAGE = 2
    PROHIBITED = 3
    INPUT = 4
    REFUSED = 5
    INTERNAL = 70
    INTERRUPTED = 130
    BROKEN_PIPE = 141

    @classmethod
    def for_error(cls, error: BaseException) -> ExitCode:
        """Return the code for an error that stopped a command.

        :class:`DisclosureError` and :class:`ScopeError` (with
        :class:`AccessDenied`) are ``REFUSED``; any other
        :class:`MakingDataError` and an ``OSError`` (a file that cannot be read
        or written) are ``INPUT``; ``KeyboardInterrupt`` is ``INTERRUPTED``;
        anything else is ``INTERNAL``.

        Examples
        --------
        >>> from makingdata.errors import AccessDenied, ExitCode
        >>> ExitCode.for_error(AccessDenied("academisation"))
        <ExitCode.REFUSED: 5>
        >>> ExitCode.for_error(FileNotFoundError("marks.csv"))
        <ExitCode.INPUT: 4>
        >>> ExitCode.for_error(KeyError("x"))
        <ExitCode.INTERNAL: 70>
        """
        if isinstance(error, BrokenPipeError):
            return cls.BROKEN_PIPE
        if isinstance(error, DisclosureError | ScopeError):
            return cls.REFUSED
        if isinstance(error, MakingDataError | OSError):
            return cls.INPUT
        if isinstance(error, KeyboardInterrupt):
            return cls.INTERRUPTED
        return cls.INTERNAL


class EmptyResultWarning(MakingDataWarning):
    """A result is empty because of an option or a missing input; the message says why.

    The message names what made it empty and what to pass instead. Make it an
    error with ``warnings.simplefilter("error", EmptyResultWarning)``; the
    ``makingdata`` command exits non-zero on it.
    """


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
