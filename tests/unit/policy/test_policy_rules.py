"""Every rule: a request on which it fires and a close one on which it does not."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
import pytest

from makingdata.domain.purposes import FORBIDDEN_FOR_SHARED_DAILY_DATA, Purpose
from makingdata.policy import (
    DataItem,
    Format,
    InterventionTrigger,
    ItemKind,
    RequestAudience,
    SchoolType,
)

if TYPE_CHECKING:
    from types import ModuleType

from makingdata.policy import (
    DAILY_COLLECTION_STATUTORY_FROM,
    Verdict,
    assess,
    assess_burden,
    default_catalogue,
)


def _cases() -> ModuleType:
    name = "makingdata_tests_policy_cases"
    if name not in sys.modules:
        path = Path(__file__).with_name("_policy_cases.py")
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


C = _cases()
CATALOGUE = default_catalogue()


def _fired(request: object) -> set[str]:
    a = assess(request)  # type: ignore[arg-type]
    return set(a.rule_ids) | {f.rule_id for f in a.superseded}


def test_every_rule_has_a_case() -> None:
    ids = {r.id for r in CATALOGUE}
    assert set(C.CASES) | C.BURDEN_ONLY == ids


def test_catalogue_holds_the_draft_43_and_more() -> None:
    draft = {
        "MDW-GEN-01", "MDW-GEN-02", "MDW-GEN-03", "MDW-GEN-04", "MDW-ATT-01",
        "MDW-ATT-02", "MDW-ATT-03", "SOS-FMT-01", "NAHT-PRED-01", "MDW-PRED-02",
        "MDW-PRED-03", "NAHT-PRED-04", "NAHT-SHARE-01", "MDW-PRED-05", "OFS-PRED-01",
        "DFE-TRIG-01", "OFS-INT-01", "MDW-GRP-01", "MDW-PM-01", "MDW-PM-02",
        "MDW-GOV-01", "MDW-PAR-01", "MDW-PAST-01", "MDW-REV-01", "DAILY-01",
        "DAILY-02", "DAILY-03", "DAILY-04", "DAILY-05", "ATT-01", "ATT-02", "REG-01",
        "DP-01", "DP-02", "DP-03", "DP-04", "DP-05", "DP-06", "DP-07", "DP-08",
        "DP-09", "STAR-01", "LEG-01",
    }  # fmt: skip
    assert len(draft) == 43
    assert draft <= {r.id for r in CATALOGUE}


@pytest.mark.parametrize("requester", C.ALL_REQUESTERS, ids=lambda r: r.kind.value)
def test_baseline_is_clean_for_every_requester(requester: object) -> None:
    a = assess(attrs.evolve(C.BASE, requester=requester))
    assert a.findings == ()
    assert a.verdict is Verdict.ALLOWED
    assert a.exit_code == 0


@pytest.mark.parametrize("rule_id", sorted(C.CASES))
def test_rule_fires_on_its_positive_case(rule_id: str) -> None:
    positive, _ = C.CASES[rule_id]
    a = assess(positive)
    finding = next(f for f in (*a.findings, *a.superseded) if f.rule_id == rule_id)
    rule = CATALOGUE[rule_id]
    assert finding.verdict is rule.verdict
    assert finding.source == rule.source
    assert finding.provenance is rule.provenance
    assert finding.values, "a finding names the values that triggered it"
    for path, _value in finding.values:
        assert path.split("[")[0].split(".")[0] in {
            a.name for a in attrs.fields(type(positive))
        }


@pytest.mark.parametrize("rule_id", sorted(C.CASES))
def test_rule_does_not_fire_on_its_negative_case(rule_id: str) -> None:
    _, negative = C.CASES[rule_id]
    assert rule_id not in _fired(negative)


def test_statutory_rules_are_checked_first() -> None:
    order = [r.statutory for r in CATALOGUE.active_rules()]
    assert order == sorted(order, reverse=True)
    a = assess(C.CASES["LEG-01"][0])
    kinds = [CATALOGUE[i].statutory for i in a.rule_ids]
    assert kinds == sorted(kinds, reverse=True)


def test_required_items_are_never_reported_as_discouraged() -> None:
    # The characteristics item has no named use (MDW-GEN-04), but ATT-01 requires it.
    request = C.make(
        requester=C.DFE,
        shared_daily_data=True,
        items=(
            C.item(ItemKind.ATTENDANCE, statutory=True),
            DataItem(ItemKind.CHARACTERISTICS, statutory=True),
        ),
    )
    a = assess(request)
    assert a.rule_ids == ("ATT-01",)
    assert a.verdict is Verdict.REQUIRED
    [gen04] = a.superseded
    assert gen04.rule_id == "MDW-GEN-04"
    assert gen04.superseded_by == "ATT-01"
    # Without the statutory collection the same item is discouraged.
    a2 = assess(attrs.evolve(request, shared_daily_data=False))
    assert "MDW-GEN-04" in a2.rule_ids


def test_items_not_held_is_allowed_with_conditions_when_justified() -> None:
    request = C.make(items=(C.item(ItemKind.ATTENDANCE, held_in_mis=False),))
    f = assess(request).finding("MDW-GEN-02")
    assert f.verdict is Verdict.ALLOWED_WITH_CONDITIONS
    assert ("justification", "the purpose needs it") in f.values


def test_register_history_is_required_only_for_statutory_requests() -> None:
    history = C.item(ItemKind.ATTENDANCE, covers_from=dt.date(2021, 9, 1))
    f = assess(C.make(items=(history,))).finding("REG-01")
    assert f.verdict is Verdict.ALLOWED_WITH_CONDITIONS
    assert "supply them from the register" in f.detail
    statutory = attrs.evolve(history, statutory=True)
    assert assess(C.make(items=(statutory,))).finding("REG-01").verdict is (
        Verdict.REQUIRED
    )


def test_dpia_rule_does_not_apply_to_a_schools_own_use() -> None:
    own = C.make(requester=C.SCHOOL, granularity=C.PUPIL, dpia_done=False)
    assert "DP-05" not in assess(own).rule_ids
    assert "DP-05" in assess(attrs.evolve(own, requester=C.LA)).rule_ids


def test_vendor_inherits_the_rules_of_whom_it_acts_for() -> None:
    trust_only = C.make(
        requester=C.TRUST, items=(C.item(ItemKind.PREDICTION),), collections_per_year=2
    )
    assert "MDW-PRED-02" in assess(trust_only).rule_ids
    assert (
        "MDW-PRED-02" in assess(attrs.evolve(trust_only, requester=C.VENDOR)).rule_ids
    )
    assert (
        "MDW-PRED-02"
        not in assess(attrs.evolve(trust_only, requester=C.SCHOOL)).rule_ids
    )


def test_finding_names_the_item_and_value() -> None:
    request = C.make(
        items=(C.item(ItemKind.ATTENDANCE), C.item(ItemKind.FLIGHT_PATH)),
    )
    f = assess(request).finding("MDW-PRED-03")
    assert f.values == (("items[1].kind", "flight_path"),)
    assert f.items == (1,)
    assert "DfE, Primary accountability technical guide" in f.citation
    assert "(as reported by NAHT, 13 December 2018)" in f.citation
    assert f.citation.endswith("[secondary]")


# ------------------------------------------------------------- time-aware rules


def test_daily_collection_is_required_only_from_19_august_2024() -> None:
    before = C.make(
        requester=C.DFE,
        shared_daily_data=True,
        opt_out_possible=True,
        request_date=DAILY_COLLECTION_STATUTORY_FROM - dt.timedelta(days=1),
    )
    on = attrs.evolve(before, request_date=DAILY_COLLECTION_STATUTORY_FROM)
    assert "ATT-01" not in assess(before).rule_ids
    assert "ATT-01" in assess(on).rule_ids
    assert dt.date(2024, 8, 19) == DAILY_COLLECTION_STATUTORY_FROM


def test_daily_collection_does_not_apply_to_nursery_schools() -> None:
    request = C.make(
        requester=C.DFE, shared_daily_data=True, recipient_type=SchoolType.NURSERY
    )
    assert "ATT-01" not in assess(request).rule_ids


def test_opt_out_rule_is_superseded_by_mandation() -> None:
    early = C.make(
        requester=C.DFE,
        shared_daily_data=True,
        opt_out_possible=False,
        request_date=dt.date(2024, 8, 18),
    )
    assert "DAILY-05" in assess(early).rule_ids
    late = attrs.evolve(early, request_date=dt.date(2024, 8, 19))
    assert "DAILY-05" not in assess(late).rule_ids


@pytest.mark.parametrize(
    ("request_date", "fires"),
    [
        (dt.date(2025, 8, 31), True),  # 2024/25 results: provisional data not out yet
        (dt.date(2025, 9, 1), False),  # from September they are
    ],
)
def test_progress_scores_wait_for_september(request_date: dt.date, fires: bool) -> None:
    request = C.make(
        request_date=request_date,
        items=(C.item(ItemKind.PROGRESS_SCORE, results_year="2024/25"),),
    )
    assert ("NAHT-PRED-04" in assess(request).rule_ids) is fires


@pytest.mark.parametrize(
    ("code", "request_date", "fires"),
    [
        ("J", dt.date(2024, 8, 18), False),
        ("J", dt.date(2024, 8, 19), True),
        ("J1", dt.date(2024, 8, 19), False),
        ("J1", dt.date(2024, 8, 18), True),
        ("Y1", dt.date(2023, 9, 1), True),
        ("/", dt.date(2010, 1, 1), False),
    ],
)
def test_attendance_codes_follow_the_code_sets(
    code: str, request_date: dt.date, fires: bool
) -> None:
    request = C.make(
        request_date=request_date,
        items=(C.item(ItemKind.ATTENDANCE, codes=(code,)),),
    )
    assert ("ATT-CODES-01" in assess(request).rule_ids) is fires


def test_legacy_codes_are_fine_for_history_before_the_change() -> None:
    request = C.make(
        items=(
            C.item(
                ItemKind.ATTENDANCE, codes=("H", "C1"), covers_from=dt.date(2023, 9, 1)
            ),
        )
    )
    assert "ATT-CODES-01" not in assess(request).rule_ids


def test_review_interval_uses_the_request_date() -> None:
    request = C.make(collections_per_year=2, last_reviewed=dt.date(2024, 10, 1))
    assert "MDW-REV-01" not in assess(request).rule_ids  # exactly a year
    later = attrs.evolve(request, request_date=dt.date(2025, 10, 2))
    assert "MDW-REV-01" in assess(later).rule_ids


# -------------------------------------------------- one truth with access control


@pytest.mark.parametrize("purpose", list(Purpose), ids=lambda p: p.value)
def test_daily_rules_refuse_exactly_the_forbidden_purposes(purpose: Purpose) -> None:
    request = C.make(
        requester=C.DFE,
        shared_daily_data=True,
        purpose_category=Purpose.OFFICIAL_STATISTICS,
        uses=(purpose,),
    )
    fired = _fired(request) & {"DAILY-03", "DAILY-04"}
    assert bool(fired) is purpose.forbidden_for_shared_daily_data
    assert (purpose in FORBIDDEN_FOR_SHARED_DAILY_DATA) is bool(fired)
    if fired:
        [rule_id] = fired
        f = assess(request).finding(rule_id)
        assert purpose.citation is not None
        assert purpose.citation in f.detail


def test_audiences_imply_the_disclosure_purposes() -> None:
    public = C.make(
        requester=C.DFE,
        shared_daily_data=True,
        granularity=C.PUPIL,
        audiences=(RequestAudience.PUBLIC,),
    )
    assert Purpose.PUBLIC_IDENTIFICATION_OF_CHILDREN in public.implied_purposes
    assert "DAILY-04" in assess(public).rule_ids


# ------------------------------------------------------------------- burden


def _attainment(name: str, kind: object, dates: tuple[dt.date, ...], **kw: object):  # type: ignore[no-untyped-def]
    requester = attrs.evolve(C.LA, kind=kind, name=name)
    return C.make(
        title=f"{name} data",
        requester=requester,
        items=C.ATT,
        collection_dates=dates,
        collections_per_year=None,
        request_date=dates[0],
        **kw,
    )


def test_burden_counts_collection_points_and_hours() -> None:
    trust = _attainment(
        "Oak Academy Trust",
        C.TRUST.kind,
        (dt.date(2025, 12, 5), dt.date(2026, 3, 27)),
        staff_hours=2.0,
    )
    la = _attainment(
        "Anyshire",
        C.LA.kind,
        (dt.date(2025, 12, 5), dt.date(2026, 7, 10)),
        staff_hours=1.5,
    )
    other_year = _attainment("Anyshire", C.LA.kind, (dt.date(2026, 10, 1),))
    b = assess_burden([trust, la, other_year], school=999001, academic_year="2025/26")
    assert b.requests == (trust, la)
    assert b.attainment_points == 3  # 5 Dec is one point, though two requesters ask
    assert b.total_staff_hours == 7.0
    frame = b.per_requester()
    assert frame["requester"].to_list() == ["Oak Academy Trust", "Anyshire"]
    assert frame["staff_hours"].to_list() == [4.0, 3.0]
    ids = [f.rule_id for f in b.findings]
    assert "MDW-ATT-01" not in ids  # three points is the limit
    assert "MDW-DUP-01" in ids
    dup = next(f for f in b.findings if f.rule_id == "MDW-DUP-01")
    assert "Anyshire" in dup.detail
    assert "Oak Academy Trust" in dup.detail


def test_burden_flags_a_fourth_point_and_formats() -> None:
    a = _attainment("Oak Academy Trust", C.TRUST.kind, (dt.date(2025, 10, 1),))
    b = _attainment(
        "Anyshire",
        C.LA.kind,
        (dt.date(2025, 11, 1), dt.date(2026, 2, 1), dt.date(2026, 5, 1)),
        format=Format.BESPOKE,
        staff_hours=None,
    )
    burden = assess_burden([a, b], school=999001, academic_year="2025/26")
    ids = {f.rule_id: f for f in burden.findings}
    assert burden.attainment_points == 4
    assert ids["MDW-ATT-01"].values == (("attainment_collection_points", "4"),)
    assert "Anyshire (bespoke)" in ids["SOS-FMT-01"].detail
    assert ids["MDW-GEN-03"].values == (("requests_without_estimate", "1"),)
    row = burden.per_requester().filter(requester="Anyshire").row(0, named=True)
    assert row["requests_without_estimate"] == 1
    assert row["staff_hours"] == 0.0


def test_burden_lists_other_data_outside_the_format() -> None:
    template = C.make(title="Attendance template", format=Format.REQUESTER_TEMPLATE)
    b = assess_burden([C.BASE, template], school=999001, academic_year="2025/26")
    [f] = [f for f in b.findings if f.rule_id == "MDW-FMT-02"]
    assert f.values == (("requests_outside_school_format", "1"),)
    assert (
        "Anyshire County Council (requester template): Attendance template" in f.detail
    )
    assert not [
        f
        for f in assess_burden(
            [C.BASE], school=999001, academic_year="2025/26"
        ).findings
        if f.rule_id == "MDW-FMT-02"
    ]


def test_burden_keeps_only_the_schools_requests() -> None:
    mine = C.make(recipients=(999001,))
    everyone = C.make(title="to all")
    other = C.make(title="other school", recipients=(999002,))
    b = assess_burden([mine, everyone, other], school=999001, academic_year="2025/26")
    assert b.requests == (mine, everyone)
    assert [a.request for a in b.assessments] == [mine, everyone]


def test_burden_respects_switched_off_rules() -> None:
    a = _attainment("Oak Academy Trust", C.TRUST.kind, (dt.date(2025, 10, 1),))
    b = _attainment("Anyshire", C.LA.kind, (dt.date(2025, 10, 1),))
    cat = CATALOGUE.without_rule("MDW-DUP-01", reason="we share one collection")
    ids = [
        f.rule_id
        for f in assess_burden(
            [a, b], school=999001, academic_year="2025/26", catalogue=cat
        ).findings
    ]
    assert "MDW-DUP-01" not in ids


def test_burden_verdict_is_the_worst() -> None:
    bad = C.make(items=(C.item(ItemKind.FLIGHT_PATH),))
    b = assess_burden([C.BASE, bad], school=999001, academic_year="2025/26")
    assert b.verdict is Verdict.PROHIBITED
    assert b.exit_code == 3  # ExitCode.PROHIBITED (was 2, shared with errors)


def test_intervention_trigger_other_counts() -> None:
    request = C.make(
        requester=C.DFE, items=C.ATT, intervention_trigger=InterventionTrigger.OTHER
    )
    assert "DFE-TRIG-02" in assess(request).rule_ids
    assert "DFE-TRIG-01" not in assess(request).rule_ids
