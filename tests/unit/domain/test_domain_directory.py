from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from makingdata._contracts import MEMBERSHIPS_SCHEMA, SCHOOLS_SCHEMA
from makingdata.domain import (
    Directory,
    LocalAuthority,
    Region,
    School,
    Trust,
    TrustMembership,
    default_local_authorities,
)
from makingdata.errors import IdentifierError, InputError, MakingDataWarning

TABLE = {la.new_la_code: la for la in default_local_authorities()}
D = dt.date
DAY = dt.timedelta(days=1)
Y2009, Y2019, Y2020, Y2021, Y2023 = (D(y, 4, 1) for y in (2009, 2019, 2020, 2021, 2023))

# What a school recorded in LA `code` belongs to over time, written out by hand
# from the published reorganisations (not computed from the LA table):
# (first day, last day, LA GSS code or None = not known).
EXPECTED: dict[str, list[tuple[dt.date | None, dt.date | None, str | None]]] = {
    "E10000034": [(None, None, "E10000034")],  # Worcestershire: no change
    "E06000065": [(None, Y2023 - DAY, "E10000023"), (Y2023, None, "E06000065")],
    "E06000063": [(None, Y2023 - DAY, "E10000006"), (Y2023, None, "E06000063")],
    "E06000064": [(None, Y2023 - DAY, "E10000006"), (Y2023, None, "E06000064")],
    "E06000066": [(None, Y2023 - DAY, "E10000027"), (Y2023, None, "E06000066")],
    "E06000061": [(None, Y2021 - DAY, "E10000021"), (Y2021, None, "E06000061")],
    "E06000062": [(None, Y2021 - DAY, "E10000021"), (Y2021, None, "E06000062")],
    "E06000059": [(None, Y2019 - DAY, "E10000009"), (Y2019, None, "E06000059")],
    "E06000058": [(None, Y2019 - DAY, None), (Y2019, None, "E06000058")],  # BCP
    "E06000060": [(None, Y2020 - DAY, "E10000002"), (Y2020, None, "E06000060")],
    "E06000055": [(None, Y2009 - DAY, "E10000001"), (Y2009, None, "E06000055")],
    # schools recorded under an abolished LA (closed before the change)
    "E10000023": [(None, Y2023 - DAY, "E10000023"), (Y2023, None, "E06000065")],
    "E10000006": [(None, Y2023 - DAY, "E10000006"), (Y2023, None, None)],  # split
    "E06000028": [(None, Y2019 - DAY, "E06000028"), (Y2019, None, "E06000058")],
}
BCP_BEFORE = {837: "E06000028", 836: "E06000029", 835: "E10000009"}


def expected_la(code: str, previous: int | None, day: dt.date) -> str | None:
    for start, end, la in EXPECTED[code]:
        if (start is None or start <= day) and (end is None or day <= end):
            if la is None and code == "E06000058" and previous in BCP_BEFORE:
                return BCP_BEFORE[previous]
            return la
    raise AssertionError(day)


def plain(code: str) -> LocalAuthority:
    la = TABLE[code]
    return LocalAuthority(la.old_la_code, la.new_la_code, la.name, la.region)


def school(urn: int, code: str, **kw: object) -> School:
    la = plain(code)
    return School(urn, f"School {urn}", la.old_la_code * 10000 + urn % 10000, la, **kw)  # type: ignore[arg-type]


# ------------------------------------------------------------ worked examples


