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

import itertools
import re
from typing import TYPE_CHECKING

import attrs
import numpy as np
import polars as pl
from numpy.typing import NDArray

from makingdata._contracts import TABLE_TIME_COLUMNS
from makingdata.errors import InputError

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence


__all__ = [
    "EES_TIME_COLUMNS",
    "GEOGRAPHY_COLUMNS",
    "Nesting",
    "Rate",
    "Structure",
    "TableSpec",
    "build_structure",
    "combine",
    "ees_spec",
    "is_rate_column",
]

#: Geography columns of EES files (attendance-domain §4), used to key rows.
GEOGRAPHY_COLUMNS: tuple[str, ...] = (
    "country_code",
    "region_code",
    "old_la_code",
    "new_la_code",
    "trust_id",
    "school_urn",
    "urn",
    "school_laestab",
    "laestab",
)


def _tuple(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _nestings(value: Iterable[Nesting]) -> tuple[Nesting, ...]:
    return tuple(value)


def _rates(value: Iterable[Rate]) -> tuple[Rate, ...]:
    return tuple(value)


def _rounded(value: Iterable[tuple[str, int]]) -> tuple[tuple[str, int], ...]:
    return tuple(value)


@attrs.frozen
class Nesting:
    """Rows of one geographic level add up to a row of another.

    Attributes
    ----------
    parent
        The parent level, a value of ``geographic_level`` (e.g. ``"Local authority"``).
    child
        The child level (e.g. ``"School"``).
    on
        Columns a child row shares with its parent row (e.g. ``("new_la_code",)``).
    tolerance
        Relative tolerance: the parent may differ from the sum of its children
        by up to this share of the largest published value in the relation
        (DfE's in-year regional rows include non-response estimates). ``0``
        means exact.

    Examples
    --------
    >>> Nesting("Local authority", "School", ("new_la_code",))
    Nesting(parent='Local authority', child='School', on=('new_la_code',), tolerance=0.0)
    """

    parent: str
    child: str
    on: tuple[str, ...] = attrs.field(converter=_tuple)
    tolerance: float = 0.0


@attrs.frozen
class Rate:
    """A rate column computed from two counts of the same row.

    Attributes
    ----------
    column
        The rate column (e.g. ``"sess_overall_percent"``).
    numerator
        The count it is the numerator of.
    denominator
        The count it is the denominator of.
    """

    column: str
    numerator: str
    denominator: str


@attrs.frozen
class TableSpec:
    """The structure of a table: which columns are counts and which relations hold.

    Attributes
    ----------
    counts
        Additive count columns (protected cell by cell, by row pattern).
    filters
        Filter columns; each has a ``total`` category equal to the sum of the others.
    nestings
        The geographic steps at which children add up to parents.
    rates
        Rate columns and the counts they are computed from.
    time
        Columns identifying the period.
    cumulative
        For year-to-date counts: the column that orders the periods (e.g.
        ``"time_period"`` or a week number). Rows of consecutive periods with
        the same other keys differ by an unpublished increment. ``None`` when
        counts are not cumulative.
    level_column
        The geographic level column.
    total
        The label of the aggregate category of every filter.
    rounded_levels
        ``(level, base)`` pairs: counts at that level are published rounded to
        ``base`` (used by the audit of files rounded elsewhere).

    Examples
    --------
    >>> spec = TableSpec(
    ...     counts=("enrolments",),
    ...     filters=("fsm_status",),
    ...     nestings=(Nesting("Local authority", "School", ("new_la_code",)),),
    ... )
    >>> spec.filters
    ('fsm_status',)
    """

    counts: tuple[str, ...] = attrs.field(converter=_tuple)
    filters: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    nestings: tuple[Nesting, ...] = attrs.field(default=(), converter=_nestings)
    rates: tuple[Rate, ...] = attrs.field(default=(), converter=_rates)
    time: tuple[str, ...] = attrs.field(
        default=("time_period", "time_identifier"), converter=_tuple
    )
    cumulative: str | None = None
    level_column: str = "geographic_level"
    total: str = "Total"
    rounded_levels: tuple[tuple[str, int], ...] = attrs.field(
        default=(), converter=_rounded
    )

    def time_columns(self, frame: pl.DataFrame) -> list[str]:
        """Return the period columns of ``frame`` (time columns and the cumulative order)."""
        cols = [c for c in self.time if c in frame.columns]
        if self.cumulative is not None and self.cumulative in frame.columns:
            cols.append(self.cumulative)
        return list(dict.fromkeys(cols))

    def key_columns(self, frame: pl.DataFrame) -> list[str]:
        """Return the columns that identify a row (time, level, geography, filters)."""
        cols = self.time_columns(frame)
        if self.level_column in frame.columns:
            cols.append(self.level_column)
        on = [c for n in self.nestings for c in n.on]
        geo = [c for c in (*GEOGRAPHY_COLUMNS, *on) if c in frame.columns]
        cols.extend(dict.fromkeys(geo))
        cols.extend(self.filters)
        return list(dict.fromkeys(cols))


_EES_NESTINGS = (
    Nesting("National", "Regional", ("country_code",)),
    Nesting("Regional", "Local authority", ("region_code",)),
    Nesting("Local authority", "School", ("new_la_code",)),
    Nesting("MAT", "School", ("trust_id",)),
)


#: Geographic levels from the top, each with the column its children share.
_GEOGRAPHIC_CHAIN: tuple[tuple[str, str], ...] = (
    ("National", "country_code"),
    ("Regional", "region_code"),
    ("Local authority", "new_la_code"),
    ("School", "school_urn"),
)

#: Period columns of EES-shaped attendance tables (the tables' contract): a
#: daily table's rows share a ``time_identifier`` (the week) and differ by
#: ``attendance_date``.
EES_TIME_COLUMNS: tuple[str, ...] = TABLE_TIME_COLUMNS

#: Numeric columns of attendance tables that are neither counts nor rates.
NOT_COUNTS: frozenset[str] = frozenset({"num_schools"})

_RATE_TOKENS = frozenset({"percent", "perc", "rate"})


def is_rate_column(name: str) -> bool:
    """Whether a column name is a rate: it has a ``percent``/``perc``/``rate`` word.

    Attendance kernels put the word at the end (``sess_overall_percent``) or
    in the middle (``sess_overall_percent_pa_10_exact``, the absence rate of
    persistently absent pupils); either way the column is not additive.

    Parameters
    ----------
    name
        A column name.

    Returns
    -------
    bool
        True for a rate.

    Examples
    --------
    >>> [
    ...     is_rate_column(c)
    ...     for c in ("sess_overall_percent_pa_10_exact", "sess_overall_pa_10_exact")
    ... ]
    [True, False]
    """
    return any(p in _RATE_TOKENS for p in name.split("_"))


def ees_spec(
    frame: pl.DataFrame,
    *,
    filters: Sequence[str] | None = None,
    cumulative: str | None = None,
) -> TableSpec:
    """Guess the spec of an EES-shaped attendance table from its columns.

    Counts are the numeric columns that are not rates (a ``percent``,
    ``perc`` or ``rate`` word anywhere in the name, see
    :func:`is_rate_column`) and not ``num_schools``; the period columns are
    those of ``EES_TIME_COLUMNS`` present (``attendance_date`` keys the rows
    of a daily table); filters are the string columns that hold a ``Total``
    (unless given); nestings link each geographic level present to the next
    level present below it (England to its regions, or to its LAs when the
    table has no regional rows; LAs to schools) and trusts to schools, when
    the link columns are present.

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
        The spec; check it before relying on it.

    Examples
    --------
    >>> import polars as pl
    >>> df = pl.DataFrame(
    ...     {
    ...         "geographic_level": ["National"],
    ...         "country_code": ["E92000001"],
    ...         "fsm_status": ["Total"],
    ...         "enrolments": [10],
    ...         "enrolments_pa_10_exact": [1],
    ...         "enrolments_pa_10_exact_percent": [10.0],
    ...     }
    ... )
    >>> spec = ees_spec(df)
    >>> spec.counts, spec.filters, [r.column for r in spec.rates]
    (('enrolments', 'enrolments_pa_10_exact'), ('fsm_status',), ['enrolments_pa_10_exact_percent'])
    """
    geo = (
        set(GEOGRAPHY_COLUMNS)
        | set(EES_TIME_COLUMNS)
        | {
            "geographic_level",
            "country_name",
            "region_name",
            "la_name",
            "school_name",
            "trust_name",
        }
    )
    numeric = [
        c
        for c, t in frame.schema.items()
        if t.is_numeric() and c not in geo and c not in NOT_COUNTS
    ]
    rate_cols = [c for c in numeric if is_rate_column(c)]
    counts = tuple(c for c in numeric if c not in rate_cols)
    if filters is None:
        filters = tuple(
            c
            for c, t in frame.schema.items()
            if c not in geo
            and (t == pl.String or isinstance(t, (pl.Enum, pl.Categorical)))
            and bool((frame[c].cast(pl.String) == "Total").any())
        )
    rates = []
    for r in rate_cols:
        parts = r.split("_")
        stem = "_".join(p for p in parts if p not in _RATE_TOKENS)
        if stem not in counts:
            continue
        # a rate of a sub-population (``..._pa_10_exact``) is over that
        # sub-population's own denominator
        sub = re.search(r"_pa_[0-9]+_exact$", stem)
        suffix = sub.group(0) if sub else ""
        if stem.startswith("enrolments"):
            den = "enrolments"
        else:
            den = f"sess_possible{suffix}"
        if den in counts and den != stem:
            rates.append(Rate(r, stem, den))
    levels = (
        set(frame["geographic_level"].unique().to_list())
        if "geographic_level" in frame.columns
        else set()
    )
    # Each geographic level present is the sum of the next level present below
    # it: with no regional rows, England is the sum of its LAs.
    chain = [lv for lv, _ in _GEOGRAPHIC_CHAIN if lv in levels]
    link = dict(_GEOGRAPHIC_CHAIN)
    candidates = [
        Nesting(parent, child, (link[parent],))
        for parent, child in itertools.pairwise(chain)
    ] + [n for n in _EES_NESTINGS if n.parent == "MAT"]
    nestings = tuple(
        n
        for n in candidates
        if n.parent in levels
        and n.child in levels
        and all(c in frame.columns for c in n.on)
    )
    return TableSpec(
        counts=counts,
        filters=tuple(filters),
        nestings=nestings,
        rates=tuple(rates),
        time=EES_TIME_COLUMNS,
        cumulative=cumulative,
    )


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
    frame: pl.DataFrame, spec: TableSpec
) -> Structure:
    """List the additive relations among the rows of ``frame``.

    Parameters
    ----------
    frame
        The table (one row per cell pattern; keys as in ``spec``).
    spec
        Its structure.

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
