"""Shared builders for the policy tests: a compliant baseline and one case per rule."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

from makingdata.domain.purposes import Purpose
from makingdata.policy import (
    DataItem,
    DataRequest,
    Format,
    Granularity,
    InterventionTrigger,
    ItemKind,
    RequestAudience,
    Requester,
    RequesterKind,
    SchoolType,
)

LA = Requester(RequesterKind.LA, "Anyshire County Council")
TRUST = Requester(RequesterKind.TRUST, "Oak Academy Trust", identifier="TR99001")
DFE = Requester(RequesterKind.DFE, "Department for Education")
OFSTED = Requester(RequesterKind.OFSTED, "Ofsted")
BOARD = Requester(RequesterKind.GOVERNING_BOARD, "Board of Governors")
SCHOOL = Requester(RequesterKind.SCHOOL, "Meadow Primary")
VENDOR = Requester(RequesterKind.VENDOR, "TrackerCo", acting_for=TRUST)
PARTNER = Requester(RequesterKind.PARTNER_GROUP, "Attendance Action Alliance")
ALL_REQUESTERS = (LA, TRUST, DFE, OFSTED, BOARD, SCHOOL, VENDOR, PARTNER)

DAY = dt.date(2025, 10, 1)


def item(kind: ItemKind, **kw: Any) -> DataItem:
    """Return an item that is held in the MIS and has a named use."""
    kw.setdefault("need", "a named use")
    return DataItem(kind, **kw)


#: A request that every rule passes, for every requester kind.
BASE = DataRequest(
    title="Baseline",
    requester=LA,
    request_date=DAY,
    items=(item(ItemKind.ATTENDANCE),),
    purpose="Support attendance",
    intended_actions="Target attendance support visits",
    purpose_category=Purpose.SUPPORT,
    uses=(Purpose.SUPPORT,),
    format=Format.SCHOOL_EXISTING,
    collections_per_year=1,
    granularity=Granularity.SCHOOL,
    staff_hours=1.0,
    legal_basis="UK GDPR Art 6(1)(e); Education (Information About Individual "
    "Pupils) (England) Regulations 2013",
    article_9_condition="Art 9(2)(g)",
    retention="1 year",
    dpia_done=True,
    secure_transfer=True,
    privacy_notice_covers=True,
    justification="the purpose needs it",
    clearance_reference="SCSB 2025/001",
    last_reviewed=dt.date(2025, 7, 1),
)


def make(**changes: Any) -> DataRequest:
    """Return the baseline with some fields changed."""
    return attrs.evolve(BASE, **changes)


ATT = (item(ItemKind.ATTAINMENT_TEST),)
ATT_STAT = (item(ItemKind.ATTAINMENT_TEST, statutory=True),)
PUPIL = Granularity.PUPIL
DAILY = {"shared_daily_data": True, "requester": DFE}

#: rule id -> (a request on which it fires, a close request on which it does not)
CASES: dict[str, tuple[DataRequest, DataRequest]] = {
    "ATT-01": (
        make(
            requester=DFE,
            shared_daily_data=True,
            items=(item(ItemKind.ATTENDANCE, statutory=True),),
        ),
        make(
            requester=DFE,
            shared_daily_data=True,
            recipient_type=SchoolType.NURSERY,
            items=(item(ItemKind.ATTENDANCE, statutory=True),),
        ),
    ),
    "ATT-02": (
        make(
            purpose_category=Purpose.STATUTORY_RETURN,
            items=(item(ItemKind.ATTENDANCE, statutory=True),),
        ),
        make(
            purpose_category=Purpose.STATUTORY_RETURN,
            items=(item(ItemKind.ATTENDANCE, statutory=False),),
        ),
    ),
    "REG-01": (
        make(
            items=(
                item(
                    ItemKind.ATTENDANCE,
                    statutory=True,
                    covers_from=dt.date(2020, 10, 1),
                ),
            )
        ),
        make(
            items=(
                item(
                    ItemKind.ATTENDANCE,
                    statutory=True,
                    covers_from=dt.date(2019, 9, 30),
                ),
            )
        ),
    ),
    "LEG-01": (
        make(
            legal_basis="UK GDPR Art 6(1)(c)",
            items=(item(ItemKind.ATTENDANCE, statutory=True),),
        ),
        make(items=(item(ItemKind.ATTENDANCE, statutory=True),)),
    ),
    "ATT-CODES-01": (
        make(items=(item(ItemKind.ATTENDANCE, codes=("H",)),)),
        make(
            items=(
                item(
                    ItemKind.ATTENDANCE,
                    codes=("H",),
                    covers_from=dt.date(2024, 1, 1),
                ),
            )
        ),
    ),
    "DP-01": (
        make(granularity=PUPIL, legal_basis=None),
        make(granularity=PUPIL),
    ),
    "DP-02": (
        make(granularity=PUPIL, justification=None),
        make(granularity=PUPIL, pseudonymised=True, justification=None),
    ),
    "DP-03": (
        make(uses=(Purpose.SUPPORT, Purpose.PUBLICATION)),
        make(
            purpose_category=Purpose.OFFICIAL_STATISTICS,
            uses=(Purpose.OFFICIAL_STATISTICS, Purpose.PUBLICATION),
        ),
    ),
    "DP-04": (
        make(granularity=PUPIL, retention=None),
        make(granularity=Granularity.SCHOOL, retention=None),
    ),
    "DP-05": (
        make(requester=VENDOR, granularity=PUPIL, dpia_done=False),
        make(requester=VENDOR, granularity=PUPIL, dpia_done=True),
    ),
    "DP-06": (make(secure_transfer=False), make(secure_transfer=None)),
    "DP-07": (
        make(granularity=PUPIL, privacy_notice_covers=False),
        make(granularity=Granularity.SCHOOL, privacy_notice_covers=False),
    ),
    "DP-08": (
        make(granularity=PUPIL, intended_actions=None),
        make(granularity=PUPIL),
    ),
    "DP-09": (
        make(granularity=PUPIL, audiences=(RequestAudience.PUBLIC,)),
        make(
            granularity=PUPIL, pseudonymised=True, audiences=(RequestAudience.PUBLIC,)
        ),
    ),
    "DAILY-01": (
        make(**DAILY, items=(item(ItemKind.ATTENDANCE, held_in_mis=False),)),
        make(requester=DFE, items=(item(ItemKind.ATTENDANCE, held_in_mis=False),)),
    ),
    "DAILY-02": (
        make(
            shared_daily_data=True,
            requester=attrs.evolve(TRUST, responsible_for=(999001,)),
            recipients=(999001, 999002),
        ),
        make(
            shared_daily_data=True,
            requester=attrs.evolve(TRUST, responsible_for=(999001,)),
            recipients=(999001,),
        ),
    ),
    "DAILY-03": (
        make(**DAILY, uses=(Purpose.SUPPORT, Purpose.ACADEMISATION)),
        make(requester=DFE, uses=(Purpose.SUPPORT, Purpose.ACADEMISATION)),
    ),
    "DAILY-04": (
        make(**DAILY, audiences=(RequestAudience.ATTENDANCE_ACTION_ALLIANCE,)),
        make(
            **DAILY,
            audiences=(RequestAudience.ATTENDANCE_ACTION_ALLIANCE,),
            names_schools=False,
        ),
    ),
    "DAILY-05": (
        make(**DAILY, request_date=dt.date(2022, 2, 1), opt_out_possible=False),
        make(**DAILY, request_date=dt.date(2024, 8, 19), opt_out_possible=False),
    ),
    "DAILY-06": (
        make(**DAILY, items=ATT_STAT),
        make(**DAILY, items=(item(ItemKind.CHARACTERISTICS),)),
    ),
    "MDW-GEN-01": (make(intended_actions=None), BASE),
    "MDW-GEN-02": (
        make(items=(item(ItemKind.ATTENDANCE, held_in_mis=False),), justification=None),
        make(justification=None),
    ),
    "MDW-GEN-03": (make(staff_hours=None), make(staff_hours=0)),
    "MDW-GEN-04": (
        make(items=(DataItem(ItemKind.ATTENDANCE),)),
        make(items=(DataItem(ItemKind.ATTENDANCE, need="support visits"),)),
    ),
    "MDW-REV-01": (
        make(collections_per_year=2, last_reviewed=dt.date(2024, 1, 1)),
        make(collections_per_year=2, last_reviewed=dt.date(2025, 7, 1)),
    ),
    "MDW-ATT-01": (
        make(items=ATT, collections_per_year=4),
        make(items=ATT, collections_per_year=3),
    ),
    "MDW-ATT-02": (
        make(items=ATT, same_time_for_all_classes=True),
        make(same_time_for_all_classes=True),
    ),
    "MDW-ATT-03": (
        make(
            items=(item(ItemKind.TEACHER_ASSESSMENT),),
            uses=(Purpose.SUPPORT, Purpose.MONITORING),
            purpose_category=Purpose.MONITORING,
        ),
        make(items=(item(ItemKind.TEACHER_ASSESSMENT),)),
    ),
    "MDW-ATT-04": (
        make(items=ATT, uses_school_collection_points=False),
        make(items=ATT, uses_school_collection_points=None),
    ),
    "SOS-FMT-01": (
        make(items=ATT, format=Format.REQUESTER_TEMPLATE),
        make(format=Format.REQUESTER_TEMPLATE),
    ),
    "MDW-FMT-02": (
        make(format=Format.REQUESTER_TEMPLATE),
        make(items=ATT, format=Format.REQUESTER_TEMPLATE),
    ),
    "DFE-TRIG-01": (
        make(requester=DFE, items=ATT),
        make(requester=DFE, items=ATT_STAT),
    ),
    "DFE-TRIG-02": (
        make(
            requester=DFE,
            items=ATT,
            intervention_trigger=InterventionTrigger.INADEQUATE_OFSTED,
        ),
        make(requester=DFE, items=ATT_STAT),
    ),
    "NAHT-PRED-01": (
        make(
            requester=TRUST,
            items=(item(ItemKind.PREDICTION, about=ItemKind.PROGRESS_SCORE),),
        ),
        make(
            requester=TRUST,
            items=(item(ItemKind.PREDICTION, about=ItemKind.ATTAINMENT_TEST),),
        ),
    ),
    "MDW-PRED-02": (
        make(
            requester=TRUST, items=(item(ItemKind.PREDICTION),), collections_per_year=2
        ),
        make(
            requester=TRUST, items=(item(ItemKind.PREDICTION),), collections_per_year=1
        ),
    ),
    "NAHT-PRED-06": (
        make(
            requester=DFE,
            items=(item(ItemKind.TARGET),),
            uses=(Purpose.ACCOUNTABILITY,),
            purpose_category=Purpose.ACCOUNTABILITY,
        ),
        make(requester=DFE, items=(item(ItemKind.TARGET),)),
    ),
    "MDW-PRED-03": (
        make(items=(item(ItemKind.FLIGHT_PATH),)),
        make(items=(item(ItemKind.PREDICTION),)),
    ),
    "NAHT-PRED-04": (
        make(items=(item(ItemKind.PROGRESS_SCORE, results_year="2025/26"),)),
        make(items=(item(ItemKind.PROGRESS_SCORE, results_year="2024/25"),)),
    ),
    "NAHT-SHARE-01": (
        make(
            requester=SCHOOL,
            granularity=PUPIL,
            items=(item(ItemKind.PROGRESS_SCORE),),
            audiences=(RequestAudience.PARENTS,),
        ),
        make(
            requester=SCHOOL,
            granularity=Granularity.GROUP,
            min_group_size=10,
            items=(item(ItemKind.PROGRESS_SCORE),),
            audiences=(RequestAudience.PARENTS,),
        ),
    ),
    "MDW-PRED-05": (
        make(
            requester=SCHOOL,
            items=(item(ItemKind.PREDICTION),),
            audiences=(RequestAudience.PUPILS,),
        ),
        make(requester=SCHOOL, items=(item(ItemKind.PREDICTION),)),
    ),
    "OFS-PRED-01": (
        make(requester=OFSTED, items=(item(ItemKind.PREDICTION),)),
        make(requester=LA, items=(item(ItemKind.PREDICTION),)),
    ),
    "OFS-INT-01": (
        make(
            requester=SCHOOL,
            items=ATT,
            uses=(Purpose.INSPECTION_PREPARATION,),
            purpose_category=Purpose.INSPECTION_PREPARATION,
        ),
        make(
            requester=SCHOOL,
            items=ATT_STAT,
            uses=(Purpose.INSPECTION_PREPARATION,),
            purpose_category=Purpose.INSPECTION_PREPARATION,
        ),
    ),
    "OFS-INT-02": (
        make(requester=OFSTED, items=ATT),
        make(requester=OFSTED, items=ATT_STAT),
    ),
    "MDW-GRP-01": (
        make(granularity=Granularity.GROUP, min_group_size=5),
        make(granularity=Granularity.GROUP, min_group_size=10),
    ),
    "MDW-PM-01": (
        make(
            requester=SCHOOL,
            items=ATT,
            purpose_category=Purpose.TEACHER_PERFORMANCE_MANAGEMENT,
            uses=(Purpose.TEACHER_PERFORMANCE_MANAGEMENT,),
        ),
        make(
            requester=SCHOOL,
            items=(item(ItemKind.BEHAVIOUR),),
            purpose_category=Purpose.TEACHER_PERFORMANCE_MANAGEMENT,
            uses=(Purpose.TEACHER_PERFORMANCE_MANAGEMENT,),
        ),
    ),
    "MDW-PM-02": (
        make(
            requester=SCHOOL,
            items=(item(ItemKind.TARGET),),
            purpose_category=Purpose.TEACHER_PERFORMANCE_MANAGEMENT,
            uses=(Purpose.TEACHER_PERFORMANCE_MANAGEMENT,),
        ),
        make(
            requester=SCHOOL,
            items=ATT,
            purpose_category=Purpose.TEACHER_PERFORMANCE_MANAGEMENT,
            uses=(Purpose.TEACHER_PERFORMANCE_MANAGEMENT,),
        ),
    ),
    "MDW-GOV-01": (
        make(requester=BOARD, granularity=PUPIL, items=ATT, collections_per_year=2),
        make(requester=BOARD, items=ATT, collections_per_year=2),
    ),
    "MDW-PAR-01": (
        make(
            requester=SCHOOL,
            items=(item(ItemKind.FREE_TEXT),),
            audiences=(RequestAudience.PARENTS,),
        ),
        make(requester=SCHOOL, items=(item(ItemKind.FREE_TEXT),)),
    ),
    "MDW-PAST-01": (
        make(items=(item(ItemKind.BEHAVIOUR, held_in_mis=False),)),
        make(items=(item(ItemKind.BEHAVIOUR, held_in_mis=True),)),
    ),
    "STAR-01": (
        make(requester=DFE, clearance_reference=None),
        make(requester=LA, clearance_reference=None),
    ),
}

#: Rules checked only across a school's year of requests (assess_burden).
BURDEN_ONLY = frozenset({"MDW-DUP-01"})
