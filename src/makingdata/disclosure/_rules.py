"""Disclosure rules as data: each rule a record with an id, parameters and a source.

A :class:`RuleSet` is the list of rules for one audience. The defaults follow
what DfE does in its own published files (checked against the real files, see
the Disclosure concept page) and the promises DfE made to schools about the
daily attendance data (DfE daily-data principles, 2022).
"""

from __future__ import annotations

from typing import Literal, TypeAlias

import attrs
import polars as pl

from makingdata._pseudonym import DIRECT_IDENTIFIERS, is_direct_identifier
from makingdata.domain.sharing import Audience
from makingdata.errors import RuleError

__all__ = [
    "AUDIENCES",
    "Audience",
    "Dominance",
    "DropIdentifiers",
    "MinimumUnits",
    "PPercent",
    "ProtectRates",
    "Rounding",
    "RuleSet",
    "SecondarySuppression",
    "Source",
    "Threshold",
    "rule_set",
    "rules_frame",
]

#: Every audience a table can be protected for, from the most to the least
#: trusted: the values of :class:`~makingdata.domain.Audience` (one enum; a
#: plain string such as ``"public"`` is accepted wherever an audience is).
AUDIENCES: tuple[str, ...] = tuple(a.value for a in Audience)

#: Audiences that may only ever receive a :class:`~makingdata.disclosure.ProtectedTable`.
GUARDED: frozenset[str] = frozenset({Audience.PARTNER.value, Audience.PUBLIC.value})


@attrs.frozen
class Source:
    """Where a rule comes from.

    Attributes
    ----------
    title
        The document or file, as its publisher names it.
    detail
        The passage, figure or check that supports the rule.
    """

    title: str
    detail: str

    def __str__(self) -> str:
        return f"{self.title}: {self.detail}"


SEED_003 = Source(
    "DfE, 'Requesting daily data from schools – principles for collection and use' (2022)",
    "'no information that identifies a child will be shared publicly'; "
    "'We will not share school identifiable level data with [members of the Attendance "
    "Action Alliance]'; MATs view their participating schools, LAs the schools in their area",
)
INYEAR_SINGLE_SCHOOL = Source(
    "DfE, Pupil attendance in schools (in-year), EES data guidance",
    "'Where there is only 1 school in a local authority at daily, weekly, termly or year "
    "to date level, the attendance figures are suppressed'; checked in the 2025/26 "
    "year-to-date file: every figure of City of London and Isles of Scilly rows with one "
    "school is 'c'",
)
INYEAR_LEVELS = Source(
    "DfE, Pupil attendance in schools (in-year), 2025/26 year-to-date data file",
    "published at National, Regional and Local authority level only: no school rows",
)
CIN_SMALL_COUNTS = Source(
    "DfE, Outcomes for children in need, including children looked after by local "
    "authorities (absence and KS2 files by LA, 2018/19–2024/25)",
    "checked: no published pupil count lies between 1 and 5 (the smallest non-zero "
    "published count is 6, zero is published); regional counts are rounded to the "
    "nearest 10; the absence file protects the persistently (t_pupils_pa_10_exact) "
    "and severely (t_pupils_pa_50_exact) absent pupil counts the same way, with 'c'",
)
GSS_SYMBOLS = Source(
    "GSS symbols guidance as adopted by EES (DfE analysts' guide, Open Data Standards; "
    "eesyscreener gss_symbols)",
    "'c' confidential, 'low' rounds to zero but is not zero, 'x' unavailable, "
    "'z' not applicable",
)
SDC_HANDBOOK = Source(
    "Hundepool et al., Handbook on Statistical Disclosure Control, 2nd edition (2024), "
    "chapter 4 (frequency and magnitude tables)",
    "threshold rule, (n,k)-dominance and p% rules, protection levels, secondary cell "
    "suppression as a mixed integer programme; audit by linear-programming intervals",
)


@attrs.frozen
class Threshold:
    """Primary suppression of small counts: a row is sensitive if ``0 < count < minimum``.

    Attributes
    ----------
    id
        The rule id, cited in reports.
    columns
        The count columns the rule applies to (absent columns are ignored).
    minimum
        The smallest count that may be published (zero is always publishable).
    source
        Where the rule comes from.
    """

    id: str
    columns: tuple[str, ...]
    minimum: int
    source: Source


