"""The ingest's fast parts equal their plain definitions (property tests).

``_assign`` (a mark's enrolment number: one hash join on the pupil for
pupils with one spell, a range join for the others) against the range join
of every mark to every spell of its pupil and school; ``_add_counts`` (the
running totals added with numpy) against a group-by sum.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from makingdata.store import COUNT_CATEGORIES, REASON_COLUMNS
from makingdata.store._ingest import _add_counts, _assign
from makingdata.store._layout import COUNT_DTYPE, REGISTRY_SCHEMA

DAY0 = dt.date(2025, 9, 1)
PUPILS = st.integers(1, 5)
URNS = st.sampled_from([100001, 100002, 100003])
OFFSET = st.integers(0, 12)


@st.composite
def registries(draw: st.DrawFn) -> pl.DataFrame:
    """A registry: spells (overlapping or not) and pupil-and-school rows."""
    rows = []
    seen = set()
    for pupil, urn, start, length, orphan in draw(
        st.lists(
            st.tuples(PUPILS, URNS, OFFSET, st.none() | OFFSET, st.booleans()),
            max_size=10,
        )
    ):
        begin = None if orphan else DAY0 + dt.timedelta(days=start)
        if (pupil, urn, begin) in seen:
            continue
        seen.add((pupil, urn, begin))
        end = None if orphan or length is None else begin + dt.timedelta(days=length)  # type: ignore[operator]
        rows.append(
            {"pupil_key": pupil, "urn": urn, "enrol_start": begin, "enrol_end": end}
        )
    frame = pl.DataFrame(
        rows,
        schema={
            "pupil_key": pl.UInt64,
            "urn": pl.UInt32,
            "enrol_start": pl.Date,
            "enrol_end": pl.Date,
        },
    )
    numbers = draw(st.permutations(range(frame.height)))
    frame = frame.with_columns(enrolment=pl.Series(numbers, dtype=pl.UInt32))
    return (
        frame.with_columns(
            pl.lit(None, t).alias(c)
            for c, t in REGISTRY_SCHEMA.items()
            if c not in frame.columns
        )
        .select(list(REGISTRY_SCHEMA))
        .cast(REGISTRY_SCHEMA)  # type: ignore[arg-type]
        .sort("enrolment")
    )


def _range_join(marks: pl.DataFrame, reg: pl.DataFrame) -> pl.Series:
    """The number of each mark's enrolment by definition (null: in none)."""
    spells = reg.filter(pl.col("enrol_start").is_not_null())
    inside = (pl.col("date") >= pl.col("enrol_start")) & (
        pl.col("enrol_end").is_null() | (pl.col("date") <= pl.col("enrol_end"))
    )
    m = marks.with_row_index("_r")
    hit = (
        m.join(spells, on=["pupil_key", "urn"], how="inner")
        .filter(inside)
        .group_by("_r")
        .agg(pl.col("enrolment").min())
    )
    return m.join(hit, on="_r", how="left").sort("_r").get_column("enrolment")


@settings(max_examples=150, deadline=None)
@given(
    registries(),
    st.lists(st.tuples(PUPILS, URNS, st.integers(0, 28)), min_size=1, max_size=30),
)
def test_each_mark_gets_the_lowest_spell_that_holds_it(
    reg: pl.DataFrame, cells: list[tuple[int, int, int]]
) -> None:
    marks = pl.DataFrame(
        [(p, u, DAY0 + dt.timedelta(days=d), "AM", "/") for p, u, d in cells],
        schema={
            "pupil_key": pl.UInt64,
            "urn": pl.UInt32,
            "date": pl.Date,
            "session": pl.String,
            "code": pl.String,
        },
        orient="row",
    )
    numbered, new_reg, n_new = _assign(marks, reg)
    assert numbered.columns == [*marks.columns, "enrolment"]
    assert_frame_equal(numbered.drop("enrolment"), marks)
    expected = _range_join(marks, reg)
    got = numbered.get_column("enrolment")
    in_spell = expected.is_not_null()
    assert (
        got.filter(in_spell).cast(pl.Int64).to_list()
        == expected.filter(in_spell).cast(pl.Int64).to_list()
    )
    # a mark in no spell gets its pupil and school's row (made if new)
    rows = new_reg.filter(pl.col("enrol_start").is_null())
    out = numbered.filter(~in_spell).join(
        rows.select("pupil_key", "urn", pl.col("enrolment").alias("want")),
        on=["pupil_key", "urn"],
        how="left",
    )
    assert out.get_column("enrolment").to_list() == out.get_column("want").to_list()
    assert n_new == new_reg.height - reg.height
    assert new_reg.get_column("enrolment").is_unique().all()


COLUMNS = [*COUNT_CATEGORIES, *REASON_COLUMNS]


def _counts_frame(numbers: list[int], value: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "enrolment": pl.Series(sorted(numbers), dtype=pl.UInt32),
            **{
                c: pl.Series(
                    [value + i + n for n in sorted(numbers)], dtype=COUNT_DTYPE
                )
                for i, c in enumerate(COLUMNS)
            },
        }
    )


@settings(max_examples=100, deadline=None)
@given(
    st.sets(st.integers(0, 40), min_size=1, max_size=15),
    st.sets(st.integers(0, 40), min_size=1, max_size=15),
    st.booleans(),
)
def test_totals_added_with_numpy_equal_a_group_by_sum(
    before: set[int], day: set[int], same: bool
) -> None:
    a = _counts_frame(list(before), 3)
    b = _counts_frame(list(before if same else day), 1)
    expected = (
        pl.concat([a, b])
        .group_by("enrolment")
        .agg(pl.col(COLUMNS).sum().cast(COUNT_DTYPE))
        .sort("enrolment")
    )
    assert_frame_equal(_add_counts(a, b, COLUMNS), expected)
