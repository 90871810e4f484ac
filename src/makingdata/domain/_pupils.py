"""Pupils: Enrolment and the DfE age rule."""

from __future__ import annotations

import datetime as dt

import attrs
import polars as pl

from makingdata._calendar import academic_year_start as _academic_year_start
from makingdata._contracts import (
    EthnicityMajor,
    SenProvision,
    Sex,
    YearGroup,
)
from makingdata.domain._fields import (
    check_bool,
    check_date,
    check_optional_date,
    check_order,
    check_pupil_key,
    to_ethnicity,
    to_sen,
    to_sex,
    to_urn,
    to_year_group,
)
from makingdata.errors import InputError

__all__ = [
    "Enrolment",
    "academic_year_start",
    "age_at_31_august",
    "age_at_31_august_expr",
]

#: The oldest age an enrolment may carry (DfE data has pupils up to 25 in
#: special schools and sixth forms).
_MAX_AGE = 25


def academic_year_start(date: dt.date) -> int:
    """Return the calendar year in which the academic year holding ``date`` began.

    The one academic-year rule of makingdata (:mod:`makingdata._calendar`): a
    year runs from 1 August to 31 July, as in DfE's school census and its
    attendance statistics, so 2024-09-02 and 2025-07-31 belong to the year
    starting in 2024 and 2025-08-01 to the next (Methodology, "The academic
    year of a date"). Changed in 0.2: it started on 1 September before.

    Examples
    --------
    >>> import datetime as dt
    >>> from makingdata.domain import academic_year_start
    >>> (
    ...     academic_year_start(dt.date(2025, 7, 31)),
    ...     academic_year_start(dt.date(2025, 8, 1)),
    ... )
    (2024, 2025)
    """
    return _academic_year_start(date)


def age_at_31_august(date_of_birth: dt.date, academic_year_start: int) -> int:
    """Return a pupil's age on 31 August before the academic year starts (DfE).

    DfE counts pupils by their age at the start of the academic year, i.e. on
    31 August (attendance methodology: compulsory school age 5–15 "at 31
    August"). For the academic year 2024/25 that is the age on 31 August 2024.

    Parameters
    ----------
    date_of_birth
        The pupil's date of birth.
    academic_year_start
        The calendar year the academic year starts in (2024 for 2024/25).

    Raises
    ------
    InputError
        If the pupil would not yet be born on that 31 August.

    Examples
    --------
    >>> import datetime as dt
    >>> from makingdata.domain import age_at_31_august
    >>> age_at_31_august(dt.date(2019, 8, 31), 2024)  # youngest in reception
    5
    >>> age_at_31_august(dt.date(2019, 9, 1), 2024)
    4
    >>> age_at_31_august(dt.date(2025, 1, 1), 2024)
    Traceback (most recent call last):
    ...
    makingdata.errors.InputError: column 'date_of_birth': date of birth 2025-01-01 is after 31 August 2024. What to do: check the date of birth and the academic year.
    """
    if date_of_birth > dt.date(academic_year_start, 8, 31):
        raise InputError(
            f"date of birth {date_of_birth.isoformat()} is after 31 August "
            f"{academic_year_start}",
            column="date_of_birth",
            hint="check the date of birth and the academic year",
        )
    born_after_august = (date_of_birth.month, date_of_birth.day) > (8, 31)
    return academic_year_start - date_of_birth.year - int(born_after_august)


def age_at_31_august_expr(
    date_of_birth: str | pl.Expr = "date_of_birth",
    academic_year_start: int | str | pl.Expr = "academic_year_start",
) -> pl.Expr:
    """Vectorised :func:`age_at_31_august`: the age on 31 August of a year.

    ``academic_year_start`` may be a fixed year or a column (name or
    expression) of years. Dates of birth after that 31 August give null.

    Examples
    --------
    >>> import datetime as dt
    >>> import polars as pl
    >>> from makingdata.domain import age_at_31_august_expr
    >>> df = pl.DataFrame(
    ...     {"date_of_birth": [dt.date(2019, 8, 31), dt.date(2019, 9, 1)]}
    ... )
    >>> df.select(age=age_at_31_august_expr(academic_year_start=2024))["age"].to_list()
    [5, 4]
    """
    dob = pl.col(date_of_birth) if isinstance(date_of_birth, str) else date_of_birth
    if isinstance(academic_year_start, int):
        year: pl.Expr = pl.lit(academic_year_start, dtype=pl.Int32)
    elif isinstance(academic_year_start, str):
        year = pl.col(academic_year_start)
    else:
        year = academic_year_start
    year = year.cast(pl.Int32)
    after_august = (dob.dt.month() > 8).cast(pl.Int32)
    age = year - dob.dt.year().cast(pl.Int32) - after_august
    return pl.when(age >= 0).then(age).otherwise(None)


def _derive_age(self: Enrolment) -> int | None:
    if self.date_of_birth is None or not isinstance(self.enrol_start, dt.date):
        return None
    if not isinstance(self.date_of_birth, dt.date):
        return None  # the date_of_birth validator reports it
    year = academic_year_start(self.enrol_start)
    if self.date_of_birth > dt.date(year, 8, 31):
        return None  # reported in __attrs_post_init__
    return age_at_31_august(self.date_of_birth, year)