@attrs.frozen
class MinimumUnits:
    """Primary suppression of aggregates with too few contributing units (schools).

    Attributes
    ----------
    id
        The rule id.
    column
        The column holding the number of units (``num_schools``).
    minimum
        The smallest number of units an aggregate row may have.
    exempt_levels
        Geographic levels the rule does not apply to (a school row is one school).
    source
        Where the rule comes from.
    """

    id: str
    column: str
    minimum: float
    exempt_levels: tuple[str, ...]
    source: Source


@attrs.frozen
class Dominance:
    """(n, k)-dominance: sensitive if the ``n`` largest contributors exceed ``k``% of the total.

    Contributors are the child rows of the table's nestings (schools of an LA).

    Attributes
    ----------
    id
        The rule id.
    column
        The magnitude column (e.g. ``sess_possible``).
    n
        Number of largest contributors.
    k
        Percentage of the total.
    source
        Where the rule comes from.
    """

    id: str
    column: str
    n: int
    k: float
    source: Source


@attrs.frozen
class PPercent:
    """p% rule: sensitive if the total less the two largest contributors is under ``p``% of the largest.

    Attributes
    ----------
    id
        The rule id.
    column
        The magnitude column.
    p
        The percentage.
    source
        Where the rule comes from.
    """

    id: str
    column: str
    p: float
    source: Source


@attrs.frozen
class Rounding:
    """Round published counts half-up to a multiple of ``base`` (after suppression).

    Attributes
    ----------
    id
        The rule id.
    base
        5 or 10.
    source
        Where the rule comes from.
    """

    id: str
    base: int
    source: Source


@attrs.frozen
class DropIdentifiers:
    """Remove identifying columns and the rows of identifying geographic levels.

    A column is removed whatever its case and separators (``School_URN`` like
    ``school_urn``), and a rule that removes pupil identifiers removes every
    spelling of one that :func:`makingdata.access.is_direct_identifier` knows
    (``UPN``, ``Surname``, ``pupil_upn``, ``First Name`` …): one list for
    scoping and disclosure.

    Examples
    --------
    >>> rule = rule_set("public").of(DropIdentifiers)[0]
    >>> [
    ...     rule.drops(c)
    ...     for c in ("UPN", "Surname", "pupil_upn", "School_URN", "enrolments")
    ... ]
    [True, True, True, True, False]

    Attributes
    ----------
    id
        The rule id.
    columns
        Columns the audience must never receive.
    levels
        Values of ``geographic_level`` whose rows the audience must never receive.
    source
        Where the rule comes from.
    """

    id: str
    columns: tuple[str, ...]
    levels: tuple[str, ...]
    source: Source

    def drops(self, column: str) -> bool:
        """Whether this rule removes ``column`` (any case, any separators).

        Parameters
        ----------
        column
            A column name.

        Returns
        -------
        bool
            True for a column of :attr:`columns` however spelt, and for any
            direct pupil identifier when the rule removes pupil identifiers.
        """
        squashed = _squash(column)
        own = {_squash(c) for c in self.columns}
        if squashed in own:
            return True
        return any(is_direct_identifier(c) for c in self.columns) and (
            is_direct_identifier(column)
        )


def _squash(name: str) -> str:
    """Lower case, letters and digits only: ``School_URN`` → ``schoolurn``."""
    return "".join(ch for ch in name.lower() if ch.isalnum())


@attrs.frozen
class ProtectRates:
    """Suppress a rate whose numerator or denominator count is suppressed.

    Attributes
    ----------
    id
        The rule id.
    source
        Where the rule comes from.
    """

    id: str
    source: Source


@attrs.frozen
class SecondarySuppression:
    """Complementary suppression so that no sensitive cell can be derived.

    Attributes
    ----------
    id
        The rule id.
    protection
        The sliding protection level: the interval of values an intruder can
        derive for a sensitive cell (linear programming over everything
        published) must be at least this wide.
    relative
        A further share of the cell's own value the interval must be at least
        as wide as (matters for large sensitive cells, such as an LA with a
        single school).
    cost
        Information loss to minimise: ``"value"`` (sum of suppressed values,
        τ-ARGUS's default), ``"cells"`` (number of cells) or ``"log"``
        (``1 + log(1 + value)``, a compromise).
    source
        Where the rule comes from.
    """

    id: str
    protection: float
    relative: float
    cost: Literal["value", "cells", "log"]
    source: Source