@pytest.mark.parametrize(
    ("code", "before", "after", "change"),
    [
        ("E06000065", "E10000023", "E06000065", Y2023),  # North Yorkshire 815
        ("E06000063", "E10000006", "E06000063", Y2023),  # Cumbria 909 -> Cumberland 942
        (
            "E06000064",
            "E10000006",
            "E06000064",
            Y2023,
        ),  # -> Westmorland and Furness 943
        ("E06000066", "E10000027", "E06000066", Y2023),  # Somerset 933
        ("E06000061", "E10000021", "E06000061", Y2021),  # Northants 928 -> 940
        ("E06000062", "E10000021", "E06000062", Y2021),  # -> 941
        ("E06000059", "E10000009", "E06000059", Y2019),  # Dorset 835 -> 838
        ("E06000060", "E10000002", "E06000060", Y2020),  # Buckinghamshire 825
    ],
)
def test_school_follows_its_la_through_a_reorganisation(
    code: str, before: str, after: str, change: dt.date
) -> None:
    d = Directory([school(123456, code)])
    assert d.la_of(123456, on=change - DAY).new_la_code == before  # type: ignore[union-attr]
    assert d.la_of(123456, on=change).new_la_code == after  # type: ignore[union-attr]
    old_code = TABLE[before].old_la_code
    assert [s.urn for s in d.schools_in_la(old_code, on=change - DAY)] == [123456]
    assert d.schools_in_la(before, on=change) == ()
    assert d.region_of(123456, on=change - DAY) == TABLE[before].region


def test_bcp_needs_the_previous_la() -> None:
    unknown = school(111111, "E06000058")
    from_poole = school(222222, "E06000058", previous_la_code=836)
    from_christchurch = school(333333, "E06000058", previous_la_code=835)
    d = Directory([unknown, from_poole, from_christchurch])
    before = Y2019 - DAY
    assert d.la_of(111111, on=before) is None
    assert d.la_of(222222, on=before).name == "Poole"  # type: ignore[union-attr]
    assert d.la_of(333333, on=before).new_la_code == "E10000009"  # type: ignore[union-attr]
    assert d.la_of(111111, on=Y2019).new_la_code == "E06000058"  # type: ignore[union-attr]
    assert [s.urn for s in d.schools_in_la(835, on=before)] == [333333]


def test_la_lookup_by_code_and_date() -> None:
    d = Directory([])
    assert d.la(815).new_la_code == "E06000065"
    assert d.la("815", on=D(2023, 3, 31)).new_la_code == "E10000023"
    assert d.la(909, on=D(2023, 3, 31)).name == "Cumbria"
    with pytest.raises(InputError) as err:
        d.la(909)
    assert str(err.value) == (
        "column 'old_la_code': 0 LAs with old code 909 in operation in the directory's "
        "LA table. What to do: use the 9-character GSS code, or give a date the LA existed."
    )
    with pytest.raises(InputError, match="no LA with GSS code E06000099"):
        d.la("E06000099")
    with pytest.raises(IdentifierError, match="column 'la_code'"):
        d.la("North Yorkshire")


def test_open_close_and_trust_moves() -> None:
    converted = school(100001, "E10000034", close_date=D(2014, 8, 31))
    academy = school(140001, "E10000034", open_date=D(2014, 9, 1))
    d = Directory(
        [converted, academy],
        [
            TrustMembership(
                140001, "TR00001", D(2014, 9, 1), D(2019, 12, 31), trust_name="First"
            ),
            TrustMembership(140001, "TR00002", D(2020, 1, 1), trust_name="Second"),
        ],
        trusts=[Trust("TR00002", "Second Trust", "MAT")],
    )
    assert d.school(100001, on=D(2014, 8, 31)) is converted
    assert d.school(100001, on=D(2014, 9, 1)) is None
    assert [s.urn for s in d.schools(on=D(2014, 9, 1))] == [140001]
    assert d.trust_of(140001, on=D(2019, 12, 31)).name == "First"  # type: ignore[union-attr]
    assert d.trust_of(140001, on=D(2020, 1, 1)).name == "Second Trust"  # type: ignore[union-attr]
    assert d.trust_of(140001).trust_id == "TR00002"  # type: ignore[union-attr]
    assert d.trust_of(100001) is None
    assert d.schools_in_trust("TR00001", on=D(2020, 1, 1)) == ()
    assert d.current_trust_ids() == {140001: "TR00002"}
    assert [t.trust_id for t in d.trusts] == ["TR00001", "TR00002"]
    assert len(d) == 2
    assert "2 schools" in repr(d)
    assert len(d.memberships(140001)) == 2


# ----------------------------------------------------- brute-force reference

