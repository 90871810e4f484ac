"""Organisations: Region, LocalAuthority, Trust, School and TrustMembership."""

from __future__ import annotations

import csv
import datetime as dt
import enum
import functools
import io
from importlib import resources

import attrs

from makingdata._contracts import EducationPhase
from makingdata.domain._fields import (
    check_instance_of,
    check_optional_date,
    check_optional_text,
    check_order,
    check_text,
    to_laestab,
    to_new_la_code,
    to_old_la_code,
    to_optional_lad_code,
    to_optional_old_la_code,
    to_optional_phase,
    to_predecessors,
    to_region_code,
    to_successors,
    to_trust_id,
    to_urn,
)
from makingdata.errors import IdentifierError, InputError

__all__ = [
    "LocalAuthority",
    "Region",
    "School",
    "Trust",
    "TrustMembership",
    "TrustType",
    "default_local_authorities",
]


def _on_or_between(date: dt.date, start: dt.date | None, end: dt.date | None) -> bool:
    return (start is None or start <= date) and (end is None or date <= end)


@attrs.frozen(slots=True)
class Region:
    """An English region (ONS ``E12`` code), or Inner/Outer London (``E13``).

    Attributes
    ----------
    code
        ``E12000001``–``E12000009``, ``E13000001`` or ``E13000002``.
    name
        The region's name as DfE publishes it, e.g. ``West Midlands``.

    Examples
    --------
    >>> from makingdata.domain import Region
    >>> Region("E12000005", "West Midlands")
    Region(code='E12000005', name='West Midlands')
    >>> Region("W92000004", "Wales")
    Traceback (most recent call last):
    ...
    makingdata.errors.IdentifierError: column 'code': 'W92000004' is not a region code: a region code is E12 followed by 6 digits, or E13000001 (Inner London) or E13000002 (Outer London). What to do: give the ONS region code, e.g. E12000005 for the West Midlands.
    """

    code: str = attrs.field(converter=to_region_code)
    name: str = attrs.field(validator=check_text)


@attrs.frozen(slots=True)
class LocalAuthority:
    """A local authority with education responsibilities, over its lifetime.

    An LA is identified by its 9-character GSS code (``new_la_code``): the
    3-digit DfE code (``old_la_code``) can outlive a reorganisation (North
    Yorkshire is 815 both as the county ``E10000023`` until 31 March 2023 and
    as the unitary ``E06000065`` from 1 April 2023).

    Attributes
    ----------
    old_la_code
        DfE's 3-digit LA number (also the first 3 digits of a LAESTAB).
    new_la_code
        ONS GSS code: ``E06``/``E08``/``E09``/``E10`` + 6 digits.
    name
        The LA's name as DfE publishes it.
    region
        The region the LA lies in.
    date_of_operation
        First day the LA existed; ``None`` if it existed before any date
        makingdata deals with.
    date_of_termination
        Last day the LA existed; ``None`` while it exists.
    predecessors
        GSS codes of the LAs it replaced (empty if none).
    successors
        GSS codes of the LAs that replaced it (empty while it exists).

    Examples
    --------
    >>> import datetime as dt
    >>> from makingdata.domain import LocalAuthority, Region
    >>> yh = Region("E12000003", "Yorkshire and The Humber")
    >>> ny = LocalAuthority(
    ...     815,
    ...     "E06000065",
    ...     "North Yorkshire",
    ...     yh,
    ...     date_of_operation=dt.date(2023, 4, 1),
    ...     predecessors=("E10000023",),
    ... )
    >>> ny.in_operation_on(dt.date(2023, 3, 31))
    False
    >>> LocalAuthority(
    ...     815,
    ...     "E10000023",
    ...     "North Yorkshire",
    ...     yh,
    ...     date_of_operation=dt.date(2023, 4, 1),
    ...     date_of_termination=dt.date(2023, 3, 31),
    ... )
    Traceback (most recent call last):
    ...
    makingdata.errors.InputError: column 'date_of_termination': LocalAuthority.date_of_termination (2023-03-31) is before date_of_operation (2023-04-01). What to do: date_of_termination must be on or after date_of_operation; swap or correct them.
    """

    old_la_code: int = attrs.field(converter=to_old_la_code)
    new_la_code: str = attrs.field(converter=to_new_la_code)
    name: str = attrs.field(validator=check_text)
    region: Region = attrs.field(validator=check_instance_of(Region))
    date_of_operation: dt.date | None = attrs.field(
        default=None, kw_only=True, validator=check_optional_date
    )
    date_of_termination: dt.date | None = attrs.field(
        default=None, kw_only=True, validator=check_optional_date
    )
    predecessors: tuple[str, ...] = attrs.field(
        default=(), kw_only=True, converter=to_predecessors
    )
    successors: tuple[str, ...] = attrs.field(
        default=(), kw_only=True, converter=to_successors
    )

    def __attrs_post_init__(self) -> None:
        check_order(
            self,
            "date_of_operation",
            self.date_of_operation,
            "date_of_termination",
            self.date_of_termination,
        )

    def in_operation_on(self, date: dt.date) -> bool:
        """Return whether the LA existed on ``date``."""
        return _on_or_between(date, self.date_of_operation, self.date_of_termination)


