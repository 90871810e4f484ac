"""The plain data of the policy engine: verdicts, rules, matches, findings.

The rest of the package builds on these records, and this module imports
nothing of it but the request model: a check (``_checks``) returns a
:class:`Match`, the catalogue (``_catalogue``) holds each :class:`Rule` with
the check tables, and ``assess`` / ``assess_burden`` turn each match into a
:class:`Finding`. The reports (``_render``) read them too.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeAlias

import attrs

from makingdata._sources import Citation
from makingdata.errors import ExitCode, InputError, RuleError
from makingdata.policy._requests import DataRequest, RequesterKind

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "BINDS",
    "MODAL_VERDICTS",
    "BurdenCheck",
    "Check",
    "Finding",
    "Match",
    "Provenance",
    "Rule",
    "SchoolYear",
    "Verdict",
]


class Verdict(enum.StrEnum):
    """How a rule judges what it finds, from worst to best.

    ``prohibited``: the source says must not (for that requester).
    ``discouraged``: "not routinely", "need not", "rarely valid": justify it.
    ``allowed with conditions``: allowed if the stated conditions hold.
    ``required``: a statutory duty on the school.
    ``allowed``: no rule objects (an overall verdict only).

    Examples
    --------
    >>> from makingdata.policy import Verdict
    >>> Verdict.worst([Verdict.REQUIRED, Verdict.DISCOURAGED])
    <Verdict.DISCOURAGED: 'discouraged'>
    >>> Verdict.PROHIBITED.exit_code
    <ExitCode.PROHIBITED: 3>
    """

    PROHIBITED = "prohibited"
    DISCOURAGED = "discouraged"
    ALLOWED_WITH_CONDITIONS = "allowed with conditions"
    REQUIRED = "required"
    ALLOWED = "allowed"

    @property
    def severity(self) -> int:
        """4 for prohibited down to 0 for allowed."""
        return _SEVERITY[self]

    @property
    def exit_code(self) -> ExitCode:
        """Return the command's exit code: PROHIBITED (3), FINDINGS (1, discouraged), else OK (0)."""
        if self is Verdict.PROHIBITED:
            return ExitCode.PROHIBITED
        if self is Verdict.DISCOURAGED:
            return ExitCode.FINDINGS
        return ExitCode.OK

    @classmethod
    def worst(cls, verdicts: Iterable[Verdict]) -> Verdict:
        """Return the most severe of ``verdicts`` (``allowed`` when empty)."""
        out = cls.ALLOWED
        for v in verdicts:
            if _SEVERITY[v] > _SEVERITY[out]:
                out = v
        return out


_SEVERITY = {
    Verdict.PROHIBITED: 4,
    Verdict.DISCOURAGED: 3,
    Verdict.ALLOWED_WITH_CONDITIONS: 2,
    Verdict.REQUIRED: 1,
    Verdict.ALLOWED: 0,
}


class Provenance(enum.StrEnum):
    """How well a rule's source was checked.

    ``primary``: read in the source. ``secondary``: reported by others.
    ``seed-only``: found in one document only, not corroborated elsewhere.
    ``inference``: our own reading. ``local``: added by an organisation.

    Examples
    --------
    >>> from makingdata.policy import Provenance, default_catalogue
    >>> default_catalogue()["DAILY-03"].provenance is Provenance.SEED_ONLY
    True
    """

    PRIMARY = "primary"
    SECONDARY = "secondary"
    SEED_ONLY = "seed-only"
    INFERENCE = "inference"
    LOCAL = "local"