CODES = sorted(EXPECTED)
TRUSTS = ["TR00001", "TR00002", "TR00003"]
window = st.dates(D(2005, 1, 1), D(2027, 12, 31))
special = [Y2009, Y2019, Y2020, Y2021, Y2023]
query_days = st.one_of(window, st.sampled_from(special + [d - DAY for d in special]))


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[School], list[TrustMembership]]:
    urns = draw(
        st.lists(st.integers(100000, 100030), min_size=1, max_size=6, unique=True)
    )
    schools, members = [], []
    for urn in urns:
        opened = draw(st.one_of(st.none(), window))
        closed = draw(
            st.one_of(st.none(), st.dates(opened or D(2005, 1, 1), D(2027, 12, 31)))
        )
        code = draw(st.sampled_from(CODES))
        previous = (
            draw(st.sampled_from([None, 835, 836, 837]))
            if code == "E06000058"
            else None
        )
        schools.append(
            school(
                urn,
                code,
                open_date=opened,
                close_date=closed,
                previous_la_code=previous,
            )
        )
        cuts = sorted(draw(st.lists(window, max_size=6, unique=True)))
        spans = [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts) - 1, 2)]
        for i, (joined, left) in enumerate(spans):
            if i > 0 and joined <= spans[i - 1][1]:
                continue
            open_start = i == 0 and draw(st.booleans())
            open_end = i == len(spans) - 1 and draw(st.booleans())
            members.append(
                TrustMembership(
                    urn,
                    draw(st.sampled_from(TRUSTS)),
                    None if open_start else joined,
                    None if open_end else left,
                )
            )
    return schools, members


def brute_open(s: School, day: dt.date) -> bool:
    return (s.open_date is None or s.open_date <= day) and (
        s.close_date is None or day <= s.close_date
    )


def brute_trust(members: list[TrustMembership], urn: int, day: dt.date) -> str | None:
    found = [
        m.trust_id
        for m in members
        if m.urn == urn
        and (m.joined is None or m.joined <= day)
        and (m.left is None or day <= m.left)
    ]
    assert len(found) <= 1
    return found[0] if found else None


@given(histories(), st.lists(query_days, min_size=1, max_size=12))
def test_directory_matches_a_brute_force_reference(
    history: tuple[list[School], list[TrustMembership]], days: list[dt.date]
) -> None:
    schools, members = history
    d = Directory(schools, members)
    rows = []
    for s in schools:
        for day in days:
            la = expected_la(s.la.new_la_code, s.previous_la_code, day)
            trust = brute_trust(members, s.urn, day)
            is_open = brute_open(s, day)
            assert (d.school(s.urn, on=day) is not None) == is_open
            got_trust = d.trust_of(s.urn, on=day)
            assert (None if got_trust is None else got_trust.trust_id) == trust
            got_la = d.la_of(s.urn, on=day)
            assert (None if got_la is None else got_la.new_la_code) == la
            rows.append(
                (
                    s.urn,
                    day,
                    is_open,
                    trust,
                    la,
                    None if la is None else TABLE[la].region.code,
                )
            )
    for day in days:
        for trust in TRUSTS:
            want = sorted(
                s.urn
                for s in schools
                if brute_open(s, day) and brute_trust(members, s.urn, day) == trust
            )
            assert [s.urn for s in d.schools_in_trust(trust, on=day)] == want
        for code in {r[4] for r in rows if r[1] == day and r[4] is not None}:
            want = sorted(
                s.urn
                for s in schools
                if brute_open(s, day)
                and expected_la(s.la.new_la_code, s.previous_la_code, day) == code
            )
            assert [s.urn for s in d.schools_in_la(code, on=day)] == want
    # the vectorised lookup agrees, row for row and in order
    keys = pl.DataFrame(
        {"urn": [r[0] for r in rows], "date": [r[1] for r in rows]},
        schema={"urn": pl.UInt32, "date": pl.Date},
    )
    got = d.as_of(keys).select(
        "urn", "date", "school_open", "trust_id", "new_la_code", "region_code"
    )
    want_frame = pl.DataFrame(
        rows,
        schema={
            "urn": pl.UInt32,
            "date": pl.Date,
            "school_open": pl.Boolean,
            "trust_id": pl.String,
            "new_la_code": pl.String,
            "region_code": pl.String,
        },
        orient="row",
    )
    assert_frame_equal(got, want_frame)
    # the stretches cover all time without overlap, school by school
    periods = d.periods()
    for s in schools:
        mine = periods.filter(pl.col("urn") == s.urn).sort(
            "valid_from", nulls_last=False
        )
        starts, ends = mine["valid_from"].to_list(), mine["valid_to"].to_list()
        assert starts[0] is None
        assert ends[-1] is None
        assert all(b == e + DAY for e, b in zip(ends[:-1], starts[1:], strict=True))


