from __future__ import annotations

import datetime as dt

import attrs
import polars as pl
import pytest

from makingdata.access import scope
from makingdata.domain import Directory, School, default_local_authorities
from makingdata.domain.purposes import (
    FORBIDDEN_FOR_SHARED_DAILY_DATA,
    Purpose,
)
from makingdata.domain.sharing import GRANTS, Audience, Viewer
from makingdata.errors import AccessDenied, ScopeError

D = dt.date


def run(marks, viewer, directory, agreements, purpose="support"):
    return scope(
        marks,
        viewer=viewer,
        purpose=purpose,
        directory=directory,
        agreements=agreements,
        audit=None,
    )


def test_trust_asking_for_another_trusts_school_by_urn(marks, directory, agreements):
    tr2 = Viewer.trust("TR00002", directory)
    asked = marks.filter(pl.col("urn") == 100002)  # TR00001's school
    assert run(asked, tr2, directory, agreements).is_empty()


def test_hand_built_viewer_is_refused(marks, directory, agreements):
    forged = Viewer(Audience.TRUST, "TR00001", "forged")
    with pytest.raises(ScopeError, match="not built by a Viewer constructor"):
        run(marks, forged, directory, agreements)


def test_forged_scope_attributes_gain_nothing(marks, directory, agreements):
    @attrs.frozen
    class WideViewer(Viewer):
        urns: tuple[int, ...] = (100001, 100002, 100003, 100004)

    forged = WideViewer(Audience.TRUST, "TR00002", None)
    with pytest.raises(ScopeError, match="WideViewer is not a Viewer"):
        run(marks, forged, directory, agreements)

    class Duck:
        audience = Audience.DFE
        organisation = None
        label = "dfe"
        built_by_constructor = True

    with pytest.raises(ScopeError, match="Duck is not a Viewer"):
        run(marks, Duck(), directory, agreements)


def test_retargeted_viewer_is_still_rechecked(marks, directory, agreements):
    tr2 = Viewer.trust("TR00002", directory)
    evolved = attrs.evolve(tr2, organisation="TR00001")
    # evolve passes the seal along, but the organisation is rechecked: the
    # viewer gets exactly what a TR00001 viewer gets, never more
    got = run(marks, evolved, directory, agreements)
    want = run(marks, Viewer.trust("TR00001", directory), directory, agreements)
    assert got.equals(want)
    bogus = attrs.evolve(tr2, organisation="TR99999")
    with pytest.raises(ScopeError, match="unknown to the directory"):
        run(marks, bogus, directory, agreements)
    la_as_dfe = attrs.evolve(Viewer.dfe(), organisation="E06000063")
    with pytest.raises(ScopeError, match="malformed"):
        run(marks, la_as_dfe, directory, agreements)


def test_viewer_from_another_directory(marks, directory, agreements):
    las = {la.new_la_code: la for la in default_local_authorities()}
    elsewhere = Directory([School(123456, "Elsewhere", 8852009, las["E10000034"])])
    stranger = Viewer.school(123456, elsewhere)
    with pytest.raises(ScopeError, match="unknown to the directory"):
        run(marks, stranger, directory, agreements)


@pytest.mark.parametrize(
    ("text", "purpose"),
    [
        ("ACADEMISATION", Purpose.ACADEMISATION),
        ("academization", Purpose.ACADEMISATION),
        ("Ofsted-decisions", Purpose.OFSTED_DECISION),
        ("  rsc decision making ", Purpose.RSC_DECISION),
        ("Schools Causing Concern", Purpose.SCHOOL_CAUSING_CONCERN),
        ("SCC judgment", Purpose.SCHOOL_CAUSING_CONCERN),
        ("inspection", Purpose.INSPECTION),
        ("Trust_Moves", Purpose.TRUST_PLACEMENT),
        ("re-brokering", Purpose.TRUST_PLACEMENT),
        (
            Purpose.PUBLIC_IDENTIFICATION_OF_CHILDREN,
            Purpose.PUBLIC_IDENTIFICATION_OF_CHILDREN,
        ),
    ],
)
def test_forbidden_purposes_in_any_spelling(
    marks, directory, agreements, text, purpose
):
    for viewer in (Viewer.dfe(), Viewer.trust("TR00001", directory)):
        with pytest.raises(AccessDenied) as caught:
            run(marks, viewer, directory, agreements, purpose=text)
        assert (
            caught.value.citation
            == "DfE, Requesting daily data from schools – principles for collection and use, 2022, §4"
        )  # type: ignore[attr-defined]
        assert purpose.info.label in str(caught.value)


def test_every_forbidden_purpose_is_refused_for_every_audience(
    marks, directory, agreements
):
    viewers = [
        Viewer.school(100001, directory),
        Viewer.trust("TR00001", directory),
        Viewer.la(942, directory),
        Viewer.dfe(),
        Viewer.partner("AAA"),
        Viewer.public(),
    ]
    for purpose in FORBIDDEN_FOR_SHARED_DAILY_DATA:
        for viewer in viewers:
            with pytest.raises(AccessDenied, match="would break the promise"):
                run(marks, viewer, directory, agreements, purpose=purpose.value)


def test_grants_never_include_a_forbidden_purpose():
    for granted in GRANTS.values():
        assert not granted & FORBIDDEN_FOR_SHARED_DAILY_DATA
    assert set(GRANTS) == set(Audience)


def test_unknown_purpose_is_refused(marks, directory, agreements):
    with pytest.raises(ScopeError, match="'league tables' is not a known purpose"):
        run(marks, Viewer.dfe(), directory, agreements, purpose="league tables")


def test_purpose_not_granted_to_the_audience(marks, directory, agreements):
    with pytest.raises(
        ScopeError,
        match="a trust viewer may not use the shared daily data for teacher",
    ):
        run(
            marks,
            Viewer.trust("TR00001", directory),
            directory,
            agreements,
            purpose="pay progression",
        )


def test_partner_and_public_never_get_marks(marks, directory, agreements):
    with pytest.raises(AccessDenied, match="Attendance Action Alliance"):
        run(marks, Viewer.partner("AAA"), directory, agreements)
    with pytest.raises(AccessDenied, match="identifies a child"):
        run(marks, Viewer.public(), directory, agreements, purpose="publication")
    pupil_table = pl.DataFrame({"pupil_key": [1], "sess_possible": [10]})
    with pytest.raises(AccessDenied):
        run(pupil_table, Viewer.public(), directory, agreements, purpose="research")


def test_partner_table_loses_school_identities(directory, agreements):
    table = pl.DataFrame(
        {
            "geographic_level": ["National", "Local authority", "School", None],
            "new_la_code": [None, "E06000063", "E06000063", None],
            "school_urn": [None, None, 100001, None],
            "school_name": [None, None, "Alpha School", None],
            "urn": [None, None, None, 100002],
            "num_schools": [4, 2, 1, 1],
            "enrolments": [900, 400, 250, 120],
        }
    )
    out = run(
        table, Viewer.partner("Attendance Action Alliance"), directory, agreements
    )
    assert out.columns == [
        "geographic_level",
        "new_la_code",
        "num_schools",
        "enrolments",
    ]
    assert out["geographic_level"].to_list() == ["National", "Local authority"]
