"""Table: a frame and its spec, what kernels return and what publishing takes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs
import polars as pl

from makingdata import _html
from makingdata.tables._spec import TableSpec
from makingdata.tables._vocabulary import EES_SYMBOLS

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["Table", "ees_text"]


@attrs.frozen(eq=False)
class Table:
    """A published-table frame with the :class:`TableSpec` that says what each column is.

    Kernels (:func:`makingdata.attendance.attendance_table`,
    :func:`makingdata.attendance.rollup`) return a ``Table``; protection,
    the audit, rollups and the EES writer take one and read its spec instead
    of guessing from column names. The frame is lazy when the kernel's is:
    :meth:`collect` runs it.

    A ``Table`` reads like its frame: ``table.select(...)``,
    ``table.filter(...)``, ``table["col"]``, ``table.height`` and every other
    frame attribute are forwarded to :attr:`frame` and return plain polars
    objects (the spec describes the whole table, not a selection). Pass
    :attr:`frame` to polars functions that take a frame (``pl.concat``,
    ``assert_frame_equal``).

    Attributes
    ----------
    frame
        The table, EES-shaped: time, ``geographic_level``, geography, filters,
        indicators.
    spec
        What each column is.

    Examples
    --------
    >>> import polars as pl
    >>> from makingdata.tables import Table, TableSpec
    >>> t = Table(
    ...     pl.LazyFrame({"sex": ["Total", "Female"], "enrolments": [30, 14]}),
    ...     TableSpec(counts=("enrolments",), filters=("sex",)),
    ... )
    >>> t.collect().rows()
    [('Total', 30), ('Female', 14)]
    >>> t.collect().spec.filters
    ('sex',)
    """

    frame: pl.DataFrame | pl.LazyFrame
    spec: TableSpec

    @classmethod
    def infer(cls, frame: pl.DataFrame | pl.LazyFrame, **kwargs: Any) -> Table:
        """Wrap a frame makingdata did not build, with :meth:`TableSpec.infer`'s spec."""
        return cls(frame, TableSpec.infer(frame, **kwargs))

    @property
    def is_lazy(self) -> bool:
        """Whether the frame is a LazyFrame (not yet computed)."""
        return isinstance(self.frame, pl.LazyFrame)

    def collect(self, **kwargs: Any) -> Table:
        """Run a lazy table's query (keyword arguments go to ``LazyFrame.collect``)."""
        if isinstance(self.frame, pl.LazyFrame):
            return Table(self.frame.collect(**kwargs), self.spec)
        return self

    def lazy(self) -> Table:
        """Return the same table with a lazy frame."""
        return Table(self.frame.lazy(), self.spec)

    def data(self) -> pl.DataFrame:
        """Return the frame, computed if lazy."""
        return (
            self.frame.collect() if isinstance(self.frame, pl.LazyFrame) else self.frame
        )

    def with_frame(self, frame: pl.DataFrame | pl.LazyFrame) -> Table:
        """Return a table with another frame of the same columns (e.g. filtered rows) and this spec."""
        return Table(frame, self.spec.restrict(_names(frame)))

    def to_ees(self, *, null_symbol: str = "x") -> pl.DataFrame:
        """Render as EES text: see :func:`ees_text`."""
        return ees_text(self.data(), self.spec, null_symbol=null_symbol)

    # -- the frame's own interface --------------------------------------------
    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.frame, name)

    def __getitem__(self, item: Any) -> Any:
        return self.data()[item]

    def __len__(self) -> int:
        return self.data().height

    def __bool__(self) -> bool:
        # a Table is always true: truth must not run a lazy table's query
        return True

    def __iter__(self) -> Iterator[Any]:
        return iter(self.data())

    def __repr__(self) -> str:
        spec = self.spec
        head = (
            f"Table: {len(spec.filters)} filters {list(spec.filters)}, "
            f"{len(spec.indicators)} indicators ({len(spec.counts)} counts, "
            f"{len(spec.rates)} rates)"
        )
        return f"{head}\n{self.frame!r}"

    def _repr_html_(self) -> str:
        """Show the spec and the first rows in a notebook (escaped; a lazy table is not run)."""
        spec = self.spec
        facts = [
            ("filters", ", ".join(spec.filters) or "none"),
            (
                "indicators",
                f"{len(spec.indicators)} ({len(spec.counts)} counts, "
                f"{len(spec.rates)} rates)",
            ),
        ]
        if spec.levels:
            facts.append(("levels", ", ".join(spec.levels)))
        if isinstance(self.frame, pl.LazyFrame):
            names = _names(self.frame)
            body = _html.note_html(
                f"lazy: {len(names)} columns, not yet computed; table.collect() runs it"
            )
            title = "Table (lazy)"
        else:
            body = _html.frame_html(self.frame)
            title = f"Table: {self.frame.height:,} rows × {self.frame.width} columns"
        return _html.repr_html(title, _html.facts_html(facts), body)


