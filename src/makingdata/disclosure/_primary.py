"""Primary suppression: which rows are sensitive under an audience's rules."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from makingdata.disclosure._rules import (
    Dominance,
    MinimumUnits,
    PPercent,
    RuleSet,
    Threshold,
)
from makingdata.errors import DisclosureError

if TYPE_CHECKING:
    from makingdata.disclosure._tables import TableSpec

__all__ = ["primary_reasons"]

_REASONS_SCHEMA = {"row": pl.Int64, "rule_id": pl.String, "column": pl.String}


def _contributors(frame: pl.DataFrame, spec: TableSpec, column: str) -> pl.DataFrame:
    """Child values of each parent row, over every nesting: columns __parent, v."""
    level = spec.level_column
    f = frame.with_row_index("__row").with_columns(pl.col("__row").cast(pl.Int64))
    out = []
    for nest in spec.nestings:
        link = [*spec.time_columns(f), *nest.on, *spec.filters]
        kids = f.filter(pl.col(level) == nest.child).select(
            [*link, pl.col(column).alias("v")]
        )
        parents = f.filter(pl.col(level) == nest.parent).select(
            [*link, pl.col("__row").alias("__parent")]
        )
        out.append(
            kids.join(parents, on=link, nulls_equal=True).select("__parent", "v")
        )
    if not out:
        return pl.DataFrame(schema={"__parent": pl.Int64, "v": pl.Float64})
    return pl.concat(out, how="vertical_relaxed").with_columns(
        pl.col("v").cast(pl.Float64)
    )


def primary_reasons(  # noqa: PLR0912 - one branch per rule kind
    frame: pl.DataFrame, spec: TableSpec, rules: RuleSet
) -> pl.DataFrame:
    """Every (row, rule) that makes a row sensitive.

    Parameters
    ----------
    frame
        The table.
    spec
        Its structure.
    rules
        The audience's rules.

    Returns
    -------
    polars.DataFrame
        Columns ``row`` (0-based), ``rule_id``, ``column``; one row per firing.

    Raises
    ------
    DisclosureError
        If a rule needs a column the table does not have (deny by default).

    Examples
    --------
    >>> import polars as pl
    >>> from makingdata.disclosure._rules import rule_set
    >>> from makingdata.disclosure._tables import TableSpec
    >>> df = pl.DataFrame({"enrolments": [0, 3, 12], "num_schools": [2, 2, 1]})
    >>> primary_reasons(
    ...     df, TableSpec(counts=("enrolments",)), rule_set("public")
    ... ).rows()
    [(1, 'threshold-pupils-6', 'enrolments'), (2, 'single-school', 'num_schools')]
    """
    f = frame.with_row_index("__row").with_columns(pl.col("__row").cast(pl.Int64))
    level = spec.level_column
    found: list[pl.DataFrame] = []

    def add(mask: pl.Expr, rule_id: str, column: str) -> None:
        found.append(
            f.filter(mask.fill_null(value=False)).select(
                pl.col("__row").alias("row"),
                pl.lit(rule_id).alias("rule_id"),
                pl.lit(column).alias("column"),
            )
        )

    for rule in rules.rules:
        if isinstance(rule, Threshold):
            # a spec that names its counts of people (``spec.protected``, e.g.
            # a KS2 table's eligible and meeting-the-standard pupils) has them
            # thresholded like the rule's own pupil columns
            people = spec.protected or ()
            cols = (*rule.columns, *(c for c in people if c not in rule.columns))
            for col in cols:
                if col in f.columns:
                    v = pl.col(col).cast(pl.Float64)
                    add((v > 0) & (v < rule.minimum), rule.id, col)
        elif isinstance(rule, MinimumUnits):
            exempt = (
                pl.col(level).is_in(list(rule.exempt_levels))
                if level in f.columns
                else pl.lit(value=False)
            )
            if rule.column not in f.columns:
                if level in f.columns and f.filter(~exempt).height == 0:
                    continue
                raise DisclosureError(
                    f"rule {rule.id!r} needs the number of schools behind each row",
                    column=rule.column,
                    hint=f"add a {rule.column!r} column, or use a rule set without {rule.id!r}",
                )
            v = pl.col(rule.column).cast(pl.Float64)
            add(~exempt & (v > 0) & (v < rule.minimum), rule.id, rule.column)
        elif isinstance(rule, (Dominance, PPercent)):
            if rule.column not in f.columns:
                raise DisclosureError(
                    f"rule {rule.id!r} needs column {rule.column!r}", column=rule.column
                )
            contrib = _contributors(frame, spec, rule.column)
            if contrib.height == 0:
                continue
            if isinstance(rule, Dominance):
                stats = contrib.group_by("__parent").agg(
                    top=pl.col("v").top_k(rule.n).sum(), total=pl.col("v").sum()
                )
                hit = stats.filter(
                    (pl.col("total") > 0)
                    & (pl.col("top") > rule.k / 100 * pl.col("total"))
                )
            else:
                stats = contrib.group_by("__parent").agg(
                    x1=pl.col("v").max(),
                    x2=pl.col("v").top_k(2).min(),
                    k=pl.len(),
                    total=pl.col("v").sum(),
                )
                rest = (
                    pl.col("total")
                    - pl.col("x1")
                    - pl.when(pl.col("k") > 1).then(pl.col("x2")).otherwise(0.0)
                )
                hit = stats.filter(
                    (pl.col("total") > 0) & (rest < rule.p / 100 * pl.col("x1"))
                )
            found.append(
                hit.select(
                    pl.col("__parent").alias("row"),
                    pl.lit(rule.id).alias("rule_id"),
                    pl.lit(rule.column).alias("column"),
                )
            )
    if not found:
        return pl.DataFrame(schema=_REASONS_SCHEMA)
    return pl.concat(found).cast(_REASONS_SCHEMA).sort("row", maintain_order=True)  # type: ignore[arg-type]
