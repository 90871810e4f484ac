from __future__ import annotations

import datetime as dt

import pytest

from makingdata.disclosure import AUDIENCES
from makingdata.domain import Directory
from makingdata.domain.sharing import (
    DFE,
    STATUTORY_COLLECTION_START,
    Audience,
    LegalBasis,
    SharingAgreement,
    Viewer,
)
from makingdata.errors import IdentifierError, InputError

D = dt.date


def test_audiences_are_the_disclosure_audiences():
    assert tuple(a.value for a in Audience) == AUDIENCES


@pytest.mark.parametrize(
    ("given", "want"),
    [
        ("DfE", DFE),
        ("dfe", DFE),
        ("trust:tr01234", "TR01234"),
        ("TR01234", "TR01234"),
        ("la:e06000065", "E06000065"),
        (" E06000065 ", "E06000065"),
    ],
)
def test_recipients(given, want):
    assert SharingAgreement(100001, given, D(2022, 2, 1)).recipient == want


def test_bad_recipient():
    with pytest.raises(InputError, match="'Ofsted' is not a recipient"):
        SharingAgreement(100001, "Ofsted", D(2022, 2, 1))


def test_bad_urn():
    with pytest.raises(IdentifierError):
        SharingAgreement("12345", DFE, D(2022, 2, 1))


def test_dates_in_order():
    with pytest.raises(
        InputError, match="agreement end 2022-01-31 is before its start"
    ):
        SharingAgreement(100001, DFE, D(2022, 2, 1), end=D(2022, 1, 31))
    with pytest.raises(InputError, match="opt-out 2022-01-31 is before"):
        SharingAgreement(100001, DFE, D(2022, 2, 1), opt_out=D(2022, 1, 31))


def test_last_day_and_covers():
    a = SharingAgreement(
        100001, DFE, D(2022, 2, 1), end=D(2022, 12, 31), opt_out=D(2022, 6, 1)
    )
    assert a.last_day == D(2022, 5, 31)
    assert a.covers(D(2022, 5, 31))
    assert not a.covers(D(2022, 6, 1))
    assert not a.covers(D(2022, 1, 31))
    same_day = SharingAgreement(100001, DFE, D(2022, 2, 1), opt_out=D(2022, 2, 1))
    assert not same_day.covers(D(2022, 2, 1))


def test_statutory_collection_rules():
    assert D(2024, 8, 19) == STATUTORY_COLLECTION_START
    with pytest.raises(
        InputError, match="the statutory daily collection began on 2024-08-19"
    ):
        SharingAgreement(100001, DFE, D(2024, 8, 18), legal_basis="statutory")
    with pytest.raises(InputError, match="cannot opt out of the statutory"):
        SharingAgreement(
            100001,
            DFE,
            D(2024, 9, 1),
            legal_basis=LegalBasis.STATUTORY,
            opt_out=D(2024, 10, 1),
        )
    ended = SharingAgreement.statutory(100001, end=D(2025, 3, 31))
    assert ended.last_day == D(2025, 3, 31)


@pytest.mark.parametrize(
    ("text", "basis"),
    [
        ("consent", LegalBasis.CONSENT),
        ("Voluntary", LegalBasis.CONSENT),
        ("STATUTORY", LegalBasis.STATUTORY),
        ("statutory collection", LegalBasis.STATUTORY),
    ],
)
def test_legal_basis_spellings(text, basis):
    assert (
        SharingAgreement(100001, DFE, D(2024, 9, 2), legal_basis=text).legal_basis
        is basis
    )


def test_unknown_legal_basis():
    with pytest.raises(InputError, match="'contract' is not a legal basis"):
        SharingAgreement(100001, DFE, D(2024, 9, 2), legal_basis="contract")


def test_viewer_constructors(directory):
    assert Viewer.school(100001, directory).name == "Alpha School"
    assert Viewer.trust("tr00001", directory).organisation == "TR00001"
    assert Viewer.la("E10000006", directory).name == "Cumbria"
    with pytest.raises(InputError, match="no school with URN 123456"):
        Viewer.school(123456, directory)
    with pytest.raises(InputError, match="trust TR09999 is not in the directory"):
        Viewer.trust("TR09999", directory)
    with pytest.raises(InputError, match="no LA with GSS code E06000999"):
        Viewer.la("E06000999", directory)
    with pytest.raises(InputError, match="'Ofsted' is not a known partner group"):
        Viewer.partner("Ofsted")
    assert Viewer.public().label == "public"


def test_viewers_carry_no_scope(directory):
    v = Viewer.trust("TR00001", directory)
    assert {"audience", "organisation", "name"} <= set(dir(v))
    assert not hasattr(v, "urns")
    assert Viewer(Audience.DFE) == Viewer.dfe().__class__(Audience.DFE)
    assert not Viewer(Audience.DFE).built_by_constructor


def test_empty_directory_knows_no_trust():
    with pytest.raises(InputError):
        Viewer.trust("TR00001", Directory([]))


def test_statutory_agreements_cover_state_funded_schools_only():
    from makingdata.domain import School, default_local_authorities
    from makingdata.domain.sharing import statutory_agreements

    la = {x.new_la_code: x for x in default_local_authorities()}["E10000034"]
    schools = [
        School(
            100001,
            "Academy",
            8852001,
            la,
            "Secondary",
            establishment_type_group="Academies",
        ),
        School(
            100002,
            "Independent",
            8856001,
            la,
            "Secondary",
            establishment_type_group="Independent schools",
        ),
        School(100003, "Nursery", 8851001, la, "Nursery"),
        School(100004, "New", 8852004, la, "Primary", open_date=D(2025, 9, 1)),
        School(100005, "Closing", 8852005, la, "Primary", close_date=D(2025, 7, 18)),
        School(100006, "Gone", 8852006, la, "Primary", close_date=D(2024, 8, 18)),
    ]
    got = [
        (a.urn, a.start, a.last_day) for a in statutory_agreements(Directory(schools))
    ]
    assert got == [
        (100001, D(2024, 8, 19), None),
        (100004, D(2025, 9, 1), None),
        (100005, D(2024, 8, 19), D(2025, 7, 18)),
    ]