Rule: TypeAlias = (
    Threshold
    | MinimumUnits
    | Dominance
    | PPercent
    | Rounding
    | DropIdentifiers
    | ProtectRates
    | SecondarySuppression
)

#: Columns that identify a pupil: never in any output but the school's own.
#: The direct identifiers (:data:`makingdata.access.DIRECT_IDENTIFIERS`, the
#: one list) plus the pseudonym and the quasi-identifiers an aggregate never
#: needs.
PUPIL_COLUMNS: tuple[str, ...] = (
    "pupil_key",
    *DIRECT_IDENTIFIERS,
    "date_of_birth",
    "postcode",
)
#: Columns that identify a school (EES school-level columns and GIAS names).
SCHOOL_COLUMNS: tuple[str, ...] = (
    "school_urn",
    "school_name",
    "school_laestab",
    "urn",
    "laestab",
    "estab",
    "school_postcode",
)
#: Pupil counts that the threshold rule applies to (EES and makingdata names),
#: including the persistently (10%+) and severely (50%+) absent pupils: DfE's
#: absence files suppress ``t_pupils_pa_10_exact``/``t_pupils_pa_50_exact`` too.
PUPIL_COUNT_COLUMNS: tuple[str, ...] = (
    "enrolments",
    "t_pupils",
    "pupil_count",
    "headcount",
    "enrolments_pa_10_exact",
    "enrolments_pa_50_exact",
    "t_pupils_pa_10_exact",
    "t_pupils_pa_50_exact",
)


@attrs.frozen
class RuleSet:
    """The disclosure rules for one audience.

    Attributes
    ----------
    audience
        Who receives the table.
    rules
        The rules, applied in order (identifiers, primary, secondary, rounding).
    note
        Why this audience gets these rules.

    Examples
    --------
    >>> rs = rule_set("public")
    >>> [r.id for r in rs.rules]  # doctest: +NORMALIZE_WHITESPACE
    ['drop-identifiers-public', 'threshold-pupils-6', 'single-school',
     'rates-follow-counts', 'secondary-suppression']
    >>> rs.threshold_columns  # doctest: +NORMALIZE_WHITESPACE
    ('enrolments', 't_pupils', 'pupil_count', 'headcount',
     'enrolments_pa_10_exact', 'enrolments_pa_50_exact',
     't_pupils_pa_10_exact', 't_pupils_pa_50_exact')
    """

    audience: Audience | str
    rules: tuple[Rule, ...]
    note: str

    def of(self, kind: type[Rule]) -> tuple[Rule, ...]:
        """Return the rules of one kind.

        Parameters
        ----------
        kind
            A rule class such as :class:`Threshold`.

        Returns
        -------
        tuple
            The rules of that kind, in order.

        Examples
        --------
        >>> len(rule_set("dfe").of(Threshold))
        0
        """
        return tuple(r for r in self.rules if isinstance(r, kind))

    @property
    def threshold_columns(self) -> tuple[str, ...]:
        """The columns any threshold rule applies to."""
        cols: list[str] = []
        for r in self.rules:
            if isinstance(r, Threshold):
                cols.extend(c for c in r.columns if c not in cols)
        return tuple(cols)

    @property
    def secondary(self) -> SecondarySuppression | None:
        """The secondary suppression rule, if the audience has one."""
        found = self.of(SecondarySuppression)
        return found[0] if found else None  # type: ignore[return-value]

    @property
    def needs_protection(self) -> bool:
        """Whether only a ``ProtectedTable`` may be written for this audience."""
        return self.audience in GUARDED


def _pupils_only(audience: Audience | str) -> DropIdentifiers:
    return DropIdentifiers(
        id=f"drop-pupil-identifiers-{audience}",
        columns=PUPIL_COLUMNS,
        levels=(),
        source=Source(
            SEED_003.title,
            "pupil identifiers stay with the school; DESIGN principle 6 "
            "(identifiers never reach an output meant for anyone but the school)",
        ),
    )


