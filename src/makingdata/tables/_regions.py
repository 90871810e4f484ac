"""A region published whole while its local authorities carry sub-regions (London).

DfE's files label London's LAs in two ways: with the region ``E12000007``
London (the in-year attendance release), or with its two sub-regions
``E13000001`` Inner London and ``E13000002`` Outer London (the annual absence,
four-year-olds and children in need files). Some files publish the sub-regions
at regional level, some the whole region, some all three (the children in need
files). A :class:`WholeRegion` says which sub-regions make up a region:
:func:`~makingdata.attendance.rollup` (``whole_regions=``) adds the whole
region's rows, and :func:`split_regions` gives the audit the relation
"London = Inner London + Outer London" instead of counting London twice in
England.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
import polars as pl

from makingdata.errors import InputError
from makingdata.tables._spec import Nesting, TableSpec

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

__all__ = [
    "LONDON",
    "SUB_REGION_LEVEL",
    "WholeRegion",
    "parse_whole_region",
    "split_regions",
]

#: The ``geographic_level`` :func:`split_regions` gives the rows of
#: sub-regions while a table is audited (EES itself labels them ``Regional``).
SUB_REGION_LEVEL = "Regional (sub-region)"


def _codes(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(str(v).strip() for v in value)


@attrs.frozen
class WholeRegion:
    """A region whose local authorities carry its sub-regions' codes.

    Attributes
    ----------
    code
        The region's code (``"E12000007"``).
    name
        The region's name (``"London"``).
    parts
        The sub-region codes its LAs and schools carry
        (``("E13000001", "E13000002")``).

    Examples
    --------
    >>> from makingdata.tables import LONDON
    >>> LONDON.code, LONDON.name, LONDON.parts
    ('E12000007', 'London', ('E13000001', 'E13000002'))
    """

    code: str
    name: str
    parts: tuple[str, ...] = attrs.field(converter=_codes)

    @parts.validator
    def _check(self, _: object, value: tuple[str, ...]) -> None:
        if not value or self.code in value:
            raise InputError(
                f"the region {self.code!r} needs sub-regions other than itself",
                column="parts",
                hint="give the sub-region codes, e.g. ('E13000001', 'E13000002')",
            )


#: London, published whole (``E12000007``) while its LAs carry Inner London
#: (``E13000001``) and Outer London (``E13000002``).
LONDON = WholeRegion("E12000007", "London", ("E13000001", "E13000002"))


def parse_whole_region(text: str) -> WholeRegion:
    """Read a whole region from text: ``london``, or ``CODE:NAME=PART+PART``.

    Parameters
    ----------
    text
        ``london`` (:data:`LONDON`), or the region's code and name and its
        sub-region codes, e.g. ``E12000007:London=E13000001+E13000002``.

    Returns
    -------
    WholeRegion
        The region.

    Raises
    ------
    InputError
        If the text is neither.

    Examples
    --------
    >>> from makingdata.tables import parse_whole_region
    >>> parse_whole_region("London") == LONDON
    True
    >>> parse_whole_region("E12000007:London=E13000001+E13000002") == LONDON
    True
    >>> parse_whole_region("E12000007")
    Traceback (most recent call last):
    ...
    makingdata.errors.InputError: cannot read a whole region from 'E12000007'. What to do: give london, or CODE:NAME=PART+PART such as E12000007:London=E13000001+E13000002.
    """
    value = text.strip()
    if value.lower() == "london":
        return LONDON
    head, eq, tail = value.partition("=")
    code, colon, name = head.partition(":")
    parts = [p.strip() for p in tail.split("+") if p.strip()]
    if not (eq and colon and code.strip() and name.strip() and parts):
        raise InputError(
            f"cannot read a whole region from {text!r}",
            hint="give london, or CODE:NAME=PART+PART such as "
            "E12000007:London=E13000001+E13000002",
        )
    return WholeRegion(code.strip(), name.strip(), tuple(parts))


def split_regions(
    frame: pl.DataFrame,
    spec: TableSpec,
    whole_regions: Sequence[WholeRegion],
) -> tuple[pl.DataFrame, TableSpec]:
    """Give a table's sub-region rows their own level, for the audit.

    A published table with London and Inner and Outer London at regional
    level holds two relations a plain reading gets wrong: England is the sum
    of the regions *without* the sub-regions, and London is the sum of its
    sub-regions. For each whole region published in the table, its
    sub-regions' regional rows get the level :data:`SUB_REGION_LEVEL` and a
    ``whole_region_code`` column links them to the whole region; the spec's
    nestings become LA -> sub-region (on ``region_code``), sub-region ->
    region (on ``whole_region_code``), and the others as before; a base of
    ``spec.rounded_levels`` for ``Regional`` applies to the sub-regions too. A whole
    region that is not published (the four-year-olds file has only Inner and
    Outer London) leaves its sub-regions as regions.

    Parameters
    ----------
    frame
        The table, with ``geographic_level`` and ``region_code``.
    spec
        Its spec (as :meth:`TableSpec.infer` reads it).
    whole_regions
        The regions published whole while their LAs carry sub-regions
        (:data:`LONDON`).

    Returns
    -------
    tuple of polars.DataFrame and TableSpec
        The table and spec to audit. Relabel :data:`SUB_REGION_LEVEL` back to
        ``Regional`` in what you report.

    Raises
    ------
    InputError
        If the table has no ``region_code`` column.

    Examples
    --------
    >>> import polars as pl
    >>> from makingdata.tables import LONDON, TableSpec, split_regions
    >>> t = pl.DataFrame(
    ...     {
    ...         "time_period": ["202425"] * 4,
    ...         "geographic_level": ["National"] + ["Regional"] * 3,
    ...         "country_code": ["E92000001"] * 4,
    ...         "region_code": [None, "E12000007", "E13000001", "E13000002"],
    ...         "t_pupils": ["30", "30", "c", "c"],
    ...     }
    ... )
    >>> out, spec = split_regions(t, TableSpec.infer(t), [LONDON])
    >>> out["geographic_level"].to_list()
    ['National', 'Regional', 'Regional (sub-region)', 'Regional (sub-region)']
    >>> [(n.parent, n.child, n.on) for n in spec.nestings]
    [('National', 'Regional', ('country_code',)), ('Regional', 'Regional (sub-region)', ('whole_region_code',))]
    """
    level = spec.level_column
    if "region_code" not in frame.columns or level not in frame.columns:
        raise InputError(
            "the table has no region_code column to split regions on",
            column="region_code",
            hint="give a table with geographic_level and region_code columns",
        )
    regional = frame.filter(pl.col(level) == "Regional")
    published = set(regional["region_code"].cast(pl.String).drop_nulls().to_list())
    split = [w for w in whole_regions if w.code in published]
    if not split:
        return frame, spec
    whole_of = {p: w.code for w in split for p in w.parts}
    code = pl.col("region_code").cast(pl.String)
    is_part = (pl.col(level) == "Regional") & code.is_in(list(whole_of))
    out = frame.with_columns(
        pl.when(is_part)
        .then(pl.lit(SUB_REGION_LEVEL))
        .otherwise(pl.col(level))
        .alias(level),
        code.replace_strict(whole_of, default=code).alias("whole_region_code"),
    )
    nestings: list[Nesting] = []
    for n in spec.nestings:
        nestings.append(n)
        if n.parent == "Regional" and n.child == "Local authority":
            # LAs that carry a sub-region add up to the sub-region's row
            nestings.append(attrs.evolve(n, parent=SUB_REGION_LEVEL))
    nestings.append(Nesting("Regional", SUB_REGION_LEVEL, ("whole_region_code",)))
    levels = list(spec.levels)
    if levels and SUB_REGION_LEVEL not in levels:
        at = levels.index("Regional") + 1 if "Regional" in levels else len(levels)
        levels.insert(at, SUB_REGION_LEVEL)
    # sub-regions are published as regions: rounded as regions are
    rounded = [*spec.rounded_levels]
    rounded += [
        (SUB_REGION_LEVEL, b) for lv, b in spec.rounded_levels if lv == "Regional"
    ]
    return out, attrs.evolve(
        spec, nestings=nestings, levels=levels, rounded_levels=rounded
    )
