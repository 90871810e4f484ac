"""Each seed document's scenarios get the verdict the seed implies.

The scenarios paraphrase the seeds (seeds/README.md lists them); the expected
verdict is the one the seed's wording implies ("should not" -> prohibited,
"not routinely" -> discouraged, "where possible … existing format" -> allowed
with conditions, a statutory duty -> required).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from makingdata.domain.purposes import FORBIDDEN_FOR_SHARED_DAILY_DATA, Purpose
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
    Verdict,
    assess,
)

LA = Requester(RequesterKind.LA, "Worcestershire County Council")
MAT = Requester(RequesterKind.TRUST, "A multi-academy trust")
DFE = Requester(RequesterKind.DFE, "Department for Education")
OFSTED = Requester(RequesterKind.OFSTED, "Ofsted")
SCHOOL = Requester(RequesterKind.SCHOOL, "A primary school")


def request(requester: Requester, *items: DataItem, **kw: Any) -> DataRequest:
    """A request that is clean apart from what the scenario changes."""
    fields: dict[str, Any] = {
        "title": "scenario",
        "requester": requester,
        "request_date": dt.date(2025, 10, 1),
        "items": items or (DataItem(ItemKind.ATTENDANCE, need="n"),),
        "purpose": "stated",
        "intended_actions": "stated",
        "purpose_category": Purpose.SUPPORT,
        "uses": (Purpose.SUPPORT,),
        "collections_per_year": 1,
        "staff_hours": 1,
        "clearance_reference": "SCSB 1",
        "last_reviewed": dt.date(2025, 6, 1),
    }
    fields.update(kw)
    return DataRequest(**fields)


def attainment(**kw: Any) -> DataItem:
    return DataItem(ItemKind.ATTAINMENT_TEST, need="n", **kw)


def verdict_and_rules(req: DataRequest) -> tuple[Verdict, set[str]]:
    a = assess(req)
    return a.verdict, set(a.rule_ids)


# seeds/000: NAHT news item, 13 Dec 2018
SEED_000 = [
    (
        "LAs and MATs should not request predictions of pupil or cohort progress scores",
        request(
            MAT, DataItem(ItemKind.PREDICTION, about=ItemKind.PROGRESS_SCORE, need="n")
        ),
        Verdict.DISCOURAGED,
        "NAHT-PRED-01",
    ),
    (
        "LAs should not routinely request targets and predictions",
        request(LA, DataItem(ItemKind.TARGET, need="n"), collections_per_year=3),
        Verdict.DISCOURAGED,
        "MDW-PRED-02",
    ),
    (
        "... nor request them to hold schools to account",
        request(
            LA,
            DataItem(ItemKind.TARGET, need="n"),
            uses=(Purpose.ACCOUNTABILITY,),
            purpose_category=Purpose.ACCOUNTABILITY,
        ),
        Verdict.DISCOURAGED,
        "NAHT-PRED-06",
    ),
    (
        "DfE will not request targets and predictions to hold schools to account",
        request(
            DFE,
            DataItem(ItemKind.TARGET, need="n"),
            uses=(Purpose.ACCOUNTABILITY,),
            purpose_category=Purpose.ACCOUNTABILITY,
        ),
        Verdict.PROHIBITED,
        "NAHT-PRED-06",
    ),
    (
        "requirement for data to be presented in a particular format",
        request(MAT, attainment(), format=Format.REQUESTER_TEMPLATE),
        Verdict.DISCOURAGED,
        "SOS-FMT-01",
    ),
    (
        "flight paths are not valid as a prediction",
        request(SCHOOL, DataItem(ItemKind.FLIGHT_PATH, need="n")),
        Verdict.PROHIBITED,
        "MDW-PRED-03",
    ),
    (
        "schools should not share individual pupil progress scores with parents",
        request(
            SCHOOL,
            DataItem(ItemKind.PROGRESS_SCORE, need="n", results_year="2024/25"),
            granularity=Granularity.PUPIL,
            audiences=(RequestAudience.PARENTS,),
            legal_basis="Art 6(1)(e)",
            retention="r",
            justification="j",
            dpia_done=True,
        ),
        Verdict.DISCOURAGED,
        "NAHT-SHARE-01",
    ),
    (
        "no predicting progress scores before provisional data each September",
        request(
            SCHOOL, DataItem(ItemKind.PROGRESS_SCORE, need="n", results_year="2025/26")
        ),
        Verdict.DISCOURAGED,
        "NAHT-PRED-04",
    ),
    (
        "inspectors should not ask for predictions for pupils or cohorts",
        request(OFSTED, DataItem(ItemKind.PREDICTION, need="n")),
        Verdict.PROHIBITED,
        "OFS-PRED-01",
    ),
    (
        "with a trigger for intervention, in the school's existing format",
        request(
            DFE,
            attainment(),
            intervention_trigger=InterventionTrigger.INADEQUATE_OFSTED,
            uses=(Purpose.INTERVENTION,),
            purpose_category=Purpose.INTERVENTION,
        ),
        Verdict.ALLOWED_WITH_CONDITIONS,
        "DFE-TRIG-02",
    ),
]

# seeds/001: Secretary of State's letter, 17 Jul 2019
SEED_001 = [
    (
        "limiting attainment collection points to two or three times a year",
        request(MAT, attainment(), collections_per_year=6),
        Verdict.DISCOURAGED,
        "MDW-ATT-01",
    ),
    (
        "three collection points is within the limit",
        request(MAT, attainment(), collections_per_year=3),
        Verdict.ALLOWED,
        None,
    ),
    (
        "LAs should not routinely ask for attainment data in different formats",
        request(LA, attainment(), format=Format.BESPOKE),
        Verdict.DISCOURAGED,
        "SOS-FMT-01",
    ),
    (
        "DfE will not ask for regular attainment data without the intervention trigger",
        request(DFE, attainment()),
        Verdict.PROHIBITED,
        "DFE-TRIG-01",
    ),
    (
        "inspectors will not look at non-statutory internal attainment data",
        request(OFSTED, attainment()),
        Verdict.PROHIBITED,
        "OFS-INT-02",
    ),
    (
        "objectives should not be based on teacher-generated data and predictions",
        request(
            SCHOOL,
            DataItem(ItemKind.PREDICTION, need="n"),
            uses=(Purpose.TEACHER_PERFORMANCE_MANAGEMENT,),
            purpose_category=Purpose.TEACHER_PERFORMANCE_MANAGEMENT,
        ),
        Verdict.DISCOURAGED,
        "MDW-PM-01",
    ),
    (
        "schools should not produce data for presenting to inspectors",
        request(
            SCHOOL,
            attainment(),
            uses=(Purpose.INSPECTION_PREPARATION,),
            purpose_category=Purpose.INSPECTION_PREPARATION,
        ),
        Verdict.DISCOURAGED,
        "OFS-INT-01",
    ),
]

# seeds/002: summary of the government response to "Making Data Work"
SEED_002 = [
    (
        "requests for attainment data only with a trigger or a statutory collection",
        request(DFE, attainment(statutory=True)),
        Verdict.ALLOWED,
        None,
    ),
    (
        "pastoral data: teachers should not compile behaviour data again",
        request(LA, DataItem(ItemKind.BEHAVIOUR, held_in_mis=False, need="n")),
        Verdict.DISCOURAGED,
        "MDW-PAST-01",
    ),
    (
        "objectives not based on teacher-generated attainment or progress data",
        request(
            MAT,
            DataItem(ItemKind.TEACHER_ASSESSMENT, need="n"),
            uses=(Purpose.TEACHER_PERFORMANCE_MANAGEMENT,),
            purpose_category=Purpose.TEACHER_PERFORMANCE_MANAGEMENT,
        ),
        Verdict.DISCOURAGED,
        "MDW-PM-01",
    ),
]

# seeds/003: daily data principles (2022)
VOLUNTARY = dt.date(2022, 2, 1)
DAILY_OK = {
    "shared_daily_data": True,
    "request_date": VOLUNTARY,
    "opt_out_possible": True,
    "purpose_category": Purpose.OFFICIAL_STATISTICS,
    "uses": (Purpose.OFFICIAL_STATISTICS, Purpose.SUPPORT),
}
SEED_003 = [
    (
        "share the data already in the MIS, with an opt-out: allowed",
        request(DFE, **DAILY_OK),
        Verdict.ALLOWED,
        None,
    ),
    (
        "no new data",
        request(
            DFE, DataItem(ItemKind.ATTENDANCE, held_in_mis=False, need="n"), **DAILY_OK
        ),
        Verdict.PROHIBITED,
        "DAILY-01",
    ),
    (
        "schools can opt out at any time",
        request(DFE, **{**DAILY_OK, "opt_out_possible": False}),
        Verdict.PROHIBITED,
        "DAILY-05",
    ),
    (
        "schools will not be asked to share other data",
        request(DFE, attainment(statutory=True), **DAILY_OK),
        Verdict.PROHIBITED,
        "DAILY-06",
    ),
    (
        "MATs see the participating schools they are responsible for",
        request(
            Requester(RequesterKind.TRUST, "Trust", responsible_for=(999001, 999002)),
            recipients=(999001, 999003),
            **DAILY_OK,
        ),
        Verdict.PROHIBITED,
        "DAILY-02",
    ),
    (
        "analysis for the Attendance Action Alliance without school identities",
        request(
            DFE,
            audiences=(RequestAudience.ATTENDANCE_ACTION_ALLIANCE,),
            names_schools=False,
            **DAILY_OK,
        ),
        Verdict.ALLOWED,
        None,
    ),
    (
        "no school-identifiable data to the Attendance Action Alliance",
        request(
            DFE, audiences=(RequestAudience.ATTENDANCE_ACTION_ALLIANCE,), **DAILY_OK
        ),
        Verdict.PROHIBITED,
        "DAILY-04",
    ),
]

# seeds/004: council scrutiny panel, KS2 attainment by group and district
SEED_004 = [
    (
        "validated KS2 results by group and district, at county level",
        request(
            LA,
            attainment(statutory=True, results_year="2024/25"),
            granularity=Granularity.GROUP,
            min_group_size=10,
            names_schools=False,
            purpose_category=Purpose.SCHOOL_IMPROVEMENT,
            uses=(Purpose.SCHOOL_IMPROVEMENT,),
            legal_basis="Education (Information About Individual Pupils) "
            "(England) Regulations 2013",
        ),
        Verdict.ALLOWED,
        None,
    ),
    (
        "the same breakdown for groups of a handful of pupils",
        request(
            LA,
            attainment(statutory=True, results_year="2024/25"),
            granularity=Granularity.GROUP,
            min_group_size=3,
            legal_basis="Education (Information About Individual Pupils) "
            "(England) Regulations 2013",
        ),
        Verdict.DISCOURAGED,
        "MDW-GRP-01",
    ),
]

SCENARIOS = [
    *(("000", *s) for s in SEED_000),
    *(("001", *s) for s in SEED_001),
    *(("002", *s) for s in SEED_002),
    *(("003", *s) for s in SEED_003),
    *(("004", *s) for s in SEED_004),
]


@pytest.mark.parametrize(
    ("seed", "scenario", "req", "verdict", "rule_id"),
    SCENARIOS,
    ids=[f"{s[0]}: {s[1]}" for s in SCENARIOS],
)
def test_seed_scenario(
    seed: str, scenario: str, req: DataRequest, verdict: Verdict, rule_id: str | None
) -> None:
    got, rules = verdict_and_rules(req)
    assert got is verdict, (seed, scenario, rules)
    if rule_id is None:
        assert not rules
    else:
        assert rule_id in rules


@pytest.mark.parametrize("purpose", sorted(FORBIDDEN_FOR_SHARED_DAILY_DATA))
def test_seed_003_forbidden_purposes_are_prohibited(purpose: Purpose) -> None:
    req = request(DFE, **{**DAILY_OK, "uses": (Purpose.OFFICIAL_STATISTICS, purpose)})
    assert assess(req).verdict is Verdict.PROHIBITED


def test_seed_003_after_mandation_the_collection_is_required() -> None:
    req = request(
        DFE,
        DataItem(ItemKind.ATTENDANCE, statutory=True, need="n"),
        **{**DAILY_OK, "request_date": dt.date(2025, 9, 1), "opt_out_possible": False},
    )
    a = assess(req)
    assert a.verdict is Verdict.REQUIRED
    assert a.rule_ids == ("ATT-01",)
