"""Over random small year-to-date series, ``previous=`` gives away no increment of 1-5."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from makingdata.disclosure import (
    Nesting,
    ProtectedTable,
    TableSpec,
    differencing,
    protect,
)

pytest.importorskip("scipy")

FSM = ("FSM eligible", "Not known to be FSM eligible")
SPEC = TableSpec(
    counts=("enrolments",),
    filters=("fsm_status",),
    nestings=(Nesting("National", "Local authority", ("country_code",)),),
    time=("time_identifier",),
)
KEYS = ["geographic_level", "new_la_code", "fsm_status"]


def table(
    week: int, fsm: list[int], rest: list[int], schools: list[int]
) -> pl.DataFrame:
    rows = []
    for i, (a, b, s) in enumerate(zip(fsm, rest, schools, strict=True)):
        for status, value in (("Total", a + b), (FSM[0], a), (FSM[1], b)):
            rows.append(("Local authority", f"E0600000{i + 1}", status, s, value))
    for status, value in (
        ("Total", sum(fsm) + sum(rest)),
        (FSM[0], sum(fsm)),
        (FSM[1], sum(rest)),
    ):
        rows.append(("National", None, status, sum(schools), value))
    return pl.DataFrame(
        rows,
        schema={
            "geographic_level": pl.String,
            "new_la_code": pl.String,
            "fsm_status": pl.String,
            "num_schools": pl.Int64,
            "enrolments": pl.Int64,
        },
        orient="row",
    ).with_columns(
        time_identifier=pl.lit(f"Week {week}"), country_code=pl.lit("E92000001")
    )


@st.composite
def series(draw: st.DrawFn) -> list[pl.DataFrame]:
    """2-4 LAs, 2-3 weeks; small and large starting counts, increments of 0-9."""
    n_la = draw(st.integers(2, 4))
    n_weeks = draw(st.integers(2, 3))
    start = st.integers(0, 4) | st.integers(6, 60)
    fsm = [draw(start) for _ in range(n_la)]
    rest = [draw(start) for _ in range(n_la)]
    schools = [draw(st.sampled_from([1, 3, 8])) for _ in range(n_la)]
    weeks = [table(1, fsm, rest, schools)]
    step = st.integers(0, 9)
    for w in range(2, n_weeks + 1):
        fsm = [v + draw(step) for v in fsm]
        rest = [v + draw(step) for v in rest]
        weeks.append(table(w, fsm, rest, schools))
    return weeks


@settings(max_examples=25)
@given(series())
def test_no_increment_is_given_away(weeks: list[pl.DataFrame]) -> None:
    published: list[pl.DataFrame] = []
    releases: list[ProtectedTable] = []
    for t in weeks:
        p = protect(t, "public", spec=SPEC, previous=list(published))
        published.append(p.to_ees())
        releases.append(p)
    for later in range(1, len(published)):
        for earlier in range(later):
            both = published[earlier].join(
                published[later], on=KEYS, nulls_equal=True, suffix="_later"
            )
            diff = both["enrolments_later"].cast(pl.Int64, strict=False) - both[
                "enrolments"
            ].cast(pl.Int64, strict=False)
            assert not diff.is_between(1, 5).fill_null(value=False).any()
            report = differencing(
                published[earlier], published[later], spec=SPEC, series=True
            )
            increments = report.flagged.filter(pl.col("symbol") == "increment")
            assert increments.height == 0, increments
            # and, with what each release knows of its own cells, nothing else
            assert differencing(
                releases[earlier], releases[later], spec=SPEC, series=True
            ).ok
