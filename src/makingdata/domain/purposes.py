"""Purposes for which pupil data is asked for, used or shared: one catalogue.

This module is the single definition of *why* data moves. The policy engine
(:mod:`makingdata.policy`) reads a data request's stated uses as
:class:`Purpose` members, and the access module refuses a viewer whose purpose
is one of the same members. Neither keeps a second list.

The purposes that the daily-data principles rule out for the attendance data
schools share every day (DfE, *Requesting daily data from schools – principles
for collection and use*, 2022, §4) carry
``forbidden_for_shared_daily_data = True`` and the citation of the promise
they would break:

* Ofsted decision making and RSC decision making;
* judgements of what constitutes a school causing concern;
* inspection;
* academisation;
* decisions to place a school in, or remove it from, a trust;
* sharing information that identifies a child publicly;
* sharing school-identifiable data with the Attendance Action Alliance.

The 2022 principles were written for the voluntary collection. Whether DfE
still holds to the use restrictions after the collection became statutory on
19 August 2024 is unverified; makingdata keeps the
promises, since a trust or LA system can always choose to be stricter than the
law.

:func:`parse_purpose` accepts the spellings people type ("Ofsted decisions",
"academization", "SCC judgement", "trust-moves") and maps them to one member;
anything it does not recognise raises :class:`~makingdata.errors.InputError`
listing the allowed values, so an unknown purpose is never silently allowed.

Examples
--------
>>> from makingdata.domain.purposes import Purpose, parse_purpose
>>> parse_purpose("Academization").forbidden_for_shared_daily_data
True
>>> parse_purpose("support") is Purpose.SUPPORT
True
>>> Purpose.INSPECTION.citation
'DfE, Requesting daily data from schools – principles for collection and use, 2022, §4'
"""

from __future__ import annotations

import difflib
import enum
import re

import attrs

from makingdata._sources import DAILY_DATA_PRINCIPLES, cite
from makingdata.errors import InputError

__all__ = [
    "DAILY_DATA_PROMISES",
    "FORBIDDEN_FOR_SHARED_DAILY_DATA",
    "Purpose",
    "PurposeInfo",
    "parse_purpose",
]

#: Where the promises about the shared daily data are written down (the human
#: citation of the source registry's entry).
DAILY_DATA_PROMISES = cite(DAILY_DATA_PRINCIPLES, "§4").text


class Purpose(enum.StrEnum):
    """Why data is asked for or used.

    The value is a stable snake-case identifier (used in files and JSON);
    :attr:`label` is the plain-English name, :attr:`citation` the source of a
    prohibition and :attr:`forbidden_for_shared_daily_data` whether the
    daily-data principles rule the purpose out.

    Examples
    --------
    >>> from makingdata.domain.purposes import Purpose
    >>> Purpose.ACADEMISATION.value
    'academisation'
    >>> Purpose.SUPPORT.forbidden_for_shared_daily_data
    False
    """

    SUPPORT = "support"
    SCHOOL_IMPROVEMENT = "school_improvement"
    SAFEGUARDING = "safeguarding"
    MONITORING = "monitoring"
    ACCOUNTABILITY = "accountability"
    INTERVENTION = "intervention"
    STATUTORY_RETURN = "statutory_return"
    OFFICIAL_STATISTICS = "official_statistics"
    RESEARCH = "research"
    PUBLICATION = "publication"
    REPORTING_TO_PARENTS = "reporting_to_parents"
    INSPECTION_PREPARATION = "inspection_preparation"
    TEACHER_PERFORMANCE_MANAGEMENT = "teacher_performance_management"
    OFSTED_DECISION = "ofsted_decision"
    RSC_DECISION = "rsc_decision"
    SCHOOL_CAUSING_CONCERN = "school_causing_concern"
    INSPECTION = "inspection"
    ACADEMISATION = "academisation"
    TRUST_PLACEMENT = "trust_placement"
    PUBLIC_IDENTIFICATION_OF_CHILDREN = "public_identification_of_children"
    SCHOOL_IDENTITIES_TO_ATTENDANCE_ACTION_ALLIANCE = (
        "school_identities_to_attendance_action_alliance"
    )

    @property
    def info(self) -> PurposeInfo:
        """The catalogue entry of this purpose."""
        return _INFO[self]

    @property
    def label(self) -> str:
        """Plain-English name."""
        return _INFO[self].label

    @property
    def forbidden_for_shared_daily_data(self) -> bool:
        """Whether the daily-data principles (DfE 2022, §4) rule this purpose out."""
        return _INFO[self].forbidden_for_shared_daily_data

    @property
    def citation(self) -> str | None:
        """Where the prohibition is written, or ``None`` for an allowed purpose."""
        return _INFO[self].citation