#: How a source's modal verb decides a rule's verdict: modal → (verdict, why).
#: Every shipped rule records the modal verb of its governing source and the
#: words it is in (``Rule.modal``, ``Rule.modal_words``); a test checks that its
#: verdict is the one this table gives. "Should" is advice a requester may depart
#: from with a reason, so "should not" is *discouraged*, never *prohibited*.
MODAL_VERDICTS: Mapping[str, tuple[Verdict, str]] = MappingProxyType(
    {
        "must": (Verdict.REQUIRED, "a duty in law on the school"),
        "shall": (
            Verdict.PROHIBITED,
            "the law forbids what the request shows on its face",
        ),
        "must not": (Verdict.PROHIBITED, "the source forbids it"),
        "will not": (
            Verdict.PROHIBITED,
            "the body the rule binds committed itself not to do it",
        ),
        "will only": (
            Verdict.PROHIBITED,
            "the body the rule binds committed itself to this limit",
        ),
        "not valid": (
            Verdict.PROHIBITED,
            "the source says the data cannot mean what it is asked for",
        ),
        "can": (
            Verdict.PROHIBITED,
            "the source gives the school a right the request would take away",
        ),
        "should not": (
            Verdict.DISCOURAGED,
            "advice: depart from it only with a reason",
        ),
        "not routinely": (
            Verdict.DISCOURAGED,
            "allowed now and then with a reason, not as routine",
        ),
        "need not": (Verdict.DISCOURAGED, "not expected; justify it"),
        "avoid": (Verdict.DISCOURAGED, "advice to avoid it; justify it"),
        "aim": (
            Verdict.DISCOURAGED,
            "a stated aim (minimise, reduce, only what is needed) the request "
            "works against",
        ),
        "shall, unless shown": (
            Verdict.DISCOURAGED,
            "a legal duty the request does not show it meets; it can, by saying how",
        ),
        "inferred": (
            Verdict.DISCOURAGED,
            "makingdata's own reading, with no modal verb in a source: never more "
            "than discouraged",
        ),
        "should": (
            Verdict.ALLOWED_WITH_CONDITIONS,
            "a step to take: allowed once it is taken",
        ),
        "where possible": (
            Verdict.ALLOWED_WITH_CONDITIONS,
            "allowed, on the condition stated where it can be met",
        ),
        "may, if": (
            Verdict.ALLOWED_WITH_CONDITIONS,
            "allowed on the conditions the source sets",
        ),
    }
)

#: The parties a rule can bind (the catalogue's legend) and "all".
BINDS: tuple[str, ...] = ("DfE", "RSC", "Ofsted", "LA", "MAT", "Gov", "V", "Sch", "all")


@attrs.frozen(slots=True)
class Match:
    """What a check found: the field values that triggered it.

    Attributes
    ----------
    values
        ``(field path, value)`` pairs, e.g. ``("items[0].kind", "flight_path")``.
    items
        Indices of the items that triggered it (empty for request-level facts).
    detail
        One sentence on what was found.
    verdict
        A verdict other than the rule's own, when the rule grades its finding
        (e.g. "discouraged, but allowed with conditions when justified").

    Examples
    --------
    >>> from makingdata.policy import Match
    >>> Match(values=(("format", "bespoke"),), detail="bespoke format").values
    (('format', 'bespoke'),)
    """

    values: tuple[tuple[str, str], ...] = ()
    items: tuple[int, ...] = ()
    detail: str = ""
    verdict: Verdict | None = None


@attrs.frozen(slots=True)
class SchoolYear:
    """One school's requests in one academic year: what burden checks read.

    Attributes
    ----------
    school
        The school's URN.
    academic_year
        The year, as ``"2025/26"``.
    start
        1 September of the year.
    end
        31 August of the year.
    requests
        The requests addressed to the school with a collection in the year.

    Examples
    --------
    >>> import datetime as dt
    >>> from makingdata.policy import SchoolYear
    >>> SchoolYear(
    ...     100000, "2025/26", dt.date(2025, 9, 1), dt.date(2026, 8, 31), ()
    ... ).school
    100000
    """

    school: int
    academic_year: str
    start: dt.date
    end: dt.date
    requests: tuple[DataRequest, ...]

    def dates_in_year(self, request: DataRequest) -> tuple[dt.date, ...]:
        """Return the request's collection dates that fall in the year."""
        return tuple(
            sorted(
                d for d in set(request.collection_dates) if self.start <= d <= self.end
            )
        )

    def collections_in_year(self, request: DataRequest) -> int:
        """How many of the request's collections fall in the year.

        Dated collections count when their date is in the year; a request with
        no dates counts ``collection_count`` when its request date is.
        """
        if request.collection_dates:
            return len(self.dates_in_year(request))
        return (
            request.collection_count
            if self.start <= request.request_date <= self.end
            else 0
        )


