"""The shortcuts that make protection scale keep its guarantee.

Over random school → LA → region → England hierarchies with persistent and
severe absentee counts (mostly tiny at school level, as in a real table):

- the sufficient test of ``intervals`` (feasible points before per-cell LPs)
  is sound: a cell it passes is at least as wide as required, inside its
  exact interval, and every other cell gets its exact interval;
- ``protect`` with the test gives the same pattern as with exact intervals;
- every protected column's sensitive cells are as wide as protect promises
  (the protection level, or a share of the cell's own value in that column).
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from makingdata.disclosure import (
    DropIdentifiers,
    Nesting,
    RuleSet,
    TableSpec,
    _secondary,
    _solver,
    audit,
    protect,
    rule_set,
)
from makingdata.disclosure._tables import build_structure

pytest.importorskip("scipy")

COUNTS = ("enrolments", "enrolments_pa_10_exact", "enrolments_pa_50_exact")
SPEC = TableSpec(
    counts=COUNTS,
    filters=("fsm_status",),
    nestings=(
        Nesting("National", "Regional", ("country_code",)),
        Nesting("Regional", "Local authority", ("region_code",)),
        Nesting("Local authority", "School", ("new_la_code",)),
    ),
    time=(),
)
CATS = ("FSM eligible", "Not known to be FSM eligible")


def keep_schools() -> RuleSet:
    """Public rules but school rows kept, so that school cells are protected too."""
    base = rule_set("public")
    return RuleSet(
        "public",
        tuple(r for r in base.rules if not isinstance(r, DropIdentifiers)),
        "test",
    )


@st.composite
def pa_hierarchies(draw: st.DrawFn) -> pl.DataFrame:
    """Schools by FSM status (with Total) and their PA/SA counts, summed upwards."""
    rows = []
    for r in range(draw(st.integers(1, 2))):
        for la in range(draw(st.integers(1, 3))):
            for s in range(draw(st.integers(2, 5))):
                cells = []
                for _ in CATS:
                    n = draw(st.integers(0, 60))
                    pa = draw(st.integers(0, min(n, 12)))
                    sa = draw(st.integers(0, min(pa, 4)))
                    cells.append((n, pa, sa))
                total = tuple(sum(c[i] for c in cells) for i in range(3))
                for cat, (n, pa, sa) in [
                    *zip(CATS, cells, strict=True),
                    ("Total", total),
                ]:
                    rows.append(
                        {
                            "geographic_level": "School",
                            "country_code": "E92000001",
                            "region_code": f"R{r}",
                            "new_la_code": f"L{r}{la}",
                            "school_urn": f"{r}{la}{s}",
                            "fsm_status": cat,
                            "enrolments": n,
                            "enrolments_pa_10_exact": pa,
                            "enrolments_pa_50_exact": sa,
                            "num_schools": 1,
                        }
                    )
    schools = pl.DataFrame(rows)

    def up(level: str, keys: list[str]) -> pl.DataFrame:
        return (
            schools.group_by([*keys, "fsm_status"], maintain_order=True)
            .agg(
                pl.col(*COUNTS).sum(),
                pl.col("school_urn").n_unique().alias("num_schools"),
            )
            .with_columns(geographic_level=pl.lit(level))
        )

    return pl.concat(
        [
            schools,
            up("Local authority", ["country_code", "region_code", "new_la_code"]),
            up("Regional", ["country_code", "region_code"]),
            up("National", ["country_code"]),
        ],
        how="diagonal_relaxed",
    ).with_columns(pl.col("num_schools", *COUNTS).cast(pl.Int64))


@settings(max_examples=15, deadline=None)
@given(pa_hierarchies(), st.data())
def test_sufficient_test_is_sound(table: pl.DataFrame, data: st.DataObject) -> None:
    struct = build_structure(table, SPEC)
    hidden = np.asarray(
        data.draw(st.lists(st.booleans(), min_size=table.height, max_size=table.height))
    )
    if not hidden.any():
        return
    col = data.draw(st.sampled_from(COUNTS))
    v = table[col].cast(pl.Float64).to_numpy()
    lb = np.where(hidden, 0.0, v)
    ub = np.where(hidden, np.inf, v)
    targets = np.flatnonzero(hidden)
    need = np.maximum(6.0, 0.1 * v[targets])
    # the true table is one point; a wrong "true table" must not be trusted
    known = v if data.draw(st.booleans()) else v + 50.0
    exact = _solver.intervals(struct, lb, ub, targets)
    quick = _solver.intervals(struct, lb, ub, targets, required=need, known=known)
    assert exact.exact.all()
    same = quick.exact
    np.testing.assert_array_equal(quick.lo[same], exact.lo[same])
    np.testing.assert_array_equal(quick.hi[same], exact.hi[same])
    inner = ~same
    assert (quick.hi[inner] - quick.lo[inner] >= need[inner] - 1e-9).all()
    assert (quick.lo[inner] >= exact.lo[inner]).all()
    assert (quick.hi[inner] <= exact.hi[inner]).all()


@settings(max_examples=10, deadline=None)
@given(pa_hierarchies())
def test_sufficient_test_leaves_the_pattern_unchanged(table: pl.DataFrame) -> None:
    quick = protect(table, "public", spec=SPEC, rules=keep_schools())

    def exact_only(*args: object, **kwargs: object) -> _solver.Intervals:
        kwargs.pop("required", None)
        kwargs.pop("known", None)
        return _solver.intervals(*args, **kwargs)  # type: ignore[arg-type]

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_secondary, "intervals", exact_only)
        slow = protect(table, "public", spec=SPEC, rules=keep_schools())
    assert quick.status["disclosure_status"].to_list() == (
        slow.status["disclosure_status"].to_list()
    )


@settings(max_examples=15, deadline=None)
@given(pa_hierarchies())
def test_every_protected_column_is_wide_enough(table: pl.DataFrame) -> None:
    p = protect(table, "public", spec=SPEC, rules=keep_schools())
    report = audit(p, exact=True)
    assert report.ok, report.flagged
    assert report.cells["exact_interval"].all()
    quick = audit(p)
    assert quick.ok
    assert quick.cells["finding"].to_list() == report.cells["finding"].to_list()
    sec = p.rules.secondary
    assert sec is not None
    sens = report.cells.filter(pl.col("sensitive"))
    assert set(sens["column"]) <= set(COUNTS)
    for col in COUNTS:
        cells = sens.filter(pl.col("column") == col)
        own = table[col].cast(pl.Float64).to_numpy()[cells["row"].to_numpy()]
        need = np.maximum(sec.protection, sec.relative * own)
        assert (cells["width"].to_numpy() >= need - 1e-9).all()
