"""Data requests made to schools: who asks, for what, how often, for whom and why.

A :class:`DataRequest` describes one request for pupil data that an LA, a
trust, DfE, Ofsted, a governing board, a vendor or a school itself sends (or is
about to send) to schools. It holds exactly the facts the "Making Data Work"
rules need: the requester, the items and whether the
school already holds them, the format, the collection dates, the granularity,
the audiences, the uses, the legal basis, retention, DPIA and staff time.

The models are frozen attrs classes that validate on construction and raise
:class:`~makingdata.errors.InputError` naming the field (``items[2].kind``) and
the allowed values. :meth:`DataRequest.from_dict` builds one from the plain
data of a TOML, JSON or YAML file (see :func:`makingdata.policy.load_request`),
and :meth:`DataRequest.to_dict` gives that data back.

The model lives with the policy engine that reads it and is exported from
:mod:`makingdata.policy`; until 0.2 it was ``makingdata.domain.requests``
(the old paths still work, with a ``DeprecationWarning``, until 0.3).

Examples
--------
>>> import datetime as dt
>>> from makingdata.policy import (
...     DataItem,
...     DataRequest,
...     ItemKind,
...     Requester,
...     RequesterKind,
... )
>>> req = DataRequest(
...     title="Half-termly flight paths",
...     requester=Requester(RequesterKind.LA, "Anyshire County Council"),
...     request_date=dt.date(2025, 10, 1),
...     items=(DataItem(ItemKind.FLIGHT_PATH, description="KS2 maths"),),
...     collections_per_year=6,
... )
>>> req.collection_count, req.is_routine
(6, True)
>>> DataRequest.from_dict(req.to_dict()) == req
True
"""

from __future__ import annotations

import datetime as dt
import difflib
import enum
import re
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from makingdata.codes import CODES
from makingdata.domain.purposes import Purpose, parse_purpose
from makingdata.errors import InputError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from os import PathLike

__all__ = [
    "ATTAINMENT_KINDS",
    "REQUESTER_KIND_ALIASES",
    "DataItem",
    "DataRequest",
    "Format",
    "Granularity",
    "InterventionTrigger",
    "ItemKind",
    "RequestAudience",
    "RequestError",
    "Requester",
    "RequesterKind",
    "SchoolType",
    "academic_year_bounds",
]

_E = TypeVar("_E", bound=enum.Enum)
_T = TypeVar("_T")


class RequesterKind(enum.StrEnum):
    """Who sends a request (the parties of the rule catalogue's "binds" legend).

    Examples
    --------
    >>> from makingdata.policy import RequesterKind
    >>> RequesterKind("governing_board")
    <RequesterKind.GOVERNING_BOARD: 'governing_board'>
    """

    DFE = "dfe"
    RSC = "rsc"
    OFSTED = "ofsted"
    LA = "la"
    TRUST = "trust"
    GOVERNING_BOARD = "governing_board"
    VENDOR = "vendor"
    SCHOOL = "school"
    PARTNER_GROUP = "partner_group"


class ItemKind(enum.StrEnum):
    """What kind of data an item asks for.

    Examples
    --------
    >>> from makingdata.policy import ATTAINMENT_KINDS, ItemKind
    >>> (
    ...     ItemKind.FLIGHT_PATH in ATTAINMENT_KINDS,
    ...     ItemKind.ATTENDANCE in ATTAINMENT_KINDS,
    ... )
    (True, False)
    """

    ATTAINMENT_TEST = "attainment_test"
    TEACHER_ASSESSMENT = "teacher_assessment"
    PREDICTION = "prediction"
    TARGET = "target"
    FLIGHT_PATH = "flight_path"
    PROGRESS_SCORE = "progress_score"
    ATTENDANCE = "attendance"
    BEHAVIOUR = "behaviour"
    CHARACTERISTICS = "characteristics"
    IDENTIFIERS = "identifiers"
    SPECIAL_CATEGORY = "special_category"
    FREE_TEXT = "free_text"
    OTHER = "other"


#: Item kinds that are pupil attainment data, counted as attainment collections.
ATTAINMENT_KINDS: frozenset[ItemKind] = frozenset(
    {
        ItemKind.ATTAINMENT_TEST,
        ItemKind.TEACHER_ASSESSMENT,
        ItemKind.PREDICTION,
        ItemKind.TARGET,
        ItemKind.FLIGHT_PATH,
        ItemKind.PROGRESS_SCORE,
    }
)


class Format(enum.StrEnum):
    """The form the school is asked to supply the data in.

    Examples
    --------
    >>> from makingdata.policy import Format
    >>> [f.value for f in Format]
    ['school_existing', 'requester_template', 'bespoke']
    """

    SCHOOL_EXISTING = "school_existing"
    REQUESTER_TEMPLATE = "requester_template"
    BESPOKE = "bespoke"


class Granularity(enum.StrEnum):
    """The level of the data asked for.

    Examples
    --------
    >>> from makingdata.policy import Granularity
    >>> [g.value for g in Granularity]
    ['pupil', 'group', 'school']
    """

    PUPIL = "pupil"
    GROUP = "group"
    SCHOOL = "school"


