"""The burden a school carries: all its requests in one academic year."""

from __future__ import annotations

import difflib
import json
from typing import TYPE_CHECKING, Any

import attrs
import polars as pl

from makingdata.errors import InputError
from makingdata.policy._assess import Assessment, _finding, _run, assess
from makingdata.policy._catalogue import Catalogue, default_catalogue
from makingdata.policy._checks import attainment_points
from makingdata.policy._model import Finding, SchoolYear, Verdict
from makingdata.policy._render import burden_html, burden_markdown, burden_text
from makingdata.policy._requests import DataRequest, academic_year_bounds

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["Burden", "assess_burden", "attainment_points"]

_PER_REQUESTER_SCHEMA = {
    "requester": pl.String,
    "requester_kind": pl.String,
    "requests": pl.UInt32,
    "collections": pl.UInt32,
    "staff_hours": pl.Float64,
    "requests_without_estimate": pl.UInt32,
}


@attrs.frozen(slots=True)
class Burden:
    """A school's year of data requests: figures, findings and each request's verdict.

    Attributes
    ----------
    year
        The school, the academic year and the requests addressed to it that
        fall in the year.
    findings
        Findings of the catalogue's burden checks (collection points, the same
        item from several requesters, formats, missing estimates).
    assessments
        The assessment of each request, in the order given.

    Examples
    --------
    >>> import datetime as dt
    >>> from makingdata.policy import *
    >>> def ask(name, kind, dates):
    ...     return DataRequest(
    ...         title=f"{name} attainment",
    ...         requester=Requester(kind, name),
    ...         request_date=dates[0],
    ...         items=(DataItem(ItemKind.ATTAINMENT_TEST, need="support"),),
    ...         collection_dates=dates,
    ...         staff_hours=2.0,
    ...     )
    >>> trust = ask(
    ...     "Oak Trust",
    ...     RequesterKind.TRUST,
    ...     (dt.date(2025, 12, 5), dt.date(2026, 3, 27)),
    ... )
    >>> la = ask(
    ...     "Anyshire", RequesterKind.LA, (dt.date(2025, 11, 14), dt.date(2026, 7, 10))
    ... )
    >>> b = assess_burden([trust, la], school=100000, academic_year="2025/26")
    >>> b.attainment_points, b.total_staff_hours
    (4, 8.0)
    >>> [f.rule_id for f in b.findings]
    ['MDW-DUP-01', 'MDW-ATT-01']
    """

    year: SchoolYear
    findings: tuple[Finding, ...]
    assessments: tuple[Assessment, ...]

    @property
    def school(self) -> int:
        """The school's URN."""
        return self.year.school

    @property
    def academic_year(self) -> str:
        """The academic year, as given."""
        return self.year.academic_year

    @property
    def requests(self) -> tuple[DataRequest, ...]:
        """The requests counted."""
        return self.year.requests

    @property
    def attainment_points(self) -> int:
        """The school's attainment collection points in the year."""
        return attainment_points(self.year)

    @property
    def verdict(self) -> Verdict:
        """The worst verdict among the burden findings and the requests."""
        return Verdict.worst(
            [f.verdict for f in self.findings] + [a.verdict for a in self.assessments]
        )

    @property
    def exit_code(self) -> int:
        """The command's exit code: 3 prohibited, 1 discouraged, 0 otherwise (ExitCode)."""
        return self.verdict.exit_code

    def per_requester(self) -> pl.DataFrame:
        """Staff hours in the year per requester (hours per collection × collections).

        ``staff_hours`` sums the requests that give an estimate;
        ``requests_without_estimate`` counts the others, so an unknown is never
        shown as zero without saying so.
        """
        rows: dict[tuple[str, str], list[float]] = {}
        for req in self.year.requests:
            key = (req.requester.name, req.requester.kind.value)
            n = self.year.collections_in_year(req)
            acc = rows.setdefault(key, [0, 0, 0.0, 0])
            acc[0] += 1
            acc[1] += n
            if req.staff_hours is None:
                acc[3] += 1
            else:
                acc[2] += float(req.staff_hours) * n
        frame = pl.DataFrame(
            {
                "requester": [k[0] for k in rows],
                "requester_kind": [k[1] for k in rows],
                "requests": [int(v[0]) for v in rows.values()],
                "collections": [int(v[1]) for v in rows.values()],
                "staff_hours": [v[2] for v in rows.values()],
                "requests_without_estimate": [int(v[3]) for v in rows.values()],
            },
            schema=_PER_REQUESTER_SCHEMA,
        )
        return frame.sort(["staff_hours", "requester"], descending=[True, False])

    @property
    def total_staff_hours(self) -> float:
        """Estimated staff hours in the year across every request that gives one."""
        return float(self.per_requester()["staff_hours"].sum())

    def to_dict(self) -> dict[str, Any]:
        """Return the burden report as plain data."""
        return {
            "school": self.school,
            "academic_year": self.academic_year,
            "verdict": self.verdict.value,
            "attainment_collection_points": self.attainment_points,
            "total_staff_hours": self.total_staff_hours,
            "per_requester": self.per_requester().to_dicts(),
            "findings": [f.to_dict() for f in self.findings],
            "requests": [
                {
                    "title": a.request.title,
                    "requester": a.request.requester.name,
                    "verdict": a.verdict.value,
                    "rule_ids": list(a.rule_ids),
                }
                for a in self.assessments
            ],
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        """Return the report as JSON."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def to_text(self) -> str:
        """Return a plain-text report."""
        return burden_text(self)

    def to_markdown(self) -> str:
        """Return a Markdown report."""
        return burden_markdown(self)

    def to_html(self) -> str:
        """Return an HTML fragment; user text is escaped."""
        return burden_html(self)

    def _repr_html_(self) -> str:
        return self.to_html()

    def __str__(self) -> str:
        return self.to_text()


def _addressed(request: DataRequest, school: int) -> bool:
    """Whether the request goes to the school.

    Its ``recipients`` name the school, or are empty ("every school the
    requester covers") and the requester's ``responsible_for``, when stated,
    includes the school.
    """
    if request.recipients:
        return school in request.recipients
    covers = request.requester.responsible_for
    return not covers or school in covers


def _check_addressed(requests: tuple[DataRequest, ...], school: int) -> None:
    """Refuse a URN no request is addressed to: a typo must not read as "no burden"."""
    if any(_addressed(r, school) for r in requests):
        return
    if not requests:
        raise InputError(
            "there are no requests to assess",
            column="requests",
            hint="pass the requests the school received (load_requests(folder))",
        )
    named = sorted(
        {u for r in requests for u in (r.recipients or r.requester.responsible_for)}
    )
    close = difflib.get_close_matches(str(school), [str(u) for u in named], n=1)
    maybe = f" (did you mean {close[0]}?)" if close else ""
    shown = ", ".join(str(u) for u in named[:10]) + (" …" if len(named) > 10 else "")
    raise InputError(
        f"no request is addressed to school {school}{maybe}",
        column="school",
        hint=f"check the URN; the requests name: {shown}",
    )


def assess_burden(
    requests: Iterable[DataRequest],
    *,
    school: int,
    academic_year: str,
    catalogue: Catalogue | None = None,
) -> Burden:
    """Assess every request a school receives in one academic year, together.

    A request counts when it is addressed to the school (its ``recipients``
    list the URN, or are empty: "every school the requester covers", which is
    the requester's ``responsible_for`` when stated) and has a
    collection in the year (a collection date in it, or, with no dates, a
    request date in it).

    Parameters
    ----------
    requests
        The requests, e.g. from :func:`load_requests`.
    school
        The school's URN.
    academic_year
        ``"2025/26"``.
    catalogue
        The rules to apply (the shipped catalogue by default).

    Returns
    -------
    Burden
        Collection points, staff hours per requester, burden findings citing
        rules (MDW-ATT-01, MDW-DUP-01, SOS-FMT-01, MDW-GEN-03) and each
        request's assessment.

    Raises
    ------
    InputError
        If the URN or the year is malformed, or no request is addressed to the
        school (a mistyped URN is never "no burden"; the nearest URN the
        requests name is suggested).

    Examples
    --------
    >>> import datetime as dt
    >>> from makingdata.policy import *
    >>> asks = [
    ...     DataRequest(
    ...         title=f"{who} attendance",
    ...         requester=Requester(kind, who),
    ...         request_date=dt.date(2025, 10, 1),
    ...         items=(DataItem(ItemKind.ATTENDANCE, need="support"),),
    ...         staff_hours=hours,
    ...     )
    ...     for who, kind, hours in [
    ...         ("Oak Trust", RequesterKind.TRUST, 1.0),
    ...         ("Anyshire", RequesterKind.LA, 2.5),
    ...     ]
    ... ]
    >>> b = assess_burden(asks, school=999001, academic_year="2025/26")
    >>> b.per_requester()["staff_hours"].to_list()
    [2.5, 1.0]
    >>> [f.rule_id for f in b.findings]
    ['MDW-DUP-01']
    """
    urn: object = school
    if isinstance(urn, bool) or not isinstance(urn, int) or not 100000 <= urn <= 999999:
        raise InputError(
            f"{school!r} is not a URN (6 digits)",
            column="school",
            hint="give the school's 6-digit unique reference number",
        )
    start, end = academic_year_bounds(academic_year)
    requests = tuple(requests)
    _check_addressed(requests, school)
    cat = default_catalogue() if catalogue is None else catalogue
    probe = SchoolYear(school, academic_year, start, end, ())
    mine = tuple(
        r
        for r in requests
        if _addressed(r, school) and probe.collections_in_year(r) > 0
    )
    year = attrs.evolve(probe, requests=mine)
    findings: list[Finding] = []
    for rule in cat.active_rules():
        if rule.burden_check is None:
            continue
        match = _run(rule, cat.burden_checks[rule.burden_check], year)
        if match is not None:
            findings.append(_finding(rule, match))
    return Burden(
        year=year,
        findings=tuple(findings),
        assessments=tuple(assess(r, catalogue=cat) for r in mine),
    )