@attrs.frozen(slots=True)
class PurposeInfo:
    """One row of the purpose catalogue.

    Attributes
    ----------
    purpose
        The member this row describes.
    label
        Plain-English name, as a reader would say it.
    forbidden_for_shared_daily_data
        Whether the shared daily attendance data may not be used for it.
    citation
        The source of the prohibition (author, title, date, section), if any.
    promise
        The words of the promise it would break, if any.
    aliases
        Other spellings :func:`parse_purpose` accepts.

    Examples
    --------
    >>> from makingdata.domain.purposes import Purpose
    >>> Purpose.TRUST_PLACEMENT.info.label
    'decisions to place or remove a school in a trust'
    """

    purpose: Purpose
    label: str
    forbidden_for_shared_daily_data: bool = False
    citation: str | None = None
    promise: str | None = None
    aliases: tuple[str, ...] = ()


def _forbidden(
    purpose: Purpose, label: str, promise: str, *aliases: str
) -> PurposeInfo:
    return PurposeInfo(
        purpose,
        label,
        forbidden_for_shared_daily_data=True,
        citation=DAILY_DATA_PROMISES,
        promise=promise,
        aliases=aliases,
    )


_NOT_FOR_DECISIONS = (
    "This voluntary data will not be used for Ofsted or RSC decision making, for "
    "judgements around what constitutes a school causing concern, or for "
    "inspection, academisation or decisions to place or remove a school in a Trust."
)

_ROWS: tuple[PurposeInfo, ...] = (
    PurposeInfo(
        Purpose.SUPPORT,
        "support",
        aliases=("support to schools", "supporting schools", "additional support"),
    ),
    PurposeInfo(
        Purpose.SCHOOL_IMPROVEMENT,
        "school improvement",
        aliases=("improvement", "school improvement support"),
    ),
    PurposeInfo(Purpose.SAFEGUARDING, "safeguarding", aliases=("child protection",)),
    PurposeInfo(
        Purpose.MONITORING,
        "monitoring",
        aliases=("tracking", "performance monitoring", "progress monitoring"),
    ),
    PurposeInfo(
        Purpose.ACCOUNTABILITY,
        "holding schools to account",
        aliases=("hold schools to account", "holding to account", "accountability"),
    ),
    PurposeInfo(
        Purpose.INTERVENTION,
        "intervention in a school that meets a trigger",
        aliases=("intervention decision", "intervention decisions"),
    ),
    PurposeInfo(
        Purpose.STATUTORY_RETURN,
        "statutory return",
        aliases=("statutory", "statutory collection", "census"),
    ),
    PurposeInfo(
        Purpose.OFFICIAL_STATISTICS,
        "official statistics",
        aliases=("national statistics", "statistics"),
    ),
    PurposeInfo(Purpose.RESEARCH, "research", aliases=("evaluation",)),
    PurposeInfo(
        Purpose.PUBLICATION,
        "publication",
        aliases=("publish", "publishing", "public reporting"),
    ),
    PurposeInfo(
        Purpose.REPORTING_TO_PARENTS,
        "reporting to parents",
        aliases=("parents", "reports to parents", "parental reporting"),
    ),
    PurposeInfo(
        Purpose.INSPECTION_PREPARATION,
        "producing data for Ofsted",
        aliases=("for ofsted", "ofsted preparation", "inspection prep", "mocksted"),
    ),
    PurposeInfo(
        Purpose.TEACHER_PERFORMANCE_MANAGEMENT,
        "teacher performance management or pay",
        aliases=(
            "performance management",
            "teacher pay",
            "pay progression",
            "appraisal",
            "teacher pm or pay",
            "teacher appraisal",
        ),
    ),
    _forbidden(
        Purpose.OFSTED_DECISION,
        "Ofsted decision making",
        _NOT_FOR_DECISIONS,
        "ofsted decisions",
        "ofsted decision",
        "ofsted decision-making",
    ),
    _forbidden(
        Purpose.RSC_DECISION,
        "RSC decision making",
        _NOT_FOR_DECISIONS,
        "rsc decisions",
        "rsc decision-making",
        "regional schools commissioner decisions",
        "regional director decisions",
        "rise decisions",
    ),
    _forbidden(
        Purpose.SCHOOL_CAUSING_CONCERN,
        "judgements of what constitutes a school causing concern",
        _NOT_FOR_DECISIONS,
        "schools causing concern",
        "school causing concern judgement",
        "schools causing concern judgements",
        "scc",
        "scc judgement",
        "causing concern",
    ),
    _forbidden(
        Purpose.INSPECTION,
        "inspection",
        _NOT_FOR_DECISIONS,
        "ofsted inspection",
        "inspections",
    ),
    _forbidden(
        Purpose.ACADEMISATION,
        "academisation",
        _NOT_FOR_DECISIONS,
        "academization",
        "academy conversion",
        "forced academisation",
    ),
    _forbidden(
        Purpose.TRUST_PLACEMENT,
        "decisions to place or remove a school in a trust",
        _NOT_FOR_DECISIONS,
        "trust move",
        "trust moves",
        "rebrokering",
        "re-brokering",
        "academisation or trust move",
        "place or remove a school in a trust",
        "decisions to place or remove a school in a trust",
    ),
    _forbidden(
        Purpose.PUBLIC_IDENTIFICATION_OF_CHILDREN,
        "sharing information that identifies a child publicly",
        "All data collected will be subject to data protection rules and no "
        "information that identifies a child will be shared publicly.",
        "identify children publicly",
        "identifying children publicly",
        "identifying a child publicly",
        "public identification",
    ),
    _forbidden(
        Purpose.SCHOOL_IDENTITIES_TO_ATTENDANCE_ACTION_ALLIANCE,
        "school-identifiable data to the Attendance Action Alliance",
        "We will also share analysis with members of the Attendance Action "
        "Alliance. We will not share school identifiable level data with them.",
        "school identities to the attendance action alliance",
        "school identifiable data to the attendance action alliance",
        "school identities to aaa",
    ),
)

