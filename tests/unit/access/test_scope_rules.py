from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from makingdata.access import allowed_windows, is_birth_date, scope
from makingdata.domain import (
    Directory,
    School,
    TrustMembership,
    default_local_authorities,
)
from makingdata.domain.sharing import SharingAgreement, Viewer
from makingdata.errors import AccessDenied, InputError, ScopeError

D = dt.date


def seen(
    marks: pl.DataFrame,
    viewer: Viewer,
    directory: Directory,
    agreements: list[SharingAgreement],
    purpose: str = "support",
) -> set[tuple[int, dt.date]]:
    out = scope(
        marks,
        viewer=viewer,
        purpose=purpose,
        directory=directory,
        agreements=agreements,
        audit=None,
    )
    return set(out.select("urn", "date").iter_rows())


def test_trust_sees_its_schools_only_while_members_and_sharing(
    marks, directory, agreements
):
    tr1 = Viewer.trust("TR00001", directory)
    assert seen(marks, tr1, directory, agreements) == {
        (100001, D(2022, 9, 5)),  # in TR00001, before the opt-out of 9 Jan 2023
        *((100002, d) for d in marks["date"].unique().to_list()),
    }


def test_new_trust_does_not_see_the_school_before_it_joined(
    marks, directory, agreements
):
    tr2 = Viewer.trust("TR00002", directory)
    # joined 1 Sep 2023; opted out 9 Jan 2023 until the statutory collection
    assert seen(marks, tr2, directory, agreements) == {(100001, D(2024, 9, 2))}


def test_opt_out_applies_from_its_date_and_earlier_days_stay(
    marks, directory, agreements
):
    dfe = Viewer.dfe()
    got = {d for u, d in seen(marks, dfe, directory, agreements) if u == 100001}
    assert got == {D(2022, 9, 5), D(2024, 9, 2)}


def test_la_by_date_across_the_cumbria_split(marks, directory, agreements):
    cumbria = Viewer.la("E10000006", directory)
    assert seen(marks, cumbria, directory, agreements) == {
        (100001, D(2022, 9, 5)),
        (100002, D(2022, 9, 5)),
        (100002, D(2023, 3, 6)),
    }
    cumberland = Viewer.la(942, directory)
    assert seen(marks, cumberland, directory, agreements) == {(100001, D(2024, 9, 2))}
    westmorland = Viewer.la("E06000064", directory)
    assert seen(marks, westmorland, directory, agreements) == {
        (100002, d) for d in (D(2023, 6, 5), D(2023, 10, 2), D(2024, 9, 2))
    }


def test_north_yorkshire_815_is_two_las(marks, directory, agreements):
    county = Viewer.la(815, directory, on=D(2022, 1, 1))
    unitary = Viewer.la(815, directory)
    assert county.organisation == "E10000023"
    assert seen(marks, county, directory, agreements) == {
        (100003, D(2022, 9, 5)),
        (100003, D(2023, 3, 6)),
    }
    assert seen(marks, unitary, directory, agreements) == {
        (100003, d) for d in (D(2023, 6, 5), D(2023, 10, 2), D(2024, 9, 2))
    }


def test_agreement_with_an_la_only_and_a_closed_school(marks, directory, agreements):
    worcs = Viewer.la(885, directory)
    assert seen(marks, worcs, directory, agreements) == {
        (100004, d)
        for d in (D(2022, 9, 5), D(2023, 3, 6), D(2023, 6, 5), D(2023, 10, 2))
    }
    assert not any(
        u == 100004 for u, _ in seen(marks, Viewer.dfe(), directory, agreements)
    )


def test_school_sees_its_own_rows_without_an_agreement(marks, directory):
    school = Viewer.school(100004, directory)
    got = seen(marks, school, directory, [])
    assert got == {(100004, d) for d in marks["date"].unique().to_list()}


def test_unknown_school_gets_nothing(marks, directory, agreements):
    for viewer in (Viewer.dfe(), Viewer.trust("TR00001", directory)):
        assert all(u != 999999 for u, _ in seen(marks, viewer, directory, agreements))


def test_no_agreements_means_nothing_for_trusts_las_and_dfe(marks, directory):
    for viewer in (
        Viewer.dfe(),
        Viewer.trust("TR00001", directory),
        Viewer.la(942, directory),
    ):
        assert seen(marks, viewer, directory, []) == set()


