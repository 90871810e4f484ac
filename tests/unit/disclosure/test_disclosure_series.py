"""A release protected against the earlier releases of its series (``previous=``).

Issue 14, item 8: each week of a year-to-date series protected on its own gave
away the pupils added since last week by plain subtraction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
import polars as pl
import pytest

from makingdata.disclosure import (
    Nesting,
    ProtectedTable,
    TableSpec,
    audit,
    differencing,
    protect,
    protect_tables,
    write_protected_csv,
)
from makingdata.errors import InputError

if TYPE_CHECKING:
    from pathlib import Path

pytest.importorskip("scipy")

FSM = ("FSM eligible", "Not known to be FSM eligible")
SPEC = TableSpec(
    counts=("enrolments",),
    filters=("fsm_status",),
    nestings=(Nesting("National", "Local authority", ("country_code",)),),
    time=("time_period", "time_identifier"),
)
PROTECTED = ("enrolments",)
KEYS = ["geographic_level", "new_la_code", "fsm_status"]


def week(n: int, fsm: list[int], rest: list[int]) -> pl.DataFrame:
    """A year-to-date LA × FSM table: one row per LA × (Total, FSM, not FSM), and England."""
    rows = []
    for i, (a, b) in enumerate(zip(fsm, rest, strict=True)):
        la = f"E0600000{i + 1}"
        for status, value in (("Total", a + b), (FSM[0], a), (FSM[1], b)):
            rows.append(("Local authority", la, status, 20, value))
    for status, value in (
        ("Total", sum(fsm) + sum(rest)),
        (FSM[0], sum(fsm)),
        (FSM[1], sum(rest)),
    ):
        rows.append(("National", None, status, 20 * len(fsm), value))
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
        time_period=pl.lit(202425),
        time_identifier=pl.lit(f"Week {n}"),
        country_code=pl.lit("E92000001"),
    )


# The scenario: week 2 adds 3, 2 and 4 FSM pupils in three LAs (and 7,
# 9, 12 others): every cell is large, so each week alone is published whole.
WEEK1 = week(1, [120, 150, 200, 90], [400, 500, 610, 300])
WEEK2 = week(2, [123, 152, 204, 90], [407, 509, 622, 306])


def given_away(
    earlier: pl.DataFrame, later: pl.DataFrame, columns: tuple[str, ...] = PROTECTED
) -> list[int]:
    """Increments of 1-5 recovered by subtracting two published (EES text) tables."""
    both = earlier.join(later, on=KEYS, nulls_equal=True, suffix="_later")
    found: list[int] = []
    for c in columns:
        before = both[c].cast(pl.Int64, strict=False)
        after = both[f"{c}_later"].cast(pl.Int64, strict=False)
        diff = (after - before).drop_nulls()
        found += diff.filter(diff.is_between(1, 5)).to_list()
    return found


def test_each_week_alone_gives_away_the_increments() -> None:
    first = protect(WEEK1, "public", spec=SPEC)
    second = protect(WEEK2, "public", spec=SPEC)
    assert first.report.rows_primary == second.report.rows_primary == 0
    # the issue: last week's table subtracted from this week's
    assert sorted(given_away(first.to_ees(), second.to_ees())) == [2, 3, 4]
    report = differencing(first.to_ees(), second.to_ees(), spec=SPEC, series=True)
    assert report.flagged.filter(pl.col("symbol") == "increment").height == 3


def test_previous_release_hides_the_increments() -> None:
    first = protect(WEEK1, "public", spec=SPEC)
    second = protect(WEEK2, "public", spec=SPEC, previous=[first])
    assert given_away(first.to_ees(), second.to_ees()) == []
    assert differencing(first, second, spec=SPEC, series=True).ok
    assert differencing(first.to_ees(), second.to_ees(), spec=SPEC, series=True).ok
    # cells published last week are suppressed this week where needed ...
    status = second.status["disclosure_status"].to_list()
    assert status.count("published") < len(status)
    # ... and the rest is published: the LA whose FSM count did not move, and
    # every LA total (increments of 10, 11, 16 and 6 pupils)
    published = second.table.filter(second.status["disclosure_status"] == "published")
    assert published.filter(pl.col("new_la_code") == "E06000004").height == 3
    la_totals = published.filter(
        (pl.col("geographic_level") == "Local authority")
        & (pl.col("fsm_status") == "Total")
    )
    assert la_totals.height == 4


def test_previous_release_read_back_from_the_csv_written(tmp_path: Path) -> None:
    first = protect(WEEK1, "public", spec=SPEC)
    path = write_protected_csv(first, tmp_path / "week1.csv", audience="public")
    read_back = pl.read_csv(path, infer_schema_length=0)  # EES text: c, x, low ...
    second = protect(WEEK2, "public", spec=SPEC, previous={"week1.csv": read_back})
    again = protect(WEEK2, "public", spec=SPEC, previous=[first])
    assert second.status.equals(again.status)
    assert given_away(read_back, second.to_ees()) == []
    assert differencing(read_back, second.to_ees(), spec=SPEC, series=True).ok


def test_every_earlier_release_not_only_the_last() -> None:
    # FSM in LA 1: 120, then 123 (+3: hidden in week 2), then 124: +1 on week 2
    # and +4 on week 1, whose figure was published. Week 3 may not publish 124.
    week3 = week(3, [124, 158, 210, 90], [420, 520, 630, 310])
    first = protect(WEEK1, "public", spec=SPEC)
    second = protect(WEEK2, "public", spec=SPEC, previous=[first])
    third = protect(week3, "public", spec=SPEC, previous=[first, second])
    published = [p.to_ees() for p in (first, second, third)]
    for a, b in ((0, 1), (0, 2), (1, 2)):
        assert given_away(published[a], published[b]) == [], (a, b)
        assert differencing(published[a], published[b], spec=SPEC, series=True).ok
    # with only last week's release the week-1 difference is given away
    careless = protect(week3, "public", spec=SPEC, previous=[second])
    assert 4 in given_away(published[0], careless.to_ees())


def test_a_cell_hidden_last_week_is_not_narrowed_this_week() -> None:
    # week 1 hides LA 1's small FSM cell (4) and a complement; week 2 may not
    # publish figures that pin last week's hidden cells down
    w1 = week(1, [4, 150, 200], [400, 500, 610])
    w2 = week(2, [8, 150, 200], [402, 500, 610])
    first = protect(w1, "public", spec=SPEC)
    assert first.report.rows_primary == 1
    second = protect(w2, "public", spec=SPEC, previous=[first.to_ees()])
    report = differencing(first.to_ees(), second.to_ees(), spec=SPEC, series=True)
    assert report.ok, report.flagged


def test_fixed_no_longer_hides_every_cell_whose_increment_is_safe() -> None:
    # one increment is 3 (LA 1's FSM pupils), every other is 0 or at least 6:
    # the cumulative path asked each increment relation for a second hidden
    # cell, and hid all of week 2 (the issue: 0 of 114 cells published)
    spec = TableSpec(
        counts=("enrolments",),
        filters=("fsm_status",),
        nestings=SPEC.nestings,
        time=("time_period",),
        cumulative="week",
    )
    w1 = WEEK1.with_columns(week=pl.lit(1))
    w2 = week(2, [123, 150, 210, 90], [410, 500, 620, 300]).with_columns(week=pl.lit(2))
    first = protect(w1, "public", spec=spec)
    released = w1.select(KEYS).with_columns(
        week=pl.lit(1), disclosure_status=first.status["disclosure_status"]
    )
    both = protect(pl.concat([w1, w2]), "public", spec=spec, fixed=released)
    now = both.status["disclosure_status"].tail(w2.height)
    assert (
        now.filter(both.table.tail(w2.height)["new_la_code"] == "E06000001").to_list()
        != ["published"] * 3
    )
    assert (now == "published").sum() >= w2.height // 2
    # both weeks and their increments, audited together
    assert audit(both).ok


def test_protect_tables_takes_previous_too() -> None:
    first = protect(WEEK1, "public", spec=SPEC)
    (second,) = protect_tables([WEEK2], "public", spec=SPEC, previous=[first])
    assert isinstance(second, ProtectedTable)
    assert given_away(first.to_ees(), second.to_ees()) == []


def test_falling_counts_are_not_a_contradiction() -> None:
    # persistently absent pupils so far can fall from week to week; an LP that
    # assumed otherwise would be infeasible and prove nothing
    spec = TableSpec(
        counts=("enrolments", "enrolments_pa_10_exact"),
        filters=("fsm_status",),
        nestings=SPEC.nestings,
        time=("time_period", "time_identifier"),
    )
    pa1 = WEEK1.with_columns(enrolments_pa_10_exact=pl.col("enrolments") // 10)
    pa2 = WEEK1.with_columns(
        time_identifier=pl.lit("Week 2"),
        enrolments_pa_10_exact=pl.col("enrolments") // 10
        + pl.when(pl.col("new_la_code") == "E06000001")
        .then(pl.when(pl.col("fsm_status") == "Total").then(-7).otherwise(-10))
        .when(pl.col("new_la_code") == "E06000002")
        .then(pl.when(pl.col("fsm_status") == FSM[1]).then(0).otherwise(2))
        .otherwise(0),
    )
    # the national row follows its LAs
    nat = (
        pa2.filter(pl.col("geographic_level") == "Local authority")
        .group_by("fsm_status")
        .agg(pl.col("enrolments_pa_10_exact").sum())
    )
    pa2 = (
        pa2.join(nat, on="fsm_status", suffix="_nat")
        .with_columns(
            enrolments_pa_10_exact=pl.when(pl.col("geographic_level") == "National")
            .then(pl.col("enrolments_pa_10_exact_nat"))
            .otherwise(pl.col("enrolments_pa_10_exact"))
        )
        .drop("enrolments_pa_10_exact_nat")
    )
    first = protect(pa1, "public", spec=spec)
    second = protect(pa2, "public", spec=spec, previous=[first])
    columns = ("enrolments", "enrolments_pa_10_exact")
    assert given_away(first.to_ees(), second.to_ees(), columns) == []
    report = differencing(first.to_ees(), second.to_ees(), spec=spec, series=True)
    assert "inconsistent" not in report.cells["finding"].to_list()
    assert report.ok


def test_a_previous_release_that_does_not_match_is_refused() -> None:
    first = protect(WEEK1, "public", spec=SPEC).to_ees()
    with pytest.raises(InputError, match="'fsm_status'") as err:
        protect(
            WEEK2, "public", spec=SPEC, previous={"week1.csv": first.drop("fsm_status")}
        )
    assert err.value.path == "week1.csv"
    assert err.value.column == "fsm_status"
    with pytest.raises(InputError, match=r"'sex', which this table does not"):
        protect(
            WEEK2,
            "public",
            spec=SPEC,
            previous=[first.with_columns(sex=pl.lit("Total"))],
        )
    with pytest.raises(InputError, match="only 3 of this table's 15 rows"):
        protect(
            WEEK2,
            "public",
            spec=SPEC,
            previous=[
                first.with_columns(pl.col("new_la_code").str.replace("E06", "E09"))
            ],
        )
    with pytest.raises(InputError, match="no 'enrolments' column"):
        protect(WEEK2, "public", spec=SPEC, previous=[first.drop("enrolments")])
    with pytest.raises(InputError, match="a list of earlier releases"):
        protect(WEEK2, "public", spec=SPEC, previous=first)  # type: ignore[arg-type]


def test_previous_with_a_cumulative_spec_is_refused() -> None:
    first = protect(WEEK1, "public", spec=SPEC)
    with pytest.raises(InputError, match="already orders periods"):
        protect(
            WEEK2.with_columns(week=pl.lit(2)),
            "public",
            spec=attrs.evolve(SPEC, cumulative="week"),
            previous=[first],
        )
