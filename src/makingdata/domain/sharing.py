"""Sharing: agreements, legal bases, audiences, viewers and what each may be used for.

The daily-data principles (DfE, *Requesting daily data from schools*, 2022) promise schools
who may see the data they share and what it will not be used for. This module
holds the *facts* those promises are checked against; the checking itself is
:func:`makingdata.access.scope`.

* :class:`SharingAgreement`: one school sharing with a recipient from a start
  date, until an end date or an opt-out, under a :class:`LegalBasis` — the
  consent-based voluntary sharing of 2022 (opt-out at any time, principles §3)
  or the statutory daily collection that began on 19 August 2024
  (in force from 19 August 2024), which has no opt-out.
* :class:`Audience`: who a viewer is — a school, a trust, an LA, DfE, a
  partner group or the public. The one audience enum of makingdata:
  disclosure's rule sets are keyed by it (``makingdata.disclosure.AUDIENCES``
  are its values), so a scoped table is protected for the same audience.
* :class:`Viewer`: a particular school, trust, LA, DfE, a named partner group
  (:data:`PARTNER_GROUPS`, e.g. the Attendance Action Alliance) or the public.
  Viewers are built with the constructors (:meth:`Viewer.school`,
  :meth:`Viewer.trust`, :meth:`Viewer.la` check the :class:`Directory`); a
  viewer holds *no* scope: which schools and dates it may see is recomputed
  from the Directory and the agreements on every call.
* :data:`GRANTS`: which :class:`~makingdata.domain.purposes.Purpose` each
  audience may use the shared data for. The purposes the promises forbid are
  in no grant; they are refused first, with their citation, from
  :data:`~makingdata.domain.purposes.FORBIDDEN_FOR_SHARED_DAILY_DATA` (the
  one list, in :mod:`makingdata.domain.purposes`).

Examples
--------
>>> import datetime as dt
>>> from makingdata.domain.sharing import LegalBasis, SharingAgreement
>>> a = SharingAgreement(
...     121681, "DfE", dt.date(2022, 2, 1), opt_out=dt.date(2023, 1, 9)
... )
>>> a.last_day, a.covers(dt.date(2023, 1, 9))
(datetime.date(2023, 1, 8), False)
>>> SharingAgreement.statutory(121681).legal_basis is LegalBasis.STATUTORY
True
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from typing import TYPE_CHECKING

import attrs

from makingdata._contracts import EducationPhase
from makingdata._sources import DAILY_DATA_PRINCIPLES, cite
from makingdata.domain._fields import check_date, check_optional_date, to_urn
from makingdata.domain._identifiers import (
    is_valid_new_la_code,
    is_valid_trust_id,
    validate_new_la_code,
    validate_trust_id,
)
from makingdata.domain.purposes import Purpose
from makingdata.errors import InputError

if TYPE_CHECKING:
    from makingdata.domain._directory import Directory

__all__ = [
    "DFE",
    "GRANTS",
    "PARTNER_GROUPS",
    "STATE_FUNDED_TYPE_GROUPS",
    "STATUTORY_COLLECTION_START",
    "Audience",
    "LegalBasis",
    "SharingAgreement",
    "Viewer",
    "statutory_agreements",
]

#: First day of the statutory daily attendance collection.
STATUTORY_COLLECTION_START = dt.date(2024, 8, 19)

#: The recipient name of the national collection (agreements made with DfE).
DFE = "DfE"

#: GIAS establishment type groups in the statutory daily collection: maintained,
#: special, academy and AP academy schools (DfE, Share your daily school attendance data, September 2025).
STATE_FUNDED_TYPE_GROUPS: frozenset[str] = frozenset(
    {
        "Local authority maintained schools",
        "Academies",
        "Free Schools",
        "Special schools",
    }
)


class LegalBasis(enum.StrEnum):
    """Why a school's daily data is shared.

    ``CONSENT``: the voluntary sharing of 2022–2024, agreed once by the school
    through the aggregator, with opt-out at any time (principles §3).
    ``STATUTORY``: the daily collection required under the Education
    (Information About Individual Pupils) (England) (Amendment) Regulations
    2024 from 19 August 2024; no consent is needed and there is no opt-out
    (DfE, Share your daily school attendance data).

    Examples
    --------
    >>> from makingdata.domain.sharing import LegalBasis
    >>> LegalBasis.CONSENT.opt_out_allowed, LegalBasis.STATUTORY.opt_out_allowed
    (True, False)
    """

    CONSENT = "consent"
    STATUTORY = "statutory"

    @property
    def opt_out_allowed(self) -> bool:
        """Whether the school may stop sharing under this basis."""
        return self is LegalBasis.CONSENT

    @property
    def citation(self) -> str:
        """Where the basis is described."""
        if self is LegalBasis.CONSENT:
            return (
                cite(DAILY_DATA_PRINCIPLES, "§3").text
                + " (voluntary; opt-out at any time)"
            )
        return cite("iaip-amendment-regulations-2024").text + ", from 19 August 2024"


class Audience(enum.StrEnum):
    """Who receives data, from the most to the least trusted.

    The one audience enum, used by access (a viewer's audience) and by
    disclosure (the rule set a table is protected with). Documented here;
    ``makingdata.access.Audience`` and ``makingdata.disclosure.Audience`` are
    the same object. A :class:`~enum.StrEnum`: each member equals its value,
    so functions that take an audience accept ``"public"`` as well as
    ``Audience.PUBLIC``.

    Examples
    --------
    >>> from makingdata.domain import Audience
    >>> [a.value for a in Audience]
    ['school', 'trust', 'la', 'dfe', 'partner', 'public']
    >>> Audience.PUBLIC == "public", Audience("la") is Audience.LA
    (True, True)
    """

    SCHOOL = "school"
    TRUST = "trust"
    LA = "la"
    DFE = "dfe"
    PARTNER = "partner"
    PUBLIC = "public"

    @property
    def sees_school_identities(self) -> bool:
        """Whether rows of this audience may name a school (not partner, not public)."""
        return self not in {Audience.PARTNER, Audience.PUBLIC}


#: The purposes each audience may use the shared daily data for. Deny by
#: default: a purpose not listed is refused. No forbidden purpose is granted.
GRANTS: dict[Audience, frozenset[Purpose]] = {
    Audience.SCHOOL: frozenset(
        {
            Purpose.SUPPORT,
            Purpose.SCHOOL_IMPROVEMENT,
            Purpose.SAFEGUARDING,
            Purpose.MONITORING,
            Purpose.STATUTORY_RETURN,
            Purpose.REPORTING_TO_PARENTS,
            Purpose.RESEARCH,
        }
    ),
    Audience.TRUST: frozenset(
        {
            Purpose.SUPPORT,
            Purpose.SCHOOL_IMPROVEMENT,
            Purpose.SAFEGUARDING,
            Purpose.MONITORING,
        }
    ),
    Audience.LA: frozenset(
        {
            Purpose.SUPPORT,
            Purpose.SCHOOL_IMPROVEMENT,
            Purpose.SAFEGUARDING,
            Purpose.MONITORING,
            Purpose.STATUTORY_RETURN,
        }
    ),
    Audience.DFE: frozenset(
        {
            Purpose.SUPPORT,
            Purpose.MONITORING,
            Purpose.OFFICIAL_STATISTICS,
            Purpose.RESEARCH,
            Purpose.STATUTORY_RETURN,
        }
    ),
    Audience.PARTNER: frozenset(
        {Purpose.SUPPORT, Purpose.MONITORING, Purpose.RESEARCH}
    ),
    Audience.PUBLIC: frozenset(
        {Purpose.PUBLICATION, Purpose.OFFICIAL_STATISTICS, Purpose.RESEARCH}
    ),
}

#: Named partner groups, by canonical name, with the spellings accepted.
PARTNER_GROUPS: dict[str, tuple[str, ...]] = {
    "Attendance Action Alliance": (
        "attendance action alliance",
        "aaa",
        "the attendance action alliance",
    ),
}


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.casefold()).split())


def _to_recipient(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError(
            f"a recipient must be text, got {value!r}",
            column="recipient",
            hint="use 'DfE', a trust id (TR01234) or an LA's GSS code (E06000065)",
        )
    text = value.strip()
    low = text.casefold()
    for prefix in ("trust:", "la:", "dfe:"):
        if low.startswith(prefix):
            text = text[len(prefix) :].strip()
            low = text.casefold()
    if low in {"dfe", "department for education", ""}:
        return DFE
    if is_valid_trust_id(text.upper()):
        return validate_trust_id(text.upper())
    if is_valid_new_la_code(text.upper()):
        return validate_new_la_code(text.upper())
    raise InputError(
        f"{value!r} is not a recipient",
        column="recipient",
        hint="use 'DfE', a trust id (TR01234) or an LA's GSS code (E06000065)",
    )


def _to_basis(value: LegalBasis | str) -> LegalBasis:
    if isinstance(value, LegalBasis):
        return value
    key = _norm(str(value))
    for basis in LegalBasis:
        if key in {basis.value, basis.name.casefold()}:
            return basis
    if key in {"voluntary", "consent based", "consent based voluntary sharing"}:
        return LegalBasis.CONSENT
    if key in {"statutory collection", "statute", "mandatory", "legal obligation"}:
        return LegalBasis.STATUTORY
    raise InputError(
        f"{value!r} is not a legal basis",
        column="legal_basis",
        hint="use 'consent' (voluntary sharing) or 'statutory' (from 19 August 2024)",
    )


@attrs.frozen(slots=True)
class SharingAgreement:
    """A school sharing its daily data with a recipient, over a stretch of days.

    The agreement covers ``start`` to :attr:`last_day`, both included:
    ``end`` is the last day of the agreement, ``opt_out`` the first day the
    school no longer shares (an opt-out applies from its date; what was shared
    before stays attributable to the days it covered). With recipient
    :data:`DFE` the school *participates* in the national collection, which is
    what lets its trust and its LA see it (principles §4: "MATs will be able to
    view the data of all participating schools they are responsible for, and
    LAs ... of participating schools within their area"); with a trust id or an
    LA code the agreement shares with that organisation alone.

    Attributes
    ----------
    urn
        The school.
    recipient
        ``"DfE"``, a trust id or an LA's GSS code (``trust:``/``la:`` prefixes
        are accepted and dropped).
    start
        First day shared.
    end
        Last day of the agreement, if it has one.
    opt_out
        First day no longer shared, if the school opted out (consent only).
    legal_basis
        :class:`LegalBasis`; ``"consent"`` or ``"statutory"`` are accepted.

    Raises
    ------
    InputError
        If the dates are out of order, a statutory agreement starts before
        19 August 2024 or carries an opt-out, or a field is malformed.

    Examples
    --------
    >>> import datetime as dt
    >>> from makingdata.domain.sharing import SharingAgreement
    >>> SharingAgreement(121681, "trust:tr01234", dt.date(2022, 2, 1)).recipient
    'TR01234'
    >>> SharingAgreement(
    ...     121681,
    ...     "DfE",
    ...     dt.date(2024, 9, 2),
    ...     legal_basis="statutory",
    ...     opt_out=dt.date(2024, 10, 1),
    ... )
    Traceback (most recent call last):
    ...
    makingdata.errors.InputError: column 'opt_out': school 121681 cannot opt out of the statutory daily collection (2024-10-01). What to do: record an end date only if the school stops being in scope of the collection (e.g. it closes).
    """

    urn: int = attrs.field(converter=to_urn)
    recipient: str = attrs.field(converter=_to_recipient)
    start: dt.date = attrs.field(validator=check_date)
    end: dt.date | None = attrs.field(
        default=None, kw_only=True, validator=check_optional_date
    )
    opt_out: dt.date | None = attrs.field(
        default=None, kw_only=True, validator=check_optional_date
    )
    legal_basis: LegalBasis = attrs.field(
        default=LegalBasis.CONSENT, kw_only=True, converter=_to_basis
    )

    def __attrs_post_init__(self) -> None:
        if self.end is not None and self.end < self.start:
            raise InputError(
                f"school {self.urn}: agreement end {self.end.isoformat()} is before "
                f"its start {self.start.isoformat()}",
                column="end",
                hint="end is the last day shared; it must be on or after start",
            )
        if self.opt_out is not None and self.opt_out < self.start:
            raise InputError(
                f"school {self.urn}: opt-out {self.opt_out.isoformat()} is before "
                f"the agreement's start {self.start.isoformat()}",
                column="opt_out",
                hint="opt_out is the first day no longer shared",
            )
        if self.legal_basis is LegalBasis.STATUTORY:
            if self.start < STATUTORY_COLLECTION_START:
                raise InputError(
                    f"school {self.urn}: the statutory daily collection began on "
                    f"{STATUTORY_COLLECTION_START.isoformat()}, not "
                    f"{self.start.isoformat()}",
                    column="start",
                    hint="use legal_basis='consent' for voluntary sharing before it",
                )
            if self.opt_out is not None:
                raise InputError(
                    f"school {self.urn} cannot opt out of the statutory daily "
                    f"collection ({self.opt_out.isoformat()})",
                    column="opt_out",
                    hint="record an end date only if the school stops being in "
                    "scope of the collection (e.g. it closes)",
                )

    @classmethod
    def statutory(
        cls,
        urn: int | str,
        *,
        start: dt.date = STATUTORY_COLLECTION_START,
        end: dt.date | None = None,
    ) -> SharingAgreement:
        """Return the school's statutory daily collection (recipient DfE).

        Examples
        --------
        >>> from makingdata.domain.sharing import SharingAgreement
        >>> SharingAgreement.statutory(121681).start
        datetime.date(2024, 8, 19)
        """
        return cls(urn, DFE, start, end=end, legal_basis=LegalBasis.STATUTORY)

    @property
    def last_day(self) -> dt.date | None:
        """Last day covered: the earlier of ``end`` and the day before ``opt_out``."""
        days = [d for d in (self.end,) if d is not None]
        if self.opt_out is not None:
            days.append(self.opt_out - dt.timedelta(days=1))
        return min(days) if days else None

    def covers(self, date: dt.date) -> bool:
        """Return whether the school shares under this agreement on ``date``."""
        last = self.last_day
        return self.start <= date and (last is None or date <= last)


_SEAL = object()


def _label_of(audience: Audience, organisation: str | None) -> str:
    return (
        audience.value if organisation is None else f"{audience.value}:{organisation}"
    )


@attrs.frozen(slots=True)
class Viewer:
    """Someone who asks to see shared data: a school, trust, LA, DfE, partner or public.

    Build viewers with the constructors: :meth:`school`, :meth:`trust` and
    :meth:`la` check the organisation against a
    :class:`~makingdata.domain.Directory`; :meth:`dfe`, :meth:`partner` and
    :meth:`public` need none. A viewer carries **no scope**:
    :func:`makingdata.access.scope` recomputes which schools and days it may
    see from the Directory and the agreements on every call, and refuses a
    viewer that was not built by a constructor, so a hand-built viewer (or one
    with extra attributes claiming schools) gains nothing.

    Attributes
    ----------
    audience
        The kind of viewer.
    organisation
        The URN (as text) of a school, the trust id, the LA's GSS code, the
        partner group's name, or ``None`` for DfE and the public.
    name
        A readable name, for messages and the audit log.

    Examples
    --------
    >>> from makingdata.domain.sharing import Viewer
    >>> Viewer.partner("AAA").label
    'partner:Attendance Action Alliance'
    >>> Viewer.dfe().built_by_constructor
    True
    """

    audience: Audience = attrs.field(converter=Audience)
    organisation: str | None = None
    name: str | None = None
    _seal: object = attrs.field(default=None, eq=False, repr=False, alias="_seal")

    @property
    def label(self) -> str:
        """``audience:organisation`` (``dfe``, ``public`` alone), as the CLI takes it."""
        return _label_of(self.audience, self.organisation)

    @property
    def built_by_constructor(self) -> bool:
        """Whether one of the constructors built this viewer."""
        return self._seal is _SEAL

    @classmethod
    def school(cls, urn: int | str, directory: Directory) -> Viewer:
        """Return the viewer for a school the directory knows.

        Raises
        ------
        InputError
            If the directory has no school with this URN.

        Examples
        --------
        >>> from makingdata.domain import Directory, LocalAuthority, Region, School
        >>> from makingdata.domain.sharing import Viewer
        >>> la = LocalAuthority(
        ...     885, "E10000034", "Worcestershire", Region("E12000005", "West Midlands")
        ... )
        >>> d = Directory([School(123456, "Example Primary", 8852001, la)])
        >>> Viewer.school("123456", d).label
        'school:123456'
        """
        school = directory.school(urn)
        if school is None:  # pragma: no cover - without a date it is never None
            raise InputError(f"no school with URN {urn}", column="urn")
        return cls(Audience.SCHOOL, str(school.urn), school.name, _seal=_SEAL)

    @classmethod
    def trust(cls, trust_id: str, directory: Directory) -> Viewer:
        """Return the viewer for a trust the directory knows.

        Raises
        ------
        IdentifierError
            If ``trust_id`` is not a trust id.
        InputError
            If no membership in the directory names the trust.

        Examples
        --------
        >>> from makingdata.domain import Directory
        >>> from makingdata.domain.sharing import Viewer
        >>> Viewer.trust("TR01234", Directory([]))
        Traceback (most recent call last):
        ...
        makingdata.errors.InputError: column 'trust_id': trust TR01234 is not in the directory. What to do: check the trust id, or build the directory with that trust's memberships.
        """
        tid = validate_trust_id(str(trust_id).strip().upper())
        known = {t.trust_id: t for t in directory.trusts}
        if tid not in known:
            raise InputError(
                f"trust {tid} is not in the directory",
                column="trust_id",
                hint="check the trust id, or build the directory with that trust's "
                "memberships",
            )
        return cls(Audience.TRUST, tid, known[tid].name, _seal=_SEAL)

    @classmethod
    def la(
        cls, code: int | str, directory: Directory, *, on: dt.date | None = None
    ) -> Viewer:
        """Return the viewer for an LA in the directory's LA table.

        ``code`` is a GSS code, or a 3-digit code resolved on ``on`` (default:
        the LA in operation now): 815 is the county ``E10000023`` before
        1 April 2023 and the unitary ``E06000065`` after. An LA sees the
        schools in its area on each day it existed; a successor does not see
        the days before it came into operation (those belong to its
        predecessor, which is a viewer of its own).

        Raises
        ------
        InputError
            If the directory's LA table has no such LA.

        Examples
        --------
        >>> import datetime as dt
        >>> from makingdata.domain import Directory
        >>> from makingdata.domain.sharing import Viewer
        >>> Viewer.la(815, Directory([])).organisation
        'E06000065'
        >>> Viewer.la(815, Directory([]), on=dt.date(2022, 1, 4)).organisation
        'E10000023'
        """
        la = directory.la(code, on=on)
        return cls(Audience.LA, la.new_la_code, la.name, _seal=_SEAL)

    @classmethod
    def dfe(cls) -> Viewer:
        """Return the viewer for the Department for Education."""
        return cls(Audience.DFE, None, "Department for Education", _seal=_SEAL)

    @classmethod
    def partner(cls, name: str) -> Viewer:
        """Return the viewer for a named partner group (:data:`PARTNER_GROUPS`).

        Raises
        ------
        InputError
            If the name is not a known partner group.

        Examples
        --------
        >>> from makingdata.domain.sharing import Viewer
        >>> Viewer.partner("Attendance-Action-Alliance").organisation
        'Attendance Action Alliance'
        """
        key = _norm(str(name))
        for canonical, spellings in PARTNER_GROUPS.items():
            if key == _norm(canonical) or key in spellings:
                return cls(Audience.PARTNER, canonical, canonical, _seal=_SEAL)
        raise InputError(
            f"{name!r} is not a known partner group",
            column="viewer",
            hint=f"use one of: {', '.join(PARTNER_GROUPS)}",
        )

    @classmethod
    def public(cls) -> Viewer:
        """Return the viewer for the public (anything published)."""
        return cls(Audience.PUBLIC, None, "the public", _seal=_SEAL)


def statutory_agreements(directory: Directory) -> list[SharingAgreement]:
    """Return the statutory daily collection for every school it applies to.

    From 19 August 2024 (or the school's opening, if later) to its closing: one
    :meth:`SharingAgreement.statutory` per school whose GIAS type group is one
    of :data:`STATE_FUNDED_TYPE_GROUPS` (or not recorded) and which is not a
    nursery school ("It does not apply to nursery schools": DfE, Share your
    daily school attendance data, September 2025). Schools that closed before the collection began get none.

    Parameters
    ----------
    directory
        The schools.

    Returns
    -------
    list of SharingAgreement
        Sorted by URN.

    Examples
    --------
    >>> import datetime as dt
    >>> from makingdata.domain import Directory, LocalAuthority, Region, School
    >>> from makingdata.domain.sharing import statutory_agreements
    >>> la = LocalAuthority(
    ...     885, "E10000034", "Worcestershire", Region("E12000005", "West Midlands")
    ... )
    >>> d = Directory(
    ...     [
    ...         School(123456, "Example Primary", 8852001, la, "Primary"),
    ...         School(123457, "Example Nursery", 8851001, la, "Nursery"),
    ...         School(123458, "Closed", 8852002, la, close_date=dt.date(2024, 7, 19)),
    ...     ]
    ... )
    >>> [(a.urn, a.start) for a in statutory_agreements(d)]
    [(123456, datetime.date(2024, 8, 19))]
    """
    out: list[SharingAgreement] = []
    for school in directory.schools():
        if school.phase is EducationPhase.NURSERY:
            continue
        group = school.establishment_type_group
        if group is not None and group not in STATE_FUNDED_TYPE_GROUPS:
            continue
        if (
            school.close_date is not None
            and school.close_date < STATUTORY_COLLECTION_START
        ):
            continue
        start = max(
            STATUTORY_COLLECTION_START, school.open_date or STATUTORY_COLLECTION_START
        )
        if school.close_date is not None and school.close_date < start:
            continue
        out.append(
            SharingAgreement.statutory(school.urn, start=start, end=school.close_date)
        )
    return out
