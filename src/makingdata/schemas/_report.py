"""The validation report: one row per check, and every failure as data."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import attrs
import polars as pl

from makingdata.errors import ValidationError

if TYPE_CHECKING:
    from collections.abc import Sequence

#: The results a check can have (eesyscreener's PASS / WARNING / FAIL, plus
#: NOT RUN for data checks skipped because the schema stage failed).
PASS: Final = "PASS"
WARNING: Final = "WARNING"
FAIL: Final = "FAIL"
NOT_RUN: Final = "NOT RUN"

CHECKS_SCHEMA: Final[dict[str, pl.DataType]] = {
    "check": pl.String(),
    "column": pl.String(),
    "result": pl.Enum([PASS, WARNING, FAIL, NOT_RUN]),
    "n_failing": pl.Int64(),
    "message": pl.String(),
}

FAILURES_SCHEMA: Final[dict[str, pl.DataType]] = {
    "row": pl.Int64(),
    "column": pl.String(),
    "check": pl.String(),
    "value": pl.String(),
}

#: How many example failures ``str(report)`` quotes.
N_EXAMPLES: Final = 5


def _frame(
    rows: Sequence[dict[str, object]], schema: dict[str, pl.DataType]
) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=schema, orient="row")


@attrs.frozen(slots=True)
class ValidationReport:
    """The outcome of validating a frame or a file: a table that never raises.

    One row of :attr:`checks` per rule, in the style of DfE's eesyscreener:
    ``check``, ``column``, ``result`` (``PASS``, ``WARNING``, ``FAIL`` or
    ``NOT RUN``), ``n_failing`` and ``message``. :attr:`failures` holds every
    failure in long form, one row per (row, rule).

    Attributes
    ----------
    name
        What was validated: ``"marks"``, ``"enrolments"``, ``"schools"`` or
        ``"marks_enrolled"``.
    checks
        One row per check, with its result and the number of failing rows.
    failures
        One row per failing (row, check): ``row`` (0-based frame row, or the
        source row number for a file: its line for CSV), ``column``, ``check``
        and ``value`` (the offending value as text).
    n_rows
        Number of rows validated.

    Examples
    --------
    >>> import polars as pl
    >>> from makingdata.schemas import check_marks
    >>> report = check_marks(pl.DataFrame({"urn": [1]}, schema={"urn": pl.UInt32}))
    >>> report.ok
    False
    >>> report.checks.filter(result="FAIL")["check"].to_list()
    ['columns_present']
    """

    name: str
    checks: pl.DataFrame
    failures: pl.DataFrame
    n_rows: int

    @property
    def ok(self) -> bool:
        """Whether no check failed (warnings do not count)."""
        return self.checks.filter(pl.col("result") == FAIL).height == 0

    @property
    def n_failing_rows(self) -> int:
        """Number of distinct rows with at least one failure."""
        return self.failures.filter(pl.col("row").is_not_null())["row"].n_unique()

    def summary(self, *, examples: int = N_EXAMPLES) -> str:
        """Return a short text summary: counts per failing check and a few examples.

        Examples
        --------
        >>> import polars as pl
        >>> from makingdata.schemas import check_marks
        >>> print(
        ...     check_marks(
        ...         pl.DataFrame({"urn": [1]}, schema={"urn": pl.UInt32})
        ...     ).summary()
        ... )
        marks: 1 row(s) checked; FAIL
          FAIL     columns_present: 4 failing: required columns are missing: pupil_key, date, session, code
          first failures:
            column 'pupil_key', columns_present: 'missing'
            column 'date', columns_present: 'missing'
            column 'session', columns_present: 'missing'
            column 'code', columns_present: 'missing'
        """
        verdict = "PASS" if self.ok else "FAIL"
        lines = [f"{self.name}: {self.n_rows} row(s) checked; {verdict}"]
        shown = self.checks.filter(pl.col("result").is_in([FAIL, WARNING]))
        for check, result, n, message in shown.select(
            "check", "result", "n_failing", "message"
        ).iter_rows():
            lines.append(f"  {result:<8} {check}: {n} failing: {message}")
        if examples and self.failures.height:
            head = self.failures.head(examples)
            lines.append("  first failures:")
            for row, column, check, value in head.iter_rows():
                where = "" if row is None else f"row {row}, "
                lines.append(f"    {where}column {column!r}, {check}: {value!r}")
            more = self.failures.height - head.height
            if more > 0:
                lines.append(f"    ... and {more} more")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def raise_on_failure(self, *, rejects: pl.DataFrame | None = None) -> None:
        """Raise :class:`~makingdata.errors.ValidationError` if any check failed.

        The error carries :attr:`failures` (and ``rejects`` if given).

        Examples
        --------
        >>> import polars as pl
        >>> from makingdata.schemas import check_marks
        >>> check_marks(
        ...     pl.DataFrame({"urn": [1]}, schema={"urn": pl.UInt32})
        ... ).raise_on_failure()
        Traceback (most recent call last):
        ...
        makingdata.errors.ValidationError: marks: 1 row(s) checked; FAIL...
        """
        if not self.ok:
            raise ValidationError(
                self.summary(),
                rejects=rejects,
                failures=self.failures,
                hint="see the error's failures frame for every failing row",
            )


def empty_failures() -> pl.DataFrame:
    """Return an empty failures frame."""
    return pl.DataFrame(schema=FAILURES_SCHEMA)


def checks_frame(rows: Sequence[dict[str, object]]) -> pl.DataFrame:
    """Build a checks frame from dicts with the :data:`CHECKS_SCHEMA` keys."""
    return _frame(rows, CHECKS_SCHEMA)
