"""Assess one request against the catalogue: findings with citations."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import attrs

from makingdata.errors import InputError, RuleError
from makingdata.policy._catalogue import Catalogue, default_catalogue
from makingdata.policy._model import Finding, Match, Rule, Verdict
from makingdata.policy._render import (
    assessment_html,
    assessment_markdown,
    assessment_text,
)
from makingdata.policy._requests import DataRequest, Format
from makingdata.policy._signals import inferred_request

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["ASSUMPTIONS", "Assessment", "Finding", "assess", "assumed_request"]


#: What a rule assumes for a field the request left out whose default would be
#: the favourable reading: field -> (the assumed value, why).
ASSUMPTIONS: dict[str, tuple[Any, str]] = {
    "format": (
        Format.REQUESTER_TEMPLATE,
        "the sources ask for the school's existing format, so a request that does "
        "not say it uses it is checked as if it did not",
    ),
    "same_time_for_all_classes": (
        True,
        "Making Data Work asks that not every class collects at the same time, so a "
        "request that does not say is checked as if they all do",
    ),
    "held_in_mis": (
        False,
        "the sources ask only for data the school already holds, so an item not "
        "said to be held is checked as if it had to be compiled",
    ),
}


def _plain_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(getattr(value, "value", value))


def assumed_request(request: DataRequest) -> tuple[DataRequest, dict[str, str]]:
    """Return ``request`` read unfavourably where it left a field out, and what was assumed.

    Only the fields of :data:`ASSUMPTIONS` that the request did not state
    (``request.not_stated``) change; the second value maps each changed field
    path to a sentence saying what was assumed and why.
    """
    changes: dict[str, Any] = {}
    notes: dict[str, str] = {}
    for name in ("format", "same_time_for_all_classes"):
        value, why = ASSUMPTIONS[name]
        if name in request.not_stated and getattr(request, name) != value:
            changes[name] = value
            notes[name] = f"{name} = {_plain_value(value)} (not stated: {why})"
    value, why = ASSUMPTIONS["held_in_mis"]
    items = list(request.items)
    for i, item in enumerate(items):
        path = f"items[{i}].held_in_mis"
        if path in request.not_stated and item.held_in_mis != value:
            items[i] = attrs.evolve(item, held_in_mis=value)
            notes[path] = f"{path} = {_plain_value(value)} (not stated: {why})"
    if not notes:
        return request, notes
    if any(
        i.held_in_mis is not j.held_in_mis
        for i, j in zip(items, request.items, strict=True)
    ):
        changes["items"] = tuple(items)
    return attrs.evolve(request, **changes), notes


def _finding(
    rule: Rule,
    match: Match,
    assumptions: tuple[str, ...] = (),
    inferred: tuple[str, ...] = (),
) -> Finding:
    return Finding(
        rule_id=rule.id,
        text=rule.text,
        verdict=match.verdict or rule.verdict,
        source=rule.source,
        provenance=rule.provenance,
        statutory=rule.statutory,
        values=match.values,
        items=match.items,
        detail=match.detail,
        note=rule.note,
        citations=rule.citations,
        assumptions=assumptions,
        inferred_from_text=inferred,
    )


@attrs.frozen(slots=True)
class Assessment:
    """The result of checking one request: findings and an overall verdict.

    Attributes
    ----------
    request
        The request checked.
    findings
        The rules that fired, statutory rules first.
    superseded
        Guidance findings set aside because a statutory rule requires the same
        items (a required item is never reported as discouraged).
    disabled
        ``(rule id, reason)`` for every rule the catalogue switched off.

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
    >>> a = assess(req)
    >>> a.verdict.value, a.exit_code
    ('prohibited', <ExitCode.PROHIBITED: 3>)
    >>> "MDW-PRED-03" in a.rule_ids
    True
    """

    request: DataRequest
    findings: tuple[Finding, ...]
    superseded: tuple[Finding, ...] = ()
    disabled: tuple[tuple[str, str], ...] = ()

    @property
    def verdict(self) -> Verdict:
        """The worst verdict among the findings; ``allowed`` when there are none."""
        return Verdict.worst(f.verdict for f in self.findings)

    @property
    def exit_code(self) -> int:
        """The command's exit code: 3 prohibited, 1 discouraged, 0 otherwise (ExitCode)."""
        return self.verdict.exit_code

    @property
    def assumed_values(self) -> dict[str, str]:
        """The value each rule assumed for a field the request left out, by field path."""
        alt, notes = assumed_request(self.request)
        out: dict[str, str] = {}
        for path in notes:
            obj: Any = alt
            for part in path.replace("]", "").replace("[", ".").split("."):
                obj = obj[int(part)] if part.isdigit() else getattr(obj, part)
            out[path] = _plain_value(obj)
        return out

    @property
    def rule_ids(self) -> tuple[str, ...]:
        """Ids of the rules that fired, in order."""
        return tuple(f.rule_id for f in self.findings)

    def finding(self, rule_id: str) -> Finding:
        """Return the finding of one rule.

        Raises
        ------
        KeyError
            If that rule did not fire.
        """
        for f in self.findings:
            if f.rule_id == rule_id:
                return f
        raise KeyError(rule_id)

    def to_dict(self) -> dict[str, Any]:
        """Return the assessment as plain data (what :meth:`to_json` writes)."""
        return {
            "title": self.request.title,
            "verdict": self.verdict.value,
            "findings": [f.to_dict() for f in self.findings],
            "superseded": [f.to_dict() for f in self.superseded],
            "disabled": [{"rule_id": i, "reason": r} for i, r in self.disabled],
            "request": self.request.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Assessment:
        """Build an assessment from :meth:`to_dict` output."""
        try:
            return cls(
                request=DataRequest.from_dict(data["request"]),
                findings=tuple(Finding.from_dict(f) for f in data["findings"]),
                superseded=tuple(Finding.from_dict(f) for f in data["superseded"]),
                disabled=tuple((d["rule_id"], d["reason"]) for d in data["disabled"]),
            )
        except (KeyError, TypeError) as err:
            raise InputError(
                f"not an assessment: missing {err}", hint="pass to_json() output"
            ) from None

    def to_json(self, *, indent: int | None = 2) -> str:
        """Return the assessment as JSON; :meth:`from_json` reads it back."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Assessment:
        """Read an assessment written by :meth:`to_json`.

        Examples
        --------
        >>> import datetime as dt
        >>> from makingdata.policy import *
        >>> req = DataRequest(
        ...     title="<b>Flight paths</b>",
        ...     requester=Requester(RequesterKind.LA, "Anyshire"),
        ...     request_date=dt.date(2025, 10, 1),
        ...     items=(DataItem(ItemKind.FLIGHT_PATH),),
        ... )
        >>> a = assess(req)
        >>> Assessment.from_json(a.to_json()) == a
        True
        """
        return cls.from_dict(json.loads(text))

    def to_text(self) -> str:
        """Return a plain-text report."""
        return assessment_text(self)

    def to_markdown(self) -> str:
        """Return a Markdown report."""
        return assessment_markdown(self)

    def to_html(self) -> str:
        """Return an HTML fragment; every piece of user text is escaped."""
        return assessment_html(self)

    def _repr_html_(self) -> str:
        return self.to_html()

    def __str__(self) -> str:
        return self.to_text()


def _notes_for(match: Match, notes: Mapping[str, str]) -> tuple[str, ...]:
    """Return the notes about the fields a match names (all of them if it names none)."""
    paths = {path for path, _ in match.values}
    mine = tuple(
        n for p, n in notes.items() if p in paths or any(q.startswith(p) for q in paths)
    )
    return mine or tuple(notes.values())


def _run(rule: Rule, check: Any, subject: Any) -> Match | None:
    try:
        match = check(subject)
    except Exception as err:
        raise RuleError(
            f"the check {rule.check or rule.burden_check!r} of rule {rule.id} failed: "
            f"{type(err).__name__}: {err}",
            column=rule.id,
            hint="fix or switch off the rule (Catalogue.without_rule)",
        ) from err
    if match is not None and not isinstance(match, Match):
        raise RuleError(
            f"the check of rule {rule.id} returned {type(match).__name__}, "
            "not a Match or None",
            column=rule.id,
        )
    return match


def assess(  # noqa: PLR0912 - the request, its assumptions, its words
    request: DataRequest, *, catalogue: Catalogue | None = None
) -> Assessment:
    """Check one data request against every rule that applies to its requester.

    Statutory rules run first. A guidance finding whose items are all required
    by a statutory rule is moved to :attr:`Assessment.superseded`, so a
    required item is never reported as discouraged.

    Parameters
    ----------
    request
        The request to check.
    catalogue
        The rules to apply; the shipped :func:`default_catalogue` by default.
        Pass an organisation's local catalogue to add rules or switch some off.

    Returns
    -------
    Assessment
        Findings (rule, verdict, triggering values, citation) and the overall
        verdict.

    Raises
    ------
    RuleError
        If a (local) check fails or returns something other than a match.

    Examples
    --------
    >>> import datetime as dt
    >>> from makingdata.policy import *
    >>> req = DataRequest(
    ...     title="Predicted progress scores",
    ...     requester=Requester(RequesterKind.TRUST, "Oak Trust"),
    ...     request_date=dt.date(2026, 1, 10),
    ...     items=(DataItem(ItemKind.PREDICTION, about=ItemKind.PROGRESS_SCORE),),
    ... )
    >>> a = assess(req)
    >>> a.verdict.value
    'discouraged'
    >>> print(a.finding("NAHT-PRED-01").source)
    NAHT, LAs and MATs should no longer request target setting data from schools, 13 December 2018, DfE's confirmation, bullet 2
    """
    if not isinstance(request, DataRequest):
        raise InputError(
            f"assess() needs a DataRequest, not {type(request).__name__}",
            hint="build one, or read a file with load_request()",
        )
    cat = default_catalogue() if catalogue is None else catalogue
    findings: list[Finding] = []
    required_by: dict[int, str] = {}
    alt, notes = assumed_request(request)
    worded, said = inferred_request(request)
    for rule in cat.active_rules():
        if rule.check is None or not rule.applies(request):
            continue
        match = _run(rule, cat.checks[rule.check], request)
        assumed: tuple[str, ...] = ()
        inferred: tuple[str, ...] = ()
        if match is None and notes:
            match = _run(rule, cat.checks[rule.check], alt)
            if match is not None:
                assumed = _notes_for(match, notes)
        if match is None and said:
            match = _run(rule, cat.checks[rule.check], worded)
            if match is not None:
                inferred = _notes_for(match, said)
        if match is None:
            continue
        finding = _finding(rule, match, assumed, inferred)
        if finding.statutory and finding.verdict is Verdict.REQUIRED:
            for i in finding.items:
                required_by.setdefault(i, rule.id)
        findings.append(finding)
    kept: list[Finding] = []
    superseded: list[Finding] = []
    for f in findings:
        if not f.statutory and f.items and all(i in required_by for i in f.items):
            superseded.append(attrs.evolve(f, superseded_by=required_by[f.items[0]]))
        else:
            kept.append(f)
    return Assessment(
        request=request,
        findings=tuple(kept),
        superseded=tuple(superseded),
        disabled=tuple(cat.disabled.items()),
    )
