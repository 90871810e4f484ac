"""Uses and sharing decisions: who uses or receives data already shared, for what.

A :class:`DataRequest` asks schools for data. A :class:`DataUse` is the other
half: a decision to use, or pass on, data schools have already shared (DfE
using the daily attendance data for an academisation decision, sending
analysis to the Attendance Action Alliance, a trust using it to rank its
schools). It asks schools for nothing, so the collection rules (ATT-01,
STAR-01, formats, collection points) do not apply to it; it is checked by the
rules whose ``checks_uses`` is true: the daily-data promises about scope,
purposes and identification (DAILY-02, DAILY-03, DAILY-04) and the ban on
publishing identifiable pupils (DP-09).
"""

from __future__ import annotations

import datetime as dt
import difflib
from typing import TYPE_CHECKING, Any

import attrs

from makingdata.domain.purposes import Purpose
from makingdata.errors import InputError
from makingdata.policy._assess import Assessment, _finding, _run
from makingdata.policy._catalogue import Catalogue, default_catalogue
from makingdata.policy._requests import (
    DataItem,
    DataRequest,
    Format,
    Granularity,
    ItemKind,
    RequestAudience,
    Requester,
)

if TYPE_CHECKING:
    from collections.abc import Mapping
    from os import PathLike

__all__ = ["DataUse", "assess_use"]


def _uses_check(_inst: Any, _attr: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, tuple) or not value:
        raise InputError(
            "a use names at least one purpose",
            column="uses",
            hint="e.g. uses = ['academisation']",
        )
    for i, v in enumerate(value):
        if not isinstance(v, Purpose):
            raise InputError(f"expected a Purpose, got {v!r}", column=f"uses[{i}]")