def test_lazy_in_lazy_out_and_columns_and_order_kept(marks, directory, agreements):
    tr1 = Viewer.trust("TR00001", directory)
    lazy = scope(
        marks.lazy(),
        viewer=tr1,
        purpose="monitoring",
        directory=directory,
        agreements=agreements,
        audit=None,
    )
    assert isinstance(lazy, pl.LazyFrame)
    eager = scope(
        marks,
        viewer=tr1,
        purpose="monitoring",
        directory=directory,
        agreements=agreements,
        audit=None,
    )
    assert_frame_equal(lazy.collect(), eager)
    assert eager.columns == marks.columns
    expected = marks.filter(
        ((pl.col("urn") == 100001) & (pl.col("date") == D(2022, 9, 5)))
        | (pl.col("urn") == 100002)
    )
    assert_frame_equal(eager, expected)


def test_other_urn_column_names_and_types(marks, directory, agreements):
    other = marks.rename({"urn": "school_urn", "date": "day"}).with_columns(
        pl.col("school_urn").cast(pl.Int64)
    )
    out = scope(
        other,
        viewer=Viewer.trust("TR00002", directory),
        purpose="support",
        directory=directory,
        agreements=agreements,
        audit=None,
        date="day",
    )
    assert out.select("school_urn", "day").rows() == [(100001, D(2024, 9, 2))]
    assert out.schema["school_urn"] == pl.Int64


def test_enrolment_spells_are_cut_to_the_windows(directory, agreements):
    spells = pl.DataFrame(
        {
            "pupil_key": [1, 2, 3],
            "urn": [100001, 100001, 100003],
            "enrol_start": [D(2021, 9, 1), D(2023, 2, 1), D(2020, 9, 1)],
            "enrol_end": [None, D(2023, 7, 20), None],
        },
        schema_overrides={"urn": pl.UInt32, "pupil_key": pl.UInt64},
    )
    tr1 = Viewer.trust("TR00001", directory)
    out = scope(
        spells,
        viewer=tr1,
        purpose="support",
        directory=directory,
        agreements=agreements,
        audit=None,
    )
    # pupil 1: in TR00001 and sharing from 1 Feb 2022 to 8 Jan 2023 only;
    # pupil 2: enrolled only while the school had opted out; pupil 3: other trust
    assert out.rows() == [(1, 100001, D(2022, 2, 1), D(2023, 1, 8))]
    assert out.columns == spells.columns
    dfe = scope(
        spells,
        viewer=Viewer.dfe(),
        purpose="official statistics",
        directory=directory,
        agreements=agreements,
        audit=None,
    )
    assert dfe.rows() == [
        (1, 100001, D(2022, 2, 1), D(2023, 1, 8)),
        (1, 100001, D(2024, 8, 19), None),
        (3, 100003, D(2022, 2, 1), None),
    ]


def test_windows_are_merged_and_open_ended(directory, agreements):
    w = allowed_windows(Viewer.dfe(), directory=directory, agreements=agreements)
    assert w.rows() == [
        (100001, D(2022, 2, 1), D(2023, 1, 8)),
        (100001, D(2024, 8, 19), None),
        (100002, D(2022, 2, 1), None),
        (100003, D(2022, 2, 1), None),
    ]
    assert w.schema == pl.Schema({"urn": pl.UInt32, "from": pl.Date, "to": pl.Date})


def test_a_table_cannot_be_scoped_for_a_trust(directory, agreements):
    table = pl.DataFrame({"geographic_level": ["National"], "enrolments": [10]})
    with pytest.raises(ScopeError, match="cannot be scoped for trust:TR00001"):
        scope(
            table,
            viewer=Viewer.trust("TR00001", directory),
            purpose="support",
            directory=directory,
            agreements=agreements,
            audit=None,
        )


def test_upns_never_leave_the_school(marks, directory, agreements):
    with_upn = marks.with_columns(upn=pl.lit("B801200005001"))
    with pytest.raises(ScopeError, match="leave a school only as pupil_key"):
        scope(
            with_upn,
            viewer=Viewer.dfe(),
            purpose="support",
            directory=directory,
            agreements=agreements,
            audit=None,
        )
    own = scope(
        with_upn,
        viewer=Viewer.school(100001, directory),
        purpose="support",
        directory=directory,
        agreements=agreements,
        audit=None,
    )
    assert "upn" in own.columns


def test_date_column_must_be_a_date(marks, directory, agreements):
    with pytest.raises(InputError, match="column 'date' is String, not Date"):
        scope(
            marks.with_columns(pl.col("date").cast(pl.String)),
            viewer=Viewer.dfe(),
            purpose="support",
            directory=directory,
            agreements=agreements,
            audit=None,
        )


def test_missing_enrolment_columns(directory, agreements):
    with pytest.raises(InputError, match=r"an enrolments frame needs column\(s\)"):
        scope(
            pl.DataFrame({"urn": [100001], "enrol_start": [D(2022, 1, 1)]}),
            viewer=Viewer.dfe(),
            purpose="support",
            directory=directory,
            agreements=agreements,
            audit=None,
            kind="enrolments",
        )