def _protected(audience: Audience | str, why: Source) -> tuple[Rule, ...]:
    return (
        DropIdentifiers(
            id=f"drop-identifiers-{audience}",
            columns=PUPIL_COLUMNS + SCHOOL_COLUMNS,
            levels=("School",),
            source=why,
        ),
        Threshold(
            id="threshold-pupils-6",
            columns=PUPIL_COUNT_COLUMNS,
            minimum=6,
            source=CIN_SMALL_COUNTS,
        ),
        MinimumUnits(
            id="single-school",
            column="num_schools",
            minimum=2,
            exempt_levels=("School",),
            source=INYEAR_SINGLE_SCHOOL,
        ),
        ProtectRates(id="rates-follow-counts", source=SDC_HANDBOOK),
        SecondarySuppression(
            id="secondary-suppression",
            protection=6,
            relative=0.1,
            cost="value",
            source=SDC_HANDBOOK,
        ),
    )


_RULE_SETS: dict[str, RuleSet] = {
    "school": RuleSet(
        "school",
        (),
        "A school's own data, pupil by pupil: nothing to protect from itself.",
    ),
    "trust": RuleSet(
        "trust",
        (_pupils_only("trust"),),
        "A trust sees the schools it is responsible for (DfE daily-data principles); the caller "
        "scopes the table with makingdata's access rules first. No suppression.",
    ),
    "la": RuleSet(
        "la",
        (_pupils_only("la"),),
        "An LA sees the schools in its area (DfE daily-data principles), scoped first. No suppression.",
    ),
    "dfe": RuleSet(
        "dfe",
        (_pupils_only("dfe"),),
        "DfE already receives the pupil-level data; aggregates need no suppression.",
    ),
    "partner": RuleSet(
        "partner",
        _protected("partner", SEED_003),
        "A partner group (the Attendance Action Alliance) sees no school "
        "identities (DfE daily-data principles) and, as for the public, no small counts.",
    ),
    "public": RuleSet(
        "public",
        _protected(
            "public",
            Source(
                INYEAR_LEVELS.title,
                INYEAR_LEVELS.detail + "; " + SEED_003.detail.split(";")[0],
            ),
        ),
        "The public sees no child (DfE daily-data principles): in-year attendance is published at "
        "LA level and above, small counts and single-school aggregates suppressed, "
        "with complementary suppression so that they cannot be derived.",
    ),
}


def rule_set(audience: Audience | str) -> RuleSet:
    """Return the default rule set for an audience.

    Parameters
    ----------
    audience
        An :class:`~makingdata.domain.Audience` or its value, one of
        :data:`AUDIENCES`.

    Returns
    -------
    RuleSet
        The rules, each with its source. Change one with :func:`attrs.evolve`.

    Raises
    ------
    RuleError
        If the audience is unknown.

    Examples
    --------
    >>> rule_set("partner").needs_protection
    True
    >>> rule_set("nobody")
    Traceback (most recent call last):
    ...
    makingdata.errors.RuleError: unknown audience 'nobody'. What to do: use one of school, trust, la, dfe, partner, public.
    """
    try:
        return _RULE_SETS[audience]
    except KeyError:
        raise RuleError(
            f"unknown audience {audience!r}", hint=f"use one of {', '.join(AUDIENCES)}"
        ) from None


def _params(rule: Rule) -> str:
    skip = {"id", "source"}
    parts = []
    for field in attrs.fields(type(rule)):
        if field.name in skip:
            continue
        value = getattr(rule, field.name)
        if isinstance(value, tuple):
            value = ",".join(map(str, value))
        parts.append(f"{field.name}={value}")
    return "; ".join(parts)


def rules_frame() -> pl.DataFrame:
    """Every default rule of every audience as a frame, with its source.

    Returns
    -------
    polars.DataFrame
        Columns ``audience, rule_id, kind, parameters, source``.

    Examples
    --------
    >>> df = rules_frame()
    >>> df.filter(pl.col("rule_id") == "single-school")["audience"].to_list()
    ['partner', 'public']
    """
    rows = [
        {
            "audience": rs.audience,
            "rule_id": r.id,
            "kind": type(r).__name__,
            "parameters": _params(r),
            "source": str(r.source),
        }
        for rs in _RULE_SETS.values()
        for r in rs.rules
    ]
    return pl.DataFrame(
        rows,
        schema={
            "audience": pl.String,
            "rule_id": pl.String,
            "kind": pl.String,
            "parameters": pl.String,
            "source": pl.String,
        },
    )