_INFO: dict[Purpose, PurposeInfo] = {row.purpose: row for row in _ROWS}

#: Every purpose the shared daily attendance data may not be used for.
FORBIDDEN_FOR_SHARED_DAILY_DATA: frozenset[Purpose] = frozenset(
    p for p in Purpose if p.forbidden_for_shared_daily_data
)


def _norm(text: str) -> str:
    text = text.casefold().replace("&", " and ")
    text = re.sub(r"[^a-z0-9]+", " ", text)
    text = re.sub(r"\bjudge?ments?\b", "judgement", text)
    text = re.sub(r"\bacademi[sz]ation\b", "academisation", text)
    text = re.sub(r"\borgani[sz]ation\b", "organisation", text)
    return " ".join(text.split())


def _lookup_table() -> dict[str, Purpose]:
    table: dict[str, Purpose] = {}
    for row in _ROWS:
        for name in (row.purpose.value, row.purpose.name, row.label, *row.aliases):
            table[_norm(name)] = row.purpose
    return table


_LOOKUP = _lookup_table()


def parse_purpose(text: str | Purpose, *, field: str | None = None) -> Purpose:
    """Return the :class:`Purpose` that ``text`` names.

    Case, spacing, hyphens and underscores do not matter, and common variants
    are accepted ("academization", "judgment", "trust moves", "SCC"). Unknown
    text raises rather than guessing.

    Parameters
    ----------
    text
        A purpose as typed by a person or stored in a file, or a member.
    field
        The field the text came from, named in the error (``uses[1]``).

    Returns
    -------
    Purpose
        The canonical member.

    Raises
    ------
    InputError
        If the text names no purpose; the message lists the allowed values and
        the closest match.

    Examples
    --------
    >>> from makingdata.domain.purposes import parse_purpose
    >>> parse_purpose("Decisions to place or remove a school in a Trust")
    <Purpose.TRUST_PLACEMENT: 'trust_placement'>
    >>> parse_purpose("OFSTED-Decisions")
    <Purpose.OFSTED_DECISION: 'ofsted_decision'>
    >>> parse_purpose("league tables")
    Traceback (most recent call last):
    ...
    makingdata.errors.InputError: 'league tables' is not a known purpose...
    """
    if isinstance(text, Purpose):
        return text
    if not isinstance(text, str):
        raise InputError(
            f"a purpose must be text, not {type(text).__name__}",
            column=field,
            hint=f"use one of: {', '.join(p.value for p in Purpose)}",
        )
    key = _norm(text)
    found = _LOOKUP.get(key)
    if found is not None:
        return found
    close = difflib.get_close_matches(key, list(_LOOKUP), n=1, cutoff=0.75)
    maybe = f" (did you mean {_LOOKUP[close[0]].value!r}?)" if close else ""
    raise InputError(
        f"{text!r} is not a known purpose{maybe}",
        column=field,
        hint=f"use one of: {', '.join(p.value for p in Purpose)}",
    )
