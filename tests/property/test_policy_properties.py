"""Invariants of the policy engine over generated requests."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from makingdata.codes import CODES
from makingdata.domain.purposes import Purpose, parse_purpose
from makingdata.errors import InputError
from makingdata.policy import (
    Assessment,
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
    Verdict,
    assess,
    assess_burden,
)

# Generating a whole request takes about 40 draws; fewer examples keep this file
# within a few seconds while still covering every enum value many times over.
FEW = settings(max_examples=40)

# Sampled texts keep generation fast; they include markup, quotes, pipes and
# non-ASCII so the renderers meet them. One field (the title) gets free text.
TEXT = st.sampled_from(["", " ", "x", "Année 6 | maths", "<i>\"q\"</i> & 's'", "\n"])
NAME = st.sampled_from(["Anyshire", "Oak <Trust>", "Ysgol Gymraeg", "A|B & C"])
FREE_NAME = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=12
).filter(lambda s: s.strip() != "")
DATES = st.dates(min_value=dt.date(2012, 1, 1), max_value=dt.date(2030, 12, 31))
YEARS = st.sampled_from(["2022/23", "2023/24", "2024/25", "2025/26", "2026/27"])
URNS = st.integers(min_value=999001, max_value=999009)
NON_VENDOR = [k for k in RequesterKind if k is not RequesterKind.VENDOR]


@st.composite
def requesters(draw: st.DrawFn) -> Requester:
    kind = draw(st.sampled_from(list(RequesterKind)))
    resp = tuple(draw(st.lists(URNS, max_size=3, unique=True)))
    if kind is RequesterKind.VENDOR:
        boss = Requester(draw(st.sampled_from(NON_VENDOR)), draw(NAME))
        return Requester(kind, draw(NAME), acting_for=boss, responsible_for=resp)
    return Requester(kind, draw(NAME), responsible_for=resp)


@st.composite
def items(draw: st.DrawFn) -> DataItem:
    kind = draw(st.sampled_from(list(ItemKind)))
    about = None
    if kind in (ItemKind.PREDICTION, ItemKind.TARGET):
        about = draw(st.none() | st.sampled_from(list(ItemKind)))
    return DataItem(
        kind,
        description=draw(TEXT),
        held_in_mis=draw(st.booleans()),
        statutory=draw(st.booleans()),
        need=draw(st.none() | TEXT),
        about=about,
        results_year=draw(st.none() | YEARS),
        codes=tuple(draw(st.lists(st.sampled_from(sorted(CODES)), max_size=2))),
        covers_from=draw(st.none() | DATES),
    )


@st.composite
def requests(draw: st.DrawFn) -> DataRequest:
    granularity = draw(st.sampled_from(list(Granularity)))
    dates = tuple(draw(st.lists(DATES, max_size=7, unique=True)))
    per_year = None if dates else draw(st.none() | st.integers(1, 12))
    return DataRequest(
        title=draw(FREE_NAME),
        requester=draw(requesters()),
        request_date=draw(DATES),
        items=tuple(draw(st.lists(items(), min_size=1, max_size=4))),
        purpose=draw(TEXT),
        intended_actions=draw(st.none() | TEXT),
        purpose_category=draw(st.none() | st.sampled_from(list(Purpose))),
        uses=tuple(draw(st.lists(st.sampled_from(list(Purpose)), max_size=3))),
        recipients=tuple(draw(st.lists(URNS, max_size=3, unique=True))),
        recipient_type=draw(st.sampled_from(list(SchoolType))),
        format=draw(st.sampled_from(list(Format))),
        collection_dates=dates,
        collections_per_year=per_year,
        routine=draw(st.none() | st.booleans()),
        same_time_for_all_classes=draw(st.booleans()),
        uses_school_collection_points=draw(st.none() | st.booleans()),
        granularity=granularity,
        min_group_size=(
            draw(st.integers(1, 40)) if granularity is Granularity.GROUP else None
        ),
        pseudonymised=draw(st.booleans()),
        names_schools=draw(st.booleans()),
        audiences=tuple(
            draw(
                st.lists(st.sampled_from(list(RequestAudience)), min_size=1, max_size=3)
            )
        ),
        intervention_trigger=draw(st.sampled_from(list(InterventionTrigger))),
        legal_basis=draw(st.none() | TEXT),
        article_9_condition=draw(st.none() | TEXT),
        retention=draw(st.none() | TEXT),
        dpia_done=draw(st.booleans()),
        secure_transfer=draw(st.none() | st.booleans()),
        privacy_notice_covers=draw(st.none() | st.booleans()),
        opt_out_possible=draw(st.none() | st.booleans()),
        shared_daily_data=draw(st.booleans()),
        staff_hours=draw(
            st.none() | st.floats(0, 500, allow_nan=False, allow_infinity=False)
        ),
        justification=draw(st.none() | TEXT),
        clearance_reference=draw(st.none() | TEXT),
        last_reviewed=draw(st.none() | DATES),
    )


SAFE_PURPOSES = [
    Purpose.SUPPORT,
    Purpose.SCHOOL_IMPROVEMENT,
    Purpose.OFFICIAL_STATISTICS,
    Purpose.RESEARCH,
    Purpose.SAFEGUARDING,
]
DAILY_KINDS = [ItemKind.ATTENDANCE, ItemKind.CHARACTERISTICS, ItemKind.IDENTIFIERS]


@st.composite
def compliant_requests(draw: st.DrawFn) -> DataRequest:
    """Requests with every field set the way the rules ask."""
    day = draw(DATES)
    daily = draw(st.booleans())
    kinds = DAILY_KINDS if daily else [*DAILY_KINDS, ItemKind.BEHAVIOUR]
    stat_attainment = not daily and draw(st.booleans())
    its = [
        DataItem(k, need="a named use", statutory=draw(st.booleans()))
        for k in draw(st.lists(st.sampled_from(kinds), min_size=1, max_size=3))
    ]
    if stat_attainment:
        its.append(DataItem(ItemKind.ATTAINMENT_TEST, statutory=True, need="n"))
    codes = sorted(c for c, spec in CODES.items() if spec.is_valid_on(day))
    if draw(st.booleans()):
        its.append(
            DataItem(
                ItemKind.ATTENDANCE,
                need="n",
                codes=tuple(draw(st.lists(st.sampled_from(codes), max_size=2))),
            )
        )
    requester = draw(requesters())
    # Governing boards (or vendors acting for one) do not routinely get
    # pupil-level attainment (MDW-GOV-01).
    board = RequesterKind.GOVERNING_BOARD in (
        requester.kind,
        requester.acting_for.kind if requester.acting_for else None,
    )
    granularities = [g for g in Granularity if not (board and g is Granularity.PUPIL)]
    granularity = draw(st.sampled_from(granularities))
    purpose = draw(st.sampled_from(SAFE_PURPOSES))
    return DataRequest(
        title=draw(NAME),
        requester=requester,
        request_date=day,
        items=tuple(its),
        purpose=draw(NAME),
        intended_actions=draw(NAME),
        purpose_category=purpose,
        uses=(purpose, *draw(st.lists(st.sampled_from(SAFE_PURPOSES), max_size=2))),
        format=Format.SCHOOL_EXISTING,
        collections_per_year=draw(st.integers(1, 3)),
        uses_school_collection_points=True,
        granularity=granularity,
        min_group_size=(
            draw(st.integers(10, 40)) if granularity is Granularity.GROUP else None
        ),
        pseudonymised=draw(st.booleans()),
        names_schools=draw(st.booleans()),
        audiences=tuple(
            draw(
                st.lists(
                    st.sampled_from(
                        [
                            RequestAudience.REQUESTER,
                            RequestAudience.LA,
                            RequestAudience.TRUST,
                            RequestAudience.DFE,
                        ]
                    ),
                    min_size=1,
                    max_size=2,
                )
            )
        ),
        legal_basis="UK GDPR Art 6(1)(e); Education (Information About Individual "
        "Pupils) (England) Regulations 2013",
        article_9_condition="Art 9(2)(g)",
        retention="1 year",
        dpia_done=True,
        secure_transfer=True,
        privacy_notice_covers=True,
        opt_out_possible=True,
        shared_daily_data=daily,
        staff_hours=draw(st.floats(0, 40, allow_nan=False)),
        justification="the purpose needs it",
        clearance_reference="SCSB 2025/001",
        last_reviewed=day - dt.timedelta(days=draw(st.integers(0, 300))),
    )


def _seen(a: Assessment) -> dict[str, set[int]]:
    out: dict[str, set[int]] = {}
    for f in (*a.findings, *a.superseded):
        out.setdefault(f.rule_id, set()).update(f.items)
    return out


@FEW
@given(requests(), items())
def test_adding_an_item_never_removes_a_finding(
    req: DataRequest, extra: DataItem
) -> None:
    before = _seen(assess(req))
    after = _seen(assess(attrs.evolve(req, items=(*req.items, extra))))
    for rule_id, idx in before.items():
        assert rule_id in after, rule_id
        assert idx <= after[rule_id], rule_id


@FEW
@given(compliant_requests())
def test_a_compliant_request_gets_nothing_prohibited_or_discouraged(
    req: DataRequest,
) -> None:
    a = assess(req)
    bad = [
        f.rule_id
        for f in a.findings
        if f.verdict.severity >= Verdict.DISCOURAGED.severity
    ]
    assert bad == []
    assert a.exit_code == 0


@FEW
@given(requests())
def test_rendering_never_fails_and_json_round_trips(req: DataRequest) -> None:
    a = assess(req)
    for text in (a.to_text(), a.to_markdown(), a.to_html(), a._repr_html_()):
        assert isinstance(text, str)
        assert text
    back = Assessment.from_json(a.to_json())
    assert back == a
    assert json.loads(a.to_json())["verdict"] == a.verdict.value


@FEW
@given(requests())
def test_request_round_trips_through_plain_data_and_json(req: DataRequest) -> None:
    assert DataRequest.from_dict(req.to_dict()) == req
    assert DataRequest.from_dict(json.loads(json.dumps(req.to_dict()))) == req


HOSTILE = '<script>alert("x")</script>&<b>'


@FEW
@given(requests(), st.sampled_from(["title", "name", "description", "code"]))
def test_html_escapes_every_user_text(req: DataRequest, where: str) -> None:
    changes: dict[str, Any] = {}
    if where == "title":
        changes["title"] = HOSTILE
    elif where == "name":
        changes["requester"] = attrs.evolve(req.requester, name=HOSTILE)
    elif where == "description":
        changes["items"] = (attrs.evolve(req.items[0], description=HOSTILE),)
    else:
        changes["items"] = (
            DataItem(ItemKind.FLIGHT_PATH, description=HOSTILE),
            *req.items,
        )
    hostile = attrs.evolve(req, **changes)
    html = assess(hostile).to_html()
    assert "<script" not in html
    assert "<script" not in assess(hostile).to_markdown()
    if where in ("title", "name"):  # always shown
        assert "&lt;script&gt;" in html
    school = (hostile.recipients or hostile.requester.responsible_for or (999001,))[0]
    burden = assess_burden([hostile], school=school, academic_year="2025/26")
    assert "<script" not in burden.to_html()


@settings(max_examples=20)
@given(st.lists(requests(), max_size=3), YEARS)
def test_burden_renders_and_counts_add_up(reqs: list[DataRequest], year: str) -> None:
    if not any(
        999001 in r.recipients
        if r.recipients
        else (not r.requester.responsible_for or 999001 in r.requester.responsible_for)
        for r in reqs
    ):
        # a URN no request is addressed to is an error, never "no burden"
        with pytest.raises(InputError, match=r"addressed to school 999001|no requests"):
            assess_burden(reqs, school=999001, academic_year=year)
        return
    b = assess_burden(reqs, school=999001, academic_year=year)
    frame = b.per_requester()
    assert int(frame["requests"].sum()) == len(b.requests)
    assert len(b.assessments) == len(b.requests)
    for text in (b.to_text(), b.to_markdown(), b.to_html(), b.to_json()):
        assert text
    assert json.loads(b.to_json())["total_staff_hours"] == b.total_staff_hours


@given(st.sampled_from(list(Purpose)), st.sampled_from(["value", "label", "name"]))
def test_parse_purpose_accepts_case_and_separator_variants(
    purpose: Purpose, form: str
) -> None:
    text = {"value": purpose.value, "label": purpose.label, "name": purpose.name}[form]
    for variant in (text, text.upper(), text.replace(" ", "-"), f"  {text.title()} "):
        assert parse_purpose(variant) is purpose
