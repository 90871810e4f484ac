"""audit(): what an intruder can derive about each suppressed cell."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import attrs
import numpy as np
import polars as pl

from makingdata.disclosure._protect import (
    ProtectedTable,
    merge_specs,
    protected_columns,
)
from makingdata.disclosure._rules import Rounding
from makingdata.disclosure._series import RELEASE, latent_floor
from makingdata.disclosure._series import published_cells as _cells
from makingdata.disclosure._solver import incidence, intervals
from makingdata.disclosure._tables import build_structure
from makingdata.errors import InputError
from makingdata.tables import ROUNDS_TO_ZERO, Table, TableSpec
from makingdata.tables import SYMBOLS as _SYMBOLS

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from numpy.typing import NDArray

    from makingdata.disclosure._tables import Structure

__all__ = ["SYMBOLS", "AuditReport", "audit", "differencing"]

#: Cell symbols read as "no value published": the one list, from the tables
#: vocabulary (GSS/EES symbols and their obsolete forms).
SYMBOLS: Mapping[str, str] = _SYMBOLS

_CELL_SCHEMA = {
    "table": pl.Int64,
    "row": pl.Int64,
    "column": pl.String,
    "symbol": pl.String,
    "sensitive": pl.Boolean,
    "lo": pl.Float64,
    "hi": pl.Float64,
    "width": pl.Float64,
    "required": pl.Float64,
    "group_size": pl.Int64,
    "finding": pl.String,
    "exact_interval": pl.Boolean,
}


@attrs.frozen
class AuditReport:
    """What everything published together reveals about each suppressed cell.

    Attributes
    ----------
    cells
        One row per suppressed (or otherwise unpublished) count cell: the
        table and row it is in, its key columns, the ``column``, the symbol,
        whether it is ``sensitive`` (must be protected), the interval
        ``[lo, hi]`` of values consistent with everything published, its
        ``width``, the ``required`` width and the ``finding``: ``exact`` (the
        value can be recovered), ``exact zero`` (recovered, and it is 0),
        ``zero margin`` (it is 0 because a published total it is part of is
        0 — the margin discloses it, not the pattern, so it is not flagged),
        ``narrow`` (interval narrower than required), ``protected``,
        ``not sensitive``, or ``inconsistent`` (the published figures do not
        satisfy the declared relations: check the spec). ``exact_interval``
        says whether ``[lo, hi]`` is the exact interval; when False (only for
        ``protected`` and ``not sensitive`` cells, unless ``audit`` was asked
        for ``exact`` intervals) it is an inner part of it, spanned by tables
        consistent with everything published, and already as wide as
        required: the true interval is at least as wide.
    relations
        Number of additive relations used.
    lps
        Linear programmes solved.
    seconds
        Wall time.
    """

    cells: pl.DataFrame
    relations: int
    lps: int
    seconds: float

    @property
    def flagged(self) -> pl.DataFrame:
        """Cells that need attention: ``exact``, ``exact zero``, ``narrow`` or ``inconsistent``."""
        return self.cells.filter(
            pl.col("finding").is_in(["exact", "exact zero", "narrow", "inconsistent"])
        )

    @property
    def ok(self) -> bool:
        """Whether no sensitive cell can be recovered or narrowed below its protection."""
        return self.flagged.height == 0

    def __str__(self) -> str:
        n = self.cells.height
        sens = int(self.cells["sensitive"].sum()) if n else 0
        exact = int((self.cells["finding"] == "exact").sum()) if n else 0
        narrow = int((self.cells["finding"] == "narrow").sum()) if n else 0
        return (
            f"audit: {n} unpublished cells ({sens} sensitive) over {self.relations} relations; "
            f"{exact} recoverable exactly, {narrow} narrower than required"
        )


def audit(  # noqa: PLR0912, PLR0915 - one audit, step by step
    tables: ProtectedTable | pl.DataFrame | Sequence[ProtectedTable | pl.DataFrame],
    *,
    spec: TableSpec | None = None,
    protection: float | None = None,
    columns: Sequence[str] | None = None,
    exact: bool = False,
) -> AuditReport:
    """Bound every unpublished cell by linear programming over everything published.

    For each count column, each cell is a variable: published cells are fixed
    at their value (or to the interval a rounded value stands for, per
    ``spec.rounded_levels``), unpublished cells are free but non-negative;
    every additive relation of the tables (filter totals, nestings, shared
    margins, year-to-date increments) must hold. The min and max of each
    unpublished cell, rounded inwards to whole numbers, is its interval. A
    *sensitive* cell whose interval is narrower than its protection level is
    flagged.

    Sensitive cells of a :class:`ProtectedTable` are its ``primary`` rows in
    its protected columns (:func:`~makingdata.disclosure.protected_columns`,
    the pupil counts): the cells :func:`~makingdata.disclosure.protect`
    protects, so that ``audit(protect(t, audience)).ok`` holds. Its other
    count columns are bounded and reported as ``not sensitive``. For a plain
    frame every ``c`` cell is treated as sensitive (its reason is unknown;
    pass ``columns`` to audit only the protected ones), while ``x``/``z``
    cells are bounded but not flagged.

    Two linear programmes per cell are costly when thousands of cells hang
    together (a national table whose school rows are mostly suppressed). So,
    unless ``exact`` is asked for, a cheap sufficient test comes first in each
    group of linked unpublished cells: a few tables consistent with everything
    published (vertices of the group's LP for objectives that push the cells
    apart) already spread most cells at least the protection level apart;
    those are ``protected`` and reported with that inner part of their
    interval (``exact_interval`` False). Every other cell gets its exact
    interval, so every finding (``exact``, ``narrow``, ...) is the same as
    with ``exact=True``.

    Parameters
    ----------
    tables
        One or several tables published together: ProtectedTables, or frames
        (numeric columns with nulls, or EES text with symbols).
    spec
        Their combined structure; taken from the ProtectedTable or guessed.
    protection
        The protection level (minimum width); defaults to the rule set's, or 6.
    columns
        Count columns to audit; defaults to every count column.
    exact
        Compute the exact interval of every cell (two LPs per cell) instead
        of stopping at a wide enough inner part.

    Returns
    -------
    AuditReport
        One row per unpublished cell, with its interval and finding.

    Examples
    --------
    A suppressed cell that is the only unknown of its total is recoverable:

    >>> import polars as pl
    >>> df = pl.DataFrame(
    ...     {
    ...         "fsm_status": ["Total", "FSM eligible", "Not eligible"],
    ...         "n": ["40", "c", "37"],
    ...     }
    ... )
    >>> report = audit(df, spec=TableSpec(counts=("n",), filters=("fsm_status",)))
    >>> report.cells.select("column", "lo", "hi", "finding").rows()
    [('n', 3.0, 3.0, 'exact')]
    >>> report.ok
    False
    """
    started = time.perf_counter()
    items = list(tables) if isinstance(tables, (list, tuple)) else [tables]
    if not items:
        raise InputError("nothing to audit", hint="pass at least one table")
    sec = None
    rule_sets = []
    round_all = 0
    frames: list[pl.DataFrame] = []
    sensitive_rows: list[pl.Series | None] = []
    given = spec
    specs: list[TableSpec] = []
    for t in items:
        if isinstance(t, ProtectedTable):
            specs.append(t.spec)
            sec = sec or t.rules.secondary
            rule_sets.append(t.rules)
            for rule in t.rules.of(Rounding):
                assert isinstance(rule, Rounding)
                round_all = max(round_all, rule.base)
            frames.append(t.table)
            sensitive_rows.append(t.status["disclosure_status"] == "primary")
        elif isinstance(t, Table):
            specs.append(t.spec)
            frames.append(t.data())
            sensitive_rows.append(None)
        elif isinstance(t, pl.DataFrame):
            frames.append(t)
            sensitive_rows.append(None)
        else:
            raise InputError(
                f"cannot audit a {type(t).__name__}",
                hint="pass polars frames or ProtectedTables",
            )
    if given is not None:
        spec = given
    elif specs:
        spec = merge_specs(specs)
    else:
        spec = merge_specs([TableSpec.infer(f) for f in frames])
    if protection is None:
        protection = sec.protection if sec is not None else 6.0
    counts = list(columns or spec.counts)
    # One definition of "sensitive" with protect(): for a ProtectedTable, the
    # primary cells of the protected columns (pupil counts). A plain frame's
    # rules are unknown, so every ``c`` cell of every column is sensitive.
    guarded: set[str] | None = None
    if rule_sets:
        guarded = set()
        for rs in rule_sets:
            guarded.update(protected_columns(rs, list(spec.counts)))
    prepared = []
    for i, (fr, sens) in enumerate(zip(frames, sensitive_rows, strict=True)):
        missing = [c for c in counts if c not in fr.columns]
        add = [pl.lit(spec.total).alias(c) for c in spec.filters if c not in fr.columns]
        if missing:
            raise InputError(
                f"table {i} has no column {missing[0]!r}", column=missing[0]
            )
        key_cols = spec.key_columns(fr.with_columns(add))
        if key_cols and fr.with_columns(add).select(key_cols).is_duplicated().any():
            raise InputError(
                f"table {i} has two rows with the same key",
                hint=f"aggregate it so that {key_cols} is unique, or declare its geography columns",
            )
        g = _cells(fr.with_columns(add), counts).with_columns(
            [pl.col(c).cast(pl.String) for c in spec.filters]
        )
        g = g.with_row_index("__row").with_columns(
            __table=pl.lit(i, pl.Int64),
            __sens=pl.Series(sens)
            if sens is not None
            else pl.lit(value=None, dtype=pl.Boolean),
        )
        prepared.append(g)
    stacked = pl.concat(prepared, how="diagonal_relaxed")
    keys = spec.key_columns(stacked.drop("__row", "__table", "__sens"))
    # One cell per key: published if any table publishes it.
    agg = [pl.col(c).drop_nulls().first().alias(c) for c in counts]
    agg += [
        pl.col(f"__sym_{c}").drop_nulls().first().alias(f"__sym_{c}") for c in counts
    ]
    agg += [
        pl.col("__table").first(),
        pl.col("__row").first(),
        pl.col("__sens").max(),
    ]
    for c in counts:
        agg.append((pl.col(c).drop_nulls().n_unique() > 1).alias(f"__clash_{c}"))
    merged = stacked.group_by(keys, maintain_order=True).agg(agg) if keys else stacked
    for c in counts:
        if f"__clash_{c}" in merged.columns and merged[f"__clash_{c}"].any():
            raise InputError(
                "two releases publish different values for the same cell",
                column=c,
                hint="audit revisions separately, or give the releases different time keys",
            )
    struct = build_structure(
        merged.select([*keys, *counts]), attrs.evolve(spec, counts=tuple(counts))
    )
    m = incidence(struct)
    rounded = dict(spec.rounded_levels)
    level = merged[spec.level_column] if spec.level_column in merged.columns else None
    out: list[pl.DataFrame] = []
    lps = 0
    n = struct.n_rows
    for c in counts:
        v = merged[c].to_numpy().astype(np.float64)
        sym = merged[f"__sym_{c}"]
        known = np.isfinite(v)
        lb = np.where(known, v, 0.0)
        ub = np.where(known, v, np.inf)
        # a count published rounded half-up to ``base`` stands for the whole
        # numbers r - floor(base/2) .. r + ceil(base/2) - 1
        bases = np.zeros(n, dtype=np.int64)
        if level is not None:
            for lv, base in rounded.items():
                bases[(level == lv).to_numpy()] = base
        if round_all:
            bases[:] = np.maximum(bases, round_all)
        at = known & (bases > 0)
        lb[at] = np.maximum(v[at] - bases[at] // 2, 0)
        ub[at] = v[at] + (bases[at] + 1) // 2 - 1
        lowish = sym.is_in(list(ROUNDS_TO_ZERO)).fill_null(value=False).to_numpy()
        # increments may fall only if the published figures show a count falling
        floor = latent_floor(v, struct.latent_values(np.where(known, v, np.nan)))
        lb = np.concatenate([lb, np.full(struct.n_cells - n, floor)])
        ub = np.concatenate([ub, np.full(struct.n_cells - n, np.inf)])
        ub[:n][lowish] = np.inf
        targets = np.flatnonzero(~known)
        latents = np.arange(n, struct.n_cells, dtype=np.int64)
        if latents.size:
            out.append(
                _increments(
                    struct,
                    lb,
                    ub,
                    latents,
                    m,
                    c,
                    float(protection),
                    merged,
                    keys,
                    guarded=guarded is None or c in guarded,
                )
            )
            lps += 2 * latents.size
        if targets.size == 0:
            continue
        syms = sym.to_numpy()[targets]
        sens_all = merged.select(
            pl.when(pl.col("__sens").is_null())
            .then(pl.col(f"__sym_{c}") == "c")
            .otherwise(pl.col("__sens") & (guarded is None or c in guarded))
            .fill_null(value=False)
        ).to_series()
        sensitive = sens_all.to_numpy()[targets].astype(bool)
        required = np.full(targets.size, float(protection))
        res = intervals(
            struct,
            lb,
            ub,
            targets.astype(np.int64),
            m=m,
            # a cell not sensitive needs no width: any consistent table bounds it
            required=None if exact else np.where(sensitive, required, 0.0),
        )
        lps += res.lps
        width = res.hi - res.lo
        forced = _zero_margin(struct, known & (ub[:n] <= 0), falls=floor < 0)[targets]
        finding = np.select(
            [
                np.isnan(width),
                ~sensitive,
                (width <= 0) & (res.hi <= 0) & forced,
                (width <= 0) & (res.hi <= 0),
                width <= 0,
                width < required,
            ],
            [
                "inconsistent",
                "not sensitive",
                "zero margin",
                "exact zero",
                "exact",
                "narrow",
            ],
            default="protected",
        )
        out.append(
            pl.DataFrame(
                {
                    "table": merged["__table"].to_numpy()[targets],
                    "row": merged["__row"].to_numpy()[targets].astype(np.int64),
                    "column": [c] * targets.size,
                    "symbol": syms,
                    "sensitive": sensitive,
                    "lo": res.lo,
                    "hi": res.hi,
                    "width": width,
                    "required": required,
                    "group_size": res.component_size,
                    "finding": finding,
                    "exact_interval": res.exact,
                },
                schema=_CELL_SCHEMA,
            ).hstack(merged[pl.Series(targets)].select(keys))
        )
    cells = pl.concat(out, how="vertical") if out else pl.DataFrame(schema=_CELL_SCHEMA)
    return AuditReport(
        cells=cells,
        relations=struct.n_relations,
        lps=lps,
        seconds=time.perf_counter() - started,
    )


def _zero_margin(
    struct: Structure, zero: NDArray[np.bool_], *, falls: bool = False
) -> NDArray[np.bool_]:
    """Cells forced to 0 by a published zero total, directly or through hidden zero totals.

    ``zero`` marks the rows published as 0. A relation whose total side is all
    zero forces each of its parts to 0 (counts are non-negative); parts that
    are themselves totals pass it down (a hidden region under a published
    England 0 forces its LAs). Latent increments are never published, but an
    increment relation whose later period is 0 forces the earlier one too,
    unless the count ``falls`` (its increments may be negative).
    """
    forced = np.concatenate([zero, np.zeros(struct.n_cells - struct.n_rows, bool)])
    if struct.n_relations == 0:
        return forced[: struct.n_rows]
    total = struct.coef > 0
    part = ~total
    latent_rel = np.zeros(struct.n_relations, dtype=bool)
    latent_rel[struct.rel[struct.cell >= struct.n_rows]] = True
    for _ in range(struct.n_relations + 1):
        all_zero = np.ones(struct.n_relations, dtype=bool)
        np.logical_and.at(all_zero, struct.rel[total], forced[struct.cell[total]])
        all_zero &= struct.tolerance <= 0  # a band lets the parts be positive
        if falls:
            all_zero &= ~latent_rel
        new = struct.cell[part & all_zero[struct.rel]]
        if forced[new].all():
            break
        forced[new] = True
    return forced[: struct.n_rows]


def _increments(  # noqa: PLR0917 - private
    struct: Structure,
    lb: NDArray[np.float64],
    ub: NDArray[np.float64],
    latents: NDArray[np.int64],
    m: object,
    column: str,
    protection: float,
    merged: pl.DataFrame,
    keys: list[str],
    *,
    guarded: bool = True,
) -> pl.DataFrame:
    """Intervals of the unpublished increments between year-to-date periods."""
    res = intervals(struct, lb, ub, latents, m=m)
    width = res.hi - res.lo
    small = (res.lo > 0) & (res.hi < protection) & guarded
    exact = small & (width <= 0)
    finding = np.where(
        exact,
        "exact",
        np.where(small, "narrow", "protected" if guarded else "not sensitive"),
    )
    later = struct.latent_next[latents - struct.n_rows]
    return pl.DataFrame(
        {
            "table": merged["__table"].to_numpy()[later],
            "row": merged["__row"].to_numpy()[later].astype(np.int64),
            "column": [column] * latents.size,
            "symbol": ["increment"] * latents.size,
            "sensitive": small,
            "lo": res.lo,
            "hi": res.hi,
            "width": width,
            "required": np.full(latents.size, protection),
            "group_size": res.component_size,
            "finding": finding,
            "exact_interval": res.exact,
        },
        schema=_CELL_SCHEMA,
    ).hstack(merged[pl.Series(later)].select(keys))


def differencing(
    before: ProtectedTable | pl.DataFrame,
    after: ProtectedTable | pl.DataFrame,
    *,
    spec: TableSpec | None = None,
    protection: float | None = None,
    series: bool = False,
    columns: Sequence[str] | None = None,
) -> AuditReport:
    """Audit two releases together, to see whether differencing them reveals a cell.

    Rows with the same key in both releases are the same cell (published if
    either publishes it); rows that differ (a school added, a boundary
    moved, another week) add their relations. With ``spec.cumulative`` set,
    consecutive year-to-date periods are linked by their unpublished
    increment, and an increment that is a small count is itself sensitive.

    Parameters
    ----------
    before
        The earlier release.
    after
        The later release.
    spec
        Their combined structure.
    protection
        The protection level.
    series
        The two are releases of one year-to-date series (last week's table
        and this week's, with the same keys but for their time columns): each
        cell of ``after`` is linked to the same cell of ``before`` by its
        increment, without a ``cumulative`` column (see
        :func:`~makingdata.disclosure.protect` with ``previous=``).
    columns
        Count columns to audit (as :func:`audit`); default every count column.
        For files read back, pass the pupil counts the audience's rules protect
        (sessions are not protected quantities: a week's 3 more sessions of a
        reason code are published in the margins anyway).

    Returns
    -------
    AuditReport
        As :func:`audit`, over both releases (``table`` 0 is ``before``).

    Examples
    --------
    Two weekly year-to-date releases, each safe on its own: their difference
    is this week's count, 3 pupils.

    >>> import polars as pl
    >>> from makingdata.disclosure import TableSpec
    >>> spec = TableSpec(counts=("n",), time=(), cumulative="week")
    >>> week1 = pl.DataFrame({"week": [1], "n": ["30"]})
    >>> week2 = pl.DataFrame({"week": [2], "n": ["33"]})
    >>> report = differencing(week1, week2, spec=spec)
    >>> report.flagged.select("symbol", "lo", "hi", "finding").rows()
    [('increment', 3.0, 3.0, 'exact')]

    Two releases of a series as published, told apart by their time columns only:

    >>> last = pl.DataFrame({"time_identifier": ["Week 1"], "n": ["30"]})
    >>> this = pl.DataFrame({"time_identifier": ["Week 2"], "n": ["33"]})
    >>> differencing(last, this, spec=TableSpec(counts=("n",)), series=True).ok
    False
    """
    if not series:
        return audit([before, after], spec=spec, protection=protection, columns=columns)
    pair = (before, after)
    if spec is None:
        spec = merge_specs(
            [
                t.spec if isinstance(t, ProtectedTable) else TableSpec.infer(t)
                for t in pair
            ]
        )
    if spec.cumulative is not None:
        raise InputError(
            f"series=True links the two releases, and the spec already orders "
            f"periods by {spec.cumulative!r}",
            hint="leave series= out when the releases carry the cumulative column",
        )
    tagged: list[ProtectedTable | pl.DataFrame] = []
    for i, t in enumerate(pair):
        if isinstance(t, ProtectedTable):
            tagged.append(
                attrs.evolve(t, table=t.table.with_columns(pl.lit(i).alias(RELEASE)))
            )
        else:
            tagged.append(t.with_columns(pl.lit(i).alias(RELEASE)))
    return audit(
        tagged,
        spec=attrs.evolve(spec, cumulative=RELEASE),
        protection=protection,
        columns=columns,
    )
