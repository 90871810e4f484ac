"""Attendance records: one register mark for one pupil in one session."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

from makingdata.codes import CODES
from makingdata.domain._fields import check_date, check_pupil_key, to_urn
from makingdata.errors import InputError

__all__ = ["AttendanceRecord"]

_SESSIONS = ("AM", "PM")


def _to_session(value: str) -> str:
    raw: object = value
    text = raw.strip().upper() if isinstance(raw, str) else None
    if text in _SESSIONS:
        return str(text)
    raise InputError(
        f"{value!r} is not a session: expected 'AM' or 'PM'",
        column="session",
        hint="give the morning or afternoon session as AM or PM",
    )


def _to_code(value: str) -> str:
    raw: object = value
    text = raw.strip().upper() if isinstance(raw, str) else None
    if text in CODES:
        return str(text)
    raise InputError(
        f"{value!r} is not an attendance code: expected one of {' '.join(CODES)}",
        column="code",
        hint="use the register mark itself (e.g. '/', 'I', 'C1'), see makingdata.codes",
    )


@attrs.frozen(slots=True)
class AttendanceRecord:
    r"""One register mark: a pupil's attendance code for one session at one school.

    This is one row of the ``marks`` frame. The code must be one of
    :data:`makingdata.codes.CODES` (surrounding spaces and lower case are
    accepted and normalised) and, unless ``check_code_dates`` is ``False``,
    valid on ``date`` (``J`` is refused after 18 August 2024, ``C1`` before
    19 August 2024).

    Attributes
    ----------
    urn
        The school.
    pupil_key
        Pseudonymous pupil key (UInt64).
    date
        The day of the session.
    session
        ``AM`` or ``PM``.
    code
        The register mark.
    check_code_dates
        Whether to refuse a code used outside its validity dates (keyword-only;
        not part of equality). Historic data with late-recorded legacy codes
        can be loaded with ``False`` and flagged later by
        :func:`makingdata.codes.invalid_on_date_expr`.

    Examples
    --------
    >>> import datetime as dt
    >>> from makingdata.domain import AttendanceRecord
    >>> AttendanceRecord(123456, 42, dt.date(2024, 9, 2), "am", "i")
    AttendanceRecord(urn=123456, pupil_key=42, date=datetime.date(2024, 9, 2), session='AM', code='I')
    >>> AttendanceRecord(123456, 42, dt.date(2024, 9, 2), "AM", "J")
    Traceback (most recent call last):
    ...
    makingdata.errors.InputError: column 'code': code 'J' (Interview (before 19 Aug 2024, an approved educational activity)) is not valid on 2024-09-02: it was in use until 2024-08-18. What to do: record the mark with a code of the set in force on that day, or pass check_code_dates=False to load historic data as it is.
    """

    urn: int = attrs.field(converter=to_urn)
    pupil_key: int = attrs.field(validator=check_pupil_key)
    date: dt.date = attrs.field(validator=check_date)
    session: str = attrs.field(converter=_to_session)
    code: str = attrs.field(converter=_to_code)
    check_code_dates: bool = attrs.field(
        default=True, kw_only=True, eq=False, repr=False
    )

    def __attrs_post_init__(self) -> None:
        if not self.check_code_dates:
            return
        code = CODES[self.code]
        if code.is_valid_on(self.date):
            return
        if code.valid_to is not None and self.date > code.valid_to:
            when = f"it was in use until {code.valid_to.isoformat()}"
        else:
            start: Any = code.valid_from
            when = f"it is in use from {start.isoformat()}"
        raise InputError(
            f"code {self.code!r} ({code.meaning}) is not valid on "
            f"{self.date.isoformat()}: {when}",
            column="code",
            hint=(
                "record the mark with a code of the set in force on that day, or pass "
                "check_code_dates=False to load historic data as it is"
            ),
        )
