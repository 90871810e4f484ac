"""How a published table hangs together: its additive relations.

A table is EES-shaped: one row per (time, geographic unit, filter values),
count columns, then rates. Its counts obey linear relations that an intruder
can use to recover a suppressed cell:

- a ``Total`` row of a filter equals the sum of that filter's categories;
- a parent unit equals the sum of its children (school → LA → region →
  England, school → trust), one :class:`Nesting` per step;
- for year-to-date counts, this period's figure equals last period's plus an
  unpublished increment.

:class:`TableSpec` declares these; :func:`build_structure` turns a frame into
the list of relations (sparse, one entry per cell per relation).
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import attrs
import numpy as np
import polars as pl
from numpy.typing import NDArray

from makingdata.errors import InputError
from makingdata.tables import TableSpec
from makingdata.tables._spec import Nesting, Rate, is_rate_column

if TYPE_CHECKING:
    from collections.abc import Sequence


__all__ = [
    "Nesting",
    "Rate",
    "Structure",
    "TableSpec",
    "build_structure",
    "combine",
    "ees_spec",
    "is_rate_column",
]


def ees_spec(
    frame: pl.DataFrame,
    *,
    filters: Sequence[str] | None = None,
    cumulative: str | None = None,
) -> TableSpec:
    """Guess the spec of an EES-shaped table (deprecated: use ``TableSpec.infer``).

    Deprecated in 0.2, removed in 0.3: :meth:`makingdata.tables.TableSpec.infer`
    is the one reader of a third-party table's columns, and a kernel's table
    carries its spec (:class:`makingdata.tables.Table`).

    Parameters
    ----------
    frame
        The table.
    filters
        The filter columns, if the guess would be wrong.
    cumulative
        The column ordering year-to-date periods, if the counts are cumulative.

    Returns
    -------
    TableSpec
        The spec.
    """
    warnings.warn(
        "makingdata.disclosure.ees_spec is deprecated (0.2; removed in 0.3): use "
        "makingdata.tables.TableSpec.infer(frame), or the spec a kernel's Table carries",
        DeprecationWarning,
        stacklevel=2,
    )
    return TableSpec.infer(frame, filters=filters, cumulative=cumulative)


@attrs.frozen
class Structure:
    """The additive relations of a table, as sparse triplets.

    Cells ``0 .. n_rows-1`` are the table's rows (one pattern per row);
    cells ``n_rows ..`` are unpublished increments between periods.

    Attributes
    ----------
    n_rows
        Rows of the table.
    n_cells
        Rows plus latent increments.
    rel
        Relation id of each triplet (``0 .. n_relations-1``).
    cell
        Cell of each triplet.
    coef
        +1 for the total side, -1 for the parts: ``sum(coef * x) == 0``.
    n_relations
        Number of relations.
    tolerance
        Relative tolerance of each relation (0 = exact).
    latent_prev
        For each latent cell, the row it is the increment *after* (its relation's
        earlier period row); used to value it.
    latent_next
        For each latent cell, the row of the later period.
    """

    n_rows: int
    n_cells: int
    rel: NDArray[np.int64]
    cell: NDArray[np.int64]
    coef: NDArray[np.float64]
    n_relations: int
    tolerance: NDArray[np.float64]
    latent_prev: NDArray[np.int64]
    latent_next: NDArray[np.int64]

    def latent_values(self, values: NDArray[np.float64]) -> NDArray[np.float64]:
        """Values of the latent increments given row values (later minus earlier)."""
        return values[self.latent_next] - values[self.latent_prev]


def _pairs(  # noqa: PLR0917 - private
    frame: pl.DataFrame,
    child_filter: pl.Expr,
    parent_filter: pl.Expr,
    left: list[str],
    right: list[str],
    replace: dict[str, str] | None = None,
) -> pl.DataFrame:
    children = frame.filter(child_filter)
    if replace:
        children = children.with_columns(
            [pl.lit(v, dtype=frame.schema[k]).alias(k) for k, v in replace.items()]
        )
    parents = frame.filter(parent_filter).select(
        [*right, pl.col("__row").alias("__parent")]
    )
    return (
        children.select([*left, "__row"])
        .join(parents, left_on=left, right_on=right, how="inner", nulls_equal=True)
        .select("__parent", "__row")
    )


def build_structure(  # noqa: PLR0915 - one relation kind after another
    frame: pl.DataFrame, spec: TableSpec, *, against_last: bool = False
) -> Structure:
    """List the additive relations among the rows of ``frame``.

    Parameters
    ----------
    frame
        The table (one row per cell pattern; keys as in ``spec``).
    spec
        Its structure.
    against_last
        With ``spec.cumulative``: also link the last period to every earlier
        one (not only to the one before it), so that the difference between
        this release and any earlier release is a cell of its own (a series
        of releases, :func:`~makingdata.disclosure.protect` with ``previous=``).

    Returns
    -------
    Structure
        Sparse relations; relations with no parts are dropped.

    Raises
    ------
    InputError
        If two rows share a key or a declared column is missing.

    Examples
    --------
    >>> import polars as pl
    >>> df = pl.DataFrame(
    ...     {
    ...         "fsm_status": ["Total", "FSM eligible", "Not known"],
    ...         "enrolments": [9, 4, 5],
    ...     }
    ... )
    >>> s = build_structure(
    ...     df, TableSpec(counts=("enrolments",), filters=("fsm_status",))
    ... )
    >>> s.n_relations, s.cell.tolist(), s.coef.tolist()
    (1, [0, 1, 2], [1.0, -1.0, -1.0])
    """
    missing = [c for c in (*spec.counts, *spec.filters) if c not in frame.columns]
    if missing:
        raise InputError(
            f"the table has no column {missing[0]!r}",
            column=missing[0],
            hint="pass a TableSpec whose counts and filters are columns of the table",
        )
    keys = spec.key_columns(frame)
    if keys and frame.select(keys).is_duplicated().any():
        dup = frame.with_row_index("__i").filter(pl.struct(keys).is_duplicated())[
            "__i"
        ][0]
        raise InputError(
            "two rows have the same key (time, level, geography and filters)",
            row=int(dup),
            hint=f"aggregate the table so that {keys} is unique",
        )
    f = frame.with_row_index("__row").with_columns(pl.col("__row").cast(pl.Int64))
    n = f.height
    blocks: list[pl.DataFrame] = []
    tolerances: list[float] = []
    for fi, col in enumerate(spec.filters):
        other = list(keys)
        pairs = _pairs(
            f,
            pl.col(col).cast(pl.String) != spec.total,
            pl.col(col).cast(pl.String) == spec.total,
            other,
            other,
            replace={col: spec.total},
        )
        blocks.append(pairs.with_columns(__kind=pl.lit(fi, pl.Int64)))
        tolerances.append(0.0)
    level = spec.level_column
    for ni, nest in enumerate(spec.nestings):
        if level not in f.columns:
            break
        link = [*spec.time_columns(f), *nest.on, *spec.filters]
        pairs = _pairs(
            f, pl.col(level) == nest.child, pl.col(level) == nest.parent, link, link
        )
        blocks.append(
            pairs.with_columns(__kind=pl.lit(len(spec.filters) + ni, pl.Int64))
        )
        tolerances.append(nest.tolerance)
    kinds = len(spec.filters) + len(spec.nestings)
    rel_l: list[NDArray[np.int64]] = []
    cell_l: list[NDArray[np.int64]] = []
    coef_l: list[NDArray[np.float64]] = []
    tol_l: list[NDArray[np.float64]] = []
    n_rel = 0
    if blocks:
        allp = pl.concat(blocks).with_columns(
            __rel=(pl.col("__parent") * kinds + pl.col("__kind"))
        )
        relmap = (
            allp.select("__rel", "__kind")
            .unique()
            .sort("__rel")
            .with_row_index("__rid")
        )
        allp = allp.join(relmap.select("__rel", "__rid"), on="__rel")
        rid = allp["__rid"].cast(pl.Int64).to_numpy()
        parent_rel = relmap["__rid"].cast(pl.Int64).to_numpy()
        parent_cell = (relmap["__rel"] // kinds).cast(pl.Int64).to_numpy()
        n_rel = relmap.height
        rel_l += [parent_rel, rid]
        cell_l += [parent_cell, allp["__row"].to_numpy().astype(np.int64)]
        coef_l += [np.ones(n_rel), -np.ones(len(rid))]
        tol_arr = np.asarray(tolerances, dtype=np.float64)
        tol_l.append(tol_arr[relmap["__kind"].to_numpy()])
    latent_prev = np.zeros(0, dtype=np.int64)
    latent_next = np.zeros(0, dtype=np.int64)
    n_cells = n
    if spec.cumulative is not None and spec.cumulative in f.columns:
        col = spec.cumulative
        periods = sorted(f[col].unique().drop_nulls().to_list())
        order = {p: i for i, p in enumerate(periods)}
        other = [k for k in keys if k not in (*spec.time, col)]
        g = f.with_columns(__t=pl.col(col).replace_strict(order, return_dtype=pl.Int64))
        prev = g.select(
            [*other, (pl.col("__t") + 1).alias("__t"), pl.col("__row").alias("__prev")]
        )
        if against_last and len(periods) > 2:
            # the last period against every earlier one but the one before it
            last = len(periods) - 1
            earlier = g.filter(pl.col("__t") < last - 1).select(
                [
                    *other,
                    pl.lit(last, pl.Int64).alias("__t"),
                    pl.col("__row").alias("__prev"),
                ]
            )
            prev = pl.concat([prev, earlier])
        joined = g.select([*other, "__t", "__row"]).join(
            prev, on=[*other, "__t"], how="inner", nulls_equal=True
        )
        k = joined.height
        if k:
            latent_next = joined["__row"].to_numpy().astype(np.int64)
            latent_prev = joined["__prev"].to_numpy().astype(np.int64)
            latents = np.arange(n, n + k, dtype=np.int64)
            rids = np.arange(n_rel, n_rel + k, dtype=np.int64)
            rel_l += [rids, rids, rids]
            cell_l += [latent_next, latent_prev, latents]
            coef_l += [np.ones(k), -np.ones(k), -np.ones(k)]
            tol_l.append(np.zeros(k))
            n_rel += k
            n_cells = n + k
    empty_i = np.zeros(0, dtype=np.int64)
    return Structure(
        n_rows=n,
        n_cells=n_cells,
        rel=np.concatenate(rel_l) if rel_l else empty_i,
        cell=np.concatenate(cell_l) if cell_l else empty_i,
        coef=np.concatenate(coef_l) if coef_l else np.zeros(0),
        n_relations=n_rel,
        tolerance=np.concatenate(tol_l) if tol_l else np.zeros(0),
        latent_prev=latent_prev,
        latent_next=latent_next,
    )


def combine(
    frames: Sequence[pl.DataFrame], spec: TableSpec
) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    """Stack tables released together into one, so that shared margins are one cell.

    A filter a table does not have is filled with ``Total`` (an LA × FSM table's
    rows are the ``sen_provision = Total`` rows of LA × FSM × SEN). Rows with
    the same key in several tables are the same cell: their counts must agree.

    Parameters
    ----------
    frames
        The tables.
    spec
        The spec of the combined table (its filters are the union).

    Returns
    -------
    tuple
        The combined frame, and for each input table a frame mapping its rows
        (``__row`` in order) to combined rows (``__cell``).

    Raises
    ------
    InputError
        If two tables give different counts for the same cell.

    Examples
    --------
    >>> import polars as pl
    >>> a = pl.DataFrame({"fsm_status": ["Total", "FSM", "Not"], "n": [9, 4, 5]})
    >>> b = pl.DataFrame({"sex": ["Total", "Girls", "Boys"], "n": [9, 6, 3]})
    >>> spec = TableSpec(counts=("n",), filters=("fsm_status", "sex"))
    >>> combined, _ = combine([a, b], spec)
    >>> combined.height
    5
    """
    filled = []
    for i, fr in enumerate(frames):
        add = [pl.lit(spec.total).alias(c) for c in spec.filters if c not in fr.columns]
        filled.append(
            fr.with_columns(add)
            .with_columns([pl.col(c).cast(pl.String) for c in spec.filters])
            .with_row_index("__row")
            .with_columns(__table=pl.lit(i))
        )
    stacked = pl.concat(filled, how="diagonal_relaxed")
    keys = spec.key_columns(stacked.drop("__row", "__table"))
    counts = [c for c in spec.counts if c in stacked.columns]
    firsts = stacked.unique(subset=keys, keep="first", maintain_order=True)
    combined = firsts.drop("__row", "__table").with_row_index("__cell")
    mapped = stacked.join(
        combined.select(
            [*keys, "__cell", *[pl.col(c).alias(f"__v_{c}") for c in counts]]
        ),
        on=keys,
        how="left",
        nulls_equal=True,
    )
    for c in counts:
        bad = mapped.filter(
            pl.col(c).cast(pl.Float64).ne_missing(pl.col(f"__v_{c}").cast(pl.Float64))
        )
        if bad.height:
            raise InputError(
                f"tables released together disagree on a shared cell "
                f"(table {bad['__table'][0]}, row {bad['__row'][0]})",
                column=c,
                hint="build every table from the same counts",
            )
    maps = [
        mapped.filter(pl.col("__table") == i).sort("__row").select("__row", "__cell")
        for i in range(len(frames))
    ]
    return combined.drop("__cell"), maps
