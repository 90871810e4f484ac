"""Reading a published file as what it declares: legacy ``x``, rounded levels, sub-regions.

What a published file means is not all in its cells. DfE's files before 2020
wrote ``x`` for small-number suppression (today's ``c``); some levels are
published rounded (regional and national enrolments to 5 in the
four-year-olds file, every regional count to 10 in the children in need
files); London may be published whole beside its sub-regions.
:func:`read_published` takes those declarations and returns the
:class:`~makingdata.tables.Table` the audit, rollups and checks read — the one
reading the ``audit-table`` command uses too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
import polars as pl

from makingdata.errors import InputError
from makingdata.tables._regions import split_regions
from makingdata.tables._table import Table
from makingdata.tables._vocabulary import level

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from makingdata.tables._regions import WholeRegion

__all__ = ["read_published"]


def read_published(
    frame: pl.DataFrame,
    *,
    filters: Sequence[str] | None = None,
    counts: Sequence[str] | None = None,
    legacy_x: bool = False,
    rounded: Mapping[str, int] | None = None,
    whole_regions: Sequence[WholeRegion] = (),
) -> Table:
    """Return a published file as a table, with what the file declares beyond its cells.

    Parameters
    ----------
    frame
        The published file, read as text (symbols kept).
    filters
        The filter columns, if :meth:`TableSpec.infer
        <makingdata.tables.TableSpec.infer>`'s guess would be wrong.
    counts
        The count columns, if the guess would be wrong.
    legacy_x
        Read ``x`` in the count columns as suppression (written ``c``), as DfE
        used it before 2020; by default ``x`` is "not available".
    rounded
        Levels whose counts the file publishes rounded, and the base
        (``{"region": 5, "national": 5}``): the spec's ``rounded_levels``, so
        that a published cell stands for the interval it was rounded from.
    whole_regions
        Regions published whole beside the sub-regions their LAs carry
        (:data:`~makingdata.tables.LONDON`): see
        :func:`~makingdata.tables.split_regions`.

    Returns
    -------
    Table
        The frame (``x`` replaced by ``c`` with ``legacy_x``, sub-region rows
        relabelled with ``whole_regions``) and its spec.

    Raises
    ------
    InputError
        If a level in ``rounded`` is unknown, a base is not a whole number of
        1 or more, or a named column is missing.

    Examples
    --------
    >>> import polars as pl
    >>> from makingdata.tables import read_published
    >>> df = pl.DataFrame(
    ...     {
    ...         "time_period": ["201617"] * 3,
    ...         "geographic_level": ["Regional", "School", "School"],
    ...         "region_code": ["E12000001"] * 3,
    ...         "school_urn": [None, "1", "2"],
    ...         "enrolments": ["15", "x", "12"],
    ...     }
    ... )
    >>> t = read_published(df, legacy_x=True, rounded={"region": 5})
    >>> t.frame["enrolments"].to_list(), t.spec.rounded_levels
    (['15', 'c', '12'], (('Regional', 5),))
    """
    table = Table.infer(frame, filters=filters, counts=counts)
    spec = table.spec
    out = frame
    if legacy_x:
        out = out.with_columns(
            pl.when(pl.col(c).cast(pl.String).str.strip_chars() == "x")
            .then(pl.lit("c"))
            .otherwise(pl.col(c).cast(pl.String))
            .alias(c)
            for c in spec.counts
        )
    if rounded:
        pairs: list[tuple[str, int]] = []
        for name, base in rounded.items():
            given: object = base
            if isinstance(given, bool) or not isinstance(given, int) or given < 1:
                raise InputError(
                    f"rounding base {base!r} for {name!r} is not a whole number of 1 or more",
                    column="rounded",
                    hint="give bases as {'region': 5, 'national': 5}",
                )
            pairs.append((level(name).label, base))
        spec = attrs.evolve(spec, rounded_levels=pairs)
    if whole_regions:
        out, spec = split_regions(out, spec, whole_regions)
    return Table(out, spec)
