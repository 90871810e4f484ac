"""protect(): the only way out of makingdata for a partner or the public."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

import attrs
import numpy as np
import polars as pl

from makingdata import _html
from makingdata._atomic import atomic_path
from makingdata.disclosure._primary import primary_reasons
from makingdata.disclosure._rounding import round_to_base_expr
from makingdata.disclosure._rules import (
    DropIdentifiers,
    Rounding,
    RuleSet,
    SecondarySuppression,
    Threshold,
    rule_set,
)
from makingdata.disclosure._secondary import complementary
from makingdata.disclosure._series import Release, latent_floor, stack_releases
from makingdata.disclosure._solver import intervals
from makingdata.disclosure._tables import build_structure, combine
from makingdata.errors import DisclosureError, InputError
from makingdata.tables import Table, TableSpec, ees_text, is_rate_column

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from os import PathLike

    from numpy.typing import NDArray

    from makingdata.disclosure._tables import Structure

__all__ = [
    "ProtectedTable",
    "ProtectionReport",
    "protect",
    "protect_tables",
    "protected_columns",
    "require_protected",
    "write_protected_csv",
]

#: Above this many cells the modular (per sub-table) pass is used.
MODULAR_ABOVE = 3000


@attrs.frozen
class ProtectionReport:
    """Information loss and solver facts of one protection run.

    Attributes
    ----------
    audience
        Who the tables were protected for.
    rows
        Rows published (after dropping identifying levels).
    rows_dropped
        Rows removed because the audience may not see their level.
    columns_dropped
        Columns removed because they identify a school or a pupil.
    rows_primary
        Rows suppressed by a primary rule.
    rows_secondary
        Rows suppressed to protect them (complementary suppression).
    cells_primary
        Count cells suppressed by a primary rule (rows × count columns).
    cells_secondary
        Count cells suppressed as complements.
    value_suppressed
        Per count column, the sum of the suppressed values (primary + secondary).
    value_secondary
        Per count column, the sum of the values suppressed as complements.
    status
        Solver status (see :class:`SolveInfo`): ``optimal``, ``feasible`` or ``greedy``.
    seconds
        Wall time of the whole run.
    milps
        Integer programmes solved.
    lps
        Linear programmes solved by the audits.
    iterations
        Audit-and-repair rounds.
    """

    audience: str
    rows: int
    rows_dropped: int
    columns_dropped: tuple[str, ...]
    rows_primary: int
    rows_secondary: int
    cells_primary: int
    cells_secondary: int
    value_suppressed: dict[str, float]
    value_secondary: dict[str, float]
    status: str
    seconds: float
    milps: int
    lps: int
    iterations: int

    def __str__(self) -> str:
        return (
            f"protected for {self.audience}: {self.rows} rows, "
            f"{self.rows_primary} primary and {self.rows_secondary} secondary rows suppressed "
            f"({self.cells_primary} + {self.cells_secondary} count cells), "
            f"{self.rows_dropped} rows and {len(self.columns_dropped)} columns dropped; "
            f"solver {self.status} in {self.seconds:.2f}s ({self.milps} MILPs, {self.lps} LPs)"
        )


@attrs.frozen
class ProtectedTable:
    """A table protected for an audience: the only thing a guarded writer accepts.

    Suppressed counts and rates are null in ``table``; ``status`` says why.
    The original values of suppressed cells are not kept.

    Attributes
    ----------
    table
        The protected table (suppressed cells null; rounded if the rules round).
    status
        One row per table row: ``disclosure_status`` (``published``, ``primary``
        or ``secondary``) and ``disclosure_rules`` (the rule ids that fired).
    audience
        Who it is for.
    rules
        The rule set applied.
    spec
        The table structure used.
    report
        Information loss and solver facts.
    low
        Per count column, rows whose published value rounded to zero but is not zero.
    """

    table: pl.DataFrame
    status: pl.DataFrame
    audience: str
    rules: RuleSet
    spec: TableSpec
    report: ProtectionReport
    low: pl.DataFrame

    def to_ees(self) -> pl.DataFrame:
        """Render the table as EES text: ``c`` suppressed, ``low`` rounds to zero, ``x``, ``z``.

        Returns
        -------
        polars.DataFrame
            Count and rate columns as strings with GSS symbols.

        Examples
        --------
        >>> import polars as pl
        >>> df = pl.DataFrame(
        ...     {
        ...         "fsm_status": ["Total", "FSM eligible", "Not eligible"],
        ...         "enrolments": [40, 3, 37],
        ...         "num_schools": [2, 2, 2],
        ...     }
        ... )
        >>> protect(df, "public").to_ees()["enrolments"].to_list()
        ['40', 'c', 'c']
        """
        return ees_text(
            self.table,
            self.spec,
            suppressed=self.status["disclosure_status"] != "published",
            low=self.low if self.low.width else None,
            z_zero_denominator=True,
        )

    def as_table(self) -> Table:
        """Return the protected frame as a :class:`~makingdata.tables.Table` (suppressed cells null)."""
        return Table(self.table, self.spec)

    def _repr_html_(self) -> str:
        """Show the audience, what was suppressed, and the first rows as published."""
        counts = self.status["disclosure_status"].value_counts(sort=True)
        facts: list[tuple[str, object]] = [
            ("audience", self.audience),
            ("rows", f"{self.table.height:,}"),
            (
                "suppressed rows",
                ", ".join(f"{s} {n:,}" for s, n in counts.iter_rows()),
            ),
        ]
        return _html.repr_html(
            f"ProtectedTable for {self.audience}",
            _html.facts_html(facts),
            _html.note_html(str(self.report)),
            _html.frame_html(self.to_ees()),
        )


def protected_columns(
    rules: RuleSet, counts: Sequence[str], *, spec: TableSpec | None = None
) -> list[str]:
    """Return the count columns whose suppressed cells must not be recoverable.

    They are the columns the rule set's threshold rules count (pupils), or
    the first count column when none of those is present. :func:`protect`
    chooses complementary suppressions so that every primary cell of these
    columns keeps an interval at least the protection level wide, and
    :func:`~makingdata.disclosure.audit` checks exactly these cells of a
    :class:`ProtectedTable`: one definition of *sensitive* for both, so that
    ``audit(protect(t, audience)).ok`` holds. Other count columns (sessions,
    reason codes) are suppressed with their row and bounded by the audit, but
    they are not protected quantities: their small values (a region with 2
    sessions of code K) are published in the margins anyway.

    Parameters
    ----------
    rules
        The rule set.
    counts
        The count columns of the table.
    spec
        The table's spec: when it names its protection class
        (``spec.protected``), those of its columns present in ``counts`` are
        protected too, after the rule set's.

    Returns
    -------
    list of str
        The protected columns (the rule set's order; the first one prices
        the suppressions).

    Examples
    --------
    >>> protected_columns(rule_set("public"), ["sess_possible", "enrolments"])
    ['enrolments']
    >>> protected_columns(rule_set("public"), ["sess_possible", "sess_overall"])
    ['sess_possible']
    """
    found = [c for c in rules.threshold_columns if c in counts]
    if spec is not None and spec.protected is not None:
        found += [c for c in spec.protected if c in counts and c not in found]
    return found or list(counts[:1])


def _drop_identifiers(
    frame: pl.DataFrame, rules: RuleSet, spec: TableSpec
) -> tuple[pl.Series, tuple[str, ...]]:
    keep = pl.Series([True] * frame.height)
    drop_cols: list[str] = []
    for rule in rules.of(DropIdentifiers):
        assert isinstance(rule, DropIdentifiers)
        drop_cols += [c for c in frame.columns if rule.drops(c) and c not in drop_cols]
        if rule.levels and spec.level_column in frame.columns:
            keep = keep & ~frame[spec.level_column].is_in(list(rule.levels))
    return keep, tuple(drop_cols)


def _blocks(
    frame: pl.DataFrame, spec: TableSpec, struct: Structure
) -> list[NDArray[np.int64]] | None:
    level = spec.level_column
    if (
        struct.n_cells <= MODULAR_ABOVE
        or level not in frame.columns
        or not spec.nestings
    ):
        return None
    depth: dict[str, int] = {}
    levels = set(frame[level].unique().to_list())
    for _ in range(len(spec.nestings) + 1):
        for lv in levels:
            parents = [n for n in spec.nestings if n.child == lv and n.parent in levels]
            depth[lv] = max((depth.get(n.parent, 0) + 1 for n in parents), default=0)
    link: dict[str, tuple[str, ...]] = {}
    for lv in levels:
        parents = [n for n in spec.nestings if n.child == lv and n.parent in levels]
        if parents:
            best = max(parents, key=lambda n: depth.get(n.parent, 0))
            link[lv] = best.on
    on_cols = sorted({c for cols in link.values() for c in cols})
    group = pl.concat_str(
        [
            pl.when(pl.col(level).is_in([lv for lv, cols in link.items() if c in cols]))
            .then(pl.col(c).cast(pl.String))
            .otherwise(pl.lit(""))
            for c in on_cols
        ]
        or [pl.lit("")],
        separator="|",
        ignore_nulls=True,
    )
    g = (
        frame.with_row_index("__row")
        .select(
            pl.col("__row").cast(pl.Int64),
            pl.col(level).replace_strict(depth, return_dtype=pl.Int64).alias("__depth"),
            group.alias("__group"),
        )
        .group_by("__depth", "__group")
        .agg(pl.col("__row"))
        .sort("__depth", "__group")
    )
    block_of = np.zeros(struct.n_rows, dtype=np.int64)
    blocks = [np.asarray(rows, dtype=np.int64) for rows in g["__row"].to_list()]
    for b, rows in enumerate(blocks):
        block_of[rows] = b
    if struct.n_cells > struct.n_rows:
        lat = np.arange(struct.n_rows, struct.n_cells)
        owner = block_of[struct.latent_next]
        blocks = [
            np.concatenate([rows, lat[owner == b]]) for b, rows in enumerate(blocks)
        ]
    return blocks


if TYPE_CHECKING:
    #: Earlier releases of a series: oldest first, or named (file name → release).
    Previous: TypeAlias = (
        Sequence[ProtectedTable | pl.DataFrame]
        | Mapping[str, ProtectedTable | pl.DataFrame]
    )


def _releases(previous: Any) -> list[Release]:
    """Each earlier release as published, with the rows it suppressed."""
    if previous is None:
        return []
    if isinstance(previous, (pl.DataFrame, ProtectedTable)):
        raise InputError(
            "previous= takes a list of earlier releases",
            hint="pass previous=[last_week] (oldest first), not the release itself",
        )
    named = (
        list(previous.items())
        if hasattr(previous, "items")
        else [(f"previous release {i + 1}", p) for i, p in enumerate(previous)]
    )
    out: list[Release] = []
    for name, item in named:
        is_path = hasattr(previous, "items")
        if isinstance(item, ProtectedTable):
            out.append(
                Release(
                    str(name),
                    item.table,
                    item.status["disclosure_status"] != "published",
                    path=is_path,
                )
            )
        elif isinstance(item, Table):
            out.append(Release(str(name), item.data(), path=is_path))
        elif isinstance(item, pl.DataFrame):
            out.append(Release(str(name), item, path=is_path))
        else:
            raise InputError(
                f"{name}: cannot read a {type(item).__name__} as an earlier release",
                hint="pass ProtectedTables or the frames published (EES text with "
                "symbols, or numbers with nulls)",
            )
    return out


def _guard_earlier(
    struct: Structure,
    frame_all: pl.DataFrame,
    spec_all: TableSpec,
    audit_values: list[NDArray[np.float64]],
    audit_required: list[NDArray[np.float64]],
    *,
    n: int,
    hidden: NDArray[np.bool_],
    protection: float,
    floors: list[float],
) -> NDArray[np.bool_]:
    """Mark the cells earlier releases suppressed: this release must not narrow them.

    Each keeps the width it had over the earlier releases alone, up to the
    protection level (``audit_required`` is lowered to that, in place): this
    release's figures bound last week's hidden cells too (a year-to-date count
    never falls), and an intruder reading both must learn no more about them.
    """
    guard = np.zeros(struct.n_cells, dtype=bool)
    idx = np.flatnonzero(hidden).astype(np.int64)
    if idx.size == 0:
        return guard
    earlier = frame_all[n:]
    sub = build_structure(earlier, spec_all)
    extra = sub.n_cells - sub.n_rows
    for k, v in enumerate(audit_values):
        vals = v[n : n + earlier.height]
        known = np.isfinite(vals)
        lb = np.concatenate([np.where(known, vals, 0.0), np.full(extra, floors[k])])
        ub = np.concatenate([np.where(known, vals, np.inf), np.full(extra, np.inf)])
        res = intervals(sub, lb, ub, idx, required=np.full(idx.size, float(protection)))
        width = np.nan_to_num(res.hi - res.lo, nan=0.0, posinf=float(protection))
        audit_required[k][n + idx] = np.minimum(
            float(protection), np.maximum(width, 0.0)
        )
    guard[n + idx] = True
    return guard


def merge_specs(specs: Sequence[TableSpec]) -> TableSpec:
    """One spec for tables released together: the union of their columns."""
    first = specs[0]

    def union(get: Any) -> list[Any]:
        return list(dict.fromkeys(x for s in specs for x in get(s)))

    return attrs.evolve(
        first,
        counts=union(lambda s: s.counts),
        filters=union(lambda s: s.filters),
        nestings=union(lambda s: s.nestings),
        rates=union(lambda s: s.rates),
        additive=union(lambda s: s.additive),
        other=union(lambda s: s.other),
        labels={k: v for s in specs for k, v in s.labels.items()},
        decimals={k: v for s in specs for k, v in s.decimals.items()},
        groupings={k: v for s in specs for k, v in s.groupings.items()},
        protected=None
        if any(s.protected is None for s in specs)
        else union(lambda s: s.protected),
        unplaced=union(lambda s: s.unplaced),
        levels=union(lambda s: s.levels),
    )


def protect_tables(  # noqa: PLR0912, PLR0915 - the protection pipeline, step by step
    tables: Sequence[Table | pl.DataFrame],
    audience: str,
    *,
    spec: TableSpec | None = None,
    rules: RuleSet | None = None,
    fixed: pl.DataFrame | ProtectedTable | None = None,
    previous: Previous | None = None,
    time_limit: float = 60.0,
) -> list[ProtectedTable]:
    """Protect several tables released together (shared margins are one cell).

    Parameters
    ----------
    tables
        Tables (:class:`~makingdata.tables.Table`), or EES-shaped frames
        (numeric count columns, filters with ``Total``).
    audience
        One of ``school, trust, la, dfe, partner, public``.
    spec
        Their combined structure; default the union of the Tables' specs, or
        :meth:`~makingdata.tables.TableSpec.infer` for plain frames.
    rules
        The rule set; the audience's default when omitted.
    fixed
        Cells of these tables already released: a :class:`ProtectedTable`, or
        a frame of the key columns plus ``disclosure_status`` (``published``
        cells must stay published, others stay suppressed). For tables that
        hold several year-to-date periods at once (``spec.cumulative``).
    previous
        The earlier releases of the same series, oldest first: last week's
        year-to-date table and the ones before it, as published
        (:class:`ProtectedTable`, or the frames written — EES text with
        ``c``, ``low``, ``x`` … read with the :mod:`makingdata.tables`
        symbols, or numbers with nulls); a mapping names each (a file name,
        used in errors). Rows are matched on level, geography and filters
        (not on the time columns). No published cell, and no difference
        between a published cell and the same cell in any earlier release
        (the pupils added in between), reveals a count from 1 to the
        threshold − 1; a cell suppressed earlier is not narrowed further.
        Publishing a cell earlier does not oblige this release to publish it.
    time_limit
        Seconds allowed per integer programme.

    Returns
    -------
    list of ProtectedTable
        One per input table, in order, sharing one report.

    Raises
    ------
    DisclosureError
        If no pattern could be found that protects every sensitive cell (for
        instance when the cells that would have to be suppressed were already
        published in ``fixed``).
    InputError
        If an earlier release does not match the tables (a key, filter or
        protected count column missing or extra, no row in common), or
        ``previous=`` is given with a cumulative spec.

    Examples
    --------
    >>> import polars as pl
    >>> fsm = pl.DataFrame(
    ...     {
    ...         "fsm_status": ["Total", "FSM eligible", "Not eligible"],
    ...         "enrolments": [50, 4, 46],
    ...         "num_schools": [3, 3, 3],
    ...     }
    ... )
    >>> sex = pl.DataFrame(
    ...     {
    ...         "sex": ["Total", "Female", "Male"],
    ...         "enrolments": [50, 26, 24],
    ...         "num_schools": [3, 3, 3],
    ...     }
    ... )
    >>> a, b = protect_tables([fsm, sex], "public")
    >>> a.to_ees()["enrolments"].to_list(), b.to_ees()["enrolments"].to_list()
    (['50', 'c', 'c'], ['50', '26', '24'])
    """
    started = time.perf_counter()
    rs = rules if rules is not None else rule_set(audience)
    if rules is not None and rules.audience != audience:
        raise DisclosureError(
            f"rule set is for {rules.audience!r}, not {audience!r}",
            hint="pass the audience the rules were written for",
        )
    if not tables:
        raise InputError("no tables to protect", hint="pass at least one table")
    frames = [t.data() if isinstance(t, Table) else t for t in tables]
    if spec is None:
        if all(isinstance(t, Table) for t in tables):
            spec = merge_specs([t.spec for t in tables if isinstance(t, Table)])
        else:
            # each frame's own columns (a filter is blank in the others' rows)
            spec = merge_specs(
                [t.spec if isinstance(t, Table) else TableSpec.infer(t) for t in tables]
            )
    releases = _releases(previous)
    if releases and spec.cumulative is not None:
        raise InputError(
            f"previous= links releases of a series, and the spec already orders "
            f"periods by {spec.cumulative!r}",
            hint="protect one period per release with previous=, or several "
            "periods at once with cumulative= (and fixed=), not both",
        )
    combined, maps = combine(frames, spec)
    reasons = primary_reasons(combined, spec, rs)
    keep, drop_cols = _drop_identifiers(combined, rs, spec)
    kept_idx = np.flatnonzero(keep.to_numpy())
    new_index = np.full(combined.height, -1, dtype=np.int64)
    new_index[kept_idx] = np.arange(kept_idx.size)
    work = combined.filter(keep)
    counts = [c for c in spec.counts if c in work.columns]
    audit_cols = protected_columns(rs, counts, spec=spec)
    n = work.height
    if releases:
        stack = stack_releases(
            work,
            releases,
            spec,
            counts=counts,
            protected=audit_cols,
            dropped=drop_cols,
        )
        frame_all, spec_all = stack.frame, stack.spec
        struct = build_structure(frame_all, spec_all, against_last=True)
    else:
        frame_all, spec_all = work, spec
        struct = build_structure(work, spec)
    n_all = struct.n_rows
    reasons = reasons.with_columns(
        row=pl.Series(new_index[reasons["row"].to_numpy()], dtype=pl.Int64)
        if reasons.height
        else pl.col("row")
    ).filter(pl.col("row") >= 0)
    sensitive = np.zeros(struct.n_cells, dtype=bool)
    sensitive[reasons["row"].to_numpy()] = True

    def cell_values(col: str) -> NDArray[np.float64]:
        v = work[col].cast(pl.Float64).fill_null(np.nan).to_numpy()
        if releases:
            v = np.concatenate([v, stack.values[col]])
        return np.concatenate([v, struct.latent_values(v)])

    audit_values = [cell_values(c) for c in audit_cols]
    # Increments between year-to-date periods (or between this release and an
    # earlier one) are sensitive like any count; between two earlier releases
    # they were published before and cannot change.
    latent_now = (struct.latent_next < n) | (struct.latent_prev < n)
    if not releases:
        latent_now[:] = True
    for rule in rs.of(Threshold):
        assert isinstance(rule, Threshold)
        for col in rule.columns:
            if col in counts and struct.n_cells > n_all:
                inc = cell_values(col)[n_all:]
                sensitive[n_all:] |= latent_now & (inc > 0) & (inc < rule.minimum)
    sec = rs.secondary
    fixed_arr = np.full(struct.n_cells, -1, dtype=np.int8)
    watch = np.zeros(struct.n_cells, dtype=bool)
    if releases:
        # what the earlier releases published stays as it was
        fixed_arr[n:n_all] = np.where(stack.hidden, 1, 0)
        # an increment from a row suppressed earlier has an unknown value: it
        # must not be narrowed down to 1 .. threshold-1
        unknown = np.zeros(struct.n_cells - n_all, dtype=bool)
        for v in audit_values:
            unknown |= ~np.isfinite(v[n_all:])
        watch[n_all:] = latent_now & unknown & ~sensitive[n_all:]
    if isinstance(fixed, ProtectedTable):
        fixed = fixed.table.with_columns(fixed.status["disclosure_status"])
    if fixed is not None:
        keys = [k for k in spec.key_columns(work) if k in fixed.columns]
        joined = (
            work.select(keys)
            .with_row_index("__r")
            .join(
                fixed.select([*keys, "disclosure_status"]),
                on=keys,
                how="inner",
                nulls_equal=True,
            )
        )
        rows = joined["__r"].to_numpy().astype(np.int64)
        fixed_arr[rows] = np.where(
            joined["disclosure_status"].to_numpy() == "published", 0, 1
        )
        clash = rows[(fixed_arr[rows] == 0) & sensitive[rows]]
        if clash.size:
            raise DisclosureError(
                f"{clash.size} sensitive rows were already published in an earlier release",
                row=int(clash[0]),
                hint="withdraw the earlier release; protection cannot undo it",
            )
    info = None
    if sec is not None and (sensitive.any() or watch.any() or bool(releases)):
        assert isinstance(sec, SecondarySuppression)
        base = audit_values[0]
        required = np.maximum(
            sec.protection, sec.relative * np.nan_to_num(base, nan=0.0)
        )
        # Each protected column needs a width of its own: the protection level,
        # or a share of the cell's value in that column (not of its enrolments).
        audit_required = [
            np.maximum(sec.protection, sec.relative * np.nan_to_num(v, nan=0.0))
            for v in audit_values
        ]
        floors = [latent_floor(v[:n_all], v[n_all:]) for v in audit_values]
        guard = np.zeros(struct.n_cells, dtype=bool)
        if releases:
            guard = _guard_earlier(
                struct,
                frame_all,
                spec_all,
                audit_values,
                audit_required,
                n=n,
                hidden=stack.hidden,
                protection=sec.protection,
                floors=floors,
            )
        supp, info = complementary(
            struct,
            audit_values=audit_values,
            cost_values=base,
            sensitive=sensitive,
            required=required,
            audit_required=audit_required,
            fixed=fixed_arr,
            blocks=_blocks(frame_all, spec_all, struct),
            cost=sec.cost,
            time_limit=time_limit,
            audited=guard | watch,
            small_only=watch,
            latent_floor=floors,
        )
        if info.status == "exposed":
            raise DisclosureError(
                f"{info.exposed} sensitive cells could still be narrowed down after "
                f"{info.iterations} repair rounds",
                hint="check the fixed (already released) cells, or protect a coarser table",
            )
    else:
        supp = sensitive | (fixed_arr == 1)
    row_supp = supp[:n]
    primary_rows = sensitive[:n]
    status = np.where(
        primary_rows, "primary", np.where(row_supp, "secondary", "published")
    )
    rules_by_row = reasons.group_by("row").agg(
        pl.col("rule_id").unique(maintain_order=True)
    )
    status_frame = (
        pl.DataFrame({"__i": np.arange(n, dtype=np.int64), "disclosure_status": status})
        .join(
            rules_by_row.rename({"row": "__i", "rule_id": "disclosure_rules"}),
            on="__i",
            how="left",
        )
        .sort("__i")
        .with_columns(
            pl.col("disclosure_rules").fill_null(pl.lit([], dtype=pl.List(pl.String)))
        )
    )
    mask = pl.Series(row_supp)
    # every rate of a suppressed row goes, declared in the spec or not
    undeclared = [
        c
        for c, t in work.schema.items()
        if t.is_numeric()
        and is_rate_column(c)
        and c not in counts
        and c not in spec.indicators
    ]
    rate_cols = list(
        dict.fromkeys(
            [r.column for r in spec.rates if r.column in work.columns]
            + [c for c in spec.other if c in work.columns]
            + undeclared
        )
    )
    out = work.with_columns(
        [
            pl.when(pl.lit(mask)).then(None).otherwise(pl.col(c)).alias(c)
            for c in (*counts, *rate_cols)
        ]
    )
    low = pl.DataFrame()
    for rule in rs.of(Rounding):
        assert isinstance(rule, Rounding)
        rounded = out.select([round_to_base_expr(pl.col(c), rule.base) for c in counts])
        low = rounded.select(
            [
                ((rounded[c] == 0) & (out[c] > 0)).fill_null(value=False).alias(c)
                for c in counts
            ]
        )
        out = out.with_columns(rounded)
    out = out.drop(drop_cols)
    values = {c: work[c].cast(pl.Float64).fill_null(0).to_numpy() for c in counts}
    report = ProtectionReport(
        audience=audience,
        rows=n,
        rows_dropped=combined.height - n,
        columns_dropped=drop_cols,
        rows_primary=int(primary_rows.sum()),
        rows_secondary=int((row_supp & ~primary_rows).sum()),
        cells_primary=int(primary_rows.sum()) * len(counts),
        cells_secondary=int((row_supp & ~primary_rows).sum()) * len(counts),
        value_suppressed={c: float(v[row_supp].sum()) for c, v in values.items()},
        value_secondary={
            c: float(v[row_supp & ~primary_rows].sum()) for c, v in values.items()
        },
        status=info.status if info is not None else "optimal",
        seconds=time.perf_counter() - started,
        milps=info.milps if info is not None else 0,
        lps=info.lps if info is not None else 0,
        iterations=info.iterations if info is not None else 0,
    )
    out_spec = attrs.evolve(spec, other=[*spec.other, *undeclared])
    results: list[ProtectedTable] = []
    for mp in maps:
        idx = new_index[mp["__cell"].to_numpy()]
        idx = idx[idx >= 0]
        take = pl.Series(idx, dtype=pl.Int64)
        orig_cols = [c for c in frames[len(results)].columns if c in out.columns]
        results.append(
            ProtectedTable(
                table=out[take].select(orig_cols),
                status=status_frame[take].drop("__i"),
                audience=audience,
                rules=rs,
                spec=out_spec.restrict(orig_cols),
                report=report,
                low=low[take] if low.width else low,
            )
        )
    return results


def protect(
    table: Table | pl.DataFrame,
    audience: str,
    *,
    spec: TableSpec | None = None,
    rules: RuleSet | None = None,
    fixed: pl.DataFrame | ProtectedTable | None = None,
    previous: Previous | None = None,
    time_limit: float = 60.0,
) -> ProtectedTable:
    """Protect one table for an audience (threshold, secondary suppression, rounding).

    Parameters
    ----------
    table
        A :class:`~makingdata.tables.Table` (a kernel's, whose spec is used),
        or an EES-shaped frame: time, ``geographic_level``, geography columns,
        filters (each with a ``Total``), count columns, rates.
    audience
        One of ``school, trust, la, dfe, partner, public``.
    spec
        Its structure; default the Table's spec, or
        :meth:`~makingdata.tables.TableSpec.infer` for a plain frame.
    rules
        The rule set; the audience's default when omitted.
    fixed
        Cells already released (see :func:`protect_tables`).
    previous
        The earlier releases of the same series, oldest first (see
        :func:`protect_tables`): this week's year-to-date table is protected
        so that subtracting any of them from it reveals no small count.
    time_limit
        Seconds allowed per integer programme.

    Returns
    -------
    ProtectedTable
        The table with suppressed cells null, the status of each row, and the
        report (cells and values suppressed, solver status and time).

    Raises
    ------
    DisclosureError
        If the table cannot be protected.

    Examples
    --------
    >>> import polars as pl
    >>> df = pl.DataFrame(
    ...     {
    ...         "geographic_level": ["Local authority"] * 3,
    ...         "new_la_code": ["E09000001"] * 3,
    ...         "fsm_status": ["Total", "FSM eligible", "Not known to be FSM eligible"],
    ...         "num_schools": [1, 1, 1],
    ...         "enrolments": [240, 40, 200],
    ...     }
    ... )
    >>> p = protect(df, "public")
    >>> p.status["disclosure_status"].to_list()
    ['primary', 'primary', 'primary']
    >>> p.report.rows_primary, p.report.status
    (3, 'optimal')

    A year-to-date series: this week's table adds 3 FSM pupils to last week's.
    Alone it would publish them (410 − 400 − 7); against last week's release
    the FSM count and its complement are hidden.

    >>> def week(n, fsm, rest):
    ...     return pl.DataFrame(
    ...         {
    ...             "time_identifier": [f"Week {n}"] * 3,
    ...             "geographic_level": ["Local authority"] * 3,
    ...             "new_la_code": ["E06000001"] * 3,
    ...             "fsm_status": [
    ...                 "Total",
    ...                 "FSM eligible",
    ...                 "Not known to be FSM eligible",
    ...             ],
    ...             "num_schools": [12] * 3,
    ...             "enrolments": [fsm + rest, fsm, rest],
    ...         }
    ...     )
    >>> last = protect(week(1, 100, 300), "public")
    >>> protect(week(2, 103, 307), "public").to_ees()["enrolments"].to_list()
    ['410', '103', '307']
    >>> this = protect(week(2, 103, 307), "public", previous=[last])
    >>> this.to_ees()["enrolments"].to_list()
    ['410', 'c', 'c']
    """
    return protect_tables(
        [table],
        audience,
        spec=spec,
        rules=rules,
        fixed=fixed,
        previous=previous,
        time_limit=time_limit,
    )[0]


def require_protected(obj: object, audience: str) -> pl.DataFrame:
    """Check that ``obj`` may be written for ``audience`` and return the frame to write.

    Writers (EES files, CLI output, reports) call this before writing. A
    partner or public audience only ever receives a :class:`ProtectedTable`
    protected for that audience (a table protected for the public may also go
    to a partner); other audiences may receive a plain frame.

    Parameters
    ----------
    obj
        A :class:`ProtectedTable` or a polars frame.
    audience
        Who the output is for.

    Returns
    -------
    polars.DataFrame
        The frame to write (EES text with symbols for a ProtectedTable).

    Raises
    ------
    DisclosureError
        If an unprotected frame, or one protected for a more trusted audience,
        would go to a partner or the public.

    Examples
    --------
    >>> import polars as pl
    >>> require_protected(pl.DataFrame({"enrolments": [3]}), "public")
    Traceback (most recent call last):
    ...
    makingdata.errors.DisclosureError: an unprotected table cannot be written for audience 'public'. What to do: call makingdata.disclosure.protect(table, audience='public') and write its result.
    >>> require_protected(pl.DataFrame({"enrolments": [3]}), "trust").height
    1
    """
    rs = rule_set(audience)
    if isinstance(obj, ProtectedTable):
        ok = obj.audience == audience or (
            audience == "partner" and obj.audience == "public"
        )
        if rs.needs_protection and not ok:
            raise DisclosureError(
                f"this table was protected for {obj.audience!r}, not {audience!r}",
                hint=f"protect the unprotected table again with audience={audience!r}",
            )
        return obj.to_ees()
    if rs.needs_protection:
        raise DisclosureError(
            f"an unprotected table cannot be written for audience {audience!r}",
            hint=f"call makingdata.disclosure.protect(table, audience={audience!r}) and write its result",
        )
    if isinstance(obj, Table):
        return obj.data()
    if isinstance(obj, pl.LazyFrame):
        return obj.collect()
    if isinstance(obj, pl.DataFrame):
        return obj
    raise DisclosureError(
        f"cannot write a {type(obj).__name__}",
        hint="pass a polars DataFrame or a ProtectedTable",
    )


def write_protected_csv(
    obj: object, path: str | PathLike[str], *, audience: str
) -> Path:
    """Write a table as CSV for an audience, refusing anything unprotected.

    Parameters
    ----------
    obj
        A :class:`ProtectedTable` (required for ``partner`` and ``public``) or a frame.
    path
        The CSV file to write.
    audience
        Who the file is for.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    DisclosureError
        As :func:`require_protected`.
    ExportError
        If the file cannot be written (it is written to a partial name and
        renamed into place, so nothing is left at ``path``).

    Examples
    --------
    >>> import polars as pl, tempfile, pathlib
    >>> df = pl.DataFrame(
    ...     {
    ...         "sex": ["Total", "Female", "Male"],
    ...         "enrolments": [30, 14, 16],
    ...         "num_schools": 2,
    ...     }
    ... )
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> write_protected_csv(
    ...     protect(df, "public"), out, audience="public"
    ... ).read_text().splitlines()[1]
    'Total,30,2'
    """
    frame = require_protected(obj, audience)
    target = Path(path)
    with atomic_path(target, what="the CSV") as tmp:  # whole or not at all
        frame.write_csv(tmp)
    return target
