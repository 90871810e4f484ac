"""Check data requests against the "Making Data Work" principles and the law around them.

The rules are data (``policy_rules.toml``, shipped in the package): each has an
id, plain-English text, who it binds, a verdict (prohibited, discouraged,
allowed with conditions, required), its sources (citations of the source
registry, :func:`policy_sources`: author, title, date, section and the quoted
words), a provenance (primary, secondary, seed-only) and the name
of its check, a predicate registered in a table. :func:`assess` runs the
statutory rules first, then the guidance, and returns an :class:`Assessment`
whose findings name the rule, the verdict, the field values that triggered it
and the citation. :func:`assess_burden` looks at a school's whole year of
requests: collection points, the same item from several requesters, formats
and staff hours.

Organisations adapt the catalogue without editing it:
:meth:`Catalogue.with_rule` adds a local rule, :meth:`Catalogue.without_rule`
switches one off with a recorded reason, and :func:`load_catalogue` does both
from a TOML file.

The request model (:class:`DataRequest`, :class:`DataItem`,
:class:`Requester` and their enums, with the parser behind
:meth:`DataRequest.from_dict` and :func:`load_request`) lives here too; until
0.2 it was ``makingdata.domain.requests``, where the old names still work, with
a ``DeprecationWarning``, until 0.3.

The purposes the daily-data principles forbid are the
:class:`~makingdata.domain.purposes.Purpose` members the access module refuses
too (one definition, ``makingdata.domain.purposes``).

Examples
--------
>>> import datetime as dt
>>> from makingdata.policy import (
...     DataItem,
...     DataRequest,
...     ItemKind,
...     Requester,
...     RequesterKind,
...     assess,
... )
>>> request = DataRequest(
...     title="Half-termly flight paths",
...     requester=Requester(RequesterKind.LA, "Anyshire County Council"),
...     request_date=dt.date(2025, 10, 1),
...     items=(DataItem(ItemKind.FLIGHT_PATH, description="KS2 maths"),),
...     collections_per_year=6,
... )
>>> a = assess(request)
>>> a.verdict.value
'prohibited'
>>> [f.rule_id for f in a.findings if f.verdict.value == "prohibited"]
['MDW-PRED-03']
"""

from __future__ import annotations

from makingdata._sources import Citation, Source
from makingdata.domain.purposes import (
    FORBIDDEN_FOR_SHARED_DAILY_DATA,
    Purpose,
    parse_purpose,
)
from makingdata.policy._assess import Assessment, assess
from makingdata.policy._burden import Burden, assess_burden
from makingdata.policy._catalogue import Catalogue, default_catalogue, policy_sources
from makingdata.policy._checks import (
    DAILY_COLLECTION_STATUTORY_FROM,
    MAX_ATTAINMENT_POINTS,
    SMALL_GROUP_THRESHOLD,
    attainment_points,
)
from makingdata.policy._load import (
    REQUEST_SUFFIXES,
    load_catalogue,
    load_request,
    load_requests,
    load_use,
)
from makingdata.policy._model import (
    BINDS,
    MODAL_VERDICTS,
    BurdenCheck,
    Check,
    Finding,
    Match,
    Provenance,
    Rule,
    SchoolYear,
    Verdict,
)
from makingdata.policy._requests import (
    ATTAINMENT_KINDS,
    REQUESTER_KIND_ALIASES,
    DataItem,
    DataRequest,
    Format,
    Granularity,
    InterventionTrigger,
    ItemKind,
    RequestAudience,
    Requester,
    RequesterKind,
    RequestError,
    SchoolType,
    academic_year_bounds,
)
from makingdata.policy._signals import Signal, text_signals
from makingdata.policy._uses import DataUse, assess_use

__all__ = [
    "ATTAINMENT_KINDS",
    "BINDS",
    "DAILY_COLLECTION_STATUTORY_FROM",
    "FORBIDDEN_FOR_SHARED_DAILY_DATA",
    "MAX_ATTAINMENT_POINTS",
    "MODAL_VERDICTS",
    "REQUESTER_KIND_ALIASES",
    "REQUEST_SUFFIXES",
    "SMALL_GROUP_THRESHOLD",
    "Assessment",
    "Burden",
    "BurdenCheck",
    "Catalogue",
    "Check",
    "Citation",
    "DataItem",
    "DataRequest",
    "DataUse",
    "Finding",
    "Format",
    "Granularity",
    "InterventionTrigger",
    "ItemKind",
    "Match",
    "Provenance",
    "Purpose",
    "RequestAudience",
    "RequestError",
    "Requester",
    "RequesterKind",
    "Rule",
    "SchoolType",
    "SchoolYear",
    "Signal",
    "Source",
    "Verdict",
    "academic_year_bounds",
    "assess",
    "assess_burden",
    "assess_use",
    "attainment_points",
    "default_catalogue",
    "load_catalogue",
    "load_request",
    "load_requests",
    "load_use",
    "parse_purpose",
    "policy_sources",
    "text_signals",
]


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