@given(histories(), window, st.integers(0, 60))
def test_memberships_on_matches_a_day_by_day_reference(
    history: tuple[list[School], list[TrustMembership]], start: dt.date, length: int
) -> None:
    schools, members = history
    end = start + dt.timedelta(days=length)
    got = Directory(schools, members).memberships_on(start, end)
    want = sorted(
        (start + dt.timedelta(days=i), s.urn, trust)
        for i in range(length + 1)
        for s in schools
        if (trust := brute_trust(members, s.urn, start + dt.timedelta(days=i)))
        is not None
    )
    assert got.rows() == want
    assert got.schema == pl.Schema(
        {"date": pl.Date, "urn": pl.UInt32, "trust_id": pl.String}
    )


# ------------------------------------------------------------------ as_of


def small_directory() -> Directory:
    return Directory(
        [school(121681, "E06000065", open_date=D(2010, 9, 1))],
        [TrustMembership(121681, "TR00002", D(2023, 1, 1))],
    )


def test_as_of_keeps_rows_order_and_types_and_is_lazy() -> None:
    marks = pl.DataFrame(
        {
            "urn": [121681, 999999, 121681, 121681, None],
            "date": [D(2023, 4, 3), D(2023, 4, 3), D(2009, 1, 5), None, D(2023, 4, 3)],
            "code": ["/", "/", "I", "/", "/"],
        },
        schema={"urn": pl.UInt32, "date": pl.Date, "code": pl.String},
    )
    d = small_directory()
    lazy = d.as_of(marks.lazy())
    assert isinstance(lazy, pl.LazyFrame)
    got = d.as_of(marks)
    assert_frame_equal(lazy.collect(), got)
    assert got.columns == [
        "urn",
        "date",
        "code",
        "school_open",
        "trust_id",
        "old_la_code",
        "new_la_code",
        "la_name",
        "region_code",
        "region_name",
    ]
    assert got.select("school_open", "trust_id", "new_la_code").rows() == [
        (True, "TR00002", "E06000065"),
        (None, None, None),  # a URN the directory does not know
        (False, None, "E10000023"),  # before the school opened, still in the county
        (None, None, None),  # no date
        (None, None, None),  # no URN
    ]
    assert got.schema["old_la_code"] == SCHOOLS_SCHEMA["old_la_code"]


def test_as_of_with_other_column_names_and_int64_urns() -> None:
    frame = pl.DataFrame({"school": [121681], "day": [D(2023, 4, 3)]})
    got = small_directory().as_of(frame, urn="school", date="day")
    assert got["la_name"].to_list() == ["North Yorkshire"]


def test_input_validation_as_of() -> None:
    d = small_directory()
    with pytest.raises(InputError) as err:
        d.as_of(pl.DataFrame({"urn": [121681]}))
    assert str(err.value) == (
        "column 'date': the frame has no column 'date'. What to do: name the columns "
        "with urn= and date= (columns: urn)."
    )
    with pytest.raises(InputError) as err:
        d.as_of(pl.DataFrame({"urn": [121681], "date": ["2023-04-03"]}))
    assert str(err.value) == (
        "column 'date': column 'date' is String, not Date. What to do: cast it with "
        "pl.col(...).cast(pl.Date) or str.to_date first."
    )
    with pytest.raises(InputError) as err:
        d.as_of(
            pl.DataFrame({"urn": [121681], "date": [D(2023, 4, 3)], "trust_id": ["x"]})
        )
    assert str(err.value) == (
        "column 'trust_id': the frame already has column(s) 'trust_id'. What to do: drop "
        "or rename them before calling as_of."
    )