class TrustType(enum.StrEnum):
    """Kind of academy trust, as GIAS ``group_type`` gives it."""

    SAT = "SAT"
    MAT = "MAT"


def _to_trust_type(value: TrustType | str | None) -> TrustType | None:
    if value is None or isinstance(value, TrustType):
        return value
    spelled = {
        "single-academy trust": TrustType.SAT,
        "multi-academy trust": TrustType.MAT,
        "sat": TrustType.SAT,
        "mat": TrustType.MAT,
    }
    found = spelled.get(str(value).strip().lower())
    if found is None:
        raise InputError(
            f"{value!r} is not a trust type: expected 'SAT' or 'MAT' (or GIAS's "
            "'Single-academy trust' / 'Multi-academy trust')",
            column="trust_type",
            hint="leave trust_type as None if it is not known",
        )
    return found


@attrs.frozen(slots=True)
class Trust:
    """An academy trust (a GIAS group of type SAT or MAT).

    Attributes
    ----------
    trust_id
        GIAS Group ID: ``TR`` + 5 digits (EES ``trust_id``).
    name
        The trust's name; ``None`` if not known (a schools frame carries trust
        ids without names).
    trust_type
        Single- or multi-academy trust, if known.

    Examples
    --------
    >>> from makingdata.domain import Trust
    >>> Trust("TR00092", "Asfordby Hill Primary School", "Single-academy trust")
    Trust(trust_id='TR00092', name='Asfordby Hill Primary School', trust_type=<TrustType.SAT: 'SAT'>)
    >>> Trust("TR92")
    Traceback (most recent call last):
    ...
    makingdata.errors.IdentifierError: column 'trust_id': 'TR92' is not a trust id: a trust id is TR followed by 5 digits, e.g. TR00092. What to do: give the trust's GIAS Group ID, not its group UID or Companies House number.
    """

    trust_id: str = attrs.field(converter=to_trust_id)
    name: str | None = attrs.field(default=None, validator=check_optional_text)
    trust_type: TrustType | None = attrs.field(default=None, converter=_to_trust_type)