def _names(frame: pl.DataFrame | pl.LazyFrame) -> list[str]:
    if isinstance(frame, pl.DataFrame):
        return frame.columns
    return list(frame.collect_schema().names())


def _float_text(col: str) -> pl.Expr:
    return pl.col(col).round_sig_figs(15).cast(pl.String)


def ees_text(
    frame: pl.DataFrame,
    spec: TableSpec,
    *,
    null_symbol: str = "x",
    suppressed: pl.Series | None = None,
    low: pl.DataFrame | None = None,
    z_zero_denominator: bool = False,
) -> pl.DataFrame:
    """Render a table as EES text: every indicator a number or a GSS symbol.

    The one rendering of cell symbols: a suppressed row's counts and rates are
    ``c`` (additive indicators such as ``num_schools`` stay); a count that rounds to zero but is not zero is ``low``; a rate whose
    denominator is 0 is ``z`` (not applicable); any other missing indicator is
    ``null_symbol`` (``x``, not available). Text cells that are already
    symbols (a published file read as text) are kept. Floats are written with
    15 significant figures (no binary noise); other columns as text.

    Parameters
    ----------
    frame
        The table.
    spec
        What its columns are.
    null_symbol
        Symbol for a missing indicator that is neither suppressed nor a 0/0 rate.
    suppressed
        Boolean per row: suppressed (``c``) rows.
    low
        Boolean frame, a column per count: cells that round to zero but are not zero.
    z_zero_denominator
        Write ``z`` for a rate whose denominator is 0 even when it has a value
        (a protected table's rule); otherwise only a missing rate over a zero
        denominator is ``z``.

    Returns
    -------
    polars.DataFrame
        Every column as text.

    Examples
    --------
    >>> import polars as pl
    >>> from makingdata.tables import Rate, TableSpec, ees_text
    >>> df = pl.DataFrame({"n": [1, 0, None], "d": [4, 0, 2], "p": [25.0, None, None]})
    >>> spec = TableSpec(counts=("n", "d"), rates=(Rate("p", "n", "d"),))
    >>> ees_text(df, spec)["p"].to_list(), ees_text(df, spec)["n"].to_list()
    (['25.0', 'z', 'x'], ['1', '0', 'x'])
    """
    indicators = [c for c in spec.indicators if c in frame.columns]
    rates = {r.column: r for r in spec.rates}
    exprs = []
    for col, dtype in frame.schema.items():
        text = _float_text(col) if dtype.is_float() else pl.col(col).cast(pl.String)
        if col not in indicators:
            exprs.append(text.alias(col))
            continue
        conds: list[tuple[pl.Expr, str]] = []
        if suppressed is not None and col not in spec.additive:
            conds.append((pl.lit(suppressed), "c"))
        if low is not None and col in low.columns:
            conds.append((pl.lit(low[col]), "low"))
        r = rates.get(col)
        if (
            r is not None
            and r.denominator in frame.columns
            and frame.schema[r.denominator].is_numeric()
        ):
            zero = pl.col(r.denominator) == 0
            conds.append(
                (zero if z_zero_denominator else zero & pl.col(col).is_null(), "z")
            )
        expr: Any = None
        for cond, symbol in conds:
            expr = (pl.when(cond) if expr is None else expr.when(cond)).then(
                pl.lit(symbol)
            )
        missing = pl.col(col).is_null()
        if dtype == pl.String:
            missing = missing | (pl.col(col).str.strip_chars() == "")
        expr = (pl.when(missing) if expr is None else expr.when(missing)).then(
            pl.lit(null_symbol)
        )
        exprs.append(expr.otherwise(text).alias(col))
    return frame.select(exprs)


_ = EES_SYMBOLS