def test_agreements_must_be_agreements(marks, directory):
    with pytest.raises(InputError, match="expected SharingAgreement objects"):
        scope(
            marks,
            viewer=Viewer.dfe(),
            purpose="support",
            directory=directory,
            agreements=[("100001", "DfE")],  # type: ignore[list-item]
            audit=None,
        )


def test_the_day_before_an_agreement_starts_is_not_shared():
    la = {x.new_la_code: x for x in default_local_authorities()}["E10000034"]
    d = Directory(
        [School(100001, "Alpha", 8852001, la, open_date=D(2022, 1, 30))],
        [TrustMembership(100001, "TR00001", D(2022, 1, 31))],
    )
    shared = [SharingAgreement(100001, "DfE", D(2022, 2, 1))]
    days = [D(2022, 1, 30), D(2022, 1, 31), D(2022, 2, 1)]
    marks = pl.DataFrame({"urn": [100001] * 3, "date": days})
    for viewer in (Viewer.trust("TR00001", d), Viewer.dfe(), Viewer.la(885, d)):
        assert seen(marks, viewer, d, shared) == {(100001, D(2022, 2, 1))}


# ------------------------------------------------------- hardening (issue #14)
@pytest.mark.parametrize("kind", ["auto", "enrolments"])
def test_marks_carrying_their_spells_are_still_filtered_by_date(
    marks, directory, agreements, kind
):
    # marks joined to their enrolment spells: an ordinary analyst frame. The
    # rows are days, so the viewer sees only its days, as from the marks alone.
    spells = marks.with_columns(
        enrol_start=pl.lit(D(2021, 9, 1)), enrol_end=pl.lit(None, pl.Date)
    )
    for viewer in (
        Viewer.trust("TR00001", directory),
        Viewer.trust("TR00002", directory),
        Viewer.dfe(),
    ):
        want = seen(marks, viewer, directory, agreements)
        out = scope(
            spells,
            viewer=viewer,
            purpose="support",
            directory=directory,
            agreements=agreements,
            audit=None,
            kind=kind,
        )
        assert set(out.select("urn", "date").iter_rows()) == want, viewer.label
        assert out.height == len(want)  # no day twice


@pytest.mark.parametrize(
    "column",
    ["UPN", "Upn", "pupil_upn", "Pupil UPN", "Surname", "first_name", "First Name",
     "pupil_name", "postcode", "Post-code", "LEGAL_SURNAME"],
)  # fmt: skip
def test_direct_identifiers_in_any_spelling_never_leave_the_school(
    marks, directory, agreements, column
):
    frame = marks.with_columns(pl.lit("x").alias(column))
    for viewer in (Viewer.trust("TR00001", directory), Viewer.dfe()):
        with pytest.raises(ScopeError, match="leave a school only as pupil_key"):
            scope(
                frame,
                viewer=viewer,
                purpose="support",
                directory=directory,
                agreements=agreements,
                audit=None,
            )


@pytest.mark.parametrize(
    "column",
    ["date_of_birth", "DOB", "dob", "Date of Birth", "birth_date", "Pupil DOB"],
)
def test_a_date_of_birth_leaves_the_school_only_as_the_birth_cohort(
    marks, directory, agreements, column
):
    births = [D(2016, 8, 31), D(2016, 9, 1), D(2017, 2, 14)]
    frame = marks.with_columns(
        pl.Series(column, [births[i % 3] for i in range(marks.height)], pl.Date)
    )
    school = Viewer.school(100001, directory)
    for viewer in (school, Viewer.trust("TR00001", directory), Viewer.dfe()):
        out = scope(
            frame,
            viewer=viewer,
            purpose="support",
            directory=directory,
            agreements=agreements,
            audit=None,
        )
        if viewer is school:
            assert column in out.columns  # the school keeps its own pupils' data
            continue
        assert column not in out.columns, viewer.label
        assert not any(is_birth_date(c) for c in out.columns)
        cohorts = set(out["birth_cohort"].to_list())
        assert cohorts <= {D(2015, 9, 1), D(2016, 9, 1)}, viewer.label


def test_a_date_of_birth_is_refused_for_the_public(directory, agreements):
    table = pl.DataFrame(
        {"geographic_level": ["National"], "dob": [D(2016, 1, 1)], "n": [3]}
    )
    with pytest.raises(AccessDenied, match="date of birth"):
        scope(
            table,
            viewer=Viewer.public(),
            purpose="research",
            directory=directory,
            agreements=agreements,
            audit=None,
        )