@attrs.frozen(slots=True)
class School:
    """A school (a GIAS establishment), with its LA and its open and close dates.

    A school is open from ``open_date`` to ``close_date``, both days included;
    ``None`` means open since before the records begin, or still open. A school
    that converts to an academy closes and re-opens under a new URN.

    The LA is the one GIAS records for the school (its current LA, or its last
    one if it has closed). The LAESTAB must start with that LA's 3-digit code.

    Attributes
    ----------
    urn
        6-digit Unique Reference Number.
    name
        Establishment name.
    laestab
        7-digit LA code + establishment number.
    la
        The LA GIAS records for the school.
    phase
        Phase of education (EES label); ``None`` when GIAS says "Not applicable".
    establishment_type
        GIAS ``TypeOfEstablishment (name)``, e.g. ``Academy converter``.
    establishment_type_group
        GIAS ``EstablishmentTypeGroup (name)``, e.g. ``Academies``.
    open_date
        First day open; ``None`` if open before the records begin.
    close_date
        Last day open; ``None`` while open.
    previous_la_code
        GIAS ``PreviousLA (code)``: the 3-digit code of the LA the school was in
        before a reorganisation moved it. Only needed where an LA was formed
        from several (Bournemouth, Christchurch and Poole, 839).
    lad_code
        The local authority district (LAD) the school is in: GIAS
        ``DistrictAdministrative (code)``, a GSS code (E07 for a district of a
        two-tier county; for a unitary authority, metropolitan district or
        London borough, the LA's own code). ``None`` when not known.
    lad_name
        The district's name (GIAS ``DistrictAdministrative (name)``); needs
        ``lad_code``.

    Examples
    --------
    >>> import datetime as dt
    >>> from makingdata.domain import EducationPhase, LocalAuthority, Region, School
    >>> wm = Region("E12000005", "West Midlands")
    >>> worcs = LocalAuthority(885, "E10000034", "Worcestershire", wm)
    >>> school = School(
    ...     123456,
    ...     "Example Primary School",
    ...     8852001,
    ...     worcs,
    ...     EducationPhase.PRIMARY,
    ...     open_date=dt.date(2014, 9, 1),
    ... )
    >>> school.is_open_on(dt.date(2014, 8, 31)), school.establishment_number
    (False, 2001)
    >>> School(
    ...     123457,
    ...     "Example First School",
    ...     8852002,
    ...     worcs,
    ...     "Primary",
    ...     lad_code="E07000234",
    ...     lad_name="Bromsgrove",
    ... ).lad_name
    'Bromsgrove'
    >>> School(123456, "Example Primary School", 3032001, worcs)
    Traceback (most recent call last):
    ...
    makingdata.errors.IdentifierError: column 'laestab': School 123456: LAESTAB 3032001 starts with LA 303 but the school's LA is 885 (Worcestershire). What to do: use the LAESTAB under the school's LA (the LA code times 10000 plus the establishment number).
    """

    urn: int = attrs.field(converter=to_urn)
    name: str = attrs.field(validator=check_text)
    laestab: int = attrs.field(converter=to_laestab)
    la: LocalAuthority = attrs.field(validator=check_instance_of(LocalAuthority))
    phase: EducationPhase | None = attrs.field(
        default=None, converter=to_optional_phase
    )
    establishment_type: str | None = attrs.field(
        default=None, kw_only=True, validator=check_optional_text
    )
    establishment_type_group: str | None = attrs.field(
        default=None, kw_only=True, validator=check_optional_text
    )
    open_date: dt.date | None = attrs.field(
        default=None, kw_only=True, validator=check_optional_date
    )
    close_date: dt.date | None = attrs.field(
        default=None, kw_only=True, validator=check_optional_date
    )
    previous_la_code: int | None = attrs.field(
        default=None, kw_only=True, converter=to_optional_old_la_code
    )
    lad_code: str | None = attrs.field(
        default=None, kw_only=True, converter=to_optional_lad_code
    )
    lad_name: str | None = attrs.field(
        default=None, kw_only=True, validator=check_optional_text
    )

    def __attrs_post_init__(self) -> None:
        check_order(self, "open_date", self.open_date, "close_date", self.close_date)
        if self.lad_name is not None and self.lad_code is None:
            raise IdentifierError(
                f"School {self.urn}: district name {self.lad_name!r} has no lad_code",
                column="lad_code",
                hint="give the district's GSS code (GIAS DistrictAdministrative "
                "(code)) with its name, or neither",
            )
        if self.laestab // 10000 != self.la.old_la_code:
            raise IdentifierError(
                f"School {self.urn}: LAESTAB {self.laestab} starts with LA "
                f"{self.laestab // 10000} but the school's LA is "
                f"{self.la.old_la_code} ({self.la.name})",
                column="laestab",
                hint=(
                    "use the LAESTAB under the school's LA (the LA code times "
                    "10000 plus the establishment number)"
                ),
            )

    @property
    def establishment_number(self) -> int:
        """The 4-digit establishment number (the last 4 digits of the LAESTAB)."""
        return self.laestab % 10000

    def is_open_on(self, date: dt.date) -> bool:
        """Return whether the school is open on ``date`` (both ends included)."""
        return _on_or_between(date, self.open_date, self.close_date)


