"""Property tests: scope gives every viewer exactly its scope, by brute force."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from makingdata.access import scope
from makingdata.domain import (
    Directory,
    School,
    TrustMembership,
    default_local_authorities,
)
from makingdata.domain.sharing import DFE, Audience, SharingAgreement, Viewer

D = dt.date
LAS = {la.new_la_code: la for la in default_local_authorities()}
#: Current LAs whose history has a reorganisation (and one without).
CURRENT = [
    "E06000063",  # Cumberland (Cumbria until 31 Mar 2023)
    "E06000064",  # Westmorland and Furness (Cumbria)
    "E06000065",  # North Yorkshire (county until 31 Mar 2023, same code 815)
    "E06000066",  # Somerset
    "E06000061",  # North Northamptonshire (Northamptonshire until 31 Mar 2021)
    "E06000059",  # Dorset (county until 31 Mar 2019)
    "E06000060",  # Buckinghamshire (county until 31 Mar 2020)
    "E10000034",  # Worcestershire (no change)
    "E06000058",  # Bournemouth, Christchurch and Poole (from three LAs in 2019)
]
#: The LA each of them replaced, if any.
PREDECESSOR_OF = {
    "E06000063": ["E10000006"],
    "E06000064": ["E10000006"],
    "E06000065": ["E10000023"],
    "E06000066": ["E10000027"],
    "E06000061": ["E10000021"],
    "E06000059": ["E10000009"],
    "E06000060": ["E10000002"],
    "E06000058": ["E06000028", "E06000029", "E10000009"],
}
PREDECESSORS = sorted({p for ps in PREDECESSOR_OF.values() for p in ps})
TRUSTS = ["TR00001", "TR00002", "TR00003"]
UNKNOWN_URN = 999999
LO, HI = D(2018, 1, 1), D(2026, 12, 31)
INTERESTING = [
    D(2019, 3, 31),
    D(2019, 4, 1),
    D(2020, 3, 31),
    D(2020, 4, 1),
    D(2021, 3, 31),
    D(2021, 4, 1),
    D(2023, 3, 31),
    D(2023, 4, 1),
    D(2024, 8, 18),
    D(2024, 8, 19),
]
dates = st.one_of(st.dates(LO, HI), st.sampled_from(INTERESTING))
early = st.dates(LO, D(2021, 12, 31))
maybe_date = st.one_of(st.none(), st.none(), dates)


@st.composite
def worlds(draw: st.DrawFn) -> dict[str, Any]:
    n = draw(st.integers(1, 5))
    schools: list[School] = []
    memberships: list[TrustMembership] = []
    agreements: list[SharingAgreement] = []
    for i in range(n):
        urn = 100001 + i
        code = draw(st.sampled_from(CURRENT))
        la = LAS[code]
        opened = draw(st.one_of(st.none(), early, dates))
        closed = draw(maybe_date)
        if opened and closed and closed < opened:
            opened, closed = closed, opened
        schools.append(
            School(
                urn,
                f"School {i}",
                la.old_la_code * 10000 + 2001 + i,
                la,
                open_date=opened,
                close_date=closed,
                # BCP: which of Bournemouth (837), Poole (836) or Dorset (835)
                previous_la_code=(
                    draw(st.sampled_from([None, 835, 836, 837]))
                    if code == "E06000058"
                    else None
                ),
            )
        )
        cuts = sorted(set(draw(st.lists(dates, max_size=4))))
        starts: list[dt.date | None] = [None, *cuts]
        for j, start in enumerate(starts):
            trust = draw(st.sampled_from([None, *TRUSTS]))
            end = cuts[j] - dt.timedelta(days=1) if j < len(cuts) else None
            if trust is None or (start and end and end < start):
                continue
            memberships.append(TrustMembership(urn, trust, start, end))
        for _ in range(draw(st.integers(0, 2))):
            start = draw(st.one_of(early, dates))
            opt_out = draw(maybe_date)
            if opt_out is not None and opt_out < start:
                start, opt_out = opt_out, start
            others = [*TRUSTS, code, *PREDECESSOR_OF.get(code, [])]
            recipient = draw(st.sampled_from([DFE, DFE, DFE, DFE, *others]))
            agreements.append(SharingAgreement(urn, recipient, start, opt_out=opt_out))
        if draw(st.booleans()):
            agreements.append(SharingAgreement.statutory(urn))
    return {
        "directory": Directory(schools, memberships),
        "agreements": agreements,
        "urns": [s.urn for s in schools],
    }


def all_viewers(world: dict[str, Any]) -> list[Viewer]:
    """DfE, every school, every trust and every LA near the world's schools."""
    d: Directory = world["directory"]
    used = sorted({s.la.new_la_code for s in d.schools()})
    near = used + sorted({p for c in used for p in PREDECESSOR_OF.get(c, [])})
    return [
        Viewer.dfe(),
        *(Viewer.school(u, d) for u in world["urns"]),
        *(Viewer.trust(t.trust_id, d) for t in d.trusts),
        *(Viewer.la(c, d) for c in near),
        Viewer.la("E10000034", d),
    ]