def test_input_validation_memberships_on() -> None:
    with pytest.raises(InputError) as err:
        small_directory().memberships_on(D(2024, 1, 2), D(2024, 1, 1))
    assert str(err.value) == (
        "column 'end': end 2024-01-01 is before start 2024-01-02. What to do: give the "
        "first day, then the last day."
    )


# ------------------------------------------------------ frames in and out


def test_from_frames_to_frames_round_trip() -> None:
    schools = [
        school(121681, "E06000065", open_date=D(2010, 9, 1)),
        school(111111, "E06000058", previous_la_code=837, close_date=D(2020, 8, 31)),
        school(140001, "E10000034", phase="Primary"),
    ]
    members = [
        TrustMembership(
            121681, "TR00001", D(2015, 9, 1), D(2022, 12, 31), trust_name="One"
        ),
        TrustMembership(121681, "TR00002", D(2023, 1, 1), trust_name="Two"),
        TrustMembership(140001, "TR00001", None, trust_name="One"),
    ]
    d = Directory(schools, members)
    schools_frame, members_frame = d.to_frames()
    assert dict(schools_frame.schema) == {
        **SCHOOLS_SCHEMA,
        "previous_la_code": pl.UInt16(),
    }
    assert members_frame.schema == pl.Schema(MEMBERSHIPS_SCHEMA)
    assert schools_frame["urn"].to_list() == [111111, 121681, 140001]
    assert schools_frame["trust_id"].to_list() == [None, "TR00002", "TR00001"]
    again = Directory.from_frames(schools_frame, members_frame)
    s2, m2 = again.to_frames()
    assert_frame_equal(s2, schools_frame)
    assert_frame_equal(m2, members_frame)
    assert again.schools() == d.schools()
    assert again.la_of(111111, on=D(2018, 1, 1)).name == "Bournemouth"  # type: ignore[union-attr]


def test_a_closed_academy_keeps_the_trust_it_closed_in() -> None:
    closed = school(140001, "E10000034", close_date=D(2024, 8, 31))
    left_early = school(140002, "E10000034", close_date=D(2024, 8, 31))
    d = Directory(
        [closed, left_early],
        [
            TrustMembership(140001, "TR00001", D(2015, 9, 1), D(2024, 8, 31)),
            TrustMembership(140002, "TR00001", D(2015, 9, 1), D(2020, 8, 31)),
        ],
    )
    assert d.current_trust_ids() == {140001: "TR00001"}
    assert d.trust_of(140001).trust_id == "TR00001"  # type: ignore[union-attr]
    assert d.trust_of(140002) is None
    schools_frame, members_frame = d.to_frames()
    assert schools_frame["trust_id"].to_list() == ["TR00001", None]
    again = Directory.from_frames(schools_frame, members_frame)  # no warning
    assert again.current_trust_ids() == d.current_trust_ids()


def test_from_frames_without_memberships_uses_the_trust_column() -> None:
    frame, _ = Directory([school(140001, "E10000034")]).to_frames()
    frame = frame.with_columns(trust_id=pl.lit("TR00005"))
    d = Directory.from_frames(frame)
    assert d.trust_of(140001, on=D(1990, 1, 1)).trust_id == "TR00005"  # type: ignore[union-attr]
    assert d.memberships(140001) == (TrustMembership(140001, "TR00005"),)


def test_from_frames_warns_when_the_trust_column_disagrees() -> None:
    frame, _ = Directory([school(140001, "E10000034")]).to_frames()
    frame = frame.with_columns(trust_id=pl.lit("TR00005"))
    members = pl.DataFrame(
        {
            "urn": [140001],
            "trust_id": ["TR00006"],
            "trust_name": [None],
            "joined": [None],
            "left": [None],
        }
    )
    with pytest.warns(
        MakingDataWarning,
        match=r"1 school\(s\) have a trust_id .*\(e\.g\. URN 140001\)",
    ):
        d = Directory.from_frames(frame, members)
    assert d.trust_of(140001).trust_id == "TR00006"  # type: ignore[union-attr]