class RequestAudience(enum.StrEnum):
    """Who will see the data of a request, or what is made from it.

    Finer than :class:`makingdata.domain.sharing.Audience` (the audiences of a
    released table): it names governors, parents, pupils, Ofsted, RSCs and the
    Attendance Action Alliance, whom the rules treat differently.

    Examples
    --------
    >>> from makingdata.policy import RequestAudience
    >>> RequestAudience("attendance_action_alliance").name
    'ATTENDANCE_ACTION_ALLIANCE'
    """

    REQUESTER = "requester"
    GOVERNORS = "governors"
    PARENTS = "parents"
    PUPILS = "pupils"
    PUBLIC = "public"
    OFSTED = "ofsted"
    RSC = "rsc"
    DFE = "dfe"
    LA = "la"
    TRUST = "trust"
    ATTENDANCE_ACTION_ALLIANCE = "attendance_action_alliance"
    OTHER = "other"


class InterventionTrigger(enum.StrEnum):
    """Whether the school meets a trigger for intervention (Secretary of State's letter, 17 July 2019).

    Examples
    --------
    >>> from makingdata.policy import InterventionTrigger
    >>> InterventionTrigger.INADEQUATE_OFSTED.value
    'inadequate_ofsted'
    """

    NONE = "none"
    INADEQUATE_OFSTED = "inadequate_ofsted"
    OTHER = "other"


class SchoolType(enum.StrEnum):
    """The kind of school the request goes to.

    Nursery schools are outside the statutory daily attendance collection.

    Examples
    --------
    >>> from makingdata.policy import SchoolType
    >>> SchoolType.NURSERY.value
    'nursery'
    """

    STATE_FUNDED = "state_funded"
    NURSERY = "nursery"
    INDEPENDENT = "independent"


# ------------------------------------------------------------------ validators


def _allowed(enum_cls: type[enum.Enum]) -> str:
    return ", ".join(str(m.value) for m in enum_cls)


def _enum_validator(
    enum_cls: type[_E],
) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    def check(_inst: Any, attr: attrs.Attribute[Any], value: Any) -> None:
        if not isinstance(value, enum_cls):
            raise InputError(
                f"{value!r} is not a valid {enum_cls.__name__}",
                column=attr.name,
                hint=f"use one of: {_allowed(enum_cls)}",
            )

    return check


def _type_validator(
    kind: type | tuple[type, ...], what: str, *, optional: bool = False
) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    def check(_inst: Any, attr: attrs.Attribute[Any], value: Any) -> None:
        if value is None and optional:
            return
        if isinstance(value, bool) and bool not in (
            kind if isinstance(kind, tuple) else (kind,)
        ):
            raise InputError(f"expected {what}, got {value!r}", column=attr.name)
        if not isinstance(value, kind):
            raise InputError(f"expected {what}, got {value!r}", column=attr.name)

    return check


def _tuple_of(
    kind: type, what: str
) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    def check(_inst: Any, attr: attrs.Attribute[Any], value: Any) -> None:
        if not isinstance(value, tuple):
            raise InputError(
                f"expected a tuple of {what}, got {type(value).__name__}",
                column=attr.name,
            )
        for i, v in enumerate(value):
            if not isinstance(v, kind) or (isinstance(v, bool) and kind is not bool):
                hint = (
                    f"use one of: {_allowed(kind)}"
                    if issubclass(kind, enum.Enum)
                    else None
                )
                raise InputError(
                    f"expected {what}, got {v!r}", column=f"{attr.name}[{i}]", hint=hint
                )

    return check


def _urn_check(_inst: Any, attr: attrs.Attribute[Any], value: Any) -> None:
    _tuple_of(int, "a URN (6 digits)")(_inst, attr, value)
    for i, urn in enumerate(value):
        if not 100000 <= urn <= 999999:
            raise InputError(
                f"{urn!r} is not a URN (6 digits)",
                column=f"{attr.name}[{i}]",
                hint="give the school's 6-digit unique reference number",
            )


_YEAR = re.compile(r"^(\d{4})(?:[/-]?)(\d{2})$")


def academic_year_bounds(year: str) -> tuple[dt.date, dt.date]:
    """Return the first and last day (1 September, 31 August) of an academic year.

    Parameters
    ----------
    year
        ``"2025/26"``, ``"2025-26"`` or the EES form ``"202526"``.

    Returns
    -------
    tuple of datetime.date
        ``(start, end)``, both inclusive.

    Raises
    ------
    InputError
        If the text is not an academic year.

    Examples
    --------
    >>> from makingdata.policy import academic_year_bounds
    >>> academic_year_bounds("2025/26")
    (datetime.date(2025, 9, 1), datetime.date(2026, 8, 31))
    >>> academic_year_bounds("2025/27")
    Traceback (most recent call last):
    ...
    makingdata.errors.InputError: '2025/27' is not an academic year. What to do: write it as 2025/26 (the second year follows the first).
    """
    match = _YEAR.match(str(year).strip())
    if match is None or (int(match[1]) + 1) % 100 != int(match[2]):
        raise InputError(
            f"{year!r} is not an academic year",
            hint="write it as 2025/26 (the second year follows the first)",
        )
    first = int(match[1])
    return dt.date(first, 9, 1), dt.date(first + 1, 8, 31)


