"""Invariants of protect/audit over random hierarchies and breakdowns."""

from __future__ import annotations

import decimal

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from makingdata.disclosure import (
    AUDIENCES,
    DropIdentifiers,
    Nesting,
    RuleSet,
    TableSpec,
    audit,
    protect,
    protect_tables,
    round_to_base,
    round_to_base_expr,
    rule_set,
)

pytest.importorskip("scipy")

SPEC = TableSpec(
    counts=("enrolments",),
    filters=("fsm_status",),
    nestings=(
        Nesting("National", "Regional", ("country_code",)),
        Nesting("Regional", "Local authority", ("region_code",)),
        Nesting("Local authority", "School", ("new_la_code",)),
    ),
    time=(),
)
CATS = ("FSM eligible", "Not known to be FSM eligible", "Unknown")


def keep_schools() -> RuleSet:
    """Public rules but school rows kept, so that school cells are protected too."""
    base = rule_set("public")
    return RuleSet(
        "public",
        tuple(r for r in base.rules if not isinstance(r, DropIdentifiers)),
        "test",
    )


@st.composite
def hierarchies(draw: st.DrawFn) -> pl.DataFrame:
    """England → regions → LAs → schools, each split by FSM status with a Total."""
    n_cats = draw(st.integers(2, 3))
    cats = CATS[:n_cats]
    count = st.integers(0, 40) | st.integers(0, 6)
    rows = []
    n_regions = draw(st.integers(1, 3))
    for r in range(n_regions):
        for la in range(draw(st.integers(1, 3))):
            for s in range(draw(st.integers(1, 4))):
                values = [draw(count) for _ in cats]
                for cat, v in [*zip(cats, values, strict=True), ("Total", sum(values))]:
                    rows.append(
                        {
                            "geographic_level": "School",
                            "country_code": "E92000001",
                            "region_code": f"R{r}",
                            "new_la_code": f"L{r}{la}",
                            "school_urn": f"{r}{la}{s}",
                            "fsm_status": cat,
                            "enrolments": v,
                            "num_schools": 1,
                        }
                    )
    schools = pl.DataFrame(rows)

    def up(level: str, keys: list[str]) -> pl.DataFrame:
        return (
            schools.group_by([*keys, "fsm_status"], maintain_order=True)
            .agg(
                pl.col("enrolments").sum(),
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
    ).with_columns(
        pl.col("num_schools").cast(pl.Int64), pl.col("enrolments").cast(pl.Int64)
    )


@settings(max_examples=15, deadline=None)
@given(hierarchies())
def test_after_protect_nothing_recoverable(table: pl.DataFrame) -> None:
    p = protect(table, "public", spec=SPEC, rules=keep_schools())
    report = audit(p)
    assert report.ok, report.flagged
    # every primary row is suppressed, and the audit looked at all of them
    primary = p.status["disclosure_status"] == "primary"
    assert p.table.filter(primary)["enrolments"].null_count() == int(primary.sum())


@settings(max_examples=15, deadline=None)
@given(hierarchies())
def test_unsuppressed_cells_unchanged(table: pl.DataFrame) -> None:
    p = protect(table, "public", spec=SPEC, rules=keep_schools())
    published = p.status["disclosure_status"] == "published"
    assert p.table.height == table.height
    assert p.table.filter(published)["enrolments"].to_list() == (
        table.filter(published)["enrolments"].to_list()
    )
    # nothing published is sensitive
    small = (table["enrolments"] > 0) & (table["enrolments"] < 6)
    assert not (small & published).any()


@given(st.integers(-(10**9), 10**9), st.sampled_from([5, 10]))
def test_rounding_is_half_up(value: int, base: int) -> None:
    expected = int(
        (decimal.Decimal(value) / base).quantize(
            decimal.Decimal(1), rounding=decimal.ROUND_HALF_UP
        )
        * base
    )
    assert round_to_base(value, base) == expected
    got = pl.DataFrame({"n": [value]}).select(round_to_base_expr(pl.col("n"), base))[
        "n"
    ][0]
    assert got == expected


@settings(max_examples=10, deadline=None)
@given(hierarchies(), st.sampled_from(AUDIENCES))
def test_audience_never_receives_forbidden_columns(
    table: pl.DataFrame, audience: str
) -> None:
    table = table.with_columns(school_name=pl.lit("A school"), pupil_key=pl.lit(1))
    rs = rule_set(audience)
    p = protect(table, audience, spec=SPEC)
    forbidden: set[str] = set()
    levels: set[str] = set()
    for rule in rs.of(DropIdentifiers):
        assert isinstance(rule, DropIdentifiers)
        forbidden |= set(rule.columns)
        levels |= set(rule.levels)
    assert not forbidden & set(p.table.columns)
    assert not forbidden & set(p.to_ees().columns)
    assert not set(p.table["geographic_level"].unique().to_list()) & levels
    if audience in {"partner", "public"}:
        assert "school_urn" not in p.table.columns
        assert "School" not in p.table["geographic_level"].to_list()
    if audience != "school":
        assert "pupil_key" not in p.table.columns


@st.composite
def released_together(draw: st.DrawFn) -> list[pl.DataFrame]:
    """LA × FSM and LA × SEN tables of the same pupils (they share the LA totals)."""
    fsm_rows, sen_rows = [], []
    count = st.integers(0, 30) | st.integers(0, 6)
    for la in range(draw(st.integers(2, 5))):
        cells = [[draw(count) for _ in range(3)] for _ in range(2)]  # fsm × sen
        base = {
            "geographic_level": "Local authority",
            "new_la_code": f"L{la}",
            "num_schools": 9,
        }
        total = sum(map(sum, cells))
        for name, v in (
            ("FSM", sum(cells[0])),
            ("Not", sum(cells[1])),
            ("Total", total),
        ):
            fsm_rows.append({**base, "fsm_status": name, "enrolments": v})
        for k, name in enumerate(("EHC", "Support", "None")):
            sen_rows.append(
                {**base, "sen_provision": name, "enrolments": cells[0][k] + cells[1][k]}
            )
        sen_rows.append({**base, "sen_provision": "Total", "enrolments": total})
    return [pl.DataFrame(fsm_rows), pl.DataFrame(sen_rows)]


@settings(max_examples=15, deadline=None)
@given(released_together())
def test_tables_released_together_are_safe_together(tables: list[pl.DataFrame]) -> None:
    spec = TableSpec(
        counts=("enrolments",), filters=("fsm_status", "sen_provision"), time=()
    )
    protected = protect_tables(tables, "public", spec=spec)
    assert audit(protected).ok
    for original, p in zip(tables, protected, strict=True):
        published = p.status["disclosure_status"] == "published"
        assert p.table.filter(published)["enrolments"].to_list() == (
            original.filter(published)["enrolments"].to_list()
        )