#: A check: a named predicate over one request.
Check: TypeAlias = Callable[[DataRequest], Match | None]
#: A burden check: a named predicate over a school's year of requests.
BurdenCheck: TypeAlias = Callable[[SchoolYear], Match | None]


def _tuple_str(value: Any) -> tuple[str, ...]:
    return tuple(value)


def _tuple_cite(value: Any) -> tuple[Citation, ...]:
    return tuple(value)


@attrs.frozen(slots=True)
class Rule:
    """One rule of the catalogue.

    Attributes
    ----------
    id
        Stable identifier (``MDW-PRED-03``).
    text
        The rule in plain English.
    binds
        Who the rule binds, in the catalogue's legend (``DfE``, ``RSC``,
        ``Ofsted``, ``LA``, ``MAT``, ``Gov``, ``V``, ``Sch`` or ``all``).
    applies_to
        Requester kinds whose requests it checks; empty means every requester.
        A vendor is checked as itself and as the body it acts for.
    verdict
        Its verdict when it fires.
    statutory
        Whether it has the force of law; statutory rules are checked first.
    source
        Where it comes from, as people cite it: author, title, date, section.
        Built from ``citations`` for the shipped rules.
    provenance
        How well that source was checked.
    citations
        The sources in the registry (:func:`policy_sources`), with section and
        quoted words; empty for a local rule that gives only ``source``.
    check
        Name of its predicate over one request, or ``None``.
    burden_check
        Name of its predicate over a school's year of requests, or ``None``.
    fields
        The request fields it reads.
    note
        Caveats: unverified status, thresholds chosen by us.
    modal
        The modal verb of the governing source (a key of
        :data:`MODAL_VERDICTS`: ``must``, ``should not``, ``will not`` …), or
        ``None`` for a local rule that records none.
    modal_words
        The source's words that carry it.
    checks_uses
        Whether the rule also checks uses and sharing decisions
        (:class:`~makingdata.policy.DataUse`, :func:`~makingdata.policy.assess_use`).

    Examples
    --------
    >>> from makingdata.policy import default_catalogue
    >>> rule = default_catalogue()["MDW-PRED-03"]
    >>> rule.verdict.value, rule.provenance.value
    ('prohibited', 'secondary')
    """

    id: str
    text: str
    binds: tuple[str, ...] = attrs.field(converter=_tuple_str)
    verdict: Verdict
    source: str
    provenance: Provenance
    check: str | None = None
    burden_check: str | None = None
    applies_to: tuple[RequesterKind, ...] = ()
    statutory: bool = False
    fields: tuple[str, ...] = attrs.field(default=(), converter=_tuple_str)
    note: str | None = None
    citations: tuple[Citation, ...] = attrs.field(default=(), converter=_tuple_cite)
    modal: str | None = None
    modal_words: str | None = None
    checks_uses: bool = False

    def __attrs_post_init__(self) -> None:
        if not self.id.strip() or not self.text.strip():
            raise RuleError("a rule needs an id and a text", column="id")
        if self.check is None and self.burden_check is None:
            raise RuleError(
                f"rule {self.id} has no check",
                column="check",
                hint="name a check or a burden_check from the catalogue's tables",
            )
        verdict: object = self.verdict
        if not isinstance(verdict, Verdict) or verdict is Verdict.ALLOWED:
            raise RuleError(
                f"rule {self.id}: {self.verdict!r} is not a rule verdict",
                column="verdict",
                hint="use one of: prohibited, discouraged, allowed with conditions, required",
            )
        if self.modal is not None and self.modal not in MODAL_VERDICTS:
            raise RuleError(
                f"rule {self.id}: {self.modal!r} is not a modal verb makingdata knows",
                column="modal",
                hint=f"use one of: {', '.join(MODAL_VERDICTS)}",
            )
        for party in self.binds:
            if party not in BINDS:
                raise RuleError(
                    f"rule {self.id}: {party!r} is not a party",
                    column="binds",
                    hint=f"use one of: {', '.join(BINDS)}",
                )

    def applies(self, request: DataRequest) -> bool:
        """Whether this rule checks ``request`` (by its requester's kinds)."""
        return not self.applies_to or bool(
            request.requester.kinds & set(self.applies_to)
        )