def _check_age(
    instance: Enrolment, attribute: attrs.Attribute[int | None], value: object
) -> None:
    if value is None:
        return
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not 0 <= value <= _MAX_AGE
    ):
        raise InputError(
            f"Enrolment.age_at_31_august must be a whole number from 0 to {_MAX_AGE}, "
            f"got {value!r}",
            column=attribute.name,
            hint="give the age on 31 August before the academic year of enrol_start",
        )


@attrs.frozen(slots=True)
class Enrolment:
    """One pupil's spell on roll at one school, with the pupil's characteristics.

    This is one row of the ``enrolments`` frame. The pupil is known only by
    ``pupil_key``, the keyed hash :mod:`makingdata.io` makes from the UPN.
    ``age_at_31_august`` is the age at the start of the academic year in which
    the spell starts; when only ``date_of_birth`` is given it is derived, and
    when both are given they must agree.

    Attributes
    ----------
    pupil_key
        Pseudonymous pupil key (UInt64).
    urn
        The school.
    enrol_start
        First day on roll.
    enrol_end
        Last day on roll; ``None`` while on roll.
    date_of_birth
        Date of birth, if the source has it.
    age_at_31_august
        Age on 31 August before the academic year of ``enrol_start``.
    year_group
        National curriculum year group.
    sex
        Pupil sex (EES label); ``Unknown`` if not given.
    ethnicity_major
        Major ethnic group (EES label); ``Unknown`` if not given.
    fsm_eligible
        Eligible for free school meals.
    sen_provision
        SEN provision: none, SEN support, or an EHC plan.
    looked_after
        A looked-after child.
    child_in_need
        A child in need.

    Examples
    --------
    >>> import datetime as dt
    >>> from makingdata.domain import Enrolment
    >>> e = Enrolment(
    ...     42,
    ...     123456,
    ...     dt.date(2024, 9, 2),
    ...     date_of_birth=dt.date(2014, 3, 1),
    ...     year_group="6",
    ...     sex="Female",
    ...     fsm_eligible=True,
    ...     sen_provision="No SEN provision",
    ...     looked_after=False,
    ...     child_in_need=False,
    ... )
    >>> e.age_at_31_august, e.year_group, e.sen_provision
    (10, <YearGroup.Y6: '6'>, <SenProvision.NONE: 'No SEN provision'>)
    >>> Enrolment(
    ...     42,
    ...     123456,
    ...     dt.date(2024, 9, 2),
    ...     dt.date(2024, 7, 1),
    ...     year_group="R",
    ...     fsm_eligible=False,
    ...     sen_provision="No SEN provision",
    ...     looked_after=False,
    ...     child_in_need=False,
    ... )
    Traceback (most recent call last):
    ...
    makingdata.errors.InputError: column 'enrol_end': Enrolment.enrol_end (2024-07-01) is before enrol_start (2024-09-02). What to do: enrol_end must be on or after enrol_start; swap or correct them.
    """

    pupil_key: int = attrs.field(validator=check_pupil_key)
    urn: int = attrs.field(converter=to_urn)
    enrol_start: dt.date = attrs.field(validator=check_date)
    enrol_end: dt.date | None = attrs.field(default=None, validator=check_optional_date)
    date_of_birth: dt.date | None = attrs.field(
        default=None, kw_only=True, validator=check_optional_date
    )
    age_at_31_august: int | None = attrs.field(
        default=attrs.Factory(_derive_age, takes_self=True),
        kw_only=True,
        validator=_check_age,
    )
    year_group: YearGroup = attrs.field(kw_only=True, converter=to_year_group)
    sex: Sex = attrs.field(default=Sex.UNKNOWN, kw_only=True, converter=to_sex)
    ethnicity_major: EthnicityMajor = attrs.field(
        default=EthnicityMajor.UNKNOWN, kw_only=True, converter=to_ethnicity
    )
    fsm_eligible: bool = attrs.field(kw_only=True, validator=check_bool)
    sen_provision: SenProvision = attrs.field(kw_only=True, converter=to_sen)
    looked_after: bool = attrs.field(kw_only=True, validator=check_bool)
    child_in_need: bool = attrs.field(kw_only=True, validator=check_bool)

    def __attrs_post_init__(self) -> None:
        check_order(self, "enrol_start", self.enrol_start, "enrol_end", self.enrol_end)
        if self.date_of_birth is None:
            return
        year = academic_year_start(self.enrol_start)
        expected = age_at_31_august(self.date_of_birth, year)
        if self.age_at_31_august is not None and self.age_at_31_august != expected:
            raise InputError(
                f"Enrolment.age_at_31_august is {self.age_at_31_august} but a pupil "
                f"born {self.date_of_birth.isoformat()} was {expected} on 31 August "
                f"{year}",
                column="age_at_31_august",
                hint="give only date_of_birth and let the age be derived",
            )

    def is_on_roll_on(self, date: dt.date) -> bool:
        """Return whether the pupil is on roll on ``date`` (both ends included)."""
        return self.enrol_start <= date and (
            self.enrol_end is None or date <= self.enrol_end
        )