def test_a_custom_la_table_and_an_la_missing_from_it() -> None:
    region = Region("E12000005", "West Midlands")
    custom = LocalAuthority(885, "E10000034", "Worcs (custom)", region)
    d = Directory([school(140001, "E10000034")], local_authorities=[custom])
    assert d.la_of(140001).name == "Worcs (custom)"  # type: ignore[union-attr]
    d = Directory([school(140001, "E10000034")], local_authorities=[])
    assert d.la_of(140001, on=D(2000, 1, 1)).name == "Worcestershire"  # type: ignore[union-attr]
    assert len(d.local_authorities) == 1


# -------------------------------------------------------- input validation


def test_input_validation_directory() -> None:
    s = school(140001, "E10000034")
    with pytest.raises(InputError) as err:
        Directory([s, s])
    assert str(err.value) == (
        "column 'urn': URN 140001 appears twice among the schools. What to do: give each "
        "school once (its latest GIAS record)."
    )
    with pytest.raises(InputError) as err:
        Directory([s], [TrustMembership(140002, "TR00001")])
    assert str(err.value) == (
        "column 'urn': a membership of trust TR00001 names URN 140002, which is not among "
        "the schools. What to do: include that school, or filter the memberships to the "
        "schools given."
    )
    with pytest.raises(InputError) as err:
        Directory(
            [s],
            [
                TrustMembership(140001, "TR00001", D(2015, 1, 1), D(2020, 1, 1)),
                TrustMembership(140001, "TR00002", D(2020, 1, 1)),
            ],
        )
    assert str(err.value) == (
        "column 'joined': school 140001 is in trusts TR00001 and TR00002 at once (from "
        "2020-01-01). What to do: end the first membership before the next begins."
    )
    wrong = LocalAuthority(
        886, "E10000034", "Worcestershire", TABLE["E10000034"].region
    )
    with pytest.raises(InputError) as err:
        Directory([School(140001, "X", 8860001, wrong)])
    assert str(err.value) == (
        "column 'old_la_code': school 140001 is in LA E10000034 with old code 886, but the "
        "LA table gives 885 (Worcestershire). What to do: correct the school's LA, or pass "
        "local_authorities=."
    )
    with pytest.raises(InputError) as err:
        Directory(["140001"])  # type: ignore[list-item]
    assert str(err.value) == (
        "column 'schools': expected School objects, got '140001'. What to do: build "
        "School objects, or use Directory.from_frames."
    )
    with pytest.raises(InputError) as err:
        Directory([s]).school(140002)
    assert str(err.value) == (
        "column 'urn': no school with URN 140002 in this directory. What to do: check the "
        "URN, or build the directory with that school."
    )


def test_input_validation_from_frames() -> None:
    frame, _ = Directory([school(140001, "E10000034")]).to_frames()
    with pytest.raises(InputError) as err:
        Directory.from_frames(frame.drop("la_name"))
    assert str(err.value).startswith(
        "column 'la_name': the schools frame has no column(s) 'la_name'. What to do: a "
        "schools frame needs the columns urn, school_name, laestab,"
    )
    bad = frame.with_columns(
        old_la_code=pl.lit(886, pl.UInt16), laestab=pl.lit(8860001, pl.UInt32)
    )
    with pytest.raises(InputError) as err:
        Directory.from_frames(bad)
    assert str(err.value) == (
        "row 0, column 'old_la_code': LA E10000034 has old code 886 in the schools frame "
        "but 885 (Worcestershire) in the LA table. What to do: correct old_la_code, or "
        "pass local_authorities= with the right table."
    )


def test_synthetic_directory_frames_round_trip_exactly() -> None:
    from makingdata import synth

    data = synth.generate(scale=0.02, start=D(2025, 9, 8), end=D(2025, 9, 8))
    d = Directory.from_frames(data.schools, data.memberships)  # warnings are errors
    schools_frame, members_frame = d.to_frames()
    assert_frame_equal(schools_frame, data.schools.sort("urn"))
    assert_frame_equal(members_frame, data.memberships.sort("urn", "joined"))
    marks = data.marks()
    looked_up = d.as_of(marks)
    assert looked_up.height == marks.height
    assert looked_up["school_open"].all()
    assert looked_up["new_la_code"].null_count() == 0
