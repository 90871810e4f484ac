"""Row rules as polars boolean expressions, and one-pass evaluation (private).

A :class:`RowRule` is a named boolean expression that is ``True`` on a failing
row. All the rules of a frame are evaluated in one ``select`` of boolean
masks; only failing rows are materialised as failures. The same rules are
attached to the pandera schemas as custom checks, so there is one definition.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
import pandera.polars as pa
import polars as pl

from makingdata.schemas._report import (
    FAIL,
    FAILURES_SCHEMA,
    NOT_RUN,
    PASS,
    checks_frame,
    empty_failures,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from pandera.api.polars.types import PolarsData


@attrs.frozen(slots=True)
class RowRule:
    """One named row rule of a frame: ``failing`` is True on rows that break it.

    A row rule checks the rows of an input frame (marks, enrolments,
    schools). It is not a policy rule (:class:`makingdata.policy.Rule`) nor a
    disclosure rule. Renamed from ``Rule`` in 0.1; ``makingdata.schemas.Rule``
    still works for one release with a :class:`DeprecationWarning`.

    Attributes
    ----------
    name
        The rule's id, as reported in the ``check`` column of the failures.
    column
        The column the rule is about.
    message
        What the failing rows got wrong.
    failing
        A boolean expression, ``True`` on the rows that break the rule.
    value
        The offending value to report (default: the column itself).
    severity
        ``"FAIL"`` (the row is rejected) or a warning level.

    Examples
    --------
    >>> import polars as pl
    >>> from makingdata.schemas import RowRule
    >>> rule = RowRule(
    ...     "urn_missing", "urn", "urn must not be null", pl.col("urn").is_null()
    ... )
    >>> pl.DataFrame({"urn": [100001, None]}).select(rule.failing)["urn"].to_list()
    [False, True]
    """

    name: str
    column: str
    message: str
    failing: pl.Expr
    value: pl.Expr | None = None
    severity: str = FAIL

    def value_expr(self) -> pl.Expr:
        """Return the offending value, as text, for the failures frame."""
        if self.value is not None:
            return self.value.cast(pl.String)
        return pl.col(self.column).cast(pl.String)

    def as_pandera_check(self) -> pa.Check:
        """Return the same rule as a pandera (polars backend) dataframe check."""
        failing = self.failing

        def _check(data: PolarsData) -> pl.LazyFrame:
            return data.lazyframe.select(failing.fill_null(value=False).not_())

        return pa.Check(_check, name=self.name, error=self.message)


def not_null_rules(columns: Sequence[str]) -> list[RowRule]:
    """One ``<column>_missing`` rule per required column."""
    return [
        RowRule(f"{c}_missing", c, f"{c} must not be null", pl.col(c).is_null())
        for c in columns
    ]


def key_duplicated(keys: Sequence[str]) -> pl.Expr:
    """Flag every row whose (non-null) key occurs more than once."""
    complete = pl.all_horizontal([pl.col(k).is_not_null() for k in keys])
    # A window count is about twice as fast as struct(...).is_duplicated().
    return complete & (pl.len().over(list(keys)) > 1)


def key_text(keys: Sequence[str]) -> pl.Expr:
    """Join the key columns as ``a|b|c`` text (for failure values)."""
    return pl.concat_str([pl.col(k).cast(pl.String) for k in keys], separator="|")


def evaluate(
    frame: pl.DataFrame, rules: Sequence[RowRule], *, skip: bool = False
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Evaluate ``rules`` on ``frame`` in one pass; return (checks, failures).

    With ``skip=True`` every rule is reported as NOT RUN (the schema stage
    failed, so the data stage is not attempted).
    """
    if skip:
        rows: list[dict[str, object]] = [
            {
                "check": r.name,
                "column": r.column,
                "result": NOT_RUN,
                "n_failing": None,
                "message": r.message,
            }
            for r in rules
        ]
        return checks_frame(rows), empty_failures()
    # The streaming engine evaluates the masks about twice as fast here.
    masks = (
        frame.lazy()
        .select(
            [
                r.failing.fill_null(value=False).alias(f"_r{i}")
                for i, r in enumerate(rules)
            ]
        )
        .collect(engine="streaming")
    )
    counts = masks.sum().row(0) if rules else ()
    rows = []
    parts: list[pl.DataFrame] = []
    indexed = frame.with_row_index("_row") if any(counts) else frame
    for i, (rule, n) in enumerate(zip(rules, counts, strict=True)):
        n_failing = int(n or 0)
        result = PASS if n_failing == 0 else rule.severity
        rows.append(
            {
                "check": rule.name,
                "column": rule.column,
                "result": result,
                "n_failing": n_failing,
                "message": rule.message,
            }
        )
        if n_failing:
            parts.append(
                indexed.filter(masks.get_column(f"_r{i}")).select(
                    pl.col("_row").cast(pl.Int64).alias("row"),
                    pl.lit(rule.column, pl.String).alias("column"),
                    pl.lit(rule.name, pl.String).alias("check"),
                    rule.value_expr().alias("value"),
                )
            )
    failures = (
        pl.concat(parts).sort("row", maintain_order=True) if parts else empty_failures()
    )
    return checks_frame(rows), failures.cast(FAILURES_SCHEMA)  # type: ignore[arg-type]