def _year_check(_inst: Any, attr: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    try:
        academic_year_bounds(value)
    except InputError as err:
        raise InputError(err.message, column=attr.name, hint=err.hint) from None


def _codes_check(_inst: Any, attr: attrs.Attribute[Any], value: Any) -> None:
    _tuple_of(str, "an attendance code")(_inst, attr, value)
    for i, code in enumerate(value):
        if code not in CODES:
            raise InputError(
                f"{code!r} is not an attendance code",
                column=f"{attr.name}[{i}]",
                hint="use a register mark from makingdata.codes.CODES (e.g. I, C1, J1)",
            )


# ---------------------------------------------------------------------- models


@attrs.frozen(slots=True)
class Requester:
    """The organisation that sends a request.

    Attributes
    ----------
    kind
        DfE, RSC (or regional director), Ofsted, LA, trust, governing board,
        vendor, school or partner group.
    name
        Its name, as the school knows it.
    identifier
        Its identifier, if any (trust id, LA code, URN).
    acting_for
        For a vendor: the organisation it acts for; the vendor inherits that
        organisation's rules. Required for vendors,
        not allowed for anyone else.
    responsible_for
        URNs of the schools the requester is responsible for (a trust's schools,
        an LA's area), when known; empty when not stated.

    Examples
    --------
    >>> from makingdata.policy import Requester, RequesterKind
    >>> trust = Requester(RequesterKind.TRUST, "Oak Trust", identifier="TR01234")
    >>> v = Requester(RequesterKind.VENDOR, "TrackerCo", acting_for=trust)
    >>> sorted(v.kinds)
    [<RequesterKind.TRUST: 'trust'>, <RequesterKind.VENDOR: 'vendor'>]
    """

    kind: RequesterKind = attrs.field(validator=_enum_validator(RequesterKind))
    name: str = attrs.field(validator=_type_validator(str, "text"))
    identifier: str | None = attrs.field(
        default=None, validator=_type_validator(str, "text", optional=True)
    )
    acting_for: Requester | None = attrs.field(default=None)
    responsible_for: tuple[int, ...] = attrs.field(default=(), validator=_urn_check)

    @name.validator
    def _name_nonempty(self, attr: attrs.Attribute[str], value: str) -> None:
        if not value.strip():
            raise InputError("the requester needs a name", column=attr.name)

    @acting_for.validator
    def _acting_for_check(
        self, attr: attrs.Attribute[Requester | None], value: Requester | None
    ) -> None:
        if value is not None and not isinstance(value, Requester):
            raise InputError(f"expected a Requester, got {value!r}", column=attr.name)
        if self.kind is RequesterKind.VENDOR:
            if value is None:
                raise InputError(
                    "a vendor request must say whom the vendor acts for",
                    column=attr.name,
                    hint="set acting_for to the LA, trust or other body that asked",
                )
            if value.kind is RequesterKind.VENDOR:
                raise InputError(
                    "a vendor cannot act for another vendor",
                    column=f"{attr.name}.kind",
                    hint="name the LA, trust or other body behind the chain",
                )
        elif value is not None:
            raise InputError(
                f"only a vendor acts for another body, not a {self.kind.value}",
                column=attr.name,
                hint="remove acting_for or set kind = 'vendor'",
            )

    @property
    def kinds(self) -> frozenset[RequesterKind]:
        """The requester's kind and, for a vendor, the kind it acts for."""
        if self.acting_for is None:
            return frozenset({self.kind})
        return frozenset({self.kind, self.acting_for.kind})


@attrs.frozen(slots=True)
class DataItem:
    """One item of data a request asks for.

    Attributes
    ----------
    kind
        What kind of data it is (attainment test, prediction, attendance …).
    description
        What exactly is asked for, in the requester's words.
    held_in_mis
        Whether the school already holds it (in its MIS or assessment system),
        so that supplying it needs no new recording or compiling.
    statutory
        Whether it is part of a statutory collection or duty.
    need
        The use this item serves; ``None`` when no use is named.
    about
        For a prediction or target: what is predicted (e.g.
        ``progress_score``, ``attainment_test``).
    results_year
        For attainment and progress items: the academic year of the results
        (``"2025/26"``).
    codes
        Attendance codes the item asks about, if it names any.
    covers_from
        The earliest date the item's data covers, if it asks for history.

    Examples
    --------
    >>> from makingdata.policy import DataItem, ItemKind
    >>> DataItem(ItemKind.PREDICTION, about=ItemKind.PROGRESS_SCORE).about.value
    'progress_score'
    >>> DataItem(ItemKind.ATTENDANCE, codes=("H",)).codes
    ('H',)
    """

    kind: ItemKind = attrs.field(validator=_enum_validator(ItemKind))
    description: str = attrs.field(default="", validator=_type_validator(str, "text"))
    held_in_mis: bool = attrs.field(
        default=True, validator=_type_validator(bool, "true or false")
    )
    statutory: bool = attrs.field(
        default=False, validator=_type_validator(bool, "true or false")
    )
    need: str | None = attrs.field(
        default=None, validator=_type_validator(str, "text", optional=True)
    )
    about: ItemKind | None = attrs.field(default=None)
    results_year: str | None = attrs.field(default=None, validator=_year_check)
    codes: tuple[str, ...] = attrs.field(default=(), validator=_codes_check)
    covers_from: dt.date | None = attrs.field(
        default=None, validator=_type_validator(dt.date, "a date", optional=True)
    )

    @about.validator
    def _about_check(
        self, attr: attrs.Attribute[ItemKind | None], value: ItemKind | None
    ) -> None:
        if value is None:
            return
        _enum_validator(ItemKind)(self, attr, value)
        if self.kind not in (ItemKind.PREDICTION, ItemKind.TARGET):
            raise InputError(
                f"'about' is only for predictions and targets, not {self.kind.value}",
                column=attr.name,
                hint="remove it, or set kind to prediction or target",
            )


@attrs.frozen(slots=True)
class DataRequest:
    """A request for pupil data sent to schools.

    Attributes
    ----------
    title
        A short name for the request.
    requester
        Who asks.
    request_date
        The date the request is sent; time-aware rules use it.
    items
        What is asked for (at least one item).
    purpose
        The stated purpose, in plain words ("" when none is given).
    intended_actions
        The action the data will inform, or ``None``.
    purpose_category
        The stated purpose as a :class:`~makingdata.domain.purposes.Purpose`.
    uses
        Every use the data will be put to (including onward use).
    recipients
        URNs of the schools asked; empty means every school the requester
        covers.
    recipient_type
        The kind of school asked (state-funded, nursery, independent).
    format
        The school's existing format, the requester's template, or bespoke.
    collection_dates
        The dates the data is due, if fixed.
    collections_per_year
        How many times a year it is collected, when no dates are fixed; must
        agree with ``collection_dates`` if both are given.
    routine
        Whether it is a routine, repeated collection; ``None`` means "repeated
        more than once a year".
    same_time_for_all_classes
        Whether every class and subject must supply it at the same time.
    uses_school_collection_points
        Whether the dates follow the school's own assessment points (``None``
        when not stated).
    granularity
        Pupil-level, group-level or school-level data.
    min_group_size
        For group-level data: the smallest group reported. Required then.
    pseudonymised
        Whether pupil-level data is pseudonymised (no names, UPNs, dates of
        birth).
    names_schools
        Whether the data or its outputs identify schools.
    audiences
        Who will see the data or what is made from it.
    intervention_trigger
        Whether the school meets a trigger for intervention.
    legal_basis
        The lawful basis (UK GDPR Art 6, and the statute for statutory
        requests), or ``None``.
    article_9_condition
        The Art 9 condition for special-category data, or ``None``.
    retention
        How long the data is kept, or ``None``.
    dpia_done
        Whether a data protection impact assessment has been done.
    secure_transfer
        Whether the data moves by a secure route (``None`` when not stated).
    privacy_notice_covers
        Whether the school's privacy notice covers this sharing.
    opt_out_possible
        Whether a school can opt out (voluntary collections).
    shared_daily_data
        Whether the request is for, or served from, the daily attendance data
        schools share with DfE (DfE daily-data principles, 2022).
    staff_hours
        Estimated school staff hours for one collection, or ``None``.
    justification
        Why the data cannot be had with less (fewer items, aggregates, an
        existing source, fewer collections), or ``None``.
    clearance_reference
        For DfE collections: the Star Chamber Scrutiny Board clearance.
    last_reviewed
        When the requester last reviewed this collection against the
        principles.
    not_stated
        The fields the request file left out whose default is a value, not
        "none" (``format``, ``items[0].held_in_mis`` …): reports list them as
        not stated, and a rule that depends on one says what it assumed.
        :meth:`from_dict` fills it; empty for a request built in Python.

    Examples
    --------
    >>> import datetime as dt
    >>> from makingdata.policy import *
    >>> DataRequest(
    ...     title="x",
    ...     requester=Requester(RequesterKind.TRUST, "Oak Trust"),
    ...     request_date=dt.date(2025, 9, 1),
    ...     items=(DataItem(ItemKind.ATTENDANCE),),
    ...     granularity=Granularity.GROUP,
    ... )
    Traceback (most recent call last):
    ...
    makingdata.errors.InputError: column 'min_group_size': group-level data needs the smallest group size. What to do: set min_group_size (e.g. 10).
    """

    title: str = attrs.field(validator=_type_validator(str, "text"))
    requester: Requester = attrs.field(
        validator=_type_validator(Requester, "a Requester")
    )
    request_date: dt.date = attrs.field(validator=_type_validator(dt.date, "a date"))
    items: tuple[DataItem, ...] = attrs.field(
        validator=_tuple_of(DataItem, "a DataItem")
    )
    purpose: str = attrs.field(default="", validator=_type_validator(str, "text"))
    intended_actions: str | None = attrs.field(
        default=None, validator=_type_validator(str, "text", optional=True)
    )
    purpose_category: Purpose | None = attrs.field(
        default=None,
        validator=attrs.validators.optional(_enum_validator(Purpose)),
    )
    uses: tuple[Purpose, ...] = attrs.field(
        default=(), validator=_tuple_of(Purpose, "a Purpose")
    )
    recipients: tuple[int, ...] = attrs.field(default=(), validator=_urn_check)
    recipient_type: SchoolType = attrs.field(
        default=SchoolType.STATE_FUNDED, validator=_enum_validator(SchoolType)
    )
    format: Format = attrs.field(
        default=Format.SCHOOL_EXISTING, validator=_enum_validator(Format)
    )
    collection_dates: tuple[dt.date, ...] = attrs.field(
        default=(), validator=_tuple_of(dt.date, "a date")
    )
    collections_per_year: int | None = attrs.field(
        default=None, validator=_type_validator(int, "a whole number", optional=True)
    )
    routine: bool | None = attrs.field(
        default=None, validator=_type_validator(bool, "true or false", optional=True)
    )
    same_time_for_all_classes: bool = attrs.field(
        default=False, validator=_type_validator(bool, "true or false")
    )
    uses_school_collection_points: bool | None = attrs.field(
        default=None, validator=_type_validator(bool, "true or false", optional=True)
    )
    granularity: Granularity = attrs.field(
        default=Granularity.SCHOOL, validator=_enum_validator(Granularity)
    )
    min_group_size: int | None = attrs.field(
        default=None, validator=_type_validator(int, "a whole number", optional=True)
    )
    pseudonymised: bool = attrs.field(
        default=False, validator=_type_validator(bool, "true or false")
    )
    names_schools: bool = attrs.field(
        default=True, validator=_type_validator(bool, "true or false")
    )
    audiences: tuple[RequestAudience, ...] = attrs.field(
        default=(RequestAudience.REQUESTER,),
        validator=_tuple_of(RequestAudience, "a RequestAudience"),
    )
    intervention_trigger: InterventionTrigger = attrs.field(
        default=InterventionTrigger.NONE,
        validator=_enum_validator(InterventionTrigger),
    )
    legal_basis: str | None = attrs.field(
        default=None, validator=_type_validator(str, "text", optional=True)
    )
    article_9_condition: str | None = attrs.field(
        default=None, validator=_type_validator(str, "text", optional=True)
    )
    retention: str | None = attrs.field(
        default=None, validator=_type_validator(str, "text", optional=True)
    )
    dpia_done: bool = attrs.field(
        default=False, validator=_type_validator(bool, "true or false")
    )
    secure_transfer: bool | None = attrs.field(
        default=None, validator=_type_validator(bool, "true or false", optional=True)
    )
    privacy_notice_covers: bool | None = attrs.field(
        default=None, validator=_type_validator(bool, "true or false", optional=True)
    )
    opt_out_possible: bool | None = attrs.field(
        default=None, validator=_type_validator(bool, "true or false", optional=True)
    )
    shared_daily_data: bool = attrs.field(
        default=False, validator=_type_validator(bool, "true or false")
    )
    staff_hours: float | None = attrs.field(
        default=None,
        validator=_type_validator((int, float), "a number of hours", optional=True),
    )
    justification: str | None = attrs.field(
        default=None, validator=_type_validator(str, "text", optional=True)
    )
    clearance_reference: str | None = attrs.field(
        default=None, validator=_type_validator(str, "text", optional=True)
    )
    last_reviewed: dt.date | None = attrs.field(
        default=None, validator=_type_validator(dt.date, "a date", optional=True)
    )
    not_stated: tuple[str, ...] = attrs.field(
        default=(), validator=_tuple_of(str, "a field path")
    )

    def __attrs_post_init__(self) -> None:
        if not self.title.strip():
            raise InputError("the request needs a title", column="title")
        if not self.items:
            raise InputError(
                "the request asks for no items",
                column="items",
                hint="list at least one item",
            )
        if self.granularity is Granularity.GROUP and self.min_group_size is None:
            raise InputError(
                "group-level data needs the smallest group size",
                column="min_group_size",
                hint="set min_group_size (e.g. 10)",
            )
        if self.min_group_size is not None and self.min_group_size < 1:
            raise InputError(
                f"{self.min_group_size} is not a group size",
                column="min_group_size",
                hint="give a whole number of pupils, 1 or more",
            )
        if self.collections_per_year is not None:
            if self.collections_per_year < 1:
                raise InputError(
                    f"{self.collections_per_year} collections a year is not possible",
                    column="collections_per_year",
                    hint="give 1 or more",
                )
            if (
                self.collection_dates
                and len(set(self.collection_dates)) != self.collections_per_year
            ):
                raise InputError(
                    f"collections_per_year is {self.collections_per_year} but "
                    f"{len(set(self.collection_dates))} collection dates are listed",
                    column="collections_per_year",
                    hint="drop one of the two or make them agree",
                )
        if self.staff_hours is not None and self.staff_hours < 0:
            raise InputError(
                f"{self.staff_hours} staff hours is negative",
                column="staff_hours",
                hint="give the estimated hours for one collection",
            )
        if not self.audiences:
            raise InputError(
                "the request names no audience",
                column="audiences",
                hint="use 'requester' when only the requester sees the data",
            )

    @property
    def collection_count(self) -> int:
        """Collections a year: the distinct dates, else ``collections_per_year``, else 1."""
        if self.collection_dates:
            return len(set(self.collection_dates))
        return self.collections_per_year or 1

    @property
    def is_routine(self) -> bool:
        """Whether the collection is routine (``routine``, else more than once a year)."""
        if self.routine is not None:
            return self.routine
        return self.collection_count > 1

    @property
    def pupil_identifiable(self) -> bool:
        """Whether the data identifies pupils (pupil-level and not pseudonymised)."""
        return self.granularity is Granularity.PUPIL and not self.pseudonymised

    @property
    def implied_purposes(self) -> frozenset[Purpose]:
        """The stated uses plus the purposes the audiences imply.

        Pupil-identifiable data for the public implies
        :attr:`Purpose.PUBLIC_IDENTIFICATION_OF_CHILDREN`; school-identifying
        data for the Attendance Action Alliance implies
        :attr:`Purpose.SCHOOL_IDENTITIES_TO_ATTENDANCE_ACTION_ALLIANCE`.
        """
        out = set(self.uses)
        if self.purpose_category is not None:
            out.add(self.purpose_category)
        if RequestAudience.PUBLIC in self.audiences and self.pupil_identifiable:
            out.add(Purpose.PUBLIC_IDENTIFICATION_OF_CHILDREN)
        if (
            RequestAudience.ATTENDANCE_ACTION_ALLIANCE in self.audiences
            and self.names_schools
        ):
            out.add(Purpose.SCHOOL_IDENTITIES_TO_ATTENDANCE_ACTION_ALLIANCE)
        return frozenset(out)

    def to_dict(self) -> dict[str, Any]:
        """Return the request as plain data (str, int, float, bool, lists, dicts).

        Dates are ISO strings and enums their values, so the result can be
        written as JSON; :meth:`from_dict` reads it back.
        """
        out: dict[str, Any] = _plain(self)
        out["not_stated"] = list(self.not_stated)
        return out

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], *, path: str | PathLike[str] | None = None
    ) -> DataRequest:
        """Build a request from plain data, as read from TOML, JSON or YAML.

        Parameters
        ----------
        data
            The fields of :class:`DataRequest`; ``requester`` is a table with
            ``kind``, ``name`` …; ``items`` a list of tables. Enum fields take
            their values (``"flight_path"``); ``uses`` and ``purpose_category``
            take any spelling :func:`~makingdata.domain.purposes.parse_purpose`
            accepts; dates are dates or ISO strings.
        path
            The file the data came from, named in errors.

        Returns
        -------
        DataRequest
            The validated request.

        Raises
        ------
        InputError
            Naming the file and the field path (``items[2].kind``), with the
            allowed values.

        Examples
        --------
        >>> from makingdata.policy import DataRequest
        >>> DataRequest.from_dict(
        ...     {
        ...         "title": "t",
        ...         "request_date": "2025-10-01",
        ...         "requester": {"kind": "la", "name": "Anyshire"},
        ...         "items": [{"kind": "flightpath"}],
        ...     },
        ...     path="req.toml",
        ... )
        Traceback (most recent call last):
        ...
        makingdata.errors.InputError: req.toml, column 'items[0].kind': 'flightpath' is not a valid ItemKind (did you mean 'flight_path'?). What to do: use one of: attainment_test, ... free_text, other.
        """
        try:
            return _parse_request(data)
        except RequestError as err:
            raise RequestError(err.problems, path=path) from None
        except InputError as err:
            raise InputError(
                err.message, path=path, row=err.row, column=err.column, hint=err.hint
            ) from None