@st.composite
def days_for(draw: st.DrawFn, world: dict[str, Any]) -> dt.date:
    """A day: anywhere, or inside one of the world's agreements."""
    agreements: list[SharingAgreement] = world["agreements"]
    if agreements and draw(st.booleans()):
        a = draw(st.sampled_from(agreements))
        last = a.last_day or HI
        if last < a.start:
            return a.start
        return a.start + dt.timedelta(days=draw(st.integers(0, (last - a.start).days)))
    return draw(dates)


def reference(  # noqa: PLR0911 - one return per rule, like the docs table
    urn: int,
    day: dt.date,
    viewer: Viewer,
    directory: Directory,
    agreements: list[SharingAgreement],
) -> bool:
    """Whether the viewer may see this school on this day, one row at a time."""
    if urn == UNKNOWN_URN:
        return False
    if viewer.audience is Audience.SCHOOL:
        return str(urn) == viewer.organisation
    if directory.school(urn, on=day) is None:
        return False
    recipients = {DFE} | ({viewer.organisation} if viewer.organisation else set())
    if not any(
        a.urn == urn and a.recipient in recipients and a.covers(day) for a in agreements
    ):
        return False
    if viewer.audience is Audience.TRUST:
        trust = directory.trust_of(urn, on=day)
        return trust is not None and trust.trust_id == viewer.organisation
    if viewer.audience is Audience.LA:
        la = directory.la_of(urn, on=day)
        return la is not None and la.new_la_code == viewer.organisation
    return viewer.audience is Audience.DFE


@settings(max_examples=40)
@given(data=st.data())
def test_marks_scope_matches_brute_force(data: st.DataObject) -> None:
    world = data.draw(worlds())
    rows = data.draw(
        st.lists(
            st.tuples(st.sampled_from([*world["urns"], UNKNOWN_URN]), days_for(world)),
            max_size=60,
        )
    )
    marks = pl.DataFrame(
        {
            "urn": [u for u, _ in rows],
            "pupil_key": list(range(len(rows))),
            "date": [d for _, d in rows],
        },
        schema={"urn": pl.UInt32, "pupil_key": pl.UInt64, "date": pl.Date},
    )
    for viewer in all_viewers(world):
        out = scope(
            marks,
            viewer=viewer,
            purpose="monitoring",
            directory=world["directory"],
            agreements=world["agreements"],
            audit=None,
        )
        got = set(out["pupil_key"].to_list())
        want = {
            i
            for i, (u, d) in enumerate(rows)
            if reference(u, d, viewer, world["directory"], world["agreements"])
        }
        assert got - want == set(), f"{viewer.label} got rows outside its scope"
        assert want - got == set(), f"{viewer.label} was denied rows in its scope"
        assert out.columns == marks.columns


SPELL_LO, SPELL_HI = D(2022, 9, 1), D(2024, 12, 31)


@settings(max_examples=25)
@given(data=st.data())
def test_enrolment_spells_cover_exactly_the_allowed_days(data: st.DataObject) -> None:
    world = data.draw(worlds())
    viewer = data.draw(st.sampled_from(all_viewers(world)))
    spells = []
    for _ in range(data.draw(st.integers(0, 4))):
        urn = data.draw(st.sampled_from(world["urns"]))
        start = data.draw(st.dates(SPELL_LO, SPELL_HI))
        length = data.draw(st.none() | st.integers(0, 200))
        end = None if length is None else start + dt.timedelta(days=length)
        spells.append((urn, start, end))
    frame = pl.DataFrame(
        {
            "pupil_key": list(range(len(spells))),
            "urn": [s[0] for s in spells],
            "enrol_start": [s[1] for s in spells],
            "enrol_end": [s[2] for s in spells],
        },
        schema={
            "pupil_key": pl.UInt64,
            "urn": pl.UInt32,
            "enrol_start": pl.Date,
            "enrol_end": pl.Date,
        },
    )
    out = scope(
        frame,
        viewer=viewer,
        purpose="support",
        directory=world["directory"],
        agreements=world["agreements"],
        audit=None,
    )
    horizon = SPELL_HI + dt.timedelta(days=200)

    def days(start: dt.date, end: dt.date | None) -> list[dt.date]:
        last = horizon if end is None else min(end, horizon)
        return [start + dt.timedelta(days=k) for k in range((last - start).days + 1)]

    got: set[tuple[int, dt.date]] = set()
    for key, _urn, start, end in out.iter_rows():
        pieces = days(start, end)
        assert not got & {(key, d) for d in pieces}, "overlapping output spells"
        got |= {(key, d) for d in pieces}
    want = {
        (key, d)
        for key, (urn, start, end) in enumerate(spells)
        for d in days(start, end)
        if reference(urn, d, viewer, world["directory"], world["agreements"])
    }
    assert got == want


@settings(max_examples=200)
@given(
    born=st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 12, 31)),
    years_later=st.integers(0, 20),
)
def test_the_birth_cohort_keeps_every_age_at_31_august(
    born: dt.date, years_later: int
) -> None:
    from makingdata.access import birth_cohort_expr
    from makingdata.domain import age_at_31_august

    cohort = pl.DataFrame({"dob": [born]}).select(birth_cohort_expr("dob")).item()
    assert (cohort.month, cohort.day) == (9, 1)
    assert cohort <= born
    year = born.year + years_later
    if born > dt.date(year, 8, 31):
        return  # not yet born at the start of that year (an InputError)
    assert age_at_31_august(cohort, year) == age_at_31_august(born, year)
