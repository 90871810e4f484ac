"""A release protected against the earlier releases of its series.

Year-to-date tables are released week after week. Each release may be safe on
its own, yet this week's published count minus last week's is the number of
pupils added in between: a count of 1 to 5 given away by subtraction. Here the
earlier releases (as published: ``c`` and the other symbols are unknown
values) are stacked under this one, linked by an unpublished increment per
cell and per earlier release, so that the secondary suppression sees every
difference an intruder can take (see :func:`stack_releases`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
import numpy as np
import polars as pl
from numpy.typing import NDArray

from makingdata.errors import InputError
from makingdata.tables import TableSpec

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["RELEASE", "Release", "latent_floor", "published_cells", "stack_releases"]

#: The column ordering the releases of a series when they are stacked.
RELEASE = "__release"

_NUMERIC = r"^-?[0-9]+(\.[0-9]+)?$"


def published_cells(frame: pl.DataFrame, counts: Sequence[str]) -> pl.DataFrame:
    """Numeric values (null when unpublished) and symbols of each count column.

    A text column (an EES file read back) is a number where it is one, and
    null with its symbol (``c``, ``low``, ``x`` …) in ``__sym_<column>``
    otherwise; a numeric column's nulls are ``c``.

    Examples
    --------
    >>> import polars as pl
    >>> published_cells(pl.DataFrame({"n": ["12", "c", "x"]}), ["n"]).rows()
    [(12.0, None), (None, 'c'), (None, 'x')]
    """
    exprs = []
    for c in counts:
        dtype = frame.schema[c]
        if dtype == pl.String:
            text = pl.col(c).str.strip_chars()
            exprs += [
                pl.when(text.str.contains(_NUMERIC))
                .then(text.cast(pl.Float64, strict=False))
                .otherwise(None)
                .alias(c),
                pl.when(text.str.contains(_NUMERIC))
                .then(None)
                .otherwise(text.fill_null("x"))
                .alias(f"__sym_{c}"),
            ]
        else:
            exprs += [
                pl.col(c).cast(pl.Float64).alias(c),
                pl.when(pl.col(c).is_null())
                .then(pl.lit("c"))
                .otherwise(None)
                .alias(f"__sym_{c}"),
            ]
    return frame.with_columns(exprs)


def latent_floor(values: NDArray[np.float64], increments: NDArray[np.float64]) -> float:
    """Lower bound of a count's increments between periods: 0, unless it falls somewhere.

    Pupils on roll so far, or sessions so far, never fall from one week to the
    next: an intruder may use that (a later count bounds an earlier hidden
    one). Pupils persistently absent so far do fall, and an LP that assumed
    otherwise would be infeasible (and prove nothing). So a count with a
    negative increment among ``increments`` (NaN unknown) may fall by any
    amount up to a bound far beyond its values.

    Examples
    --------
    >>> import numpy as np
    >>> latent_floor(np.array([40.0, 43.0]), np.array([3.0]))
    0.0
    >>> latent_floor(np.array([40.0, 37.0]), np.array([-3.0]))
    -10400.0
    """
    known = increments[np.isfinite(increments)]
    if known.size == 0 or known.min() >= 0:
        return 0.0
    finite = np.abs(values[np.isfinite(values)])
    return -(10.0 * float(finite.max(initial=0.0)) + 1e4)


@attrs.frozen
class Release:
    """One earlier release as published: a frame, and which rows it hid.

    Attributes
    ----------
    name
        How errors name it (the file it was read from, or its place in the list).
    frame
        The published table (numbers with nulls, or EES text with symbols).
    hidden
        Per row, whether the release suppressed it; ``None`` reads it from the
        frame (a row with any unpublished protected count).
    path
        Whether ``name`` is a file (errors then name it as the path).
    """

    name: str
    frame: pl.DataFrame
    hidden: pl.Series | None = None
    path: bool = False


@attrs.frozen
class Stack:
    """The rows of a release stacked over the rows of its earlier releases.

    Attributes
    ----------
    frame
        The rows of this release first, then each earlier release's, with
        :data:`RELEASE` (0 the oldest, this release last).
    spec
        The spec with ``cumulative`` set to :data:`RELEASE`.
    values
        Per count column, the published value of each earlier release's row
        (NaN where unknown).
    hidden
        Per earlier release row, whether it was suppressed.
    """

    frame: pl.DataFrame
    spec: TableSpec
    values: dict[str, NDArray[np.float64]]
    hidden: NDArray[np.bool_]


def _error(
    release: Release, message: str, *, column: str | None = None, hint: str
) -> InputError:
    if release.path:
        return InputError(message, path=release.name, column=column, hint=hint)
    return InputError(f"{release.name}: {message}", column=column, hint=hint)


def stack_releases(
    work: pl.DataFrame,
    releases: Sequence[Release],
    spec: TableSpec,
    *,
    counts: Sequence[str],
    protected: Sequence[str],
    dropped: Sequence[str] = (),
) -> Stack:
    """Stack earlier releases under ``work`` so their differences are cells.

    Rows are matched on the table's keys other than its time columns (a
    year-to-date table's ``time_identifier`` or week differs from release to
    release): geographic level, geography, filters.

    Parameters
    ----------
    work
        This release's table (rows the audience may see).
    releases
        The earlier releases, oldest first.
    spec
        This table's spec (``cumulative`` unset).
    counts
        The count columns.
    protected
        The protected count columns (an earlier row with one of them
        unpublished was suppressed).
    dropped
        Columns the rules drop (an earlier release does not have them).

    Returns
    -------
    Stack
        The stacked rows and what was published in the earlier releases.

    Raises
    ------
    InputError
        If an earlier release lacks a key, filter or protected count column of
        this table, has a filter or geography column this table does not, has
        two rows with the same key, or has a partner for fewer than half of
        this table's rows.
    """
    keys = [
        k for k in spec.key_columns(work) if k not in spec.time and k != spec.cumulative
    ]
    time_cols = set(spec.time)
    parts = [
        work.select([*spec.time_columns(work), *keys, *counts]).with_columns(
            [pl.col(c).cast(pl.Float64) for c in counts]
        )
    ]
    values: dict[str, list[NDArray[np.float64]]] = {c: [] for c in counts}
    hidden_l: list[NDArray[np.bool_]] = []
    this_keys = work.select(keys).with_columns(
        [pl.col(k).cast(pl.String) for k in keys]
    )
    for i, release in enumerate(releases):
        frame = release.frame
        missing = [c for c in keys if c not in frame.columns]
        if missing:
            raise _error(
                release,
                f"the earlier release has no {', '.join(map(repr, missing))} "
                f"column{'s' if len(missing) > 1 else ''} (this table's keys are "
                f"{', '.join(keys)})",
                column=missing[0],
                hint="pass the earlier releases of the same table: the same "
                "level, geography and filter columns",
            )
        extra_keys = [
            c
            for c in spec.key_columns(frame)
            if c not in work.columns and c not in time_cols and c not in dropped
        ]
        extra_filters = [
            c
            for c in frame.columns
            if c not in work.columns
            and c not in time_cols
            and c not in dropped
            and frame.schema[c] == pl.String
            and (frame[c] == spec.total).any()
        ]
        extra = list(dict.fromkeys([*extra_keys, *extra_filters]))
        if extra:
            raise _error(
                release,
                f"the earlier release has {', '.join(map(repr, extra))}, which this "
                f"table does not (this table's keys are {', '.join(keys)})",
                column=extra[0],
                hint="pass the earlier releases of the same table: the same "
                "level, geography and filter columns",
            )
        lacking = [c for c in protected if c not in frame.columns]
        if lacking:
            raise _error(
                release,
                f"the earlier release has no {lacking[0]!r} column, which this "
                "table protects",
                column=lacking[0],
                hint="pass the earlier releases of the same table, with the "
                "same pupil counts",
            )
        text_keys = frame.select(keys).with_columns(
            [pl.col(k).cast(pl.String) for k in keys]
        )
        if keys and text_keys.is_duplicated().any():
            raise _error(
                release,
                "the earlier release has two rows with the same key",
                hint=f"pass one table per release, so that {keys} is unique",
            )
        matched = (
            this_keys.join(text_keys, on=keys, how="semi", nulls_equal=True).height
            if keys
            else work.height
        )
        if 2 * matched < work.height:
            raise _error(
                release,
                f"only {matched} of this table's {work.height} rows have a row with "
                f"the same {', '.join(keys)} in the earlier release",
                column=keys[0] if keys else None,
                hint="pass the earlier releases of the same table (same levels, "
                "geography codes and filter values)",
            )
        present = [c for c in counts if c in frame.columns]
        cells = published_cells(frame, present)
        for c in counts:
            v = (
                cells[c].to_numpy().astype(np.float64)
                if c in present
                else np.full(frame.height, np.nan)
            )
            values[c].append(v)
        if release.hidden is not None:
            hidden = release.hidden.to_numpy().astype(bool)
        else:
            hidden = np.zeros(frame.height, dtype=bool)
            for c in protected:
                hidden |= ~np.isfinite(values[c][-1])
        hidden_l.append(hidden)
        parts.append(
            frame.select([*(c for c in spec.time if c in frame.columns), *keys])
            .with_columns([pl.Series(c, values[c][-1]) for c in counts])
            .with_columns(pl.lit(i, pl.Int64).alias(RELEASE))
        )
    parts[0] = parts[0].with_columns(pl.lit(len(releases), pl.Int64).alias(RELEASE))
    as_text = [*keys, *time_cols]
    stacked = pl.concat(
        [
            p.with_columns(
                [pl.col(k).cast(pl.String) for k in as_text if k in p.columns]
            )
            for p in parts
        ],
        how="diagonal_relaxed",
    )
    return Stack(
        frame=stacked,
        spec=attrs.evolve(spec, cumulative=RELEASE),
        values={c: np.concatenate(v) if v else np.zeros(0) for c, v in values.items()},
        hidden=np.concatenate(hidden_l) if hidden_l else np.zeros(0, dtype=bool),
    )