# ------------------------------------------------------------ plain data codec


def _plain(obj: Any) -> Any:
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, dt.date):
        return obj.isoformat()
    if attrs.has(type(obj)):
        out: dict[str, Any] = {}
        for a in attrs.fields(type(obj)):
            value = getattr(obj, a.name)
            if value is None or value in ((), a.default):
                if a.default is attrs.NOTHING:
                    out[a.name] = _plain(value)
                continue
            out[a.name] = _plain(value)
        return out
    if isinstance(obj, tuple):
        return [_plain(v) for v in obj]
    return obj


def _sub(prefix: str, err: InputError) -> InputError:
    if not prefix:
        return err
    column = prefix if err.column is None else f"{prefix}.{err.column}"
    if err.column is not None and err.column.startswith("["):
        column = f"{prefix}{err.column}"
    return InputError(err.message, column=column, hint=err.hint)


class RequestError(InputError):
    """Several problems in one request, reported together.

    :meth:`DataRequest.from_dict` and :func:`~makingdata.policy.load_request`
    check every field before they give up, so one run lists every misspelt
    field, wrong value and missing field of a file. A request with a single
    problem raises that :class:`~makingdata.errors.InputError` itself.

    Attributes
    ----------
    problems
        One :class:`~makingdata.errors.InputError` per problem, each naming its
        field (``items[2].kind``) and, when read from a file, its line
        (``row``).

    Examples
    --------
    >>> from makingdata.policy import DataRequest, RequestError
    >>> try:
    ...     DataRequest.from_dict(
    ...         {
    ...             "title": "t",
    ...             "request_date": "2025-10-01",
    ...             "requester": {"kind": "la", "name": "Anyshire"},
    ...             "items": [{"kind": "flightpath"}],
    ...             "fromat": "bespoke",
    ...         }
    ...     )
    ... except RequestError as err:
    ...     [p.column for p in err.problems]
    ['fromat', 'items[0].kind']
    """

    def __init__(
        self,
        problems: list[InputError] | tuple[InputError, ...],
        *,
        path: str | PathLike[str] | None = None,
        what: str = "the request",
    ) -> None:
        self.problems = tuple(problems)
        parts = []
        for n, p in enumerate(self.problems, 1):
            where = []
            if p.path is not None and p.path != (None if path is None else str(path)):
                where.append(p.path)
            if p.row is not None:
                where.append(f"line {p.row}")
            if p.column is not None:
                where.append(f"field {p.column!r}")
            text = (
                f"({n}) {', '.join(where)}: {p.message}"
                if where
                else f"({n}) {p.message}"
            )
            if p.hint:
                text += f" ({p.hint.rstrip('.')})"
            parts.append(text)
        super().__init__(
            f"{len(self.problems)} problems in {what}: " + "; ".join(parts),
            path=path,
            hint="fix them all, then check the request again",
        )