@attrs.frozen(slots=True)
class TrustMembership:
    """A school's membership of a trust, from ``joined`` to ``left`` (inclusive).

    Attributes
    ----------
    urn
        The school.
    trust_id
        The trust's GIAS Group ID.
    joined
        First day in the trust; ``None`` if a member since before the records
        begin.
    left
        Last day in the trust; ``None`` while still a member.
    trust_name
        The trust's name, if given (GIAS ``group_name``).

    Examples
    --------
    >>> import datetime as dt
    >>> from makingdata.domain import TrustMembership
    >>> m = TrustMembership(123456, "TR00092", dt.date(2014, 9, 1))
    >>> m.is_current_on(dt.date(2025, 1, 6))
    True
    >>> TrustMembership(123456, "TR00092", dt.date(2014, 9, 1), dt.date(2014, 8, 1))
    Traceback (most recent call last):
    ...
    makingdata.errors.InputError: column 'left': TrustMembership.left (2014-08-01) is before joined (2014-09-01). What to do: left must be on or after joined; swap or correct them.
    """

    urn: int = attrs.field(converter=to_urn)
    trust_id: str = attrs.field(converter=to_trust_id)
    joined: dt.date | None = attrs.field(default=None, validator=check_optional_date)
    left: dt.date | None = attrs.field(default=None, validator=check_optional_date)
    trust_name: str | None = attrs.field(
        default=None, kw_only=True, validator=check_optional_text
    )

    def __attrs_post_init__(self) -> None:
        check_order(self, "joined", self.joined, "left", self.left)

    def is_current_on(self, date: dt.date) -> bool:
        """Return whether the school is in the trust on ``date``."""
        return _on_or_between(date, self.joined, self.left)


@functools.cache
def default_local_authorities() -> tuple[LocalAuthority, ...]:
    """Return the LAs shipped with makingdata: the 153 current and 10 abolished.

    Current LAs come from ``data/las.csv`` (DfE's 2025/26 in-year attendance
    statistics); abolished LAs, their last day and their successors from
    ``data/la_history.csv`` (DfE's LA lookup for the EES screener). A successor
    comes into operation on the day after its predecessors' last day.

    Returns
    -------
    tuple of LocalAuthority
        Sorted by GSS code.

    Examples
    --------
    >>> import datetime as dt
    >>> from makingdata.domain import default_local_authorities
    >>> las = {la.new_la_code: la for la in default_local_authorities()}
    >>> las["E10000006"].successors
    ('E06000063', 'E06000064')
    >>> las["E06000063"].name, las["E06000063"].date_of_operation
    ('Cumberland', datetime.date(2023, 4, 1))
    """
    data = resources.files("makingdata") / "data"
    live = list(
        csv.DictReader(io.StringIO((data / "las.csv").read_text(encoding="utf-8")))
    )
    gone = list(
        csv.DictReader(
            io.StringIO((data / "la_history.csv").read_text(encoding="utf-8"))
        )
    )
    predecessors: dict[str, list[str]] = {}
    started: dict[str, dt.date] = {}
    for row in gone:
        end = dt.date.fromisoformat(row["date_of_termination"])
        for succ in row["successor_new_la_codes"].split():
            predecessors.setdefault(succ, []).append(row["new_la_code"])
            started[succ] = end + dt.timedelta(days=1)

    def authority(row: dict[str, str]) -> LocalAuthority:
        code = row["new_la_code"]
        ended = row.get("date_of_termination")  # only former LAs have an end
        return LocalAuthority(
            int(row["old_la_code"]),
            code,
            row["la_name"],
            Region(row["region_code"], row["region_name"]),
            date_of_operation=started.get(code),
            date_of_termination=dt.date.fromisoformat(ended) if ended else None,
            predecessors=tuple(predecessors.get(code, ())),
            successors=tuple(row.get("successor_new_la_codes", "").split()),
        )

    las = [authority(row) for row in (*live, *gone)]
    return tuple(sorted(las, key=lambda la: la.new_la_code))