@attrs.frozen(slots=True)
class Finding:
    """One rule that fired, with what triggered it and where the rule comes from.

    Attributes
    ----------
    rule_id
        The rule's id.
    text
        The rule in plain English.
    verdict
        The verdict of this finding (the rule's, unless the rule grades it).
    source
        The rule's citation as people write it (author, title, date, section).
    provenance
        How well that source was checked.
    statutory
        Whether the rule has the force of law.
    values
        ``(field path, value)`` pairs that triggered it.
    items
        Indices of the items that triggered it.
    detail
        What was found, in one sentence.
    note
        The rule's caveats, if any.
    superseded_by
        For a guidance finding set aside because a statutory rule requires the
        same items: that rule's id.
    citations
        The rule's sources, each with author, title, date, section, quoted
        words, address and licence (``to_dict()["citations"]``).
    assumptions
        What the finding assumed about fields the request did not state, and
        why (never the favourable reading where the source asks for the
        opposite); empty when it rests only on what the request says.
    inferred_from_text
        For a finding only the request's words trigger: which words, in which
        field, and what the fields said instead.

    Examples
    --------
    >>> import datetime as dt
    >>> from makingdata.policy import *
    >>> req = DataRequest(
    ...     title="Flight paths",
    ...     requester=Requester(RequesterKind.LA, "Anyshire"),
    ...     request_date=dt.date(2025, 10, 1),
    ...     items=(DataItem(ItemKind.FLIGHT_PATH),),
    ... )
    >>> f = assess(req).finding("MDW-PRED-03")
    >>> f.verdict.value, f.values
    ('prohibited', (('items[0].kind', 'flight_path'),))
    """

    rule_id: str
    text: str
    verdict: Verdict
    source: str
    provenance: Provenance
    statutory: bool
    values: tuple[tuple[str, str], ...] = ()
    items: tuple[int, ...] = ()
    detail: str = ""
    note: str | None = None
    superseded_by: str | None = None
    citations: tuple[Citation, ...] = attrs.field(default=(), converter=_tuple_cite)
    assumptions: tuple[str, ...] = attrs.field(default=(), converter=_tuple_str)
    inferred_from_text: tuple[str, ...] = attrs.field(default=(), converter=_tuple_str)

    @property
    def citation(self) -> str:
        """``source [provenance]``, as the reports print it."""
        return f"{self.source} [{self.provenance.value}]"

    def to_dict(self) -> dict[str, Any]:
        """Return the finding as plain data."""
        return {
            "rule_id": self.rule_id,
            "text": self.text,
            "verdict": self.verdict.value,
            "source": self.source,
            "provenance": self.provenance.value,
            "statutory": self.statutory,
            "values": dict(self.values),
            "value_pairs": [[k, v] for k, v in self.values],
            "items": list(self.items),
            "detail": self.detail,
            "note": self.note,
            "superseded_by": self.superseded_by,
            "citations": [c.to_dict() for c in self.citations],
            "assumptions": list(self.assumptions),
            "inferred_from_text": list(self.inferred_from_text),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Finding:
        """Build a finding from :meth:`to_dict` output."""
        try:
            return cls(
                rule_id=data["rule_id"],
                text=data["text"],
                verdict=Verdict(data["verdict"]),
                source=data["source"],
                provenance=Provenance(data["provenance"]),
                statutory=bool(data["statutory"]),
                values=tuple((str(k), str(v)) for k, v in data["value_pairs"]),
                items=tuple(int(i) for i in data["items"]),
                detail=data["detail"],
                note=data.get("note"),
                superseded_by=data.get("superseded_by"),
                citations=tuple(
                    Citation.from_dict(c) for c in data.get("citations", ())
                ),
                assumptions=tuple(str(a) for a in data.get("assumptions", ())),
                inferred_from_text=tuple(
                    str(a) for a in data.get("inferred_from_text", ())
                ),
            )
        except (KeyError, ValueError, TypeError) as err:
            raise InputError(
                f"not a finding: {err}", column="findings", hint="pass to_dict() output"
            ) from None