@attrs.frozen(slots=True)
class DataUse:
    """A decision to use, or share onward, data schools have already shared.

    Attributes
    ----------
    title
        A short name for the decision.
    user
        Who uses or passes on the data (DfE, an RSC, a trust, an LA …).
    decision_date
        When the data is used or shared.
    uses
        What it is used for (at least one purpose).
    audiences
        Who sees the data or what is made from it.
    shared_daily_data
        Whether the data is the daily attendance data schools share with DfE.
    schools
        URNs of the schools whose data is used; empty means all the user sees.
    granularity
        Pupil-level, group-level or school-level data.
    names_schools
        Whether the data or its outputs identify schools.
    pseudonymised
        Whether pupil-level data is pseudonymised.
    description
        What is used, in the user's words.

    Examples
    --------
    >>> import datetime as dt
    >>> from makingdata.policy import (
    ...     DataUse,
    ...     Purpose,
    ...     Requester,
    ...     RequesterKind,
    ...     assess_use,
    ... )
    >>> use = DataUse(
    ...     title="Academisation review",
    ...     user=Requester(RequesterKind.DFE, "Department for Education"),
    ...     decision_date=dt.date(2025, 11, 1),
    ...     uses=(Purpose.ACADEMISATION,),
    ... )
    >>> a = assess_use(use)
    >>> a.verdict.value, a.rule_ids
    ('prohibited', ('DAILY-03',))
    """

    title: str
    user: Requester
    decision_date: dt.date
    uses: tuple[Purpose, ...] = attrs.field(validator=_uses_check)
    audiences: tuple[RequestAudience, ...] = (RequestAudience.REQUESTER,)
    shared_daily_data: bool = True
    schools: tuple[int, ...] = ()
    granularity: Granularity = Granularity.SCHOOL
    names_schools: bool = True
    pseudonymised: bool = False
    description: str = ""

    def as_request(self) -> DataRequest:
        """Return the use as the request-shaped record the rules read.

        It asks for one item, the data already held (so nothing is collected),
        from the schools used, for the uses given.
        """
        return DataRequest(
            title=self.title,
            requester=self.user,
            request_date=self.decision_date,
            items=(
                DataItem(
                    ItemKind.ATTENDANCE,
                    description=self.description,
                    held_in_mis=True,
                    need="; ".join(p.label for p in self.uses),
                ),
            ),
            purpose=self.description,
            purpose_category=self.uses[0],
            uses=self.uses,
            recipients=self.schools,
            format=Format.SCHOOL_EXISTING,
            granularity=self.granularity,
            min_group_size=10 if self.granularity is Granularity.GROUP else None,
            pseudonymised=self.pseudonymised,
            names_schools=self.names_schools,
            audiences=self.audiences,
            shared_daily_data=self.shared_daily_data,
        )

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], *, path: str | PathLike[str] | None = None
    ) -> DataUse:
        """Build a use from plain data (the fields above; ``user`` a requester table).

        Examples
        --------
        >>> from makingdata.policy import DataUse
        >>> DataUse.from_dict(
        ...     {
        ...         "title": "Share with the Alliance",
        ...         "user": {"kind": "dfe", "name": "DfE"},
        ...         "decision_date": "2025-11-01",
        ...         "uses": ["official statistics"],
        ...         "audiences": ["attendance_action_alliance"],
        ...     }
        ... ).audiences[0].value
        'attendance_action_alliance'
        """
        raw = dict(data)
        names = [a.name for a in attrs.fields(cls)]
        unknown = [k for k in raw if k not in names]
        req: dict[str, Any] = {
            "title": raw.get("title", ""),
            "requester": raw.get("user"),
            "request_date": raw.get("decision_date"),
            "items": [{"kind": "attendance"}],
            "uses": raw.get("uses", []),
        }
        for key in ("audiences", "granularity", "names_schools", "pseudonymised"):
            if key in raw:
                req[key] = raw[key]
        if "schools" in raw:
            req["recipients"] = raw["schools"]
        if req.get("granularity") == "group":
            req["min_group_size"] = 10
        if unknown:
            close = difflib.get_close_matches(str(unknown[0]), names, n=1)
            maybe = f" (did you mean {close[0]!r}?)" if close else ""
            raise InputError(
                f"unknown field {unknown[0]!r}{maybe}",
                path=path,
                column=unknown[0],
                hint=f"the fields are: {', '.join(names)}",
            )
        parsed = DataRequest.from_dict(req, path=path)
        try:
            return cls(
                title=parsed.title,
                user=parsed.requester,
                decision_date=parsed.request_date,
                uses=parsed.uses,
                audiences=parsed.audiences,
                shared_daily_data=bool(raw.get("shared_daily_data", True)),
                schools=parsed.recipients,
                granularity=parsed.granularity,
                names_schools=parsed.names_schools,
                pseudonymised=parsed.pseudonymised,
                description=str(raw.get("description", "")),
            )
        except InputError as err:
            raise InputError(
                err.message, path=path, column=err.column, hint=err.hint
            ) from None


def assess_use(use: DataUse, *, catalogue: Catalogue | None = None) -> Assessment:
    """Check a use or sharing decision against the rules that apply to uses.

    Only rules with ``checks_uses`` run (DAILY-02, DAILY-03, DAILY-04, DP-09 in
    the shipped catalogue); the collection rules do not, since a use asks
    schools for nothing.

    Raises
    ------
    InputError
        If ``use`` is not a :class:`DataUse`.
    """
    if not isinstance(use, DataUse):
        raise InputError(
            f"assess_use() needs a DataUse, not {type(use).__name__}",
            hint="build one, or read plain data with DataUse.from_dict()",
        )
    cat = default_catalogue() if catalogue is None else catalogue
    request = use.as_request()
    findings = []
    for rule in cat.active_rules():
        if not rule.checks_uses or rule.check is None or not rule.applies(request):
            continue
        match = _run(rule, cat.checks[rule.check], request)
        if match is not None:
            findings.append(_finding(rule, match))
    return Assessment(
        request=request,
        findings=tuple(findings),
        disabled=tuple(cat.disabled.items()),
    )
