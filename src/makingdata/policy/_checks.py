"""The named checks: one predicate per rule, registered in a table.

Each check reads one :class:`~makingdata.policy.DataRequest` and
returns a :class:`~makingdata.policy.Match` naming the field values that
triggered it, or ``None``. Whether the rule applies to the requester at all
(``applies_to``) is decided by the engine, not here, so one predicate can
serve several rules.

Item-level checks are monotone: adding an item never removes a match that
other items made (a property test holds them to it).
"""

from __future__ import annotations

import datetime as dt
from types import MappingProxyType
from typing import TYPE_CHECKING

from makingdata.codes import CODES
from makingdata.domain.purposes import FORBIDDEN_FOR_SHARED_DAILY_DATA, Purpose
from makingdata.policy._model import Match, SchoolYear, Verdict
from makingdata.policy._requests import (
    ATTAINMENT_KINDS,
    DataRequest,
    Format,
    Granularity,
    InterventionTrigger,
    ItemKind,
    RequestAudience,
    RequesterKind,
    SchoolType,
    academic_year_bounds,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

__all__ = [
    "BURDEN_CHECKS",
    "CHECKS",
    "DAILY_COLLECTION_STATUTORY_FROM",
    "MAX_ATTAINMENT_POINTS",
    "REGISTER_RETENTION_YEARS",
    "SMALL_GROUP_THRESHOLD",
]

#: The statutory daily attendance collection starts (IAIP (Amendment) Regs 2024).
DAILY_COLLECTION_STATUTORY_FROM = dt.date(2024, 8, 19)
#: Attainment collection points a year before MDW-ATT-01 objects ("two or three").
MAX_ATTAINMENT_POINTS = 3
#: Smallest group MDW-GRP-01 accepts (our choice, cf. Ofsted IDSR practice).
SMALL_GROUP_THRESHOLD = 10
#: Years every register entry is kept (Pupil Registration Regs 2024, reg 7).
REGISTER_RETENTION_YEARS = 6
#: MDW-REV-01: a routine collection should have been reviewed within this.
REVIEW_INTERVAL = dt.timedelta(days=365)

_DAILY_KINDS = frozenset(
    {ItemKind.ATTENDANCE, ItemKind.CHARACTERISTICS, ItemKind.IDENTIFIERS}
)
_PERSONAL_SPECIAL = frozenset({ItemKind.CHARACTERISTICS, ItemKind.SPECIAL_CATEGORY})
_PREDICTIVE = frozenset({ItemKind.PREDICTION, ItemKind.TARGET})
_JUDGING = frozenset(
    {
        Purpose.MONITORING,
        Purpose.ACCOUNTABILITY,
        Purpose.TEACHER_PERFORMANCE_MANAGEMENT,
    }
)
#: DP-03: for data given for these purposes, these further uses are incompatible.
_SUPPORT_LIKE = frozenset(
    {Purpose.SUPPORT, Purpose.SCHOOL_IMPROVEMENT, Purpose.SAFEGUARDING}
)
_INCOMPATIBLE_WITH_SUPPORT = frozenset(
    {
        Purpose.ACCOUNTABILITY,
        Purpose.TEACHER_PERFORMANCE_MANAGEMENT,
        Purpose.PUBLICATION,
        *FORBIDDEN_FOR_SHARED_DAILY_DATA,
    }
)
_DISCLOSURE_PURPOSES = frozenset(
    {
        Purpose.PUBLIC_IDENTIFICATION_OF_CHILDREN,
        Purpose.SCHOOL_IDENTITIES_TO_ATTENDANCE_ACTION_ALLIANCE,
    }
)
_DECISION_PURPOSES = FORBIDDEN_FOR_SHARED_DAILY_DATA - _DISCLOSURE_PURPOSES


# ------------------------------------------------------------------ helpers


def _items(request: DataRequest, keep: Callable[[int], bool]) -> tuple[int, ...]:
    return tuple(i for i in range(len(request.items)) if keep(i))


def _kind_values(
    request: DataRequest, idx: Iterable[int]
) -> tuple[tuple[str, str], ...]:
    return tuple((f"items[{i}].kind", request.items[i].kind.value) for i in idx)


def _of_kinds(request: DataRequest, kinds: frozenset[ItemKind]) -> tuple[int, ...]:
    return _items(request, lambda i: request.items[i].kind in kinds)


def _uses(request: DataRequest) -> frozenset[Purpose]:
    out = set(request.uses)
    if request.purpose_category is not None:
        out.add(request.purpose_category)
    return frozenset(out)


def _uses_values(
    request: DataRequest, wanted: frozenset[Purpose]
) -> tuple[tuple[str, str], ...]:
    out = [(f"uses[{i}]", p.value) for i, p in enumerate(request.uses) if p in wanted]
    if request.purpose_category in wanted and request.purpose_category is not None:
        out.append(("purpose_category", request.purpose_category.value))
    return tuple(out)


def _non_statutory_attainment(request: DataRequest) -> tuple[int, ...]:
    return _items(
        request,
        lambda i: (
            request.items[i].kind in ATTAINMENT_KINDS and not request.items[i].statutory
        ),
    )


def _join(idx: Iterable[int], request: DataRequest) -> str:
    return ", ".join(
        f"{request.items[i].kind.value}"
        + (f" ({request.items[i].description})" if request.items[i].description else "")
        for i in idx
    )


# ------------------------------------------------------- statutory checks


def statutory_daily_attendance(request: DataRequest) -> Match | None:
    """ATT-01: DfE's daily attendance collection on or after 19 August 2024."""
    if not (
        request.shared_daily_data
        and request.request_date >= DAILY_COLLECTION_STATUTORY_FROM
        and request.recipient_type is SchoolType.STATE_FUNDED
        and any(item.kind is ItemKind.ATTENDANCE for item in request.items)
    ):
        return None
    idx = _items(
        request,
        lambda i: (
            request.items[i].kind in _DAILY_KINDS and request.items[i].held_in_mis
        ),
    )
    return Match(
        values=(
            ("shared_daily_data", "true"),
            ("request_date", request.request_date.isoformat()),
            ("recipient_type", request.recipient_type.value),
            *_kind_values(request, idx),
        ),
        items=idx,
        detail="the statutory daily attendance collection: the school must share "
        f"{_join(idx, request)}",
    )


def la_statutory_return(request: DataRequest) -> Match | None:
    """ATT-02: an LA's statutory attendance or registration return."""
    if Purpose.STATUTORY_RETURN not in _uses(request):
        return None
    idx = _items(
        request,
        lambda i: request.items[i].kind in _DAILY_KINDS and request.items[i].statutory,
    )
    if not idx:
        return None
    return Match(
        values=(
            *_uses_values(request, frozenset({Purpose.STATUTORY_RETURN})),
            *_kind_values(request, idx),
        ),
        items=idx,
        detail=f"a statutory return to the LA: {_join(idx, request)}",
    )


def register_history(request: DataRequest) -> Match | None:
    """REG-01: attendance history within the 6 years registers are kept."""
    day = request.request_date
    year = day.year - REGISTER_RETENTION_YEARS
    limit = dt.date(year, day.month, min(day.day, 28 if day.month == 2 else 31))
    if day.month != 2:
        limit = day.replace(year=year)
    found = [
        (i, item)
        for i, item in enumerate(request.items)
        if item.kind is ItemKind.ATTENDANCE
        and item.covers_from is not None
        and item.covers_from >= limit
    ]
    if not found:
        return None
    statutory = any(item.statutory for _, item in found)
    since = min(item.covers_from for _, item in found if item.covers_from)
    return Match(
        values=(
            *((f"items[{i}].covers_from", str(item.covers_from)) for i, item in found),
            ("request_date", request.request_date.isoformat()),
        ),
        detail=f"register entries since {since.isoformat()} are within the "
        f"{REGISTER_RETENTION_YEARS} years the school must keep them"
        + (
            ""
            if statutory
            else "; supply them from the register (the request is not statutory, "
            "so the duty is to keep them, not to send them)"
        ),
        # The school's duty is to keep the register; only a statutory request
        # makes supplying the history a requirement.
        verdict=None if statutory else Verdict.ALLOWED_WITH_CONDITIONS,
    )


def la_statutory_without_regulation(request: DataRequest) -> Match | None:
    """LEG-01: statutory items requested without citing the regulations."""
    idx = _items(request, lambda i: request.items[i].statutory)
    if not idx:
        return None
    basis = request.legal_basis or ""
    lowered = basis.casefold()
    if "regulation" in lowered or " act " in f" {lowered} " or "s537a" in lowered:
        return None
    return Match(
        values=(("legal_basis", basis or "(none)"), *_kind_values(request, idx)),
        items=idx,
        detail="statutory items requested without citing the regulation",
    )


def attendance_codes_not_in_force(request: DataRequest) -> Match | None:
    """ATT-CODES-01: codes asked about that were not in force on the dates covered."""
    latest = max((request.request_date, *request.collection_dates))
    values: list[tuple[str, str]] = []
    idx: list[int] = []
    for i, item in enumerate(request.items):
        earliest = item.covers_from or request.request_date
        for j, code in enumerate(item.codes):
            spec = CODES[code]
            starts = spec.valid_from or dt.date.min
            ends = spec.valid_to or dt.date.max
            if starts > latest or ends < earliest:
                values.append((f"items[{i}].codes[{j}]", code))
                if i not in idx:
                    idx.append(i)
    if not values:
        return None
    return Match(
        values=(*values, ("request_date", request.request_date.isoformat())),
        items=tuple(idx),
        detail="codes not in force on the dates the data covers: "
        + ", ".join(v for _, v in values),
    )


def no_legal_basis(request: DataRequest) -> Match | None:
    """DP-01: pupil-level data with no lawful basis (or no Art 9 condition)."""
    if request.granularity is not Granularity.PUPIL:
        return None
    if request.legal_basis is None or not request.legal_basis.strip():
        return Match(
            values=(("granularity", "pupil"), ("legal_basis", "(none)")),
            detail="pupil-level personal data with no lawful basis named",
        )
    special = _of_kinds(request, _PERSONAL_SPECIAL)
    if special and not (request.article_9_condition or "").strip():
        return Match(
            values=(
                ("granularity", "pupil"),
                ("article_9_condition", "(none)"),
                *_kind_values(request, special),
            ),
            items=special,
            detail="special-category data (ethnicity, SEN, health) with no Art 9 condition",
        )
    return None


def identifiable_without_need(request: DataRequest) -> Match | None:
    """DP-02: pupil-identifiable data with no stated need."""
    if request.pupil_identifiable and not (request.justification or "").strip():
        return Match(
            values=(
                ("granularity", "pupil"),
                ("pseudonymised", "false"),
                ("justification", "(none)"),
            ),
            detail="pupil-identifiable data with no reason why less would not do",
        )
    return None


def incompatible_further_use(request: DataRequest) -> Match | None:
    """DP-03: support data reused for an incompatible purpose."""
    if request.purpose_category not in _SUPPORT_LIKE:
        return None
    bad = frozenset(request.uses) & _INCOMPATIBLE_WITH_SUPPORT
    if not bad:
        return None
    assert request.purpose_category is not None
    return Match(
        values=(
            ("purpose_category", request.purpose_category.value),
            *_uses_values(request, bad),
        ),
        detail=f"data given for {request.purpose_category.label} also used for "
        + ", ".join(sorted(p.label for p in bad)),
    )


def no_retention(request: DataRequest) -> Match | None:
    """DP-04: pupil-level data with no retention period."""
    if (
        request.granularity is Granularity.PUPIL
        and not (request.retention or "").strip()
    ):
        return Match(
            values=(("granularity", "pupil"), ("retention", "(none)")),
            detail="no retention period for pupil-level data",
        )
    return None


def third_party_without_dpia(request: DataRequest) -> Match | None:
    """DP-05: pupil-level data shared without a DPIA."""
    if request.granularity is Granularity.PUPIL and not request.dpia_done:
        return Match(
            values=(
                ("requester.kind", request.requester.kind.value),
                ("granularity", "pupil"),
                ("dpia_done", "false"),
            ),
            detail="pupil-level data shared without a DPIA",
        )
    return None


def insecure_transfer(request: DataRequest) -> Match | None:
    """DP-06: the data moves by an insecure route."""
    if request.secure_transfer is False:
        return Match(
            values=(("secure_transfer", "false"),),
            detail="the data is to be sent by an insecure route",
        )
    return None


def privacy_notice_not_covering(request: DataRequest) -> Match | None:
    """DP-07: the school's privacy notice does not cover this sharing."""
    if (
        request.granularity is Granularity.PUPIL
        and request.privacy_notice_covers is False
    ):
        return Match(
            values=(("granularity", "pupil"), ("privacy_notice_covers", "false")),
            detail="the school's privacy notice does not cover this sharing",
        )
    return None


def pre_sharing_questions_unanswered(request: DataRequest) -> Match | None:
    """DP-08: pupil-level data without the answers a school must check."""
    if request.granularity is not Granularity.PUPIL:
        return None
    missing = [
        name
        for name, value in (
            ("intended_actions", request.intended_actions),
            ("justification", request.justification),
        )
        if not (value or "").strip()
    ]
    if not missing:
        return None
    return Match(
        values=(("granularity", "pupil"), *((m, "(none)") for m in missing)),
        detail="the request does not say "
        + " or ".join(
            {
                "intended_actions": "what the data is for",
                "justification": "why it cannot be done without it",
            }[m]
            for m in missing
        ),
    )


def public_identifiable(request: DataRequest) -> Match | None:
    """DP-09: pupil-identifiable data for the public."""
    if RequestAudience.PUBLIC in request.audiences and request.pupil_identifiable:
        return Match(
            values=(
                ("audiences", RequestAudience.PUBLIC.value),
                ("granularity", "pupil"),
                ("pseudonymised", "false"),
            ),
            detail="pupil-identifiable data would be published",
        )
    return None


# ------------------------------------------ daily data (DfE daily-data principles)


def daily_new_data(request: DataRequest) -> Match | None:
    """DAILY-01: daily data that is not in the MIS, or from comments fields."""
    if not request.shared_daily_data:
        return None
    idx = _items(
        request,
        lambda i: (
            not request.items[i].held_in_mis
            or request.items[i].kind is ItemKind.FREE_TEXT
        ),
    )
    if not idx:
        return None
    return Match(
        values=tuple(
            (f"items[{i}].held_in_mis", str(request.items[i].held_in_mis).lower())
            if not request.items[i].held_in_mis
            else (f"items[{i}].kind", request.items[i].kind.value)
            for i in idx
        ),
        items=idx,
        detail=f"new data or comments asked through the daily feed: {_join(idx, request)}",
    )


def daily_out_of_scope(request: DataRequest) -> Match | None:
    """DAILY-02: schools outside the requester's responsibility."""
    scope = set(request.requester.responsible_for)
    if not (request.shared_daily_data and scope and request.recipients):
        return None
    outside = [u for u in request.recipients if u not in scope]
    if not outside:
        return None
    return Match(
        values=tuple(
            (f"recipients[{request.recipients.index(u)}]", str(u)) for u in outside
        ),
        detail="schools outside the requester's responsibility: "
        + ", ".join(str(u) for u in outside),
    )


def _daily_forbidden(request: DataRequest, wanted: frozenset[Purpose]) -> Match | None:
    if not request.shared_daily_data:
        return None
    bad = request.implied_purposes & wanted
    if not bad:
        return None
    values = list(_uses_values(request, bad))
    values.extend(
        ("audiences", p.value)
        for p in sorted(bad - set(request.uses) - {request.purpose_category})
    )
    return Match(
        values=tuple(values),
        detail="forbidden for the shared daily data: "
        + "; ".join(f"{p.label} ({p.citation})" for p in sorted(bad)),
    )


def daily_forbidden_decisions(request: DataRequest) -> Match | None:
    """DAILY-03: the daily data used for decisions it was promised not to inform."""
    return _daily_forbidden(request, _DECISION_PURPOSES)


def daily_forbidden_disclosure(request: DataRequest) -> Match | None:
    """DAILY-04: children identified publicly or schools named to the AAA."""
    return _daily_forbidden(request, _DISCLOSURE_PURPOSES)


def daily_no_opt_out(request: DataRequest) -> Match | None:
    """DAILY-05: a voluntary-era daily request with no opt-out."""
    if (
        request.shared_daily_data
        and request.request_date < DAILY_COLLECTION_STATUTORY_FROM
        and request.opt_out_possible is not True
    ):
        return Match(
            values=(
                ("request_date", request.request_date.isoformat()),
                ("opt_out_possible", str(request.opt_out_possible).lower()),
            ),
            detail="before 19 August 2024 daily sharing was voluntary; "
            "schools must be able to opt out",
        )
    return None


def daily_items_beyond_scope(request: DataRequest) -> Match | None:
    """DAILY-06: the daily feed used for items beyond attendance and characteristics."""
    if not request.shared_daily_data:
        return None
    idx = _items(request, lambda i: request.items[i].kind not in _DAILY_KINDS)
    if not idx:
        return None
    return Match(
        values=_kind_values(request, idx),
        items=idx,
        detail=f"not part of the daily collection: {_join(idx, request)}",
    )


# ----------------------------------------------------------- general guidance


def purpose_or_action_missing(request: DataRequest) -> Match | None:
    """MDW-GEN-01: no purpose or no action named."""
    values = []
    if not request.purpose.strip():
        values.append(("purpose", "(none)"))
    if not (request.intended_actions or "").strip():
        values.append(("intended_actions", "(none)"))
    if not values:
        return None
    return Match(
        values=tuple(values),
        detail="the request does not say what the data will change",
    )


def items_not_held(request: DataRequest) -> Match | None:
    """MDW-GEN-02: items the school does not already hold."""
    idx = _items(request, lambda i: not request.items[i].held_in_mis)
    if not idx:
        return None
    justified = bool((request.justification or "").strip())
    return Match(
        values=tuple((f"items[{i}].held_in_mis", "false") for i in idx)
        + ((("justification", request.justification or ""),) if justified else ()),
        items=idx,
        detail=f"new recording or compiling: {_join(idx, request)}"
        + ("; a justification is given" if justified else ""),
        verdict=Verdict.ALLOWED_WITH_CONDITIONS if justified else None,
    )


def staff_time_not_estimated(request: DataRequest) -> Match | None:
    """MDW-GEN-03: no estimate of staff time."""
    if request.staff_hours is None:
        return Match(
            values=(("staff_hours", "(none)"),),
            detail="no estimate of the staff time the request takes",
        )
    return None


def items_without_need(request: DataRequest) -> Match | None:
    """MDW-GEN-04: items with no named use."""
    idx = _items(request, lambda i: not (request.items[i].need or "").strip())
    if not idx:
        return None
    return Match(
        values=tuple((f"items[{i}].need", "(none)") for i in idx),
        items=idx,
        detail=f"items with no named use: {_join(idx, request)}",
    )


def collection_not_reviewed(request: DataRequest) -> Match | None:
    """MDW-REV-01: a routine collection not reviewed in the last year."""
    if not request.is_routine:
        return None
    reviewed = request.last_reviewed
    if reviewed is not None and request.request_date - reviewed <= REVIEW_INTERVAL:
        return None
    return Match(
        values=(
            ("collections_per_year", str(request.collection_count)),
            ("last_reviewed", reviewed.isoformat() if reviewed else "(none)"),
        ),
        detail="a routine collection not reviewed against the principles in the last year",
    )


# ------------------------------------------------------------- attainment


def attainment_points_over_limit(request: DataRequest) -> Match | None:
    """MDW-ATT-01: more than three attainment collections a year."""
    idx = _of_kinds(request, ATTAINMENT_KINDS)
    if not idx or request.collection_count <= MAX_ATTAINMENT_POINTS:
        return None
    return Match(
        values=(
            ("collections_per_year", str(request.collection_count)),
            *_kind_values(request, idx),
        ),
        items=idx,
        detail=f"{request.collection_count} attainment collection points a year "
        f"(at most {MAX_ATTAINMENT_POINTS})",
    )


def all_classes_same_time(request: DataRequest) -> Match | None:
    """MDW-ATT-02: every class and subject collects at once."""
    idx = _of_kinds(request, ATTAINMENT_KINDS)
    if not (idx and request.same_time_for_all_classes):
        return None
    return Match(
        values=(("same_time_for_all_classes", "true"), *_kind_values(request, idx)),
        items=idx,
        detail="all classes and subjects must collect at the same time",
    )


def teacher_assessment_for_judgement(request: DataRequest) -> Match | None:
    """MDW-ATT-03: teacher assessments collected to judge performance."""
    idx = _of_kinds(request, frozenset({ItemKind.TEACHER_ASSESSMENT}))
    bad = _uses(request) & _JUDGING
    if not (idx and bad):
        return None
    return Match(
        values=(*_kind_values(request, idx), *_uses_values(request, bad)),
        items=idx,
        detail="teacher assessments collected for "
        + ", ".join(sorted(p.label for p in bad)),
    )


def adds_collection_point(request: DataRequest) -> Match | None:
    """MDW-ATT-04: attainment data on dates other than the school's own points."""
    idx = _non_statutory_attainment(request)
    if not idx or request.uses_school_collection_points is not False:
        return None
    return Match(
        values=(
            ("uses_school_collection_points", "false"),
            *_kind_values(request, idx),
        ),
        items=idx,
        detail="the request adds collection points of its own",
    )


def attainment_not_in_school_format(request: DataRequest) -> Match | None:
    """SOS-FMT-01: attainment data demanded in another format."""
    idx = _of_kinds(request, ATTAINMENT_KINDS)
    if not idx or request.format is Format.SCHOOL_EXISTING:
        return None
    return Match(
        values=(("format", request.format.value), *_kind_values(request, idx)),
        items=idx,
        detail=f"attainment data demanded in the {request.format.value.replace('_', ' ')} format",
    )


def other_items_not_in_school_format(request: DataRequest) -> Match | None:
    """MDW-FMT-02: non-attainment data demanded in another format."""
    idx = _items(request, lambda i: request.items[i].kind not in ATTAINMENT_KINDS)
    if not idx or request.format is Format.SCHOOL_EXISTING:
        return None
    return Match(
        values=(("format", request.format.value), *_kind_values(request, idx)),
        items=idx,
        detail=f"{_join(idx, request)} demanded in the "
        f"{request.format.value.replace('_', ' ')} format",
    )


def no_intervention_trigger(request: DataRequest) -> Match | None:
    """DFE-TRIG-01: non-statutory attainment data with no intervention trigger."""
    idx = _non_statutory_attainment(request)
    if not idx or request.intervention_trigger is not InterventionTrigger.NONE:
        return None
    return Match(
        values=(("intervention_trigger", "none"), *_kind_values(request, idx)),
        items=idx,
        detail="non-statutory attainment data from a school that meets no intervention trigger",
    )


def trigger_met_conditions(request: DataRequest) -> Match | None:
    """DFE-TRIG-02: the trigger is met; the conditions still apply."""
    idx = _non_statutory_attainment(request)
    if not idx or request.intervention_trigger is InterventionTrigger.NONE:
        return None
    return Match(
        values=(
            ("intervention_trigger", request.intervention_trigger.value),
            ("format", request.format.value),
            *_kind_values(request, idx),
        ),
        items=idx,
        detail="allowed on condition that it is in the school's existing format "
        "and adds no data collection",
    )


# ---------------------------------------------------------------- predictions


def progress_score_predictions(request: DataRequest) -> Match | None:
    """NAHT-PRED-01: predictions of progress scores."""
    idx = _items(
        request,
        lambda i: (
            request.items[i].kind is ItemKind.PREDICTION
            and request.items[i].about is ItemKind.PROGRESS_SCORE
        ),
    )
    if not idx:
        return None
    return Match(
        values=tuple((f"items[{i}].about", "progress_score") for i in idx),
        items=idx,
        detail="predictions of progress scores",
    )


def routine_targets_or_predictions(request: DataRequest) -> Match | None:
    """MDW-PRED-02: targets or predictions collected routinely."""
    idx = _of_kinds(request, _PREDICTIVE)
    if not (idx and request.is_routine):
        return None
    return Match(
        values=(
            ("collections_per_year", str(request.collection_count)),
            *_kind_values(request, idx),
        ),
        items=idx,
        detail=f"targets or predictions collected {request.collection_count} times a year",
    )


def predictions_for_accountability(request: DataRequest) -> Match | None:
    """NAHT-PRED-06: targets or predictions to hold schools to account."""
    idx = _of_kinds(request, _PREDICTIVE)
    bad = _uses(request) & {Purpose.ACCOUNTABILITY}
    if not (idx and bad):
        return None
    commits = request.requester.kinds & {RequesterKind.DFE, RequesterKind.RSC}
    return Match(
        values=(*_kind_values(request, idx), *_uses_values(request, frozenset(bad))),
        items=idx,
        detail="targets or predictions used to hold schools to account"
        + ("" if commits else " (LAs and trusts 'should not': discouraged)"),
        verdict=None if commits else Verdict.DISCOURAGED,
    )


def flight_paths(request: DataRequest) -> Match | None:
    """MDW-PRED-03: flight paths."""
    idx = _of_kinds(request, frozenset({ItemKind.FLIGHT_PATH}))
    if not idx:
        return None
    return Match(
        values=_kind_values(request, idx), items=idx, detail="flight paths requested"
    )


def progress_scores_before_provisional(request: DataRequest) -> Match | None:
    """NAHT-PRED-04: progress scores asked for before September's provisional data."""
    values: list[tuple[str, str]] = []
    idx: list[int] = []
    for i, item in enumerate(request.items):
        if item.kind is ItemKind.PREDICTION and item.about is ItemKind.PROGRESS_SCORE:
            values.append((f"items[{i}].about", "progress_score"))
            idx.append(i)
        elif item.kind is ItemKind.PROGRESS_SCORE and item.results_year is not None:
            _, end = academic_year_bounds(item.results_year)
            available = end + dt.timedelta(days=1)  # 1 September after the tests
            if request.request_date < available:
                values.append((f"items[{i}].results_year", item.results_year))
                idx.append(i)
    if not idx:
        return None
    return Match(
        values=(*values, ("request_date", request.request_date.isoformat())),
        items=tuple(idx),
        detail="progress scores asked for before provisional data is out each September",
    )


def progress_scores_to_pupils_or_parents(request: DataRequest) -> Match | None:
    """NAHT-SHARE-01: pupils' progress scores for pupils or parents."""
    idx = _of_kinds(request, frozenset({ItemKind.PROGRESS_SCORE}))
    who = [
        a
        for a in request.audiences
        if a in (RequestAudience.PUPILS, RequestAudience.PARENTS)
    ]
    if not (idx and who and request.granularity is Granularity.PUPIL):
        return None
    return Match(
        values=(*_kind_values(request, idx), *(("audiences", a.value) for a in who)),
        items=idx,
        detail="individual progress scores would go to "
        + " and ".join(a.value for a in who),
    )


def predictions_to_pupils_or_parents(request: DataRequest) -> Match | None:
    """MDW-PRED-05: predicted or target levels for pupils or parents."""
    idx = _of_kinds(request, _PREDICTIVE)
    who = [
        a
        for a in request.audiences
        if a in (RequestAudience.PUPILS, RequestAudience.PARENTS)
    ]
    if not (idx and who):
        return None
    return Match(
        values=(*_kind_values(request, idx), *(("audiences", a.value) for a in who)),
        items=idx,
        detail="predicted or target levels would go to "
        + " and ".join(a.value for a in who),
    )


def any_predictions(request: DataRequest) -> Match | None:
    """OFS-PRED-01: predictions at all (for requesters who may ask for none)."""
    idx = _of_kinds(request, _PREDICTIVE | {ItemKind.FLIGHT_PATH})
    if not idx:
        return None
    return Match(
        values=_kind_values(request, idx), items=idx, detail="predictions requested"
    )


def internal_data_for_ofsted(request: DataRequest) -> Match | None:
    """OFS-INT-01: internal attainment data produced for Ofsted."""
    bad = _uses(request) & {Purpose.INSPECTION_PREPARATION}
    idx = _non_statutory_attainment(request)
    if not (bad and idx):
        return None
    return Match(
        values=(*_uses_values(request, frozenset(bad)), *_kind_values(request, idx)),
        items=idx,
        detail="internal progress or attainment data produced for Ofsted",
    )


def non_statutory_attainment(request: DataRequest) -> Match | None:
    """OFS-INT-02: non-statutory internal attainment or progress data."""
    idx = _non_statutory_attainment(request)
    if not idx:
        return None
    return Match(
        values=_kind_values(request, idx),
        items=idx,
        detail="non-statutory internal attainment or progress data",
    )


# ------------------------------------------------- groups, people, pastoral


def small_groups(request: DataRequest) -> Match | None:
    """MDW-GRP-01: group breakdowns for very small groups."""
    size = request.min_group_size
    if request.granularity is not Granularity.GROUP or size is None:
        return None
    if size >= SMALL_GROUP_THRESHOLD:
        return None
    return Match(
        values=(("granularity", "group"), ("min_group_size", str(size))),
        detail=f"groups as small as {size} pupils (fewer than {SMALL_GROUP_THRESHOLD})",
    )


def pay_on_pupil_data(request: DataRequest) -> Match | None:
    """MDW-PM-01: pupil attainment data for teachers' pay or objectives."""
    bad = _uses(request) & {Purpose.TEACHER_PERFORMANCE_MANAGEMENT}
    idx = _of_kinds(request, ATTAINMENT_KINDS)
    if not (bad and idx):
        return None
    return Match(
        values=(*_uses_values(request, frozenset(bad)), *_kind_values(request, idx)),
        items=idx,
        detail="pupil attainment data used for teacher performance management or pay",
    )


def pupil_targets_for_teachers(request: DataRequest) -> Match | None:
    """MDW-PM-02: pupil-outcome targets set for teachers."""
    bad = _uses(request) & {Purpose.TEACHER_PERFORMANCE_MANAGEMENT}
    idx = _of_kinds(request, frozenset({ItemKind.TARGET}))
    if not (bad and idx):
        return None
    return Match(
        values=(*_uses_values(request, frozenset(bad)), *_kind_values(request, idx)),
        items=idx,
        detail="pupil-outcome targets used as teachers' targets",
    )


def routine_pupil_level_attainment(request: DataRequest) -> Match | None:
    """MDW-GOV-01: routine pupil-level progress data."""
    idx = _of_kinds(request, ATTAINMENT_KINDS)
    if not (idx and request.granularity is Granularity.PUPIL and request.is_routine):
        return None
    return Match(
        values=(
            ("granularity", "pupil"),
            ("collections_per_year", str(request.collection_count)),
            *_kind_values(request, idx),
        ),
        items=idx,
        detail="routine pupil-level progress-monitoring data",
    )


def written_reports_for_parents(request: DataRequest) -> Match | None:
    """MDW-PAR-01: written reports compiled for parents."""
    idx = _of_kinds(request, frozenset({ItemKind.FREE_TEXT}))
    if not (idx and RequestAudience.PARENTS in request.audiences):
        return None
    return Match(
        values=(("audiences", "parents"), *_kind_values(request, idx)),
        items=idx,
        detail="written commentary compiled for parents",
    )


def behaviour_compiled(request: DataRequest) -> Match | None:
    """MDW-PAST-01: behaviour data compiled outside the MIS."""
    idx = _items(
        request,
        lambda i: (
            request.items[i].kind is ItemKind.BEHAVIOUR
            and not request.items[i].held_in_mis
        ),
    )
    if not idx:
        return None
    return Match(
        values=tuple((f"items[{i}].held_in_mis", "false") for i in idx),
        items=idx,
        detail="behaviour data teachers must compile outside the MIS",
    )


def no_clearance(request: DataRequest) -> Match | None:
    """STAR-01: a DfE collection without a clearance reference."""
    if (request.clearance_reference or "").strip():
        return None
    return Match(
        values=(("clearance_reference", "(none)"),),
        detail="no Star Chamber Scrutiny Board clearance reference",
    )


# ---------------------------------------------------------------- burden


def attainment_points(year: SchoolYear) -> int:
    """Count the school's attainment collection points in the year.

    Distinct dated collections across all requests with attainment items,
    plus the undated collections of requests that fix no dates (each counts
    its ``collection_count``): two requesters collecting on the same day make
    one point; one requester collecting six times makes six.

    Examples
    --------
    >>> import datetime as dt
    >>> from makingdata.policy import *
    >>> req = DataRequest(
    ...     title="Termly tests",
    ...     requester=Requester(RequesterKind.TRUST, "Oak Trust"),
    ...     request_date=dt.date(2025, 9, 1),
    ...     items=(DataItem(ItemKind.ATTAINMENT_TEST),),
    ...     collections_per_year=3,
    ... )
    >>> start, end = dt.date(2025, 9, 1), dt.date(2026, 8, 31)
    >>> attainment_points(SchoolYear(999001, "2025/26", start, end, (req,)))
    3
    """
    dated: set[dt.date] = set()
    undated = 0
    for req in year.requests:
        if not any(item.kind in ATTAINMENT_KINDS for item in req.items):
            continue
        if req.collection_dates:
            dated.update(year.dates_in_year(req))
        else:
            undated += year.collections_in_year(req)
    return len(dated) + undated


def school_attainment_points_over_limit(year: SchoolYear) -> Match | None:
    """MDW-ATT-01 across requests: the school's attainment points in the year."""
    points = attainment_points(year)
    if points <= MAX_ATTAINMENT_POINTS:
        return None
    who = [
        f"{req.requester.name}: {year.collections_in_year(req)}"
        for req in year.requests
        if any(item.kind in ATTAINMENT_KINDS for item in req.items)
        and year.collections_in_year(req)
    ]
    return Match(
        values=(("attainment_collection_points", str(points)),),
        detail=f"{points} attainment collection points in {year.academic_year} "
        f"(at most {MAX_ATTAINMENT_POINTS}): " + "; ".join(who),
    )


def school_items_outside_format(year: SchoolYear) -> Match | None:
    """SOS-FMT-01 across requests: attainment items demanded in other formats."""
    found = [
        f"{req.requester.name} ({req.format.value.replace('_', ' ')}): {req.title}"
        for req in year.requests
        if req.format is not Format.SCHOOL_EXISTING
        and any(item.kind in ATTAINMENT_KINDS for item in req.items)
    ]
    if not found:
        return None
    return Match(
        values=(("requests_outside_school_format", str(len(found))),),
        detail="attainment data demanded outside the school's format: "
        + "; ".join(found),
    )


def school_other_items_outside_format(year: SchoolYear) -> Match | None:
    """MDW-FMT-02 across requests: other data demanded in other formats."""
    found = [
        f"{req.requester.name} ({req.format.value.replace('_', ' ')}): {req.title}"
        for req in year.requests
        if req.format is not Format.SCHOOL_EXISTING
        and any(item.kind not in ATTAINMENT_KINDS for item in req.items)
    ]
    if not found:
        return None
    return Match(
        values=(("requests_outside_school_format", str(len(found))),),
        detail="other data demanded outside the school's format: " + "; ".join(found),
    )


def school_staff_hours_unknown(year: SchoolYear) -> Match | None:
    """MDW-GEN-03 across requests: requests with no staff-time estimate."""
    found = [req.title for req in year.requests if req.staff_hours is None]
    if not found:
        return None
    return Match(
        values=(("requests_without_estimate", str(len(found))),),
        detail="no staff-time estimate for: " + "; ".join(found),
    )


def same_item_several_requesters(year: SchoolYear) -> Match | None:
    """MDW-DUP-01: the same item asked of the school by several requesters."""
    askers: dict[str, set[str]] = {}
    for req in year.requests:
        who = f"{req.requester.kind.value}:{req.requester.name}"
        for item in req.items:
            if item.kind in (ItemKind.FREE_TEXT, ItemKind.OTHER):
                continue
            key = item.kind.value + (f" of {item.about.value}" if item.about else "")
            askers.setdefault(key, set()).add(who)
    dup = {k: v for k, v in sorted(askers.items()) if len(v) > 1}
    if not dup:
        return None
    return Match(
        values=tuple((f"item:{k}", str(len(v))) for k, v in dup.items()),
        detail="asked by several requesters: "
        + "; ".join(
            f"{k} by " + ", ".join(sorted(n.split(":", 1)[1] for n in v))
            for k, v in dup.items()
        ),
    )


#: Check name → predicate over one request.
CHECKS: Mapping[str, Callable[[DataRequest], Match | None]] = MappingProxyType(
    {
        f.__name__: f
        for f in (
            statutory_daily_attendance,
            la_statutory_return,
            register_history,
            la_statutory_without_regulation,
            attendance_codes_not_in_force,
            no_legal_basis,
            identifiable_without_need,
            incompatible_further_use,
            no_retention,
            third_party_without_dpia,
            insecure_transfer,
            privacy_notice_not_covering,
            pre_sharing_questions_unanswered,
            public_identifiable,
            daily_new_data,
            daily_out_of_scope,
            daily_forbidden_decisions,
            daily_forbidden_disclosure,
            daily_no_opt_out,
            daily_items_beyond_scope,
            purpose_or_action_missing,
            items_not_held,
            staff_time_not_estimated,
            items_without_need,
            collection_not_reviewed,
            attainment_points_over_limit,
            all_classes_same_time,
            teacher_assessment_for_judgement,
            adds_collection_point,
            attainment_not_in_school_format,
            other_items_not_in_school_format,
            no_intervention_trigger,
            trigger_met_conditions,
            progress_score_predictions,
            routine_targets_or_predictions,
            predictions_for_accountability,
            flight_paths,
            progress_scores_before_provisional,
            progress_scores_to_pupils_or_parents,
            predictions_to_pupils_or_parents,
            any_predictions,
            internal_data_for_ofsted,
            non_statutory_attainment,
            small_groups,
            pay_on_pupil_data,
            pupil_targets_for_teachers,
            routine_pupil_level_attainment,
            written_reports_for_parents,
            behaviour_compiled,
            no_clearance,
        )
    }
)

#: Check name → predicate over a school's year of requests.
BURDEN_CHECKS: Mapping[str, Callable[[SchoolYear], Match | None]] = MappingProxyType(
    {
        f.__name__: f
        for f in (
            school_attainment_points_over_limit,
            school_items_outside_format,
            school_other_items_outside_format,
            school_staff_hours_unknown,
            same_item_several_requesters,
        )
    }
)