def _did_you_mean(text: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(text, choices, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _norm(value: str) -> str:
    return re.sub(r"[\s_-]+", "_", value.strip().casefold())


#: Other spellings of the requester kinds that :meth:`DataRequest.from_dict` accepts.
REQUESTER_KIND_ALIASES: dict[str, RequesterKind] = {
    "department_for_education": RequesterKind.DFE,
    "regional_schools_commissioner": RequesterKind.RSC,
    "regional_director": RequesterKind.RSC,
    "local_authority": RequesterKind.LA,
    "mat": RequesterKind.TRUST,
    "multi_academy_trust": RequesterKind.TRUST,
    "academy_trust": RequesterKind.TRUST,
    "governors": RequesterKind.GOVERNING_BOARD,
    "governing_body": RequesterKind.GOVERNING_BOARD,
    "trust_board": RequesterKind.GOVERNING_BOARD,
    "supplier": RequesterKind.VENDOR,
    "partner": RequesterKind.PARTNER_GROUP,
}

_ALIASES: dict[type[enum.Enum], dict[str, Any]] = {
    RequesterKind: REQUESTER_KIND_ALIASES,
}


def _enum_value(enum_cls: type[_E], value: Any, field: str) -> _E:
    if isinstance(value, enum_cls):
        return value
    text: Any = value
    if isinstance(value, str):
        text = _norm(value)
    for member in enum_cls:
        if member.value == text:
            return member
    aliases = _ALIASES.get(enum_cls, {})
    if isinstance(text, str) and text in aliases:
        found: _E = aliases[text]
        return found
    maybe = ""
    if isinstance(text, str):
        maybe = _did_you_mean(text, [str(m.value) for m in enum_cls] + list(aliases))
    raise InputError(
        f"{value!r} is not a valid {enum_cls.__name__}{maybe}",
        column=field,
        hint=f"use one of: {_allowed(enum_cls)}",
    )


def _date(value: Any, field: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InputError(
        f"{value!r} is not a date", column=field, hint="write dates as YYYY-MM-DD"
    )


def _list(value: Any, field: str) -> list[Any]:
    if isinstance(value, (list, tuple)):
        return list(value)
    raise InputError(
        f"expected a list, got {type(value).__name__}",
        column=field,
        hint='write a list, e.g. ["a", "b"]',
    )


def _table(value: Any, field: str) -> Mapping[str, Any]:
    if isinstance(value, dict):
        return value
    raise InputError(
        f"expected a table of fields, got {type(value).__name__}", column=field
    )


class _Problems:
    """Collects the problems of one request instead of stopping at the first."""

    def __init__(self) -> None:
        self.errors: list[InputError] = []

    def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Return ``fn(*args)``, or :data:`_BAD` after recording its error."""
        try:
            return fn(*args)
        except InputError as err:
            self.errors.append(err)
            return _BAD


#: What a field that could not be read becomes while the others are checked.
_BAD = object()


def _unknown_keys(
    data: Mapping[str, Any], cls: type, prefix: str, problems: _Problems
) -> None:
    names = [a.name for a in attrs.fields(cls)]
    for key in data:
        if key not in names:
            where = f"{prefix}.{key}" if prefix else str(key)
            problems.errors.append(
                InputError(
                    f"unknown field {key!r}{_did_you_mean(str(key), names)}",
                    column=where,
                    hint=f"the fields are: {', '.join(names)}",
                )
            )


def _required(data: Mapping[str, Any], key: str, prefix: str) -> Any:
    if key not in data:
        where = f"{prefix}.{key}" if prefix else key
        raise InputError(f"the required field {key!r} is missing", column=where)
    return data[key]


def _check_fields(
    cls: type, kwargs: dict[str, Any], prefix: str, problems: _Problems
) -> bool:
    """Run each readable field's validator on its own, recording every failure."""
    before = len(problems.errors)
    fields = attrs.fields(cls)
    values = {}
    for a in fields:
        if a.name in kwargs:
            values[a.name] = kwargs[a.name]
        else:
            values[a.name] = None if a.default is attrs.NOTHING else a.default
    inst = SimpleNamespace(**values)
    for a in fields:
        value = kwargs.get(a.name, _BAD)
        if a.validator is None or value is _BAD:
            continue
        try:
            a.validator(inst, a, value)
        except InputError as err:
            problems.errors.append(_sub(prefix, err))
        except (AttributeError, TypeError):  # a validator that needs a bad field
            continue
    return len(problems.errors) == before


def _build(
    cls: type[_T], kwargs: dict[str, Any], prefix: str, problems: _Problems
) -> Any:
    ok = _check_fields(cls, kwargs, prefix, problems)
    if not ok or any(v is _BAD for v in kwargs.values()):
        return _BAD
    try:
        return cls(**kwargs)
    except InputError as err:
        problems.errors.append(_sub(prefix, err))
        return _BAD


def _parse_requester(raw: Any, prefix: str, problems: _Problems) -> Any:
    data = problems.run(_table, raw, prefix)
    if data is _BAD:
        return _BAD
    _unknown_keys(data, Requester, prefix, problems)
    kind = problems.run(_required, data, "kind", prefix)
    kwargs: dict[str, Any] = {
        "kind": _BAD
        if kind is _BAD
        else problems.run(_enum_value, RequesterKind, kind, f"{prefix}.kind"),
        "name": problems.run(_required, data, "name", prefix),
    }
    if "identifier" in data:
        kwargs["identifier"] = data["identifier"]
    if "acting_for" in data:
        kwargs["acting_for"] = _parse_requester(
            data["acting_for"], f"{prefix}.acting_for", problems
        )
    if "responsible_for" in data:
        found = problems.run(
            _list, data["responsible_for"], f"{prefix}.responsible_for"
        )
        kwargs["responsible_for"] = found if found is _BAD else tuple(found)
    return _build(Requester, kwargs, prefix, problems)


def _parse_item(raw: Any, prefix: str, problems: _Problems) -> Any:
    data = problems.run(_table, raw, prefix)
    if data is _BAD:
        return _BAD
    _unknown_keys(data, DataItem, prefix, problems)
    names = {a.name for a in attrs.fields(DataItem)}
    kwargs: dict[str, Any] = {k: v for k, v in data.items() if k in names}
    kind = problems.run(_required, data, "kind", prefix)
    kwargs["kind"] = (
        _BAD
        if kind is _BAD
        else problems.run(_enum_value, ItemKind, kind, f"{prefix}.kind")
    )
    if data.get("about") is not None:
        kwargs["about"] = problems.run(
            _enum_value, ItemKind, data["about"], f"{prefix}.about"
        )
    if "codes" in data:
        codes = problems.run(_list, data["codes"], f"{prefix}.codes")
        kwargs["codes"] = codes if codes is _BAD else tuple(codes)
    if data.get("covers_from") is not None:
        kwargs["covers_from"] = problems.run(
            _date, data["covers_from"], f"{prefix}.covers_from"
        )
    return _build(DataItem, kwargs, prefix, problems)


_ENUM_FIELDS: dict[str, type[enum.Enum]] = {
    "recipient_type": SchoolType,
    "format": Format,
    "granularity": Granularity,
    "intervention_trigger": InterventionTrigger,
}


def _each(
    problems: _Problems,
    data: Mapping[str, Any],
    name: str,
    fn: Callable[[Any, str], Any],
) -> Any:
    values = problems.run(_list, data[name], name)
    if values is _BAD:
        return _BAD
    out = tuple(problems.run(fn, v, f"{name}[{i}]") for i, v in enumerate(values))
    return _BAD if any(v is _BAD for v in out) else out


def _purpose(value: Any, field: str) -> Purpose:
    return parse_purpose(value, field=field)


#: Request fields whose default is a value: left out of a file, they are "not stated".
STATED_FIELDS: tuple[str, ...] = (
    "recipient_type",
    "format",
    "same_time_for_all_classes",
    "granularity",
    "pseudonymised",
    "names_schools",
    "audiences",
    "intervention_trigger",
    "dpia_done",
    "shared_daily_data",
)
#: Item fields whose default is a value.
STATED_ITEM_FIELDS: tuple[str, ...] = ("held_in_mis", "statutory")


def _not_stated(data: Mapping[str, Any]) -> tuple[str, ...]:
    out = [name for name in STATED_FIELDS if name not in data]
    items = data.get("items")
    if isinstance(items, list):
        for i, item in enumerate(items):
            if isinstance(item, dict):
                out.extend(
                    f"items[{i}].{name}"
                    for name in STATED_ITEM_FIELDS
                    if name not in item
                )
    return tuple(out)


def _parse_request(raw: Mapping[str, Any]) -> DataRequest:  # noqa: PLR0912 - one branch per field
    problems = _Problems()
    data = _table(raw, "request")
    _unknown_keys(data, DataRequest, "", problems)
    names = {a.name for a in attrs.fields(DataRequest)}
    kwargs: dict[str, Any] = {k: v for k, v in data.items() if k in names}
    kwargs["title"] = problems.run(_required, data, "title", "")
    date = problems.run(_required, data, "request_date", "")
    kwargs["request_date"] = (
        _BAD if date is _BAD else problems.run(_date, date, "request_date")
    )
    requester = problems.run(_required, data, "requester", "")
    kwargs["requester"] = (
        _BAD
        if requester is _BAD
        else _parse_requester(requester, "requester", problems)
    )
    items = problems.run(_required, data, "items", "")
    if items is not _BAD:
        items = problems.run(_list, items, "items")
    if items is _BAD:
        kwargs["items"] = _BAD
    else:
        parsed = tuple(
            _parse_item(item, f"items[{i}]", problems) for i, item in enumerate(items)
        )
        kwargs["items"] = _BAD if any(v is _BAD for v in parsed) else parsed
    for name, enum_cls in _ENUM_FIELDS.items():
        if name in data:
            kwargs[name] = problems.run(_enum_value, enum_cls, data[name], name)
    if "audiences" in data:
        kwargs["audiences"] = _each(
            problems, data, "audiences", lambda v, f: _enum_value(RequestAudience, v, f)
        )
    if "uses" in data:
        kwargs["uses"] = _each(problems, data, "uses", _purpose)
    if data.get("purpose_category") is not None:
        kwargs["purpose_category"] = problems.run(
            _purpose, data["purpose_category"], "purpose_category"
        )
    if "recipients" in data:
        found = problems.run(_list, data["recipients"], "recipients")
        kwargs["recipients"] = found if found is _BAD else tuple(found)
    if "collection_dates" in data:
        kwargs["collection_dates"] = _each(problems, data, "collection_dates", _date)
    if data.get("last_reviewed") is not None:
        kwargs["last_reviewed"] = problems.run(
            _date, data["last_reviewed"], "last_reviewed"
        )
    if "not_stated" not in data:
        kwargs["not_stated"] = _not_stated(data)
    else:
        found = problems.run(_list, data["not_stated"], "not_stated")
        kwargs["not_stated"] = found if found is _BAD else tuple(found)
    request = _build(DataRequest, kwargs, "", problems)
    if problems.errors:
        if len(problems.errors) == 1:
            raise problems.errors[0]
        raise RequestError(problems.errors)
    result: DataRequest = request
    return result
